/**
 * The one batched-evaluation loop every method that calls the model many times shares (LIME, KernelSHAP,
 * Partition SHAP, RISE, Occlusion, Score-CAM, Ablation-CAM, Integrated Gradients, SmoothGrad and the
 * faithfulness curves): rows go through the model in batches the model can take, the worker's cancel flag is
 * checked between batches (after yielding to the event loop, so the cancel message can arrive), progress is
 * reported with an ETA, and every call is timed and counted.
 */
import { assertFinite } from './finite';
import { tensorDims, tensorLength, type PreprocessConfig } from '../image/preprocess';
import { now } from '../math/clock';
import type { MaskedInputSpec } from '../runtime/gpu-compose';
import type { MaskedInputRunner, Model } from '../runtime/ort-runtime';
import { createProgressTracker } from './progress';
import type { RowStore } from './reuse';
import type { CancelSignal, Progress } from './types';

/** The one batch-size rule: as many rows as asked when the model takes a dynamic batch, else one at a time. */
export function batchCapacity(dynamicBatch: boolean, batchSize: number, rows = Infinity): number {
  return dynamicBatch ? Math.max(1, Math.min(batchSize, rows)) : 1;
}

/** Time spent in the model, calls made and rows evaluated; shared by all phases of one run. */
export interface EvaluationStats {
  inferenceMs: number;
  modelCalls: number;
  rows: number;
  /** The largest batch used. */
  batchSize: number;
  /** Rows whose outputs came from an earlier run (reuse.ts) instead of the model. */
  reusedRows: number;
  /** Some rows were composed on the GPU (a feed from Model.maskedInputs). */
  inputsOnGpu?: boolean;
}

export function createStats(): EvaluationStats {
  return { inferenceMs: 0, modelCalls: 0, rows: 0, batchSize: 1, reusedRows: 0 };
}

/** A result's timings from its stats: samples count every row used, reusedRows those no model call was made for. */
export function rowTimings(stats: EvaluationStats): { inferenceMs: number; modelCalls: number; samples: number; batchSize: number; reusedRows?: number; inputsOnGpu?: boolean } {
  return {
    inferenceMs: stats.inferenceMs,
    modelCalls: stats.modelCalls,
    samples: stats.rows + stats.reusedRows,
    batchSize: stats.batchSize,
    ...(stats.reusedRows ? { reusedRows: stats.reusedRows } : {}),
    ...(stats.inputsOnGpu ? { inputsOnGpu: true } : {}),
  };
}

/** Run one model call of `rows` rows, counted and timed in `stats`. */
export async function timedCall<T>(stats: EvaluationStats, rows: number, call: () => Promise<T>): Promise<T> {
  const t = now();
  const result = await call();
  stats.inferenceMs += now() - t;
  stats.modelCalls++;
  stats.rows += rows;
  stats.batchSize = Math.max(stats.batchSize, rows);
  return result;
}

/** A progress phase that spans several loops (RISE's p1 search, Partition SHAP's rounds): one ETA for all. */
export type PhaseTracker = ReturnType<typeof createProgressTracker>;

export interface LoopOptions {
  /** Progress phase shown to the user ("sampling", "masks", "integration steps"). */
  phase: string;
  /** Rows per batch. */
  capacity: number;
  signal?: CancelSignal;
  onProgress?: (p: Progress) => void;
  /** Extra fields merged into each progress report (RISE's preview map). */
  progressExtra?: (done: number) => Partial<Progress> | undefined;
  /**
   * When this loop is one stretch of a longer phase: that phase's tracker (made with createProgressTracker, with
   * the signal) and the rows it counted before this loop; `phase`, `signal` and `onProgress` are then the tracker's.
   */
  within?: { tracker: PhaseTracker; done: number };
  /** Asked after each batch with the rows done: true ends the loop early (an anytime method that is stable). */
  stop?: (done: number) => boolean;
}

/**
 * Call `batch(start, n)` for consecutive row ranges of at most `capacity` rows, with a cancellation checkpoint
 * before each and a progress report after each; throws CANCELLED when the signal is set.
 */
