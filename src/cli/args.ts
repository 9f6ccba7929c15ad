/** Command-line flags → a validated request. Kept apart from I/O so it is testable. */
import { parseArgs } from 'node:util';
import { GlassboxError } from '../engine/errors';
import { FAITHFULNESS_DEFAULTS, type FaithfulnessParams } from '../engine/explain/faithfulness-params';
import { descriptorOf, isMethodId, METHOD_IDS, type MethodId, type MethodParams } from '../engine/explain/registry';
import { methodFlagOptions, methodsUsage, paramsForMethods } from './method-flags';
import type { MethodDescriptor } from '../engine/explain/descriptor';
import type { PreprocessConfig } from '../engine/image/preprocess';

/** The CLI's backends: `wasm` (onnxruntime-web in Node) or `native` (onnxruntime-node's CPU provider). */
export type NodeBackend = 'wasm' | 'native';
/** `--backend`: `auto` (the default) takes native when onnxruntime-node loads, else wasm. */
export type BackendChoice = NodeBackend | 'auto';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'wasm', 'native'];

export interface CliRequest {
  model: string;
  image: string;
  top: number;
  json: boolean;
  labels?: string;
  threads: number;
  /** --backend; undefined: auto. */
  backend?: BackendChoice;
  /** Size limits raised from their defaults (--max-model-mb, --max-image-mb, --max-megapixels); undefined: the default. */
  maxModelMb?: number;
  maxImageMb?: number;
  maxMegapixels?: number;
  /** Overrides on top of the preprocessing Glassbox suggests for the model. */
  preprocess: Partial<PreprocessConfig>;
  /** Set when an explanation is asked for (--method). */
  explain?: {
    /** The first (or only) method and its parameters. */
    method: MethodId;
    params: MethodParams[MethodId];
    /** Every method of --method a,b,c in order, each with its parameters (the first is `method`/`params`). */
    runs: MethodRun[];
    seed: number;
    target?: number;
    topLabels: number;
    out?: string;
    outDir?: string;
    /** --report: the HTML report of every run. */
    report?: string;
    metrics?: FaithfulnessParams;
    /** --segments-file: the label file of custom regions (LIME, KernelSHAP), read and placed with the image. */
    segmentsFile?: string;
  };
}

export interface MethodRun {
  method: MethodId;
  params: MethodParams[MethodId];
}

export const USAGE = `Usage: npm run explain -- --model M.onnx --image I.png [options]

  --model PATH         ONNX image classifier
  --image PATH         PNG, JPEG, WebP, GIF, TIFF or AVIF
  --top K              number of classes to print (default 5)
  --json               print one JSON object instead of a table
  --labels PATH        labels file (.txt one per line, or JSON array/object)
  --threads N          onnxruntime threads (default 1)
  --backend B          native (onnxruntime-node, when installed), wasm (onnxruntime-web, as in the browser) or
                       auto (default: native when it loads, else wasm)
  --max-model-mb N     refuse model files over N MB (default 2048)
  --max-image-mb N     refuse image files over N MB (default 256)
  --max-megapixels N   refuse images over N megapixels, read from the header before decoding (default 100)
Preprocessing (defaults come from the model, as in the dashboard):
  --size S | WxH       model input size, for models with a dynamic size
  --resize MODE        stretch | crop (shorter side to S/0.875, then centre crop)
  --range R            1 (pixels 0..1) or 255 (pixels 0..255)
  --mean a,b,c         per-channel mean in R,G,B order, in units of the range
  --std a,b,c          per-channel std
  --bgr | --rgb        channel order
  --layout L           nchw | nhwc
Explanations:
  --method M[,M2,…]    explain the prediction (writes --out, or prints the JSON): one of the methods below, or a
                       comma-separated list run in turn on the same image and class; each method takes the
                       method flags it has, and a flag none of them has is refused
  --target C           class to explain (default: the top class)
  --top-labels K       also explain the next K−1 classes (default 1)
  --seed S             seed for the methods that sample (default 0); the same seed gives the same result
  --out FILE           write the result JSON there (one method: the result; several: a JSON array of them)
  --out-dir DIR        write <image>-<method>.json (result with its provenance), .npy (the map, float32 H×W),
                       .segments.npy (superpixel ids, int32 H×W; LIME/KernelSHAP) and .png (overlay, colour bar)
  --report FILE        write one self-contained HTML report of every run: a summary table, each run's figure,
                       curves (with --metrics), weights chart (LIME/KernelSHAP), parameters and quality, and
                       the result files themselves (the folder must exist and be writable; checked first)
  --metrics            add deletion/insertion curves and their AUC (RISE's metrics) --metric-steps S (32)
With several methods, --json prints "explanations" (one result per method, in order) and "summaries" (their
text summaries) instead of "explanation" and "summary"; one method prints exactly what it always did.
Methods and their options (defaults in brackets):
${methodsUsage()}`;

export function triple(flag: string, raw: string): [number, number, number] {
  const v = raw.split(',').map((s) => Number(s.trim()));
  if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) throw new GlassboxError('PARAM_INVALID', `${flag} needs three comma-separated numbers (got "${raw}").`);
  return v as [number, number, number];
}

function positiveInt(flag: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new GlassboxError('PARAM_INVALID', `${flag} must be a whole number from 1 to ${max} (got "${raw}").`);
  return n;
}

