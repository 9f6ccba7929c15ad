/** Command-line flags → a validated request. Kept apart from I/O so it is testable. */
import { parseArgs } from 'node:util';
import { GlassboxError } from '../engine/errors';
import { CAM_DEFAULTS, IG_DEFAULTS, PLAIN_DEFAULTS, SMOOTHGRAD_DEFAULTS, type IgParams } from '../engine/explain/gradient-methods';
import { FAITHFULNESS_DEFAULTS, type FaithfulnessParams } from '../engine/explain/faithfulness';
import { KERNEL_SHAP_DEFAULTS } from '../engine/explain/kernel-shap';
import { LIME_DEFAULTS, type LimeParams } from '../engine/explain/lime';
import { PARTITION_SHAP_DEFAULTS, type PartitionShapParams } from '../engine/explain/partition-shap';
import { RISE_DEFAULTS, type RiseParams } from '../engine/explain/rise';
import { EXPLAINERS, isMethodId, METHOD_NEEDS, type MethodId, type MethodParams } from '../engine/explain/registry';
import type { PreprocessConfig } from '../engine/image/preprocess';

export interface CliRequest {
  model: string;
  image: string;
  top: number;
  json: boolean;
  labels?: string;
  threads: number;
  /** Overrides on top of the preprocessing Glassbox suggests for the model. */
  preprocess: Partial<PreprocessConfig>;
  /** Set when an explanation is asked for (--method). */
  explain?: { method: MethodId; params: MethodParams[MethodId]; seed: number; target?: number; topLabels: number; out?: string; metrics?: FaithfulnessParams };
}

export const USAGE = `Usage: npm run explain -- --model M.onnx --image I.png [options]

  --model PATH         ONNX image classifier
  --image PATH         PNG, JPEG, WebP, GIF, TIFF or AVIF
  --top K              number of classes to print (default 5)
  --json               print one JSON object instead of a table
  --labels PATH        labels file (.txt one per line, or JSON array/object)
  --threads N          WASM threads (default 1)
Preprocessing (defaults come from the model, as in the dashboard):
  --size S | WxH       model input size, for models with a dynamic size
  --resize MODE        stretch | crop (shorter side to S/0.875, then centre crop)
  --range R            1 (pixels 0..1) or 255 (pixels 0..255)
  --mean a,b,c         per-channel mean in R,G,B order, in units of the range
  --std a,b,c          per-channel std
  --bgr | --rgb        channel order
  --layout L           nchw | nhwc
Explanations:
  --method M           explain the prediction (writes --out, or prints the JSON): lime, gradcam, gradcampp,
                       xgradcam, layercam, hirescam, scorecam, ablationcam, eigencam, saliency, inputxgrad, ig,
                       smoothgrad, guidedbackprop
  --target C           class to explain (default: the top class)
  --top-labels K       also explain the next K−1 classes from the same model calls (default 1)
  --seed S             seed for sampling (default 0); the same seed gives the same result
  --out FILE           write the result JSON there
  LIME: --samples N (1000) --segmentation slic|quickshift|felzenszwalb|grid (slic) --segments K (50, slic and grid)
        --kernel-size K (4) --max-dist D (200) --ratio R (0.2) (quickshift, lime's default)
        --compactness C (10) --sigma S (slic 1, felzenszwalb 0.8) --scale K (100) --min-size M (20) (felzenszwalb)
        --hide mean|black|grey|blur|R,G,B (mean) --kernel-width W (0.25) --batch B (32) --raw (explain raw outputs, not probabilities)
  CAMs: --layer NAME (default: the suggested layer: the last spatial map before pooling) --batch B (32)
  ig: --steps N (50) --baseline black|blur|zeros|R,G,B (black) --rule gausslegendre|riemann_trapezoid --sigma S (blur, 5)
  smoothgrad: --samples N (25) --noise F (0.15 of the input range)   gradients: --batch B (16)
  kernelshap: --samples N (auto: 2M + 2048) --segmentation/--segments/… as LIME --background mean|black|grey|blur|R,G,B
        (mean) --exact-up-to M (14: enumerate all coalitions up to M superpixels) --raw
  partitionshap: --max-evals N (500) --background blur|black|R,G,B (blur) --sigma S (10) --min-block B (1) --raw
  rise: --masks N (2000) --cells S (8: the random grid is S×S) --p1 P|auto (0.5: probability a cell is kept) --raw
  --metrics            add deletion/insertion curves and their AUC (RISE's metrics) --metric-steps S (32)`;

