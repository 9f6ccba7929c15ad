/** Turning a classifier's raw output into ranked class scores. */
import { GlassboxError } from '../errors';

export type ScoreKind = 'probabilities' | 'logits';

export interface RankedClass {
  index: number;
  label: string;
  /** Probability (after softmax when the model gives logits). */
  score: number;
  /** The model's raw output value for this class. */
  raw: number;
}

export interface Prediction {
  top: RankedClass[];
  /** How the raw output was read: already a distribution, or logits that were softmaxed. */
  outputKind: ScoreKind;
  probabilities: Float32Array;
  raw: Float32Array;
}

export function softmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(logits[i] - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** True when every value is in [0, 1] and they sum to 1 (within float tolerance): softmax was already applied. */
export function isDistribution(values: ArrayLike<number>, tolerance = 1e-3): boolean {
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= -1e-6 && v <= 1 + 1e-6)) return false;
    sum += v;
  }
  return Math.abs(sum - 1) <= tolerance;
}

/** Indices of the k largest values; ties go to the lower index so results are reproducible. */
export function topKIndices(values: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[b] - values[a] || a - b);
  return idx.slice(0, Math.max(0, Math.min(k, values.length)));
}

/**
 * Rank one example's raw output. `declaredKind` comes from the graph (a final Softmax node); without it the
 * values decide: a vector that already sums to 1 in [0, 1] is not softmaxed again (a second softmax would
 * flatten it).
 */
export function rankScores(raw: Float32Array, labels: readonly string[], k: number, declaredKind?: ScoreKind): Prediction {
  checkFiniteScores(raw);
  const outputKind: ScoreKind = declaredKind ?? (isDistribution(raw) ? 'probabilities' : 'logits');
  const probabilities = outputKind === 'probabilities' ? Float32Array.from(raw) : softmax(raw);
  const top = topKIndices(probabilities, k).map((index) => ({
    index,
    label: labels[index] ?? `class ${index}`,
    score: probabilities[index],
    raw: raw[index],
  }));
  return { top, outputKind, probabilities, raw };
}

/**
 * No silent garbage: outputs with NaN or ±Infinity cannot be ranked or explained (their probabilities, and every
 * map built on them, would be NaN or zero), so they are an error naming how many and which classes.
 */
export function checkFiniteScores(raw: ArrayLike<number>): void {
  const bad: number[] = [];
  for (let i = 0; i < raw.length; i++) if (!Number.isFinite(raw[i])) bad.push(i);
  if (!bad.length) return;
  const nan = bad.filter((i) => Number.isNaN(raw[i])).length;
  const what = [nan ? `${nan} NaN` : '', bad.length - nan ? `${bad.length - nan} infinite` : ''].filter(Boolean).join(' and ');
  const where = bad.length === raw.length ? 'every class' : `class${bad.length > 1 ? 'es' : ''} ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}`;
  throw new GlassboxError(
    'INFERENCE_FAILED',
    `The model's outputs hold ${what} value${bad.length > 1 ? 's' : ''} (${where} of ${raw.length}): there are no scores to rank or explain.`,
    'Check the model in its own framework on this input. A float16 model overflows above 65504; a division by zero or a log of a negative number in the graph gives NaN.',
  );
}

/**
 * One output row in the score space a method explains: the raw outputs, or class probabilities (softmax of
 * logits; outputs that already are probabilities stay as they are).
 */
export function scoresIn(row: Float32Array, space: 'probability' | 'raw', outputKind: 'probabilities' | 'logits' | undefined): Float32Array {
  return space === 'raw' || outputKind === 'probabilities' ? row : softmax(row);
}
