import { GlassboxError } from '../errors';
import imagenetLabels from './imagenet-labels.json';

export type LabelSource = 'file' | 'model metadata' | 'ImageNet (built-in)' | 'ImageNet + background (built-in)' | 'none';

export interface ResolvedLabels {
  labels: string[];
  source: LabelSource;
  /** Set when labels were offered but do not fit the output (the UI says why they are not used). */
  warning?: string;
}

export const IMAGENET_LABELS: readonly string[] = imagenetLabels;

/**
 * Parse a labels file: JSON array, JSON object keyed by class index ({"0": "cat"}) or by name ({"cat": 0}),
 * or plain text with one label per line (a leading WordNet id like "n01440764 " is dropped, as in synset_words.txt).
 */
export function parseLabels(text: string, fileName = 'labels'): string[] {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (!trimmed) throw new GlassboxError('LABELS_INVALID', `${fileName} is empty.`, 'Use one label per line, or a JSON array of strings.');
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (e) {
      throw new GlassboxError('LABELS_INVALID', `${fileName} looks like JSON but does not parse: ${(e as Error).message}`);
    }
    return labelsFromJson(value, fileName);
  }
  return trimmed.split(/\r?\n/).map((line) => line.trim().replace(/^n\d{8}\s+/, ''));
}

function labelsFromJson(value: unknown, fileName: string): string[] {
  if (Array.isArray(value)) {
    if (value.length === 0) throw new GlassboxError('LABELS_INVALID', `${fileName} holds an empty list.`);
    if (value.every((v) => typeof v === 'string')) return value as string[];
    // Keras' imagenet_class_index.json style [[wnid, name], ...] or list of {name}
    if (value.every((v) => Array.isArray(v) && typeof v[v.length - 1] === 'string')) return value.map((v: string[]) => v[v.length - 1]);
    throw new GlassboxError('LABELS_INVALID', `${fileName}: a JSON array of labels must hold strings only.`);
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) throw new GlassboxError('LABELS_INVALID', `${fileName} holds an empty object.`);
    const byIndex = entries.every(([k, v]) => /^\d+$/.test(k) && (typeof v === 'string' || Array.isArray(v)));
    const byName = entries.every(([, v]) => Number.isInteger(v));
    const labels: string[] = [];
    if (byIndex) {
      for (const [k, v] of entries) labels[Number(k)] = Array.isArray(v) ? String(v[v.length - 1]) : (v as string);
    } else if (byName) {
      for (const [k, v] of entries) labels[v as number] = k;
    } else {
      throw new GlassboxError('LABELS_INVALID', `${fileName}: a JSON object must map class indices to names ({"0": "cat"}) or names to indices ({"cat": 0}).`);
    }
    return Array.from(labels, (l, i) => l ?? `class ${i}`);
  }
  throw new GlassboxError('LABELS_INVALID', `${fileName} holds no labels.`);
}

/** Metadata keys that exporters use for class names (our own "labels", Ultralytics "names", Keras-style "classes"). */
const METADATA_LABEL_KEYS = ['labels', 'class_names', 'classes', 'names'];

export function labelsFromMetadata(metadata: Record<string, string>): string[] | undefined {
  for (const key of METADATA_LABEL_KEYS) {
    const raw = metadata[key]?.trim();
    if (!raw) continue;
    try {
      if (raw.startsWith('[') || raw.startsWith('{')) return parseLabels(raw, `metadata "${key}"`);
    } catch {
      // Not JSON: Python reprs below.
    }
    // Python writes strings in single quotes, or in double quotes when they hold an apostrophe.
    const quoted = String.raw`(?:'([^']*)'|"([^"]*)")`;
    const dictPairs = [...raw.matchAll(new RegExp(String.raw`(\d+)\s*:\s*${quoted}`, 'g'))];
    if (raw.startsWith('{') && dictPairs.length) {
      // Ultralytics: {0: 'person', 1: "jack-o'-lantern"}
      const labels: string[] = [];
      for (const [, i, single, double] of dictPairs) labels[Number(i)] = single ?? double;
      return Array.from(labels, (l, i) => l ?? `class ${i}`);
    }
    const listItems = [...raw.matchAll(new RegExp(quoted, 'g'))];
    if (raw.startsWith('[') && listItems.length) return listItems.map(([, single, double]) => single ?? double);
    if (!raw.includes('\n') && raw.includes(',')) return raw.split(',').map((s) => s.trim());
    try {
      return parseLabels(raw, `metadata "${key}"`);
    } catch {
      continue;
    }
  }
  return undefined;
}

/** Pick the labels for an output of `numClasses` scores: a user file first, then the model's metadata, then ImageNet. */
export function resolveLabels(numClasses: number, sources: { file?: string[]; metadata?: string[] }): ResolvedLabels {
  const warnings: string[] = [];
  for (const [labels, source] of [[sources.file, 'file'], [sources.metadata, 'model metadata']] as const) {
    if (!labels) continue;
    if (labels.length === numClasses) return { labels: [...labels], source, warning: warnings[0] };
    warnings.push(`The labels from the ${source} list ${labels.length} classes but the model outputs ${numClasses} scores; they are not used.`);
  }
  if (numClasses === 1000) return { labels: [...IMAGENET_LABELS], source: 'ImageNet (built-in)', warning: warnings[0] };
  if (numClasses === 1001) return { labels: ['background', ...IMAGENET_LABELS], source: 'ImageNet + background (built-in)', warning: warnings[0] };
  return { labels: Array.from({ length: numClasses }, (_, i) => `class ${i}`), source: 'none', warning: warnings[0] };
}
