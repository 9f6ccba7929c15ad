/**
 * The CAM family and the gradient attribution methods, on any ONNX classifier through our backward graphs.
 * CAMs follow jacobgil/pytorch-grad-cam (cam.ts); Saliency, Input×Gradient, Integrated Gradients, SmoothGrad and
 * Guided Backprop follow captum. Scores are the logits when the model ends in Softmax (as both libraries use the
 * pre-softmax output), else the model's outputs. Every map is returned raw and, for CAMs, normalised per image.
 */
import { GlassboxError } from '../errors';
import type { GradientSource } from '../grad/gradient-model';
import { gaussianBlur } from '../image/blur';
import { tensorDims, writeModelInput, type PreprocessConfig } from '../image/preprocess';
import { createRgbaImage, type RgbaImage } from '../image/types';
import { now } from '../math/clock';
import { createRng } from '../math/rng';
import { eigenCam, featureMapsOf, gradientCam, minMaxNormalise, resizeMap, weightedCam, type FeatureMaps, type GradientCam } from './cam';
import { createProgressTracker } from './progress';
import { checkTargets } from './targets';
import type { ClassAttribution, Explainer, ExplainRequest, Explanation } from './types';

export type CamMethod = GradientCam | 'eigencam' | 'scorecam' | 'ablationcam';
export type GradientMethod = 'saliency' | 'inputxgrad' | 'ig' | 'smoothgrad' | 'guidedbackprop';

export interface CamParams {
  /** Target layer (tensor name); the suggested one when empty. */
  layer?: string;
  /** Masked inputs / ablated activations per model call (Score-CAM, Ablation-CAM). */
  batchSize: number;
}

export interface IgParams {
  steps: number;
  baseline: 'black' | 'blur' | 'color' | 'zeros';
  /** RGB 0–255 when baseline is 'color'. */
  color?: [number, number, number];
  blurSigma?: number;
  /** captum's default 'gausslegendre', or 'riemann_trapezoid'. */
  rule: 'gausslegendre' | 'riemann_trapezoid';
  batchSize: number;
}

export interface SmoothGradParams {
  samples: number;
  /** Noise σ as a fraction of the input tensor's value range (max − min). */
  noise: number;
  batchSize: number;
}

export interface PlainGradientParams {
  batchSize: number;
}

export const CAM_DEFAULTS: CamParams = { batchSize: 32 };
export const IG_DEFAULTS: IgParams = { steps: 50, baseline: 'black', rule: 'gausslegendre', batchSize: 16, blurSigma: 5 };
export const SMOOTHGRAD_DEFAULTS: SmoothGradParams = { samples: 25, noise: 0.15, batchSize: 16 };
export const PLAIN_DEFAULTS: PlainGradientParams = { batchSize: 16 };

function invalid(method: string, message: string): never {
  throw new GlassboxError('PARAM_INVALID', `${method}: ${message}`, 'Fix the value in the method panel (or the CLI flag).');
}

function batchSizeOk(method: string, b: number): void {
  if (!Number.isInteger(b) || b < 1 || b > 1024) invalid(method, `the batch size must be a whole number from 1 to 1024 (got ${b}).`);
}

export function validateIgParams(p: IgParams): void {
  if (!Number.isInteger(p.steps) || p.steps < 1 || p.steps > 2000) invalid('Integrated Gradients', `steps must be a whole number from 1 to 2000 (got ${p.steps}).`);
  if (!['black', 'blur', 'color', 'zeros'].includes(p.baseline)) invalid('Integrated Gradients', `unknown baseline "${p.baseline}".`);
  if (p.baseline === 'color' && (!p.color || p.color.length !== 3 || p.color.some((v) => !(v >= 0 && v <= 255)))) invalid('Integrated Gradients', 'a colour baseline needs three values from 0 to 255.');
  if (p.baseline === 'blur' && !((p.blurSigma ?? 5) > 0)) invalid('Integrated Gradients', 'the blur sigma must be positive.');
  if (p.rule !== 'gausslegendre' && p.rule !== 'riemann_trapezoid') invalid('Integrated Gradients', `unknown integration rule "${p.rule}".`);
  batchSizeOk('Integrated Gradients', p.batchSize);
}