function triple(flag: string, raw: string): [number, number, number] {
  const v = raw.split(',').map((s) => Number(s.trim()));
  if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) throw new GlassboxError('PARAM_INVALID', `${flag} needs three comma-separated numbers (got "${raw}").`);
  return v as [number, number, number];
}

function positiveInt(flag: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new GlassboxError('PARAM_INVALID', `${flag} must be a whole number from 1 to ${max} (got "${raw}").`);
  return n;
}

export function parseCliArgs(argv: string[]): CliRequest {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' }, image: { type: 'string' }, top: { type: 'string' }, json: { type: 'boolean' },
        labels: { type: 'string' }, threads: { type: 'string' }, size: { type: 'string' }, resize: { type: 'string' },
        range: { type: 'string' }, mean: { type: 'string' }, std: { type: 'string' }, bgr: { type: 'boolean' },
        rgb: { type: 'boolean' }, layout: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        method: { type: 'string' }, target: { type: 'string' }, 'top-labels': { type: 'string' }, seed: { type: 'string' },
        out: { type: 'string' }, samples: { type: 'string' }, segments: { type: 'string' }, compactness: { type: 'string' },
        sigma: { type: 'string' }, grid: { type: 'boolean' }, segmentation: { type: 'string' }, scale: { type: 'string' }, 'min-size': { type: 'string' }, hide: { type: 'string' }, 'kernel-width': { type: 'string' },
        batch: { type: 'string' }, raw: { type: 'boolean' }, layer: { type: 'string' }, steps: { type: 'string' },
        baseline: { type: 'string' }, rule: { type: 'string' }, noise: { type: 'string' }, metrics: { type: 'boolean' },
        'metric-steps': { type: 'string' }, background: { type: 'string' }, 'exact-up-to': { type: 'string' },
        'max-evals': { type: 'string' }, 'kernel-size': { type: 'string' }, 'max-dist': { type: 'string' }, ratio: { type: 'string' }, 'min-block': { type: 'string' }, masks: { type: 'string' }, p1: { type: 'string' }, cells: { type: 'string' },
      },
    }));
  } catch (e) {
    throw new GlassboxError('PARAM_INVALID', (e as Error).message, 'Run with --help for the list of options.');
  }
  if (values.help) throw new GlassboxError('PARAM_INVALID', 'help requested', USAGE);
  if (!values.model || !values.image) throw new GlassboxError('PARAM_INVALID', 'Both --model and --image are required.', USAGE);
  const preprocess: Partial<PreprocessConfig> = {};
  if (values.size) {
    const m = /^(\d+)(?:x(\d+))?$/i.exec(values.size);
    if (!m) throw new GlassboxError('PARAM_INVALID', `--size must be S or WxH (got "${values.size}").`);
    preprocess.width = positiveInt('--size', m[1], 8192);
    preprocess.height = positiveInt('--size', m[2] ?? m[1], 8192);
  }
  if (values.resize) {
    if (values.resize !== 'stretch' && values.resize !== 'crop') throw new GlassboxError('PARAM_INVALID', `--resize must be stretch or crop (got "${values.resize}").`);
    preprocess.resize = values.resize;
  }
  if (values.range) {
    if (values.range !== '1' && values.range !== '255') throw new GlassboxError('PARAM_INVALID', `--range must be 1 or 255 (got "${values.range}").`);
    preprocess.range = Number(values.range) as 1 | 255;
  }
  if (values.mean) preprocess.mean = triple('--mean', values.mean);
  if (values.std) preprocess.std = triple('--std', values.std);
  if (values.bgr && values.rgb) throw new GlassboxError('PARAM_INVALID', 'Use only one of --bgr and --rgb.');
  if (values.bgr) preprocess.channelOrder = 'BGR';
  if (values.rgb) preprocess.channelOrder = 'RGB';
  if (values.layout) {
    const layout = values.layout.toUpperCase();
    if (layout !== 'NCHW' && layout !== 'NHWC') throw new GlassboxError('PARAM_INVALID', `--layout must be nchw or nhwc (got "${values.layout}").`);
    preprocess.layout = layout;
  }
  let explain: CliRequest['explain'];
  if (values.method !== undefined) {
    if (!isMethodId(values.method)) throw new GlassboxError('PARAM_INVALID', `--method must be one of ${Object.keys(EXPLAINERS).join(', ')} (got "${values.method}").`);
    const methodId: MethodId = values.method;
    const number = (flag: string, raw: string | undefined, fallback: number) => {
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new GlassboxError('PARAM_INVALID', `${flag} must be a number (got "${raw}").`);
      return n;
    };
    const nonNegativeInt = (flag: string, raw: string | undefined, fallback: number) => {
      const n = number(flag, raw, fallback);
      if (!Number.isInteger(n) || n < 0) throw new GlassboxError('PARAM_INVALID', `${flag} must be a whole number ≥ 0 (got "${raw}").`);
      return n;
    };
    let hide: LimeParams['hide'] = LIME_DEFAULTS.hide;
    if (values.hide) {
      if (['mean', 'black', 'grey', 'blur'].includes(values.hide)) hide = { mode: values.hide as 'mean' };
      else hide = { mode: 'color', color: triple('--hide', values.hide) };
    }
    const segments = nonNegativeInt('--segments', values.segments, 50);
    const method = values.grid ? 'grid' : (values.segmentation ?? 'slic');
    if (!['slic', 'grid', 'felzenszwalb', 'quickshift'].includes(method)) throw new GlassboxError('PARAM_INVALID', `--segmentation must be slic, quickshift, felzenszwalb or grid (got "${method}").`);
    const limeParams: LimeParams = {
      ...LIME_DEFAULTS,
      samples: nonNegativeInt('--samples', values.samples, LIME_DEFAULTS.samples),
      segmentation:
        method === 'grid'
          ? { method: 'grid', nSegments: segments }
          : method === 'quickshift'
            ? { method: 'quickshift', kernelSize: number('--kernel-size', values['kernel-size'], 4), maxDist: number('--max-dist', values['max-dist'], 200), ratio: number('--ratio', values.ratio, 0.2) }
          : method === 'felzenszwalb'
            ? { method: 'felzenszwalb', scale: number('--scale', values.scale, 100), sigma: number('--sigma', values.sigma, 0.8), minSize: values['min-size'] === undefined ? 20 : positiveInt('--min-size', values['min-size'], 1e9) }
            : { method: 'slic', nSegments: segments, compactness: number('--compactness', values.compactness, 10), sigma: number('--sigma', values.sigma, 1) },
      hide,
      kernelWidth: number('--kernel-width', values['kernel-width'], LIME_DEFAULTS.kernelWidth),
      batchSize: nonNegativeInt('--batch', values.batch, LIME_DEFAULTS.batchSize),
      scoreSpace: values.raw ? 'raw' : 'probability',
    };
    const batch = (fallback: number) => positiveInt('--batch', values.batch ?? String(fallback), 1024);
    let params: MethodParams[MethodId];
    const hideSpec = (flag: string, raw: string | undefined, fallback: LimeParams['hide']): LimeParams['hide'] => {
      if (raw === undefined) return fallback;
      if (['mean', 'black', 'grey', 'blur'].includes(raw)) return { mode: raw as 'mean' };
      return { mode: 'color', color: triple(flag, raw) };
    };
    if (methodId === 'lime') params = limeParams;
    else if (methodId === 'kernelshap') {
      params = {
        ...KERNEL_SHAP_DEFAULTS,
        samples: values.samples === undefined ? 'auto' : positiveInt('--samples', values.samples, 200_000),
        segmentation: limeParams.segmentation,
        background: hideSpec('--background', values.background, KERNEL_SHAP_DEFAULTS.background),
        exactUpTo: values['exact-up-to'] === undefined ? KERNEL_SHAP_DEFAULTS.exactUpTo : nonNegativeInt('--exact-up-to', values['exact-up-to'], 14),
        batchSize: batch(KERNEL_SHAP_DEFAULTS.batchSize),
        scoreSpace: values.raw ? 'raw' : 'probability',
      };
    }
    else if (methodId === 'partitionshap') {
      let background: PartitionShapParams['background'] = PARTITION_SHAP_DEFAULTS.background;
      let color: PartitionShapParams['color'];
      if (values.background) {
        if (values.background === 'blur' || values.background === 'black') background = values.background;
        else (background = 'color'), (color = triple('--background', values.background));
      }
      params = {
        ...PARTITION_SHAP_DEFAULTS,
        maxEvals: values['max-evals'] === undefined ? PARTITION_SHAP_DEFAULTS.maxEvals : positiveInt('--max-evals', values['max-evals'], 1_000_000),
        background,
        color,
        blurSigma: number('--sigma', values.sigma, PARTITION_SHAP_DEFAULTS.blurSigma ?? 10),
        minBlock: values['min-block'] === undefined ? PARTITION_SHAP_DEFAULTS.minBlock : positiveInt('--min-block', values['min-block'], 8192),
        batchSize: batch(PARTITION_SHAP_DEFAULTS.batchSize),
        scoreSpace: values.raw ? 'raw' : 'probability',
      };
    } else if (methodId === 'rise') {
      let p1: RiseParams['p1'] = RISE_DEFAULTS.p1;
      if (values.p1 !== undefined) {
        p1 = values.p1 === 'auto' ? 'auto' : number('--p1', values.p1, 0.5);
        if (p1 !== 'auto' && !(p1 > 0 && p1 < 1)) throw new GlassboxError('PARAM_INVALID', `--p1 must be between 0 and 1, or auto (got "${values.p1}").`);
      }
      params = {
        ...RISE_DEFAULTS,
        masks: values.masks === undefined ? RISE_DEFAULTS.masks : positiveInt('--masks', values.masks, 100_000),
        grid: values.cells === undefined ? RISE_DEFAULTS.grid : positiveInt('--cells', values.cells, 1024),
        p1,
        batchSize: batch(RISE_DEFAULTS.batchSize),
        scoreSpace: values.raw ? 'raw' : 'probability',
      };
    } else if (METHOD_NEEDS[methodId] === 'layer-gradient' || METHOD_NEEDS[methodId] === 'activation') params = { ...CAM_DEFAULTS, layer: values.layer, batchSize: batch(CAM_DEFAULTS.batchSize) };
    else if (methodId === 'ig') {
      let baseline: IgParams['baseline'] = IG_DEFAULTS.baseline;
      let color: IgParams['color'];
      if (values.baseline) {
        if (['black', 'blur', 'zeros'].includes(values.baseline)) baseline = values.baseline as IgParams['baseline'];
        else (baseline = 'color'), (color = triple('--baseline', values.baseline));
      }
      const rule = (values.rule ?? IG_DEFAULTS.rule) as IgParams['rule'];
      if (rule !== 'gausslegendre' && rule !== 'riemann_trapezoid') throw new GlassboxError('PARAM_INVALID', `--rule must be gausslegendre or riemann_trapezoid (got "${values.rule}").`);
      params = { ...IG_DEFAULTS, steps: positiveInt('--steps', values.steps ?? String(IG_DEFAULTS.steps), 2000), baseline, color, rule, blurSigma: number('--sigma', values.sigma, 5), batchSize: batch(IG_DEFAULTS.batchSize) };
    } else if (methodId === 'smoothgrad') {
      params = { ...SMOOTHGRAD_DEFAULTS, samples: positiveInt('--samples', values.samples ?? String(SMOOTHGRAD_DEFAULTS.samples), 5000), noise: number('--noise', values.noise, SMOOTHGRAD_DEFAULTS.noise), batchSize: batch(SMOOTHGRAD_DEFAULTS.batchSize) };
    } else params = { ...PLAIN_DEFAULTS, batchSize: batch(PLAIN_DEFAULTS.batchSize) };
    if (values.layer !== undefined && METHOD_NEEDS[methodId] !== 'layer-gradient' && METHOD_NEEDS[methodId] !== 'activation') {
      throw new GlassboxError('PARAM_INVALID', `--layer only applies to the CAM methods (not ${methodId}).`);
    }
    const metrics: FaithfulnessParams | undefined = values.metrics
      ? { ...FAITHFULNESS_DEFAULTS, steps: values['metric-steps'] === undefined ? FAITHFULNESS_DEFAULTS.steps : positiveInt('--metric-steps', values['metric-steps'], 4096) }
      : undefined;
    explain = {
      method: methodId,
      metrics,
      params,
      seed: nonNegativeInt('--seed', values.seed, 0),
      target: values.target === undefined ? undefined : nonNegativeInt('--target', values.target, 0),
      topLabels: values['top-labels'] ? positiveInt('--top-labels', values['top-labels'], 1000) : 1,
      out: values.out,
    };
  } else {
    for (const flag of ['target', 'seed', 'out', 'samples', 'segments', 'hide', 'top-labels'] as const) {
      if (values[flag] !== undefined) throw new GlassboxError('PARAM_INVALID', `--${flag} only applies with --method.`);
    }
  }
  return {
    explain,
    model: values.model,
    image: values.image,
    top: values.top ? positiveInt('--top', values.top, 100000) : 5,
    json: Boolean(values.json),
    labels: values.labels,
    threads: values.threads ? positiveInt('--threads', values.threads, 64) : 1,
    preprocess,
  };
}
