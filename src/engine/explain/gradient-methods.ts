/**
 * Gradient attribution methods, as captum computes them: Saliency, Input × Gradient, Integrated Gradients,
 * SmoothGrad (NoiseTunnel over Saliency) and Guided Backprop, on any ONNX classifier through our backward graphs.
 * One loop for all: each method is a set of points to differentiate at (with weights) and a way to turn the
 * averaged gradient into a map. Scores are the logits when the model ends in Softmax (as captum is used on the
 * pre-softmax output), else the model's outputs.
 */
import { GlassboxError } from '../errors';
import { assertFinite } from './finite';
import type { GradientModel } from '../grad/gradient-model';
import { tensorDims, tensorLength, writeModelInput, type PreprocessConfig } from '../image/preprocess';
import { now } from '../math/clock';
import { createRng } from '../math/rng';
import { minMaxNormalise } from './cam';
import type { MethodDescriptor } from './descriptor';
import { batchCapacity, createStats, forEachBatch, timedCall, type EvaluationStats } from './evaluate';
import { hiddenTensor } from './hide';
import { GUIDEDBACKPROP_META, IG_META, INPUTXGRAD_META, SALIENCY_META, SMOOTHGRAD_META, type IgParams, type PlainGradientParams, type SmoothGradParams } from './meta/gradients';
import { defaultsOf, validateParams } from './schema';
import { checkTargets } from './targets';
import type { ClassAttribution, Explainer, ExplainRequest, PixelMapExplanation } from './types';

export const IG_DEFAULTS: IgParams = defaultsOf(IG_META);
export const SMOOTHGRAD_DEFAULTS: SmoothGradParams = defaultsOf(SMOOTHGRAD_META);
export const PLAIN_DEFAULTS: PlainGradientParams = defaultsOf(SALIENCY_META);

/** Gauss–Legendre nodes and weights on [0, 1] (n points, Newton's method on Pₙ). */
export function gaussLegendre(n: number): { points: number[]; weights: number[] } {
  const points: number[] = [], weights: number[] = [];
  for (let i = 1; i <= n; i++) {
    let x = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 100; it++) {
      let p0 = 1, p1 = x;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      const pn = n === 1 ? x : p1, pm = n === 1 ? 1 : p0;
      dp = (n * (x * pn - pm)) / (x * x - 1);
      const dx = pn / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-15) break;
    }
    points.push((1 - x) / 2);
    weights.push(1 / ((1 - x * x) * dp * dp));
  }
  return { points, weights };
}

/** Riemann trapezoid on [0, 1] as captum's 'riemann_trapezoid'. */
function trapezoid(n: number): { points: number[]; weights: number[] } {
  if (n === 1) return { points: [1], weights: [1] };
  const points = Array.from({ length: n }, (_, i) => i / (n - 1));
  const weights = points.map((_, i) => (i === 0 || i === n - 1 ? 0.5 : 1) / (n - 1));
  return { points, weights };
}

/** The inputs a method differentiates at, each with its weight in the average, and the baseline x is compared to. */
interface Samples {
  count: number;
  weight: (i: number) => number;
  write: (i: number, out: Float32Array, offset: number) => void;
  /** Input × Gradient and IG attribute (x − baseline)·gradient; the zero tensor when absent. */
  baseline?: Float32Array;
}

/** How the averaged gradient, in tensor layout, becomes one value per pixel. */
type Reduce = (cfg: PreprocessConfig, gradient: Float32Array, x: Float32Array, baseline: Float32Array | undefined) => Float32Array;

interface GradientPart<P> {
  meta: MethodDescriptor<P>;
  phase: string;
  samples: (x: Float32Array, request: ExplainRequest<P>) => Samples;
  reduce: Reduce;
  signed: boolean;
  /** Average |gradient| instead of the gradient (SmoothGrad over Saliency). */
  absolute?: boolean;
  guidedRelu?: boolean;
  /** Report Σ attributions against f(x) − f(baseline) (IG). */
  completeness?: boolean;
}

/** Per-pixel value from a tensor in the model's layout, folding the channels with `combine`. */
function perPixel(cfg: PreprocessConfig, t: Float32Array, combine: (value: number, acc: number) => number): Float32Array {
  const n = cfg.width * cfg.height, c = cfg.channels;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let ch = 0; ch < c; ch++) acc = combine(t[cfg.layout === 'NCHW' ? ch * n + i : i * c + ch], acc);
    out[i] = acc;
  }
  return out;
}