function backendChoice(raw: string | undefined): BackendChoice | undefined {
  if (raw === undefined) return undefined;
  const choice = BACKEND_CHOICES.find((b) => b === raw.toLowerCase());
  if (!choice) throw new GlassboxError('PARAM_INVALID', `--backend must be ${BACKEND_CHOICES.join(', ')} (got "${raw}").`);
  return choice;
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
        labels: { type: 'string' }, threads: { type: 'string' }, backend: { type: 'string' }, size: { type: 'string' }, resize: { type: 'string' },
        range: { type: 'string' }, mean: { type: 'string' }, std: { type: 'string' }, bgr: { type: 'boolean' },
        rgb: { type: 'boolean' }, layout: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        method: { type: 'string' }, target: { type: 'string' }, 'top-labels': { type: 'string' }, seed: { type: 'string' },
        'max-model-mb': { type: 'string' }, 'max-image-mb': { type: 'string' }, 'max-megapixels': { type: 'string' },
        out: { type: 'string' }, 'out-dir': { type: 'string' }, report: { type: 'string' }, metrics: { type: 'boolean' }, 'metric-steps': { type: 'string' },
        ...methodFlagOptions(),
      },
    }));
  } catch (e) {
    // node:util's parseArgs speaks in its own terms ("Unknown option '--turbo'. To specify a positional …")
    const text = (e as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(text)?.[1];
    const missing = /Option '([^']+)' argument missing/.exec(text)?.[1];
    const message = unknown ? `There is no flag ${unknown}.` : missing ? `${missing.replace(/^-\w, /, '').replace(/ <value>$/, '')} needs a value.` : text.split('. ')[0] + '.';
    throw new GlassboxError('PARAM_INVALID', message, 'Run with --help for the list of flags.', text);
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
  const methodFlags = methodFlagOptions();
  if (values.method !== undefined) {
    const methodIds = values.method.split(',').map((m) => m.trim());
    for (const m of methodIds) {
      if (!isMethodId(m)) throw new GlassboxError('PARAM_INVALID', `--method must be one of ${METHOD_IDS.join(', ')} (got "${m}").`, 'Several methods go as a comma-separated list: --method gradcam,lime.');
    }
    const duplicate = methodIds.find((m, i) => methodIds.indexOf(m) !== i);
    if (duplicate) throw new GlassboxError('PARAM_INVALID', `--method lists ${duplicate} twice.`, 'Run a method once per call: its files and report entry are named after it.');
    const nonNegativeInt = (flag: string, raw: string | undefined, fallback: number) => {
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) throw new GlassboxError('PARAM_INVALID', `${flag} must be a whole number ≥ 0 (got "${raw}").`);
      return n;
    };
    const flagValues = Object.fromEntries(Object.keys(methodFlags).map((f) => [f, (values as Record<string, string | boolean | undefined>)[f]]));
    const metas = (methodIds as MethodId[]).map((id) => descriptorOf(id) as MethodDescriptor<unknown>);
    const runs: MethodRun[] = paramsForMethods(metas, flagValues).map((params, i) => ({ method: methodIds[i] as MethodId, params: params as MethodParams[MethodId] }));
    const metrics: FaithfulnessParams | undefined = values.metrics
      ? { ...FAITHFULNESS_DEFAULTS, steps: values['metric-steps'] === undefined ? FAITHFULNESS_DEFAULTS.steps : positiveInt('--metric-steps', values['metric-steps'], 4096) }
      : undefined;
    explain = {
      method: runs[0].method,
      metrics,
      params: runs[0].params,
      runs,
      seed: nonNegativeInt('--seed', values.seed, 0),
      target: values.target === undefined ? undefined : nonNegativeInt('--target', values.target, 0),
      topLabels: values['top-labels'] ? positiveInt('--top-labels', values['top-labels'], 1000) : 1,
      out: values.out,
      outDir: values['out-dir'],
      report: values.report,
      segmentsFile: (values as Record<string, string | boolean | undefined>)['segments-file'] as string | undefined,
    };
    if (values['out-dir'] === '') throw new GlassboxError('PARAM_INVALID', '--out-dir needs a folder name.');
    if (values.report === '') throw new GlassboxError('PARAM_INVALID', '--report needs a file name.');
  } else {
    const given = ['target', 'seed', 'out', 'out-dir', 'report', 'top-labels', 'metrics', 'metric-steps', ...Object.keys(methodFlags)].filter((f) => (values as Record<string, unknown>)[f] !== undefined);
    if (given.length) throw new GlassboxError('PARAM_INVALID', `--${given[0]} only applies with --method.`);
  }
  return {
    explain,
    model: values.model,
    image: values.image,
    top: values.top ? positiveInt('--top', values.top, 100000) : 5,
    json: Boolean(values.json),
    labels: values.labels,
    threads: values.threads ? positiveInt('--threads', values.threads, 64) : 1,
    backend: backendChoice(values.backend),
    maxModelMb: values['max-model-mb'] === undefined ? undefined : positiveInt('--max-model-mb', values['max-model-mb'], 1024 * 1024),
    maxImageMb: values['max-image-mb'] === undefined ? undefined : positiveInt('--max-image-mb', values['max-image-mb'], 1024 * 1024),
    maxMegapixels: values['max-megapixels'] === undefined ? undefined : positiveInt('--max-megapixels', values['max-megapixels'], 1000000),
    preprocess,
  };
}
