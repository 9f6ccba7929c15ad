/**
 * Finding "the same class" in another model's labels by name: models trained on the same classes often order them
 * differently (or add a background class), so the index of a class in one model says nothing about another.
 * Tried in order, the first that matches wins: the exact name; the name ignoring case; then normalised names
 * (lower case, trimmed, underscores and hyphens as spaces, runs of spaces as one), where a WordNet-style entry
 * "tabby, tabby cat" stands for each of its comma-separated synonyms.
 */

export type MatchHow = 'exact' | 'case-insensitive' | 'normalised' | 'none';

export interface TargetMatch {
  /** The class index in `labels`; undefined when no label matched (the user picks one). */
  index?: number;
  how: MatchHow;
}

/** A name as the matcher compares it: lower case, `_` and `-` as spaces, one space between words, trimmed. */
export function normaliseLabel(name: string): string {
  return name.toLowerCase().replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** The normalised names a label stands for: the whole label and each of its comma-separated synonyms. */
function synonyms(label: string): Set<string> {
  return new Set([label, ...label.split(',')].map(normaliseLabel).filter((s) => s !== ''));
}

/**
 * The index of the class named `label` in `labels` (undefined labels: the model has none, so nothing matches).
 * When several classes match at the same level, the first wins, so the result does not depend on anything but
 * the two lists.
 */
export function matchTarget(label: string, labels: readonly string[] | undefined): TargetMatch {
  if (!labels || !labels.length || label.trim() === '') return { how: 'none' };
  const exact = labels.indexOf(label);
  if (exact >= 0) return { index: exact, how: 'exact' };
  const lower = label.toLowerCase();
  const caseless = labels.findIndex((l) => l.toLowerCase() === lower);
  if (caseless >= 0) return { index: caseless, how: 'case-insensitive' };
  const wanted = synonyms(label);
  // the whole normalised name first ("tabby cat" → "tabby cat"), then any shared synonym ("tabby" → "tabby, tabby cat")
  const whole = normaliseLabel(label);
  const same = labels.findIndex((l) => normaliseLabel(l) === whole);
  if (same >= 0) return { index: same, how: 'normalised' };
  const shared = labels.findIndex((l) => [...synonyms(l)].some((s) => wanted.has(s)));
  if (shared >= 0) return { index: shared, how: 'normalised' };
  return { how: 'none' };
}