/** The attribution per element: (x − baseline)·g, the gradient itself when there is no input factor. */
function timesInput(x: Float32Array, gradient: Float32Array, baseline: Float32Array | undefined): Float32Array {
  return gradient.map((g, i) => (x[i] - (baseline?.[i] ?? 0)) * g);
}

const largestMagnitude: Reduce = (cfg, g) => perPixel(cfg, g, (v, m) => Math.max(m, Math.abs(v)));
const sumTimesInput: Reduce = (cfg, g, x, baseline) => perPixel(cfg, timesInput(x, g, baseline), (v, s) => s + v);
const channelSum: Reduce = (cfg, g) => perPixel(cfg, g, (v, s) => s + v);

const atInput = (x: Float32Array): Samples => ({ count: 1, weight: () => 1, write: (_i, out, o) => out.set(x, o) });

/** Points on the straight path from the baseline (a hidden image, or the zero tensor) to x, with the rule's weights. */
function integrationPath(x: Float32Array, request: ExplainRequest<IgParams>): Samples {
  const p = request.params;
  const baseline = hiddenTensor(request.image, p.baseline, request.preprocess);
  const rule = p.rule === 'gausslegendre' ? gaussLegendre(p.steps) : trapezoid(p.steps);
  return {
    count: rule.points.length,
    weight: (i) => rule.weights[i],
    write: (i, out, o) => {
      const alpha = rule.points[i];
      for (let j = 0; j < x.length; j++) out[o + j] = baseline[j] + alpha * (x[j] - baseline[j]);
    },
    baseline,
  };
}

