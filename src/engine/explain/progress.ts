import { GlassboxError } from '../errors';
import { now } from '../math/clock';
import type { CancelSignal, Progress } from './types';

/** Progress with an ETA from the observed rate, and a cancellation check between batches. */
export function createProgressTracker(phase: string, total: number, onProgress?: (p: Progress) => void, signal?: CancelSignal) {
  const started = now();
  return {
    report(done: number, extra?: Partial<Progress>) {
      const elapsed = now() - started;
      onProgress?.({ phase, done, total, etaMs: done > 0 && done < total ? (elapsed / done) * (total - done) : done >= total ? 0 : undefined, ...extra });
    },
    /** Let queued messages (a cancel request) run, then stop if cancelled. Call between batches. */
    async checkpoint() {
      await yieldToEventLoop();
      this.throwIfCancelled();
    },
    throwIfCancelled() {
      if (signal?.aborted) throw new GlassboxError('CANCELLED', 'The explanation was cancelled.', 'Earlier results are kept; run it again when ready.');
    },
  };
}

/**
 * Give the event loop one turn. onnxruntime's run() resolves through microtasks only, so a loop of awaited
 * runs never lets a worker handle incoming messages; this yields a macrotask without setTimeout's 4 ms clamp.
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as unknown as {
    setImmediate?: (f: () => void) => void;
    MessageChannel?: new () => { port1: { onmessage: (() => void) | null; close(): void }; port2: { postMessage(m: unknown): void } };
    setTimeout: (f: () => void, ms: number) => void;
  };
  if (g.setImmediate) return new Promise((resolve) => g.setImmediate!(resolve));
  if (g.MessageChannel) {
    return new Promise((resolve) => {
      const channel = new g.MessageChannel!();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => g.setTimeout(resolve, 0));
}
