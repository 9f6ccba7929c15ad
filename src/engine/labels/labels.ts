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

const LABELS_FORMAT = 'Use one class name per line, in the order of the model\'s outputs, or a JSON array ["cat", "dog"] or object {"0": "cat"}.';

/**
 * Parse a labels file: JSON array, JSON object keyed by class index ({"0": "cat"}) or by name ({"cat": 0}),
 * or plain text with one label per line (a leading WordNet id like "n01440764 " is dropped, as in synset_words.txt).
 * Plain text must look like labels (`labelTextProblem`): notes or data dropped by mistake are refused, not read.
 */
export function parseLabels(text: string, fileName = 'labels'): string[] {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (!trimmed) throw new GlassboxError('LABELS_INVALID', `${fileName} is empty.`, 'Use one label per line, or a JSON array of strings.');
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (e) {
      throw new GlassboxError('LABELS_INVALID', `${fileName} looks like JSON but is not valid JSON.`, LABELS_FORMAT, `JSON.parse: ${(e as Error).message}`);
    }
    return labelsFromJson(value, fileName);
  }
  const labels = trimmed.split(/\r?\n/).map((line) => line.trim().replace(/^n\d{8}\s+/, ''));
  const problem = labelTextProblem(labels);
  if (problem) {
    throw new GlassboxError(
      'LABELS_INVALID',
      `${fileName} does not look like a labels file, so it was not used.`,
      `${LABELS_FORMAT} A .txt is read as labels only when nearly all its lines are short names, not sentences or rows of data.`,
      `${problem}\n${LABEL_TEXT_RULE}`,
    );
  }
  return labels;
}

/** What "looks like labels" means for plain text, in words (in the refusal's detail, and in README). */
export const LABEL_TEXT_RULE =
  'Glassbox reads a .txt as labels when it has at least 2 lines and at least 90 % of them are short names: at most 100 characters, at most 8 words between commas, no tabs, not a sentence (ending in . ! or ?, or with words like "the", "and", "is") and not a row of comma-separated values.';

const MIN_LABEL_LINES = 2;
/** At most one line in ten may be something other than a name (synset_words.txt has a few very long lines). */
const LINES_PER_ODD_LINE_ALLOWED = 10;
const MAX_LABEL_CHARS = 100;
const MAX_LABEL_WORDS = 8;
/** Small words that names rarely hold and sentences nearly always do. */
const FUNCTION_WORDS = new Set(['the', 'a', 'an', 'and', 'but', 'is', 'are', 'was', 'were', 'be', 'been', 'we', 'i', 'you', 'it', 'this', 'that', 'to', 'in', 'for', 'with', 'on', 'at', 'as', 'not', 'have', 'has', 'will', 'can', 'should']);

/** Why one line is not a class name, or undefined when it could be one. */
function labelLineProblem(line: string): string | undefined {
  if (line.includes('\t')) return 'holds a tab (a table row?)';
  if (line.length > MAX_LABEL_CHARS) return `is ${line.length} characters long`;
  const words = line.split(/\s+/);
  // Synonym lists ("hand blower, blow dryer, hair dryer") are long but each name in them is short.
  const longestName = Math.max(...line.split(',').map((part) => part.trim().split(/\s+/).length));
  if (longestName > MAX_LABEL_WORDS) return `has ${longestName} words without a comma`;
  if (words.length >= 3 && /[.!?]$/.test(line)) return 'ends like a sentence';
  const functionWords = words.filter((w) => FUNCTION_WORDS.has(w.toLowerCase().replace(/[^a-z]/g, ''))).length;
  if (words.length >= 4 && functionWords >= 2) return 'reads like a sentence';
  if ((line.match(/[,;](?!\s)/g) ?? []).length >= 3) return 'looks like a row of data (values separated by commas)';
  return undefined;
}

/**
 * Undefined when these lines (a plain-text file, WordNet ids removed) look like class names; else why not, with
 * the first few lines that do not. Blank lines are not counted (they are still labels, as before).
 */
export function labelTextProblem(lines: string[]): string | undefined {
  const nonEmpty = lines.map((line, i) => ({ line, number: i + 1 })).filter((l) => l.line !== '');
  if (nonEmpty.length < MIN_LABEL_LINES) return `It has ${nonEmpty.length} non-empty line; a classifier has at least 2 classes.`;
  const bad = nonEmpty.flatMap(({ line, number }) => {
    const why = labelLineProblem(line);
    return why ? [`line ${number} ${why}`] : [];
  });
  // At least 90 % label-like, counted in integers (0.1 × 10 is not exactly 1 in floating point).
  if (bad.length * LINES_PER_ODD_LINE_ALLOWED <= nonEmpty.length) return undefined;
  return `${bad.length} of ${nonEmpty.length} lines do not look like class names: ${bad.slice(0, 3).join('; ')}${bad.length > 3 ? ` (and ${bad.length - 3} more)` : ''}.`;
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
