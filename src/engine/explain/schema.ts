/**
 * What the descriptors' parameter schemas give everyone: defaults, validation with one message style for the
 * UI and the CLI, and sanitising of stored settings (a value that no longer fits falls back to its default).
 */
import { GlassboxError } from '../errors';
import type { MethodDescriptor, ParamSpec } from './descriptor';
import { hideProblem } from './hide';
import { SEGMENTATION_CHOICES, SEGMENTATION_FIELDS, segmentationDefaults, type SegmentationMethod } from './meta/segmentation';
import { customLabelsProblem } from '../segment/custom';
import type { SegmentationSpec } from './segmentation';

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** The method's parameters, every one at its default. */
export function defaultsOf<P>(meta: MethodDescriptor<P>): P {
  const out: Record<string, unknown> = {};
  for (const spec of meta.params) if (spec.kind !== 'layer') out[spec.name] = clone(spec.default);
  return out as P;
}

/** Whether a parameter applies given the others (its `when` rule). */
export function paramApplies(spec: ParamSpec, params: Record<string, unknown>): boolean {
  return !spec.when || spec.when.is.includes(params[spec.when.param]);
}

function range(min: number, max: number, exclusive?: boolean): string {
  return exclusive ? `strictly between ${min} and ${max}` : `from ${min} to ${max}`;
}

function numberProblem(value: unknown, spec: { kind: string; min: number; max: number; exclusive?: boolean }, integer: boolean): string | undefined {
  const ok = typeof value === 'number' && Number.isFinite(value) && (integer ? Number.isInteger(value) : true) && (spec.exclusive ? value > spec.min && value < spec.max : value >= spec.min && value <= spec.max);
  if (ok) return undefined;
  return `must be ${integer ? 'a whole number' : 'a number'} ${range(spec.min, spec.max, spec.exclusive)} (got ${JSON.stringify(value) ?? 'nothing'})`;
}

/**
 * A message saying what is wrong with a segmentation spec, or undefined; `context` (the model input) checks the
 * size of custom labels given without their own width and height.
 */
export function segmentationProblem(spec: SegmentationSpec | undefined, context: { width: number; height: number } = { width: 0, height: 0 }): string | undefined {
  const method = spec?.method as SegmentationMethod | undefined;
  if (!method || !SEGMENTATION_CHOICES.some((c) => c.value === method)) return `must be one of ${SEGMENTATION_CHOICES.map((c) => c.value).join(', ')} (got "${String(method)}")`;
  if (spec!.method === 'custom') {
    const { width, height } = spec!.width !== undefined || spec!.height !== undefined ? { width: spec!.width ?? 0, height: spec!.height ?? 0 } : context;
    if (spec!.labels && (!Number.isInteger(width) || !Number.isInteger(height) || (width > 0) !== (height > 0))) return `custom regions: the label image's width and height must be whole numbers (got ${width}×${height})`;
    const problem = customLabelsProblem(spec!.labels, width, height);
    return problem && `custom regions${spec!.name ? ` (${spec!.name})` : ''}: ${problem}`;
  }
  for (const field of SEGMENTATION_FIELDS[method]) {
    const v = (spec as unknown as Record<string, unknown>)[field.name];
    if (v === undefined) continue; // the engine's default
    const p = numberProblem(v, field, field.kind === 'int');
    if (p) return `${field.label.toLowerCase()} ${p}`;
  }
  return undefined;
}

/** What is wrong with one parameter's value, or undefined; `context` is the model input (custom regions' size). */
export function paramProblem(spec: ParamSpec, value: unknown, context?: { width: number; height: number }): string | undefined {
  switch (spec.kind) {
    case 'int':
      return numberProblem(value, spec, true);
    case 'number':
      return numberProblem(value, spec, false);
    case 'int-or-auto':
      return value === 'auto' ? undefined : numberProblem(value, spec, true)?.replace(/^must be/, 'must be "auto" or');
    case 'number-or-auto':
      return value === 'auto' ? undefined : numberProblem(value, spec, false)?.replace(/^must be/, 'must be "auto" or');
    case 'choice':
      return spec.choices.some((c) => c.value === value) ? undefined : `must be one of ${spec.choices.map((c) => c.value).join(', ')} (got ${JSON.stringify(value)})`;
    case 'score-space':
      return value === 'probability' || value === 'raw' ? undefined : `must be "probability" or "raw" (got ${JSON.stringify(value)})`;
    case 'segmentation':
      return segmentationProblem(value as SegmentationSpec, context);
    case 'hide':
      return hideProblem(value as never, spec.modes);
    case 'layer':
      return value === undefined || typeof value === 'string' ? undefined : 'must be a tensor name';
  }
}

/**
 * Throws PARAM_INVALID, naming the method and the field, when a parameter is out of range or missing, or the
 * descriptor's own cross-field check fails. Every path (UI, CLI, worker, engine) runs this same check.
 */
export function validateParams<P>(meta: MethodDescriptor<P>, params: P, context: { width: number; height: number } = { width: 0, height: 0 }): void {
  if (!params || typeof params !== 'object') throw new GlassboxError('PARAM_INVALID', `${meta.label}: no parameters given.`);
  const values = params as unknown as Record<string, unknown>;
  for (const spec of meta.params) {
    if (!paramApplies(spec, values)) continue;
    const problem = paramProblem(spec, values[spec.name], context);
    if (problem) {
      throw new GlassboxError('PARAM_INVALID', `${meta.label}: ${spec.label.toLowerCase()}${spec.label.toLowerCase() === spec.name.toLowerCase() ? '' : ` (${spec.name})`} ${problem}.`, `Fix the value in the ${meta.label} panel (or --${spec.cli}).`);
    }
  }
  const extra = meta.check?.(params, context);
  if (extra) throw new GlassboxError('PARAM_INVALID', `${meta.label}: ${extra}`, `Fix the value in the ${meta.label} panel.`);
}

/**
 * Stored parameters made safe: each known field kept when it is still valid, else its default; unknown fields
 * dropped (settings saved by an older version).
 */
export function sanitizeParams<P>(meta: MethodDescriptor<P>, stored: unknown): P {
  const out = defaultsOf(meta) as unknown as Record<string, unknown>;
  if (!stored || typeof stored !== 'object') return out as P;
  const values = stored as Record<string, unknown>;
  for (const spec of meta.params) {
    const v = values[spec.name];
    if (v === undefined) continue;
    if (spec.kind === 'segmentation') {
      const seg = v as SegmentationSpec;
      // custom regions keep only the file's name: their labels are never stored (the form asks for the file again)
      if (seg && typeof seg === 'object' && seg.method === 'custom') out[spec.name] = { method: 'custom', ...(typeof seg.name === 'string' ? { name: seg.name } : {}) };
      else if (!segmentationProblem(seg)) out[spec.name] = { ...segmentationDefaults(seg.method), ...clone(seg) };
    } else if (!paramProblem(spec, v)) out[spec.name] = clone(v);
  }
  return out as P;
}
