/**
 * Deletion and insertion curves — Petsiuk et al., RISE (BMVC 2018), evaluation.py — for any per-pixel map:
 * pixels are ranked by the map (most important first); deletion removes them step by step (replacing them with a
 * substrate, black by default) and insertion restores them step by step onto a blurred copy (Gaussian σ 5 as
 * the RISE code's kernel-11 blur). Each curve is the class probability against the fraction of pixels changed;
 * its area (trapezoid rule, x from 0 to 1) summarises it: a faithful map has a low deletion AUC and a high
 * insertion AUC. All steps run through the model in batches.
 */
import { GlassboxError } from '../errors';
import { gaussianBlur } from '../image/blur';
import { tensorDims, tensorLength, writeModelInput, type PreprocessConfig } from '../image/preprocess';
import { createRgbaImage, type RgbaImage } from '../image/types';
import { now } from '../math/clock';
import { scoresIn } from '../predict/scores';
import type { Model } from '../runtime/ort-runtime';
import { createProgressTracker } from './progress';
import type { CancelSignal, FaithfulnessCurve, FaithfulnessMetrics, Progress } from './types';

export interface FaithfulnessParams {
  /** Points on each curve after the start (the RISE code: 224 px per step on 224×224, i.e. 224 steps). */
  steps: number;
  deletionSubstrate: 'black' | 'blur';
  insertionSubstrate: 'blur' | 'black';
  blurSigma: number;
  batchSize: number;
}

export const FAITHFULNESS_DEFAULTS: FaithfulnessParams = { steps: 32, deletionSubstrate: 'black', insertionSubstrate: 'blur', blurSigma: 5, batchSize: 32 };

export function validateFaithfulnessParams(p: FaithfulnessParams): void {
  const bad = (m: string) => {
    throw new GlassboxError('PARAM_INVALID', `Deletion/insertion: ${m}`);
  };
  if (!Number.isInteger(p.steps) || p.steps < 2 || p.steps > 4096) bad(`steps must be a whole number from 2 to 4096 (got ${p.steps}).`);
  if (!['black', 'blur'].includes(p.deletionSubstrate) || !['black', 'blur'].includes(p.insertionSubstrate)) bad('substrates are "black" or "blur".');
  if (!(p.blurSigma > 0)) bad(`the blur sigma must be positive (got ${p.blurSigma}).`);
  if (!Number.isInteger(p.batchSize) || p.batchSize < 1 || p.batchSize > 1024) bad(`the batch size must be a whole number from 1 to 1024 (got ${p.batchSize}).`);
}

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

export interface FaithfulnessRequest {
  model: Model;
  image: RgbaImage;
  preprocess: PreprocessConfig;
  target: number;
  map: ArrayLike<number>;
  params: FaithfulnessParams;
  signal?: CancelSignal;
  onProgress?: (p: Progress) => void;
}

export async function faithfulness(request: FaithfulnessRequest): Promise<FaithfulnessMetrics> {
  const { model, image, preprocess, target, map, params } = request;
  validateFaithfulnessParams(params);
  const pixels = image.width * image.height;
  if (map.length !== pixels) throw new GlassboxError('PARAM_INVALID', `The map has ${map.length} values for a ${image.width}×${image.height} image.`);
  const started = now();
  const order = rankPixels(map);
  const length = tensorLength(preprocess);
  const tensorOf = (img: RgbaImage) => {
    const t = new Float32Array(length);
    writeModelInput(img, preprocess, t);
    return t;
  };
  const black = createRgbaImage(image.width, image.height);
  for (let i = 0; i < pixels; i++) black.data[i * 4 + 3] = 255;
  const blurred = gaussianBlur(image, params.blurSigma);
  const original = tensorOf(image);
  const substrate = { black: tensorOf(black), blur: tensorOf(blurred) };
  const channels = preprocess.channels;
  // tensor elements of each pixel, in the model's layout
  const elementsOf = (p: number, c: number) => (preprocess.layout === 'NCHW' ? c * pixels + p : p * channels + c);
  const n = params.steps;
  const changedAt = (k: number) => Math.round((k * pixels) / n);
  // jobs: deletion steps 0..n, insertion steps 0..n
  const jobs: { kind: 'deletion' | 'insertion'; k: number }[] = [];
  for (const kind of ['deletion', 'insertion'] as const) for (let k = 0; k <= n; k++) jobs.push({ kind, k });
  const batchSize = model.spec.dynamicBatch ? Math.min(params.batchSize, jobs.length) : 1;
  const batch = new Float32Array(batchSize * length);
  const curves = { deletion: new Array<number>(n + 1), insertion: new Array<number>(n + 1) };
  const progress = createProgressTracker('deletion and insertion', jobs.length, request.onProgress, request.signal);
  let modelCalls = 0;
  for (let start = 0; start < jobs.length; start += batchSize) {
    await progress.checkpoint();
    const count = Math.min(batchSize, jobs.length - start);
    for (let b = 0; b < count; b++) {
      const { kind, k } = jobs[start + b];
      const o = b * length;
      // deletion: the image with the top pixels replaced; insertion: the substrate with the top pixels restored
      const base = kind === 'deletion' ? original : substrate[params.insertionSubstrate];
      const fill = kind === 'deletion' ? substrate[params.deletionSubstrate] : original;
      batch.set(base, o);
      for (let r = 0; r < changedAt(k); r++) {
        const p = order[r];
        for (let c = 0; c < channels; c++) {
          const e = elementsOf(p, c);
          batch[o + e] = fill[e];
        }
      }
    }
    const out = await model.run(batch.subarray(0, count * length), tensorDims(preprocess, count));
    modelCalls++;
    const classes = out.length / count;
    for (let b = 0; b < count; b++) {
      const row = out.subarray(b * classes, (b + 1) * classes);
      const probs = scoresIn(row, 'probability', model.spec.outputKind);
      curves[jobs[start + b].kind][jobs[start + b].k] = probs[target];
    }
    progress.report(start + count);
  }
  progress.throwIfCancelled();
  const x = Array.from({ length: n + 1 }, (_, k) => changedAt(k) / pixels);
  const curve = (y: number[]): FaithfulnessCurve => ({ x, y, auc: trapezoidAuc(y) });
  return { deletion: curve(curves.deletion), insertion: curve(curves.insertion), target, steps: n, timings: { totalMs: now() - started, modelCalls } };
}
