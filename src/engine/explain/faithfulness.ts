/**
 * Deletion and insertion curves — Petsiuk et al., RISE (BMVC 2018), evaluation.py — for any per-pixel map:
 * pixels are ranked by the map (most important first); deletion removes them step by step (replacing them with a
 * substrate, black by default) and insertion restores them step by step onto a blurred copy (Gaussian σ 5 as
 * the RISE code's kernel-11 blur). Each curve is the class probability against the fraction of pixels changed;
 * its area (trapezoid rule, x from 0 to 1) summarises it: a faithful map has a low deletion AUC and a high
 * insertion AUC. All steps run through the model in batches (evaluate.ts); the substrates are hide.ts's black and
 * blurred images. The same curves for a random pixel order (seeded, same steps; the end points are shared) give
 * the baseline a map must beat to say anything about the model. Those rows, and the curves' end points, do not
 * depend on the map: with a reuse cache they are evaluated once for every map of a model and image.
 */
import { GlassboxError } from '../errors';
import { tensorLength, writeModelInput, type PreprocessConfig } from '../image/preprocess';
import type { RgbaImage } from '../image/types';
import { now } from '../math/clock';
import { createRng } from '../math/rng';
import { scoresIn } from '../predict/scores';
import type { Model } from '../runtime/ort-runtime';
import { createStats, evaluateRows } from './evaluate';
import { createProgressTracker } from './progress';
import { streamRows, type ReuseCache, type RowStore } from './reuse';
import { validateFaithfulnessParams, type FaithfulnessParams } from './faithfulness-params';
import { hiddenTensor } from './hide';
import type { CancelSignal, FaithfulnessCurve, FaithfulnessMetrics, Progress } from './types';

export { FAITHFULNESS_DEFAULTS, validateFaithfulnessParams, type FaithfulnessParams } from './faithfulness-params';

/** Pixel indices from most to least important (ties: lower index first). */
export function rankPixels(map: ArrayLike<number>): Int32Array {
  const order = Int32Array.from({ length: map.length }, (_, i) => i);
  return order.sort((a, b) => map[b] - map[a] || a - b);
}

/** Area under y over evenly spaced x in [0, 1], trapezoid rule. */
export function trapezoidAuc(y: ArrayLike<number>): number {
  const n = y.length - 1;
  if (n < 1) return 0;
  let s = 0;
  for (let k = 0; k < n; k++) s += (y[k] + y[k + 1]) / 2;
  return s / n;
}

/** The seed of the random pixel order when the caller gives none. */
export const RANDOM_ORDER_SEED = 0;

