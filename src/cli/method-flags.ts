/**
 * Method flags from the descriptors: the flag table parseArgs needs, one method's params from the given
 * flags (refusing flags that belong to other methods), and the methods' part of --help. No method is named here.
 */
import { GlassboxError } from '../engine/errors';
import type { HideParam, MethodDescriptor, ParamSpec } from '../engine/explain/descriptor';
import { HIDE_MODE_LABELS, type HideMode } from '../engine/explain/hide';
import { SEGMENTATION_CHOICES, SEGMENTATION_FIELDS, segmentationDefaults, SEGMENTS_FILE_FLAG, type SegmentationMethod } from '../engine/explain/meta/segmentation';
import { descriptorOf, METHOD_IDS } from '../engine/explain/registry';
import { defaultsOf, validateParams } from '../engine/explain/schema';

export type FlagValues = Record<string, string | boolean | undefined>;

/** The flags one parameter reads (with their parseArgs types). */
function flagsOf(spec: ParamSpec): Record<string, 'string' | 'boolean'> {
  switch (spec.kind) {
    case 'score-space':
      return { [spec.cli]: 'boolean' };
    case 'segmentation': {
      const out: Record<string, 'string' | 'boolean'> = { [spec.cli]: 'string', grid: 'boolean', [SEGMENTS_FILE_FLAG]: 'string' };
      for (const fields of Object.values(SEGMENTATION_FIELDS)) for (const f of fields) out[f.cli] = 'string';
      return out;
    }
    case 'hide':
      return { [spec.cli]: 'string', [spec.sigmaCli]: 'string' };
    default:
      return { [spec.cli]: 'string' };
  }
}

/** Every method flag of every descriptor, for parseArgs. */
export function methodFlagOptions(): Record<string, { type: 'string' | 'boolean' }> {
  const out: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const id of METHOD_IDS) for (const spec of descriptorOf(id).params) for (const [flag, type] of Object.entries(flagsOf(spec))) out[flag] = { type };
  return out;
}

const bad = (message: string): never => {
  throw new GlassboxError('PARAM_INVALID', message, 'Run with --help for the options of each method.');
};

function toNumber(flag: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) bad(`--${flag} must be a number (got "${raw}").`);
  return n;
}

function triple(flag: string, raw: string): [number, number, number] {
  const v = raw.split(',').map((s) => Number(s.trim()));
  if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) bad(`--${flag} needs a mode or three comma-separated numbers R,G,B (got "${raw}").`);
  return v as [number, number, number];
}

function hideFrom(spec: HideParam, values: FlagValues, current: Record<string, unknown>): Record<string, unknown> {
  let hide = { ...current };
  const raw = values[spec.cli];
  if (typeof raw === 'string') {
    if ((spec.modes as readonly string[]).includes(raw)) hide = { ...hide, mode: raw };
    else if (raw.includes(',') && spec.modes.includes('color')) hide = { ...hide, mode: 'color', color: triple(spec.cli, raw) };
    else bad(`--${spec.cli} must be ${spec.modes.filter((m) => m !== 'color').join(', ')}${spec.modes.includes('color') ? ' or R,G,B' : ''} (got "${raw}").`);
  }
  const sigma = values[spec.sigmaCli];
  if (typeof sigma === 'string') hide.blurSigma = toNumber(spec.sigmaCli, sigma);
  return hide;
}