/** Noisy copies x + N(0, σ²), σ = noise · (max − min of x), drawn from the seeded generator in row order. */
function noisyCopies(x: Float32Array, request: ExplainRequest<SmoothGradParams>): Samples {
  const p = request.params;
  let lo = Infinity, hi = -Infinity;
  for (const v of x) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  const sigma = p.noise * (hi - lo);
  const rng = createRng(request.seed);
  const gauss = () => {
    const u = Math.max(rng.float(), 1e-12), v = rng.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return {
    count: p.samples,
    weight: () => 1 / p.samples,
    write: (_i, out, o) => {
      for (let j = 0; j < x.length; j++) out[o + j] = x[j] + sigma * gauss();
    },
  };
}

interface GradientParamsById {
  saliency: PlainGradientParams;
  inputxgrad: PlainGradientParams;
  ig: IgParams;
  smoothgrad: SmoothGradParams;
  guidedbackprop: PlainGradientParams;
}
export type GradientMethodId = keyof GradientParamsById;

const GRADIENT_PARTS: { [K in GradientMethodId]: GradientPart<GradientParamsById[K]> } = {
  saliency: { meta: SALIENCY_META, phase: 'gradients', samples: atInput, reduce: largestMagnitude, signed: false },
  inputxgrad: { meta: INPUTXGRAD_META, phase: 'gradients', samples: atInput, reduce: sumTimesInput, signed: true },
  ig: { meta: IG_META, phase: 'integration steps', samples: integrationPath, reduce: sumTimesInput, signed: true, completeness: true },
  smoothgrad: { meta: SMOOTHGRAD_META, phase: 'noisy samples', samples: noisyCopies, reduce: largestMagnitude, signed: false, absolute: true },
  guidedbackprop: { meta: GUIDEDBACKPROP_META, phase: 'gradients', samples: atInput, reduce: channelSum, signed: true, guidedRelu: true },
};

export function gradientExplainer<K extends GradientMethodId>(id: K): Explainer<GradientParamsById[K]> {
  return { explain: (request) => explainGradient(id, GRADIENT_PARTS[id] as GradientPart<GradientParamsById[K]>, request) };
}

/** f(x) and f(baseline) for the target, to check Σ attributions = f(x) − f(baseline). */
async function completenessOf(gm: GradientModel, x: Float32Array, baseline: Float32Array, target: number, attribution: Float32Array, request: ExplainRequest<{ batchSize: number }>, stats: EvaluationStats): Promise<PixelMapExplanation['completeness']> {
  const per = x.length, k = gm.classes;
  const rows = [baseline, x];
  const capacity = batchCapacity(request.model.spec.dynamicBatch, request.params.batchSize, 2);
  const batch = new Float32Array(capacity * per);
  const f: number[] = [];
  await forEachBatch(2, { phase: 'completeness', capacity, signal: request.signal }, async (start, n) => {
    for (let b = 0; b < n; b++) batch.set(rows[start + b], b * per);
    const out = await timedCall(stats, n, () => gm.run(batch.subarray(0, n * per), tensorDims(request.preprocess, n), new Float32Array(n * k)));
    for (let b = 0; b < n; b++) f.push(out.scores[b * k + target]);
  });
  let sum = 0;
  for (const v of attribution) sum += v;
  const delta = f[1] - f[0];
  return { sum, delta, relativeError: Math.abs(sum - delta) / Math.max(Math.abs(delta), 1e-12) };
}

async function explainGradient<P extends { batchSize: number }>(id: GradientMethodId, part: GradientPart<P>, request: ExplainRequest<P>): Promise<PixelMapExplanation> {
  const { targets, preprocess, image, model, gradients, params } = request;
  validateParams(part.meta, params, { width: preprocess.width, height: preprocess.height });
  if (!gradients) throw new GlassboxError('GRADIENT_UNSUPPORTED', 'Gradients are not available for this model here.');
  checkTargets(part.meta.label, targets, model.spec.numClasses);
  const started = now();
  const stats = createStats();
  const per = tensorLength(preprocess);
  const x = new Float32Array(per);
  writeModelInput(image, preprocess, x);
  const gm = await gradients.forInput(tensorDims(preprocess, 1)).gradients({ input: true, guidedRelu: part.guidedRelu });
  const k = gm.classes;
  const samples = part.samples(x, request);

  // rows: per target, every sample; accumulated Σ weight·grad (or |grad|) per target, in tensor layout
  const total = samples.count * targets.length;
  const capacity = batchCapacity(model.spec.dynamicBatch, params.batchSize, total);
  const batch = new Float32Array(capacity * per);
  const seed = new Float32Array(capacity * k);
  const acc = targets.map(() => new Float64Array(per));
  await forEachBatch(total, { phase: part.phase, capacity, signal: request.signal, onProgress: request.onProgress }, async (start, n) => {
    seed.fill(0);
    for (let b = 0; b < n; b++) {
      const row = start + b;
      samples.write(row % samples.count, batch, b * per);
      seed[b * k + targets[Math.floor(row / samples.count)]] = 1;
    }
    const out = await timedCall(stats, n, () => gm.run(batch.subarray(0, n * per), tensorDims(preprocess, n), seed.subarray(0, n * k)));
    assertFinite(out.scores, `the model's scores (${part.phase})`, k, start);
    const g = out.gradInput!.data;
    assertFinite(g, `the input gradient (${part.phase})`, per, start);
    for (let b = 0; b < n; b++) {
      const row = start + b;
      const w = samples.weight(row % samples.count);
      const a = acc[Math.floor(row / samples.count)], o = b * per;
      if (part.absolute) for (let j = 0; j < per; j++) a[j] += w * Math.abs(g[o + j]);
      else for (let j = 0; j < per; j++) a[j] += w * g[o + j];
    }
  });

  const classes: ClassAttribution[] = targets.map((target, j) => ({ target, map: Array.from(part.reduce(preprocess, Float32Array.from(acc[j]), x, samples.baseline)) }));
  const completeness = part.completeness
    ? await completenessOf(gm, x, samples.baseline ?? new Float32Array(per), targets[0], timesInput(x, Float32Array.from(acc[0]), samples.baseline), request, stats)
    : undefined;
  let lo = Infinity, hi = -Infinity;
  for (const v of classes[0].map) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  const limit = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  return {
    kind: 'pixel-map',
    method: id,
    target: targets[0],
    width: image.width,
    height: image.height,
    map: classes[0].map,
    classes,
    signed: part.signed,
    normalisedMap: part.signed ? classes[0].map.map((v) => v / limit) : Array.from(minMaxNormalise(classes[0].map)),
    ...(completeness ? { completeness } : {}),
    scoreSpace: gm.scoreKind === 'logits' ? 'logits' : 'raw',
    params: params as unknown as Record<string, unknown>,
    seed: request.seed,
    timings: { totalMs: now() - started, inferenceMs: stats.inferenceMs, modelCalls: stats.modelCalls, samples: stats.rows, batchSize: stats.batchSize },
  };
}