export async function forEachBatch(total: number, options: LoopOptions, batch: (start: number, n: number) => Promise<void>): Promise<void> {
  const progress = options.within?.tracker ?? createProgressTracker(options.phase, total, options.onProgress, options.signal);
  const before = options.within?.done ?? 0;
  const capacity = Math.max(1, options.capacity);
  for (let start = 0; start < total; start += capacity) {
    await progress.checkpoint();
    const n = Math.min(capacity, total - start);
    await batch(start, n);
    progress.report(before + start + n, options.progressExtra?.(start + n));
    if (start + n < total && options.stop?.(start + n)) break;
  }
  progress.throwIfCancelled();
}

export interface ModelEvaluation {
  model: Model;
  preprocess: PreprocessConfig;
  /** Rows per model call wanted (the model's batch capability decides). */
  batchSize: number;
  stats: EvaluationStats;
  phase: string;
  signal?: CancelSignal;
  onProgress?: (p: Progress) => void;
  progressExtra?: (done: number) => Partial<Progress> | undefined;
  within?: LoopOptions['within'];
  stop?: LoopOptions['stop'];
  /**
   * The outputs of this stream's rows from earlier runs (reuse.ts): rows it holds are not run through the model,
   * rows it lacks are run and added. `write` is still called for every row (a method's sampler advances there).
   */
  rows?: RowStore;
  /**
   * The masked images these rows are (gpu-compose.ts). Where the model composes them on the GPU
   * (Model.maskedInputs, WebGPU), `write` is asked for each row's weights instead of its tensor (`weights`), and
   * only those are uploaded; elsewhere it writes the tensor as usual.
   */
  masked?: MaskedInputSpec;
}

/**
 * The common case: `total` input tensors (or, `weights`, their masks' weights) written by `write(row, out, offset, stored, weights)` into a reused batch buffer,
 * run through the model, and each row's raw scores (numClasses values, a view valid during the call) handed to
 * `consume(row, scores)`. `write` is called for every row, in order; for a row whose outputs the store holds
 * (`stored`) it need only advance its sampler: that input is not run.
 */
export async function evaluateRows(
  ev: ModelEvaluation,
  total: number,
  write: (row: number, out: Float32Array, offset: number, stored: boolean, weights: boolean) => void,
  consume: (row: number, scores: Float32Array) => void,
): Promise<void> {
  const feed = ev.masked ? await ev.model.maskedInputs?.(ev.masked) : undefined;
  try {
    await evaluateInto(ev, total, feed, write, consume);
  } finally {
    feed?.dispose();
  }
}

async function evaluateInto(
  ev: ModelEvaluation,
  total: number,
  feed: MaskedInputRunner | undefined,
  write: (row: number, out: Float32Array, offset: number, stored: boolean, weights: boolean) => void,
  consume: (row: number, scores: Float32Array) => void,
): Promise<void> {
  const per = feed?.per ?? tensorLength(ev.preprocess);
  const capacity = Math.min(batchCapacity(ev.model.spec.dynamicBatch, ev.batchSize, total), feed?.maxRows ?? Infinity);
  const buffer = new Float32Array(capacity * per);
  const run = feed ? (n: number) => feed.run(buffer.subarray(0, n * per), n) : (n: number) => ev.model.run(buffer.subarray(0, n * per), tensorDims(ev.preprocess, n));
  const store = ev.rows;
  await forEachBatch(total, { phase: ev.phase, capacity, signal: ev.signal, onProgress: ev.onProgress, progressExtra: ev.progressExtra, within: ev.within, stop: ev.stop }, async (start, n) => {
    // rows the store holds are a prefix: the batch's first `known` rows; their inputs need not be written (`stored`)
    const known = store ? Math.max(0, Math.min(n, store.count - start)) : 0;
    for (let b = 0; b < n; b++) write(start + b, buffer, b * per, b < known, !!feed);
    const fresh = n - known;
    let out: Float32Array | undefined;
    if (fresh > 0) {
      if (known > 0) buffer.copyWithin(0, known * per, n * per);
      out = await timedCall(ev.stats, fresh, () => run(fresh));
      if (feed) ev.stats.inputsOnGpu = true;
      assertFinite(out, `the model's scores (${ev.phase})`, out.length / fresh, start + known);
    }
    ev.stats.reusedRows += known;
    const k = out ? out.length / fresh : store!.width!;
    for (let b = 0; b < n; b++) {
      const raw = b < known ? store!.get(start + b)! : out!.subarray((b - known) * k, (b - known + 1) * k);
      if (b >= known) store?.append(start + b, raw);
      consume(start + b, raw);
    }
  });
}
