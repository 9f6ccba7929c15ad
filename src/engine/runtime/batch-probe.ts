/**
 * The batch size a model runs fastest at on this machine and backend, found by a short probe: batches of 1, 2, 4, …
 * are timed (one warm-up run, then the fastest of two or more, 30 ms at least) until the time per image stops falling, a run fails (out of
 * memory on a GPU), the batch buffer would pass a size limit, or the time budget is spent. What is best differs by
 * backend and model: on WASM here the demo model is 2–6× cheaper per image at 32 than at 1 while squeezenet1.1
 * gains ~20 %; on a GPU large batches are where it is fast, until memory runs out. Pure: the caller supplies the run.
 */
import { now as clockNow } from '../math/clock';

export interface BatchProbe {
  /** The batch with the least time per image. */
  best: number;
  /** Milliseconds per image at each batch measured. */
  perImageMs: Record<number, number>;
  /** Why the probe stopped growing the batch. */
  stoppedBy: 'flat' | 'budget' | 'failed' | 'memory' | 'largest';
}

export interface BatchProbeOptions {
  /** Batches tried, ascending (default 1, 2, 4, …, 64). */
  candidates?: number[];
  /** Total time the probe may take, in ms (default 2000). */
  budgetMs?: number;
  /** Bytes of one input row: batches whose buffer passes maxBufferBytes are not tried. */
  rowBytes: number;
  maxBufferBytes?: number;
  /** A batch must beat the best per-image time by this share to count as faster (default 5 %). */
  minGain?: number;
  now?: () => number;
}

export const PROBE_CANDIDATES = [1, 2, 4, 8, 16, 32, 64];
export const PROBE_BUDGET_MS = 2000;
export const PROBE_MAX_BUFFER_BYTES = 256 * 1024 * 1024;
const MIN_TIMED_MS = 30;
/** Batches in a row without a gain before the probe stops (a small model's gain can pause, then resume at 16–32). */
const FLAT_STEPS = 3;
const MAX_TIMED_RUNS = 10;

/**
 * Probe `run(batch)` (one model call on a batch of that size; resolves when done, rejects when it cannot run).
 * Stops after FLAT_STEPS batches in a row that are not at least minGain faster per image than the best so far.
 */
export async function probeBatchSize(run: (batch: number) => Promise<void>, options: BatchProbeOptions): Promise<BatchProbe> {
  const now = options.now ?? clockNow;
  const candidates = options.candidates ?? PROBE_CANDIDATES;
  const budget = options.budgetMs ?? PROBE_BUDGET_MS;
  const maxBytes = options.maxBufferBytes ?? PROBE_MAX_BUFFER_BYTES;
  const minGain = options.minGain ?? 0.05;
  const started = now();
  const perImageMs: Record<number, number> = {};
  let best = candidates[0] ?? 1;
  let bestMs = Infinity;
  let flat = 0;
  for (const batch of candidates) {
    if (batch * options.rowBytes > maxBytes) return { best, perImageMs, stoppedBy: 'memory' };
    // three runs at this batch, at the per-image time seen so far: would they fit in what is left?
    const spent = now() - started;
    if (Number.isFinite(bestMs) && spent + 3 * bestMs * batch > budget) return { best, perImageMs, stoppedBy: 'budget' };
    let ms = Infinity;
    try {
      await run(batch); // warm-up: allocation, kernel selection
      // the fastest of at least two runs, and of as many as fit in MIN_TIMED_MS (a small model's call is a
      // millisecond or two: one slow call from another tab would otherwise decide)
      const timed = now();
      for (let r = 0; r < MAX_TIMED_RUNS && (r < 2 || now() - timed < MIN_TIMED_MS); r++) {
        const t = now();
        await run(batch);
        ms = Math.min(ms, now() - t);
      }
    } catch {
      return { best, perImageMs, stoppedBy: 'failed' };
    }
    const per = ms / batch;
    perImageMs[batch] = per;
    if (per < bestMs * (1 - minGain)) {
      best = batch;
      bestMs = per;
      flat = 0;
    } else if (++flat >= FLAT_STEPS) {
      return { best, perImageMs, stoppedBy: 'flat' };
    }
  }
  return { best, perImageMs, stoppedBy: 'largest' };
}

