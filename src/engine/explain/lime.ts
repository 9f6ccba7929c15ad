/**
 * LIME — Ribeiro, Singh & Guestrin, "Why Should I Trust You?" (KDD 2016).
 * Follows marcotcr/lime's LimeImageExplainer (lime_image.py, lime_base.py), except that one seed drives everything.
 *
 * Coalitions of superpixels (row 0 all present, then Bernoulli(½) per superpixel) are evaluated in batches; each is
 * weighted by the kernel sqrt(exp(−d²/width²)) of its cosine distance to the all-present coalition; a weighted
 * ridge regression (α = 1, with intercept) is fitted exactly from streamed sums, so memory does not grow with the
 * number of samples.
 */
import { GlassboxError } from '../errors';
import { now } from '../math/clock';
import { createRng } from '../math/rng';
import { WeightedRidgeAccumulator } from '../math/weighted-ridge';
import { scoresIn } from '../predict/scores';
import { tensorDims } from '../image/preprocess';
import { segmentImage, type SegmentationSpec } from './segmentation';
import { createMaskedInputBuilder, fillImage, type HideSpec } from './perturb';
import { createProgressTracker } from './progress';
import { checkTargets } from './targets';
import type { ClassAttribution, Explainer, ExplainRequest, Explanation, ScoreSpace } from './types';

export interface LimeParams {
  samples: number;
  segmentation: SegmentationSpec;
  hide: HideSpec;
  kernelWidth: number;
  /** Ridge penalty (lime: 1). */
  alpha: number;
  /** Images per model call when the model takes a dynamic batch. */
  batchSize: number;
  scoreSpace: ScoreSpace;
}

export const LIME_DEFAULTS: LimeParams = {
  samples: 1000,
  segmentation: { method: 'slic', nSegments: 50, compactness: 10, sigma: 1 },
  hide: { mode: 'mean' },
  kernelWidth: 0.25,
  alpha: 1,
  batchSize: 32,
  scoreSpace: 'probability',
};

/** lime's kernel on the cosine distance between a coalition with `present` of `m` features and the all-ones vector. */
export function limeKernel(present: number, m: number, width: number): number {
  // cosine similarity of z (0/1) with 1 is |z| / (sqrt(|z|)·sqrt(m)) = sqrt(|z|/m); an empty coalition is at distance 1.
  const d = present === 0 ? 1 : 1 - Math.sqrt(present / m);
  return Math.sqrt(Math.exp(-(d * d) / (width * width)));
}

function invalid(message: string): never {
  throw new GlassboxError('PARAM_INVALID', `LIME: ${message}`, 'Fix the value in the LIME panel (or the CLI flag).');
}

export function validateLimeParams(p: LimeParams): void {
  if (!Number.isInteger(p.samples) || p.samples < 2 || p.samples > 200_000) invalid(`the number of samples must be a whole number from 2 to 200000 (got ${p.samples}).`);
  if (!(p.kernelWidth > 0) || !Number.isFinite(p.kernelWidth)) invalid(`the kernel width must be a positive number (got ${p.kernelWidth}).`);
  if (!(p.alpha > 0) || !Number.isFinite(p.alpha)) invalid(`the ridge penalty alpha must be a positive number (got ${p.alpha}).`);
  if (!Number.isInteger(p.batchSize) || p.batchSize < 1 || p.batchSize > 1024) invalid(`the batch size must be a whole number from 1 to 1024 (got ${p.batchSize}).`);
  if (!['mean', 'black', 'grey', 'blur', 'color'].includes(p.hide.mode)) invalid(`unknown hide colour "${p.hide.mode}".`);
  if (p.hide.mode === 'color' && (!p.hide.color || p.hide.color.length !== 3 || p.hide.color.some((v) => !(v >= 0 && v <= 255)))) {
    invalid('a custom hide colour needs three values from 0 to 255.');
  }
  if (p.hide.mode === 'blur' && !((p.hide.blurSigma ?? 5) > 0)) invalid('the blur sigma must be positive.');
  if (p.scoreSpace !== 'probability' && p.scoreSpace !== 'raw') invalid(`score space must be "probability" or "raw" (got ${String(p.scoreSpace)}).`);
}