export function validateSmoothGradParams(p: SmoothGradParams): void {
  if (!Number.isInteger(p.samples) || p.samples < 1 || p.samples > 5000) invalid('SmoothGrad', `samples must be a whole number from 1 to 5000 (got ${p.samples}).`);
  if (!(p.noise >= 0 && p.noise <= 10)) invalid('SmoothGrad', `the noise level must be from 0 to 10 (got ${p.noise}).`);
  batchSizeOk('SmoothGrad', p.batchSize);
}

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

interface Setup {
  source: GradientSource;
  x: Float32Array;
  perImage: number;
  dims: (n: number) => number[];
  /** rows per model call */
  capacity: (wanted: number) => number;
}

function setup(method: string, request: ExplainRequest<unknown>, batchSize: number): Setup {
  const { model, image, preprocess, targets, gradients } = request;
  if (!gradients) throw new GlassboxError('GRADIENT_UNSUPPORTED', 'Gradients are not available for this model here.');
  checkTargets(method, targets, model.spec.numClasses);
  const perImage = preprocess.width * preprocess.height * preprocess.channels;
  const x = new Float32Array(perImage);
  writeModelInput(image, preprocess, x);
  return {
    source: gradients,
    x,
    perImage,
    dims: (n) => tensorDims(preprocess, n),
    capacity: (wanted) => (model.spec.dynamicBatch ? Math.max(1, Math.min(batchSize, wanted)) : 1),
  };
}

/** Per-pixel value from a tensor in the model's layout: combine(values over channels, pixel index). */
function perPixel(cfg: PreprocessConfig, t: Float32Array, offset: number, combine: (channel: number, value: number, acc: number) => number, init = 0): Float32Array {
  const n = cfg.width * cfg.height, c = cfg.channels;
  const out = new Float32Array(n).fill(init);
  for (let i = 0; i < n; i++) {
    let acc = init;
    for (let ch = 0; ch < c; ch++) acc = combine(ch, t[offset + (cfg.layout === 'NCHW' ? ch * n + i : i * c + ch)], acc);
    out[i] = acc;
  }
  return out;
}

