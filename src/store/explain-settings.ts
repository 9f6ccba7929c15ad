/**
 * The explanation settings: which method, each method's parameters (defaults from its descriptor), and the
 * fields shared by every method (target layer, seed, top labels, curves). Pure functions over plain data.
 */
import { FAITHFULNESS_DEFAULTS, type FaithfulnessParams } from '../engine/explain/faithfulness-params';
import { descriptorOf, isMethodId, METHOD_IDS, type MethodId, type MethodParams } from '../engine/explain/registry';
import { defaultsOf, sanitizeParams } from '../engine/explain/schema';
import type { SegmentationSpec } from '../engine/explain/segmentation';
import { withLoadedRegions } from './custom-segments';

export interface ExplainSettings {
  method: MethodId;
  /** Each method's own parameters. */
  params: MethodParams;
  /** The CAMs' target layer, shared by every CAM (empty: the suggested layer). Belongs to one model. */
  layer?: string;
  seed: number;
  /** Explain the target and the next classes of the ranking from the same model calls. */
  topLabels: number;
  /** Deletion/insertion curves for every run (null: off; always computed in comparisons). */
  metrics: FaithfulnessParams | null;
}

export function defaultMethodParams(): MethodParams {
  return Object.fromEntries(METHOD_IDS.map((id) => [id, defaultsOf(descriptorOf(id))])) as MethodParams;
}

export function defaultExplainSettings(): ExplainSettings {
  return { method: 'lime', params: defaultMethodParams(), seed: 0, topLabels: 1, metrics: FAITHFULNESS_DEFAULTS };
}

/** The method's default batch size (undefined when it has no batch size). */
export function batchDefault(method: MethodId): number | undefined {
  const spec = descriptorOf(method).params.find((p) => p.name === 'batchSize');
  return spec && spec.kind === 'int' ? spec.default : undefined;
}

/** Whether the method has the shared target-layer field. */
export function usesLayer(method: MethodId): boolean {
  return descriptorOf(method).params.some((p) => p.kind === 'layer');
}

/**
 * The parameters a job for `method` carries: its own, plus the shared layer where it has one, and the loaded
 * labels where its segmentation is 'custom' (they live in memory, never in the settings: custom-segments.ts).
 */
export function paramsForJob<M extends MethodId>(settings: ExplainSettings, method: M, autoBatch?: number): MethodParams[M] {
  let own = settings.params[method] as unknown as Record<string, unknown>;
  // a batch size left at the method's default means "what runs fastest": the model's probed batch, when there is one
  if (autoBatch !== undefined && own.batchSize !== undefined && own.batchSize === batchDefault(method)) own = { ...own, batchSize: autoBatch };
  const seg = own.segmentation as SegmentationSpec | undefined;
  if (seg?.method === 'custom') own = { ...own, segmentation: withLoadedRegions(seg) };
  return (usesLayer(method) ? { ...own, layer: settings.layer || undefined } : own) as MethodParams[M];
}

/**
 * Settings from storage made safe: unknown methods and out-of-range values fall back to defaults; a custom
 * segmentation keeps only its file's name (sanitizeParams), never labels.
 */
export function sanitizeExplainSettings(stored: unknown): ExplainSettings {
  const d = defaultExplainSettings();
  if (!stored || typeof stored !== 'object') return d;
  const s = stored as Partial<ExplainSettings> & Record<string, unknown>;
  const storedParams = (s.params ?? {}) as Record<string, unknown>;
  const params = Object.fromEntries(METHOD_IDS.map((id) => [id, sanitizeParams(descriptorOf(id), storedParams[id])])) as MethodParams;
  return {
    method: typeof s.method === 'string' && isMethodId(s.method) ? s.method : d.method,
    params,
    seed: Number.isInteger(s.seed) && (s.seed as number) >= 0 ? (s.seed as number) : d.seed,
    topLabels: Number.isInteger(s.topLabels) && (s.topLabels as number) >= 1 && (s.topLabels as number) <= 1000 ? (s.topLabels as number) : d.topLabels,
    metrics: s.metrics === null ? null : s.metrics && typeof s.metrics === 'object' ? { ...FAITHFULNESS_DEFAULTS, ...s.metrics } : d.metrics,
  };
}

/**
 * Settings saved by version 1 (parameters by "family": lime, kernelshap, partitionshap, rise, cam, ig,
 * smoothgrad, gradient; Partition SHAP's background and IG's baseline as plain strings) in today's shape.
 */
export function migrateV1ExplainSettings(old: Record<string, unknown>): unknown {
  const hide = (mode: unknown, color?: unknown, blurSigma?: unknown) => (typeof mode === 'string' ? { mode, ...(color ? { color } : {}), ...(blurSigma ? { blurSigma } : {}) } : undefined);
  const p = (k: string) => (old[k] ?? {}) as Record<string, unknown>;
  const cam = { batchSize: p('cam').batchSize };
  const plain = { batchSize: p('gradient').batchSize };
  const params: Record<string, unknown> = {
    lime: p('lime'),
    kernelshap: p('kernelshap'),
    partitionshap: { ...p('partitionshap'), background: hide(p('partitionshap').background, p('partitionshap').color, p('partitionshap').blurSigma) },
    rise: p('rise'),
    ig: { ...p('ig'), baseline: hide(p('ig').baseline, p('ig').color, p('ig').blurSigma) },
    smoothgrad: p('smoothgrad'),
  };
  for (const id of METHOD_IDS) {
    if (params[id]) continue;
    const needs = descriptorOf(id).needs;
    params[id] = needs === 'input-gradient' ? plain : needs === 'inference' ? undefined : cam;
  }
  return { method: old.method, params, seed: old.seed, topLabels: old.topLabels, metrics: old.metrics };
}
