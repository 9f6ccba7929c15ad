import { GlassboxError } from '../errors';
import { now } from '../math/clock';
import type { CancelSignal, Progress } from './types';

/**
 * The time left from the rate measured since the first report: the first batch carries one-off costs (session
 * warm-up, kernel compilation, segmentation), which made ETAs 2–4× too long when counted in the rate.
 */
export function etaFrom(first: { at: number; done: number } | undefined, at: number, done: number, total: number, started: number): number | undefined {
  if (done >= total) return 0;
  if (done <= 0) return undefined;
  if (first && done > first.done && at > first.at) return ((at - first.at) / (done - first.done)) * (total - done);
  return ((at - started) / done) * (total - done);
}

/** Progress with an ETA from the observed rate, and a cancellation check between batches. */
export function createProgressTracker(phase: string, total: number, onProgress?: (p: Progress) => void, signal?: CancelSignal) {
  const started = now();
  let first: { at: number; done: number } | undefined;
  return {
    report(done: number, extra?: Partial<Progress>) {
      const at = now();
      const etaMs = etaFrom(first, at, done, total, started);
      first ??= { at, done };
      onProgress?.({ phase, done, total, etaMs, ...extra });
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