/** Every pixel index once, in a random order (Fisher–Yates with the seeded generator). */
export function randomPixelOrder(pixels: number, seed: number): Int32Array {
  const rng = createRng(seed);
  const order = Int32Array.from({ length: pixels }, (_, i) => i);
  for (let i = pixels - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

export interface FaithfulnessRequest {
  model: Model;
  image: RgbaImage;
  preprocess: PreprocessConfig;
  target: number;
  map: ArrayLike<number>;
  params: FaithfulnessParams;
  /** Seed of the random-order baseline (default RANDOM_ORDER_SEED). */
  randomSeed?: number;
  signal?: CancelSignal;
  onProgress?: (p: Progress) => void;
  /** The model's and image's SHA-256 and the owner's reuse cache: the rows no map decides are kept (reuse.ts). */
  inputs?: { modelSha256: string; imageSha256: string };
  reuse?: ReuseCache;
}

export async function faithfulness(request: FaithfulnessRequest): Promise<FaithfulnessMetrics> {
  const { model, image, preprocess, target, map, params } = request;
  validateFaithfulnessParams(params);
  const pixels = image.width * image.height;
  if (map.length !== pixels) throw new GlassboxError('PARAM_INVALID', `The map has ${map.length} values for a ${image.width}×${image.height} image.`);
  const started = now();
  const orders = { map: rankPixels(map), random: randomPixelOrder(pixels, request.randomSeed ?? RANDOM_ORDER_SEED) };
  const original = new Float32Array(tensorLength(preprocess));
  writeModelInput(image, preprocess, original);
  const substrate = {
    black: hiddenTensor(image, { mode: 'black' }, preprocess),
    blur: hiddenTensor(image, { mode: 'blur', blurSigma: params.blurSigma }, preprocess),
  };
  const channels = preprocess.channels;
  // tensor elements of each pixel, in the model's layout
  const elementsOf = (p: number, c: number) => (preprocess.layout === 'NCHW' ? c * pixels + p : p * channels + c);
  const n = params.steps;
  const changedAt = (k: number) => Math.round((k * pixels) / n);
  // jobs: the map's deletion and insertion steps 0..n, then the random order's inner steps 1..n-1 (its first and
  // last images are the map's: nothing or everything changed)
  type Order = keyof typeof orders;
  type Job = { order: Order; kind: 'deletion' | 'insertion'; k: number };
  // Rows that do not depend on the map, first: the random order's inner steps, then the three images every curve
  // starts or ends at (the full substrate, the insertion substrate, the image). With the reuse cache they are
  // evaluated once per model, image, settings and seed, for every map after the first: a map costs its 2(n − 1)
  // inner steps then.
  const shared: Job[] = [];
  for (const kind of ['deletion', 'insertion'] as const) for (let k = 1; k < n; k++) shared.push({ order: 'random', kind, k });
  shared.push({ order: 'map', kind: 'deletion', k: n }, { order: 'map', kind: 'insertion', k: 0 }, { order: 'map', kind: 'deletion', k: 0 });
  const own: Job[] = [];
  for (const kind of ['deletion', 'insertion'] as const) for (let k = 1; k < n; k++) own.push({ order: 'map', kind, k });
  const curves = {
    map: { deletion: new Array<number>(n + 1), insertion: new Array<number>(n + 1) },
    random: { deletion: new Array<number>(n + 1), insertion: new Array<number>(n + 1) },
  };
  const stats = createStats();
  const tracker = createProgressTracker('deletion and insertion', shared.length + own.length, request.onProgress, request.signal);
  const { steps, deletionSubstrate, insertionSubstrate, blurSigma } = params;
  const sharedRows = streamRows(request, { curves: 'random order and end points', steps, deletionSubstrate, insertionSubstrate, blurSigma, seed: request.randomSeed ?? RANDOM_ORDER_SEED });
  const evaluate = (jobs: Job[], done: number, rows?: RowStore) =>
    evaluateRows(
      { model, preprocess, batchSize: params.batchSize, stats, phase: 'deletion and insertion', within: { tracker, done }, rows },
      jobs.length,
      (row, out, o, stored) => {
        if (stored) return;
        const { order, kind, k } = jobs[row];
        // deletion: the image with the top pixels replaced; insertion: the substrate with the top pixels restored
        const base = kind === 'deletion' ? original : substrate[params.insertionSubstrate];
        const fill = kind === 'deletion' ? substrate[params.deletionSubstrate] : original;
        const ranked = orders[order];
        out.set(base, o);
        for (let r = 0; r < changedAt(k); r++) {
          const p = ranked[r];
          for (let c = 0; c < channels; c++) {
            const e = elementsOf(p, c);
            out[o + e] = fill[e];
          }
        }
      },
      (row, raw) => {
        const probs = scoresIn(raw, 'probability', model.spec.outputKind);
        const { order, kind, k } = jobs[row];
        curves[order][kind][k] = probs[target];
      },
    );
  await evaluate(shared, 0, sharedRows);
  await evaluate(own, shared.length);
  // the image is the insertion's last point too
  curves.map.insertion[n] = curves.map.deletion[0];
  for (const kind of ['deletion', 'insertion'] as const) {
    curves.random[kind][0] = curves.map[kind][0];
    curves.random[kind][n] = curves.map[kind][n];
  }
  const x = Array.from({ length: n + 1 }, (_, k) => changedAt(k) / pixels);
  const curve = (y: number[]): FaithfulnessCurve => ({ x, y, auc: trapezoidAuc(y) });
  return {
    deletion: curve(curves.map.deletion),
    insertion: curve(curves.map.insertion),
    random: { deletion: curve(curves.random.deletion), insertion: curve(curves.random.insertion) },
    target,
    steps: n,
    timings: { totalMs: now() - started, modelCalls: stats.modelCalls, ...(stats.reusedRows ? { reusedRows: stats.reusedRows } : {}) },
  };
}