function segmentationFrom(values: FlagValues, used: Set<string>, cli: string): Record<string, unknown> {
  const file = values[SEGMENTS_FILE_FLAG];
  used.add(SEGMENTS_FILE_FLAG);
  const raw = values.grid ? 'grid' : ((values[cli] as string | undefined) ?? (file !== undefined ? 'custom' : 'slic'));
  if (!SEGMENTATION_CHOICES.some((c) => c.value === raw)) bad(`--${cli} must be ${SEGMENTATION_CHOICES.map((c) => c.value).join(', ').replace(/, ([^,]*)$/, ' or $1')} (got "${raw}").`);
  const method = raw as SegmentationMethod;
  if (file !== undefined && method !== 'custom') bad(`--${SEGMENTS_FILE_FLAG} gives custom regions; it cannot be combined with ${values.grid ? '--grid' : `--${cli} ${raw}`}.`);
  if (method === 'custom') {
    if (typeof file !== 'string' || file === '') bad(`--${cli} custom needs --${SEGMENTS_FILE_FLAG} FILE (a label .npy or .png, one id per pixel).`);
    // the labels are read from the file with the image (predict-file.ts), where the engine checks them
    return { method: 'custom', name: file };
  }
  const seg = segmentationDefaults(method) as unknown as Record<string, unknown>;
  for (const f of SEGMENTATION_FIELDS[method]) {
    const v = values[f.cli];
    used.add(f.cli);
    if (typeof v !== 'string') continue;
    const n = toNumber(f.cli, v);
    if (n < f.min || n > f.max || (f.kind === 'int' && !Number.isInteger(n))) bad(`--${f.cli} must be ${f.kind === 'int' ? 'a whole number' : 'a number'} from ${f.min} to ${f.max} (got "${v}").`);
    seg[f.name] = n;
  }
  return seg;
}

/** One method's parameters from the flags, and the flags it read; no check for flags it does not have. */
function readParams<P>(meta: MethodDescriptor<P>, values: FlagValues): { params: P; used: Set<string> } {
  const params = defaultsOf(meta) as unknown as Record<string, unknown>;
  const used = new Set<string>();
  for (const spec of meta.params) {
    for (const flag of Object.keys(flagsOf(spec))) if (spec.kind !== 'segmentation') used.add(flag);
    const raw = values[spec.cli];
    switch (spec.kind) {
      case 'score-space':
        if (raw) params[spec.name] = 'raw';
        break;
      case 'segmentation':
        used.add(spec.cli).add('grid');
        params[spec.name] = segmentationFrom(values, used, spec.cli);
        break;
      case 'hide':
        params[spec.name] = hideFrom(spec, values, params[spec.name] as Record<string, unknown>);
        break;
      case 'int':
      case 'number':
        if (typeof raw === 'string') params[spec.name] = toNumber(spec.cli, raw);
        break;
      case 'int-or-auto':
      case 'number-or-auto':
        if (typeof raw === 'string') params[spec.name] = raw === 'auto' ? 'auto' : toNumber(spec.cli, raw);
        break;
      case 'choice':
      case 'layer':
        if (typeof raw === 'string') params[spec.name] = raw;
        break;
    }
  }
  try {
    // custom regions have no labels yet (they are read from --segments-file with the image): check the rest
    const segSpec = meta.params.find((s) => s.kind === 'segmentation');
    const custom = segSpec && (params[segSpec.name] as { method?: string } | undefined)?.method === 'custom';
    validateParams(meta, (custom ? { ...params, [segSpec.name]: segmentationDefaults('slic') } : params) as P);
  } catch (e) {
    // the field is named "label (name)", or by its label alone when the two are the same word
    const message = (e as Error).message;
    const spec = meta.params.find((s) => message.includes(`(${s.name})`) || message.startsWith(`${meta.label}: ${s.label.toLowerCase()} `));
    throw new GlassboxError('PARAM_INVALID', spec ? `--${spec.cli}: ${message}` : message, (e as GlassboxError).hint);
  }
  return { params: params as P, used };
}

/** Refuse a given method flag that none of the methods read, naming the methods it belongs to. */
function refuseForeignFlags(metas: MethodDescriptor<unknown>[], values: FlagValues, used: Set<string>): void {
  const methodFlags = methodFlagOptions();
  for (const [flag, v] of Object.entries(values)) {
    if (v === undefined || !(flag in methodFlags) || used.has(flag)) continue;
    const owners = METHOD_IDS.filter((id) => descriptorOf(id).params.some((s) => flag in flagsOf(s))).map((id) => id);
    const segOwner = Object.entries(SEGMENTATION_FIELDS).find(([, fields]) => fields.some((f) => f.cli === flag))?.[0];
    if (segOwner && metas.some((m) => m.params.some((s) => s.kind === 'segmentation'))) bad(`--${flag} does not apply to this segmentation (it is a ${segOwner} setting).`);
    const which = metas.length === 1 ? `${metas[0].label} (--method ${metas[0].id})` : `any of ${metas.map((m) => m.label).join(', ')} (--method ${metas.map((m) => m.id).join(',')})`;
    bad(`--${flag} does not apply to ${which}; it is an option of ${owners.join(', ')}.`);
  }
}