function result(
  method: string, request: ExplainRequest<unknown>, classes: ClassAttribution[], extra: Partial<Explanation>, timings: Explanation['timings'], scoreKind: 'logits' | 'outputs',
): Explanation {
  return {
    method,
    target: request.targets[0],
    width: request.image.width,
    height: request.image.height,
    map: classes[0].map,
    classes,
    params: request.params as Record<string, unknown>,
    seed: request.seed,
    scoreSpace: scoreKind === 'logits' ? 'logits' : 'raw',
    timings,
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------- CAM family

async function explainCam(method: CamMethod, request: ExplainRequest<CamParams>): Promise<Explanation> {
  const { params, targets, preprocess, image } = request;
  batchSizeOk(method, params.batchSize);
  const s = setup(method, request, params.batchSize);
  const started = now();
  const catalog = await s.source.catalog();
  const layerName = params.layer || catalog.suggested;
  if (!layerName) throw new GlassboxError('GRADIENT_UNSUPPORTED', 'This model has no spatial feature map or token sequence, so CAM methods do not apply.', 'Use a gradient method (Saliency, Integrated Gradients) or LIME.');
  const layer = catalog.candidates.find((c) => c.name === layerName);
  if (!layer) throw new GlassboxError('PARAM_INVALID', `"${layerName}" is not a spatial feature map or token sequence of this model.`, 'Pick a layer from the list.');
  let inferenceMs = 0, modelCalls = 0, rows = 0;
  const timed = async <T>(f: () => Promise<T>, n: number): Promise<T> => {
    const t = now();
    const r = await f();
    inferenceMs += now() - t;
    modelCalls++;
    rows += n;
    return r;
  };
  const progress = createProgressTracker(method, 1, request.onProgress, request.signal);
  let scoreKind: 'logits' | 'outputs' = 'outputs';
  const cams: Float32Array[] = [];
  let grid: FeatureMaps | undefined;

  if (method === 'gradcam' || method === 'gradcampp' || method === 'xgradcam' || method === 'hirescam' || method === 'layercam') {
    const gm = await s.source.gradients({ layer: layerName });
    scoreKind = gm.scoreKind;
    const cap = s.capacity(targets.length);
    for (let start = 0; start < targets.length; start += cap) {
      await progress.checkpoint();
      const n = Math.min(cap, targets.length - start);
      const input = new Float32Array(n * s.perImage);
      const seed = new Float32Array(n * gm.classes);
      for (let b = 0; b < n; b++) {
        input.set(s.x, b * s.perImage);
        seed[b * gm.classes + targets[start + b]] = 1;
      }
      const out = await timed(() => gm.run(input, s.dims(n), seed), n);
      for (let b = 0; b < n; b++) {
        const a = featureMapsOf(out.activation!.data, out.activation!.dims, b, layer.layout, layer.gridHeight, layer.gridWidth);
        const g = featureMapsOf(out.gradLayer!.data, out.gradLayer!.dims, b, layer.layout, layer.gridHeight, layer.gridWidth);
        grid = a;
        cams.push(gradientCam(method, a, g.data));
      }
    }
  } else {
    const fm = await s.source.forward(layerName);
    scoreKind = fm.scoreKind;
    const base = await timed(() => fm.run(s.x, s.dims(1)), 1);
    const a = featureMapsOf(base.activation!.data, base.activation!.dims, 0, layer.layout, layer.gridHeight, layer.gridWidth);
    grid = a;
    if (method === 'eigencam') {
      const cam = eigenCam(a);
      for (let t = 0; t < targets.length; t++) cams.push(cam);
    } else {
      const channels = a.channels;
      const k = base.scores.length;
      const scores = targets.map(() => new Float64Array(channels));
      const cap = s.capacity(channels);
      const tracker = createProgressTracker(method === 'scorecam' ? 'masked inputs' : 'ablated channels', channels, request.onProgress, request.signal);
      if (method === 'scorecam') {
        // each channel, upsampled and min-max scaled to [0, 1], masks the input tensor
        const batch = new Float32Array(cap * s.perImage);
        for (let start = 0; start < channels; start += cap) {
          await tracker.checkpoint();
          const n = Math.min(cap, channels - start);
          for (let b = 0; b < n; b++) {
            const ch = start + b;
            const mask = minMaxNormalise(resizeMap(a.data.subarray(ch * a.height * a.width, (ch + 1) * a.height * a.width), a.height, a.width, preprocess.height, preprocess.width));
            const o = b * s.perImage;
            const area = preprocess.width * preprocess.height, c = preprocess.channels;
            for (let i = 0; i < area; i++) for (let q = 0; q < c; q++) {
              const j = preprocess.layout === 'NCHW' ? q * area + i : i * c + q;
              batch[o + j] = s.x[j] * mask[i];
            }
          }
          const out = await timed(() => fm.run(batch.subarray(0, n * s.perImage), s.dims(n)), n);
          for (let b = 0; b < n; b++) targets.forEach((t, j) => (scores[j][start + b] = out.scores[b * k + t]));
          tracker.report(start + n);
        }
        tracker.throwIfCancelled();
        // weights: softmax of the masked scores over channels
        for (let j = 0; j < targets.length; j++) {
          const sc = scores[j];
          const max = Math.max(...sc);
          let sum = 0;
          const w = Array.from(sc, (v) => {
            const e = Math.exp(v - max);
            sum += e;
            return e;
          });
          cams.push(weightedCam(a, w.map((v) => v / sum)));
        }
      } else {
        // Ablation-CAM: the score drop when one channel of the activation is zeroed
        const head = await s.source.head(layerName);
        const act = base.activation!;
        const per = act.data.length;
        const batch = new Float32Array(cap * per);
        for (let start = 0; start < channels; start += cap) {
          await tracker.checkpoint();
          const n = Math.min(cap, channels - start);
          for (let b = 0; b < n; b++) {
            const ch = start + b;
            const o = b * per;
            batch.set(act.data, o);
            if (layer.layout === 'spatial') batch.fill(0, o + ch * a.height * a.width, o + (ch + 1) * a.height * a.width);
            else for (let t = 0; t < per / channels; t++) batch[o + t * channels + ch] = 0;
          }
          const out = await timed(() => head.run(batch.subarray(0, n * per), [n, ...act.dims.slice(1)]), n);
          for (let b = 0; b < n; b++) targets.forEach((t, j) => (scores[j][start + b] = out[b * k + t]));
          tracker.report(start + n);
        }
        tracker.throwIfCancelled();
        for (let j = 0; j < targets.length; j++) {
          const original = base.scores[targets[j]];
          cams.push(weightedCam(a, Array.from(scores[j], (v) => (original - v) / original)));
        }
      }
    }
  }
  progress.throwIfCancelled();
  const g = grid!;
  const classes: ClassAttribution[] = cams.map((cam, j) => ({
    target: targets[j],
    map: Array.from(resizeMap(cam, g.height, g.width, image.height, image.width)),
  }));
  const normalised = resizeMap(minMaxNormalise(cams[0]), g.height, g.width, image.height, image.width);
  return result(
    method,
    request,
    classes,
    { normalisedMap: Array.from(normalised), signed: false, layer: layerName, cam: Array.from(cams[0]), camWidth: g.width, camHeight: g.height },
    { totalMs: now() - started, inferenceMs, modelCalls, samples: rows, batchSize: s.capacity(Infinity) },
    scoreKind,
  );
}

// ------------------------------------------------------------------------------------- gradient methods

function baselineImage(image: RgbaImage, p: IgParams): RgbaImage | undefined {
  if (p.baseline === 'zeros') return undefined;
  if (p.baseline === 'blur') return gaussianBlur(image, p.blurSigma ?? 5);
  const out = createRgbaImage(image.width, image.height);
  const [r, g, b] = p.baseline === 'color' ? p.color! : [0, 0, 0];
  for (let i = 0; i < image.width * image.height; i++) out.data.set([r, g, b, 255], i * 4);
  return out;
}

async function explainGradient(method: GradientMethod, request: ExplainRequest<IgParams | SmoothGradParams | PlainGradientParams>): Promise<Explanation> {
  const { targets, preprocess, image, seed } = request;
  const params = request.params;
  if (method === 'ig') validateIgParams(params as IgParams);
  else if (method === 'smoothgrad') validateSmoothGradParams(params as SmoothGradParams);
  else batchSizeOk(method, params.batchSize);
  const s = setup(method, request, params.batchSize);
  const started = now();
  const gm = await s.source.gradients({ input: true, guidedRelu: method === 'guidedbackprop' });
  let inferenceMs = 0, modelCalls = 0, rows = 0;
  const k = gm.classes;

  // the rows to differentiate: per target, one or more inputs with a weight each
  let inputs: { tensor: (out: Float32Array, offset: number) => void; weight: number }[];
  let baseline: Float32Array | undefined;
  if (method === 'ig') {
    const p = params as IgParams;
    baseline = new Float32Array(s.perImage);
    const bImage = baselineImage(image, p);
    if (bImage) writeModelInput(bImage, preprocess, baseline);
    const rule = p.rule === 'gausslegendre' ? gaussLegendre(p.steps) : trapezoid(p.steps);
    inputs = rule.points.map((alpha, i) => ({
      weight: rule.weights[i],
      tensor: (out, o) => {
        for (let j = 0; j < s.perImage; j++) out[o + j] = baseline![j] + alpha * (s.x[j] - baseline![j]);
      },
    }));
  } else if (method === 'smoothgrad') {
    const p = params as SmoothGradParams;
    let lo = Infinity, hi = -Infinity;
    for (const v of s.x) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    const sigma = p.noise * (hi - lo);
    const rng = createRng(seed);
    const gauss = () => {
      const u = Math.max(rng.float(), 1e-12), v = rng.float();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    };
    inputs = Array.from({ length: p.samples }, () => ({
      weight: 1 / p.samples,
      tensor: (out, o) => {
        for (let j = 0; j < s.perImage; j++) out[o + j] = s.x[j] + sigma * gauss();
      },
    }));
  } else {
    inputs = [{ weight: 1, tensor: (out, o) => out.set(s.x, o) }];
  }

  const total = inputs.length * targets.length;
  const progress = createProgressTracker(method === 'ig' ? 'integration steps' : method === 'smoothgrad' ? 'noisy samples' : 'gradients', total, request.onProgress, request.signal);
  const cap = s.capacity(total);
  const batch = new Float32Array(cap * s.perImage);
  const seedRows = new Float32Array(cap * k);
  // accumulated Σ weight·f(grad) per target, in tensor layout
  const acc = targets.map(() => new Float64Array(s.perImage));
  const absolute = method === 'smoothgrad';
  for (let start = 0; start < total; start += cap) {
    await progress.checkpoint();
    const n = Math.min(cap, total - start);
    seedRows.fill(0);
    for (let b = 0; b < n; b++) {
      const row = start + b;
      const t = Math.floor(row / inputs.length);
      inputs[row % inputs.length].tensor(batch, b * s.perImage);
      seedRows[b * k + targets[t]] = 1;
    }
    const t0 = now();
    const out = await gm.run(batch.subarray(0, n * s.perImage), s.dims(n), seedRows.subarray(0, n * k));
    inferenceMs += now() - t0;
    modelCalls++;
    rows += n;
    const g = out.gradInput!.data;
    for (let b = 0; b < n; b++) {
      const row = start + b;
      const target = Math.floor(row / inputs.length);
      const w = inputs[row % inputs.length].weight;
      const a = acc[target], o = b * s.perImage;
      if (absolute) for (let j = 0; j < s.perImage; j++) a[j] += w * Math.abs(g[o + j]);
      else for (let j = 0; j < s.perImage; j++) a[j] += w * g[o + j];
    }
    progress.report(start + n);
  }
  progress.throwIfCancelled();

  let completeness: Explanation['completeness'];
  const classes: ClassAttribution[] = [];
  for (let j = 0; j < targets.length; j++) {
    const grad = Float32Array.from(acc[j]);
    let map: Float32Array;
    if (method === 'saliency' || method === 'smoothgrad') map = perPixel(preprocess, grad, 0, (_c, v, m) => Math.max(m, Math.abs(v)));
    else {
      const attribution = new Float32Array(s.perImage);
      for (let i = 0; i < s.perImage; i++) attribution[i] = method === 'guidedbackprop' ? grad[i] : (s.x[i] - (baseline?.[i] ?? 0)) * grad[i];
      map = perPixel(preprocess, attribution, 0, (_c, v, sum) => sum + v);
      if (method === 'ig' && j === 0) {
        // completeness: Σ attributions = f(x) − f(baseline)
        const both = new Float32Array(2 * s.perImage);
        both.set(baseline!, 0);
        both.set(s.x, s.perImage);
        const cap2 = s.capacity(2);
        const f: number[] = [];
        for (let r = 0; r < 2; r += cap2) {
          const n = Math.min(cap2, 2 - r);
          const t0 = now();
          const out = await gm.run(both.subarray(r * s.perImage, (r + n) * s.perImage), s.dims(n), new Float32Array(n * k));
          inferenceMs += now() - t0;
          modelCalls++;
          for (let b = 0; b < n; b++) f.push(out.scores[b * k + targets[0]]);
        }
        let sum = 0;
        for (let i = 0; i < attribution.length; i++) sum += attribution[i];
        const delta = f[1] - f[0];
        completeness = { sum, delta, relativeError: Math.abs(sum - delta) / Math.max(Math.abs(delta), 1e-12) };
      }
    }
    classes.push({ target: targets[j], map: Array.from(map) });
  }
  const signed = method === 'inputxgrad' || method === 'ig' || method === 'guidedbackprop';
  let lo = Infinity, hi = -Infinity;
  for (const v of classes[0].map) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  const limit = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const normalisedMap = signed ? classes[0].map.map((v) => v / limit) : Array.from(minMaxNormalise(classes[0].map));
  return result(
    method,
    request,
    classes,
    { normalisedMap, signed, completeness },
    { totalMs: now() - started, inferenceMs, modelCalls, samples: rows, batchSize: cap },
    gm.scoreKind,
  );
}

// ------------------------------------------------------------------------------------------ explainers

const camExplainer = (id: CamMethod, label: string, reference: string): Explainer<CamParams> => ({
  id,
  label,
  reference,
  defaults: CAM_DEFAULTS,
  validate: (p) => batchSizeOk(label, p.batchSize),
  explain: (r) => explainCam(id, r),
});

export const CAM_EXPLAINERS = {
  gradcam: camExplainer('gradcam', 'Grad-CAM', 'Selvaraju et al., ICCV 2017 · pytorch-grad-cam GradCAM'),
  gradcampp: camExplainer('gradcampp', 'Grad-CAM++', 'Chattopadhay et al., WACV 2018 · pytorch-grad-cam GradCAMPlusPlus'),
  xgradcam: camExplainer('xgradcam', 'XGrad-CAM', 'Fu et al., BMVC 2020 · pytorch-grad-cam XGradCAM'),
  layercam: camExplainer('layercam', 'Layer-CAM', 'Jiang et al., TIP 2021 · pytorch-grad-cam LayerCAM'),
  hirescam: camExplainer('hirescam', 'HiResCAM', 'Draelos & Carin 2020 · pytorch-grad-cam HiResCAM'),
  scorecam: camExplainer('scorecam', 'Score-CAM', 'Wang et al., CVPRW 2020 · pytorch-grad-cam ScoreCAM'),
  ablationcam: camExplainer('ablationcam', 'Ablation-CAM', 'Desai & Ramaswamy, WACV 2020 · pytorch-grad-cam AblationCAM'),
  eigencam: camExplainer('eigencam', 'Eigen-CAM', 'Muhammad & Yeasin, IJCNN 2020 · pytorch-grad-cam EigenCAM'),
};

export const GRADIENT_EXPLAINERS = {
  saliency: { id: 'saliency', label: 'Saliency', reference: 'Simonyan et al. 2014 · captum Saliency', defaults: PLAIN_DEFAULTS, validate: (p: PlainGradientParams) => batchSizeOk('Saliency', p.batchSize), explain: (r: ExplainRequest<PlainGradientParams>) => explainGradient('saliency', r) } as Explainer<PlainGradientParams>,
  inputxgrad: { id: 'inputxgrad', label: 'Input × Gradient', reference: 'Shrikumar et al. 2016 · captum InputXGradient', defaults: PLAIN_DEFAULTS, validate: (p: PlainGradientParams) => batchSizeOk('Input × Gradient', p.batchSize), explain: (r: ExplainRequest<PlainGradientParams>) => explainGradient('inputxgrad', r) } as Explainer<PlainGradientParams>,
  ig: { id: 'ig', label: 'Integrated Gradients', reference: 'Sundararajan et al., ICML 2017 · captum IntegratedGradients', defaults: IG_DEFAULTS, validate: validateIgParams, explain: (r: ExplainRequest<IgParams>) => explainGradient('ig', r) } as Explainer<IgParams>,
  smoothgrad: { id: 'smoothgrad', label: 'SmoothGrad', reference: 'Smilkov et al. 2017 · captum NoiseTunnel(Saliency)', defaults: SMOOTHGRAD_DEFAULTS, validate: validateSmoothGradParams, explain: (r: ExplainRequest<SmoothGradParams>) => explainGradient('smoothgrad', r) } as Explainer<SmoothGradParams>,
  guidedbackprop: { id: 'guidedbackprop', label: 'Guided Backprop', reference: 'Springenberg et al. 2015 · captum GuidedBackprop', defaults: PLAIN_DEFAULTS, validate: (p: PlainGradientParams) => batchSizeOk('Guided Backprop', p.batchSize), explain: (r: ExplainRequest<PlainGradientParams>) => explainGradient('guidedbackprop', r) } as Explainer<PlainGradientParams>,
};