export async function explainLime(request: ExplainRequest<LimeParams>): Promise<Explanation> {
  const { model, image, preprocess, targets, params, seed } = request;
  validateLimeParams(params);
  checkTargets('LIME', targets, model.spec.numClasses);
  const started = now();

  const segmentation = segmentImage(image, params.segmentation);
  const segmentationMs = now() - started;
  const m = segmentation.count;
  const builder = createMaskedInputBuilder(image, segmentation, fillImage(image, segmentation, params.hide), preprocess);
  const batchSize = model.spec.dynamicBatch ? Math.min(params.batchSize, params.samples) : 1;
  const batchInput = new Float32Array(builder.elementsPerImage * batchSize);
  const coalitions = new Uint8Array(m * batchSize);
  const ridge = new WeightedRidgeAccumulator(m, targets.length);
  const rng = createRng(seed);
  const progress = createProgressTracker('sampling', params.samples, request.onProgress, request.signal);
  const responses = new Float64Array(targets.length);
  const modelPrediction = new Float64Array(targets.length);
  let inferenceMs = 0;
  let modelCalls = 0;

  for (let start = 0; start < params.samples; start += batchSize) {
    await progress.checkpoint();
    const n = Math.min(batchSize, params.samples - start);
    for (let b = 0; b < n; b++) {
      const z = coalitions.subarray(b * m, (b + 1) * m);
      if (start + b === 0) z.fill(1);
      else for (let s = 0; s < m; s++) z[s] = rng.uint32() >>> 31;
      builder.write(z, batchInput, b);
    }
    const t = now();
    const out = await model.run(batchInput.subarray(0, n * builder.elementsPerImage), tensorDims(preprocess, n));
    inferenceMs += now() - t;
    modelCalls++;
    const k = out.length / n;
    for (let b = 0; b < n; b++) {
      const row = out.subarray(b * k, (b + 1) * k);
      const scores = scoresIn(row, params.scoreSpace, model.spec.outputKind);
      for (let j = 0; j < targets.length; j++) responses[j] = scores[targets[j]];
      if (start + b === 0) modelPrediction.set(responses);
      const z = coalitions.subarray(b * m, (b + 1) * m);
      let present = 0;
      for (let s = 0; s < m; s++) present += z[s];
      ridge.addBinary(z, limeKernel(present, m, params.kernelWidth), responses);
    }
    progress.report(start + n);
  }
  progress.throwIfCancelled();

  const fits = ridge.solve(params.alpha);
  const pixels = image.width * image.height;
  const classes: ClassAttribution[] = fits.map((fit, j) => {
    const map = new Array<number>(pixels);
    for (let i = 0; i < pixels; i++) map[i] = fit.coef[segmentation.labels[i]];
    let local = fit.intercept;
    for (let s = 0; s < m; s++) local += fit.coef[s];
    return {
      target: targets[j],
      weights: Array.from(fit.coef),
      intercept: fit.intercept,
      score: fit.score,
      localPrediction: local,
      modelPrediction: modelPrediction[j],
      map,
    };
  });
  return {
    method: 'lime',
    target: targets[0],
    width: image.width,
    height: image.height,
    map: classes[0].map,
    segments: Array.from(segmentation.labels),
    segmentCount: m,
    weights: classes[0].weights,
    classes,
    params: params as unknown as Record<string, unknown>,
    seed,
    scoreSpace: params.scoreSpace,
    timings: { totalMs: now() - started, inferenceMs, segmentationMs, modelCalls, samples: params.samples, batchSize },
  };
}

export const limeExplainer: Explainer<LimeParams> = {
  id: 'lime',
  label: 'LIME',
  reference: 'Ribeiro et al., KDD 2016 · marcotcr/lime (LimeImageExplainer)',
  defaults: LIME_DEFAULTS,
  validate: (params) => validateLimeParams(params),
  explain: explainLime,
};