/**
 * The chosen method's parameters from the flags, checked against its descriptor. A method flag that the method
 * does not have is refused, naming the method.
 */
export function paramsFromFlags<P>(meta: MethodDescriptor<P>, values: FlagValues): P {
  const { params, used } = readParams(meta, values);
  refuseForeignFlags([meta as MethodDescriptor<unknown>], values, used);
  return params;
}

/**
 * Several methods' parameters from one set of flags (--method a,b): each method reads the flags it has; a flag
 * that none of them has is refused, as for one method.
 */
export function paramsForMethods(metas: MethodDescriptor<unknown>[], values: FlagValues): unknown[] {
  const read = metas.map((meta) => readParams(meta, values));
  refuseForeignFlags(metas, values, new Set(read.flatMap((r) => [...r.used])));
  return read.map((r) => r.params);
}

function describeDefault(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'score-space':
      return '';
    case 'segmentation':
      return '';
    case 'hide':
      return ` (${spec.default.mode}${spec.default.mode === 'blur' && spec.default.blurSigma ? `, σ ${spec.default.blurSigma}` : ''})`;
    case 'layer':
      return ' (the suggested layer)';
    default:
      return ` (${String(spec.default)})`;
  }
}

function flagHelp(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'score-space':
      return `--${spec.cli}  explain raw outputs/logits instead of probabilities`;
    case 'segmentation':
      return `--${spec.cli} ${SEGMENTATION_CHOICES.map((c) => c.value).join('|')} (slic) and its fields (see Segmentation below), or --${SEGMENTS_FILE_FLAG} FILE`;
    case 'hide':
      return `--${spec.cli} ${spec.modes.filter((m) => m !== 'color').join('|')}${spec.modes.includes('color') ? '|R,G,B' : ''}${describeDefault(spec)}, --${spec.sigmaCli} S (blur σ) — ${spec.help.toLowerCase()}`;
    case 'choice':
      return `--${spec.cli} ${spec.choices.map((c) => c.value).join('|')}${describeDefault(spec)} — ${spec.help}`;
    case 'int-or-auto':
    case 'number-or-auto':
      return `--${spec.cli} N|auto${describeDefault(spec)} — ${spec.help}`;
    default:
      return `--${spec.cli} ${spec.kind === 'layer' ? 'NAME' : 'N'}${describeDefault(spec)} — ${spec.help}`;
  }
}

/** The methods' part of --help: every method with its flags and defaults. */
export function methodsUsage(): string {
  const lines: string[] = [];
  for (const id of METHOD_IDS) {
    const meta = descriptorOf(id);
    lines.push(`  ${id.padEnd(15)}${meta.label} — ${meta.reference}${meta.seeded ? ' (uses --seed)' : ''}`);
    for (const spec of meta.params) lines.push(`                   ${flagHelp(spec)}`);
  }
  lines.push('Segmentation (methods with --segmentation):');
  for (const c of SEGMENTATION_CHOICES) {
    if (c.value === 'custom') {
      lines.push(`  ${c.value.padEnd(15)}--${SEGMENTS_FILE_FLAG} FILE: your regions, a label .npy (integer ids, H×W) or PNG (each colour one region); at the model input size as they are, other sizes resampled (nearest) like the image`);
      continue;
    }
    lines.push(`  ${c.value.padEnd(15)}${SEGMENTATION_FIELDS[c.value].map((f) => `--${f.cli} ${f.kind === 'int' ? 'N' : 'X'} (${f.default})`).join(' ')}${c.value === 'grid' ? ' (or --grid)' : ''}`);
  }
  lines.push(`Hide modes: ${(Object.entries(HIDE_MODE_LABELS) as [HideMode, string][]).map(([m, l]) => `${m} = ${l}`).join('; ')}`);
  return lines.join('\n');
}
