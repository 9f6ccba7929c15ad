/**
 * How much a map moves with the seed: the same method rerun with k seeds gives k maps; their per-pixel mean, their
 * per-pixel standard deviation, and how well their pixel rankings agree (Spearman's ρ for every pair of maps).
 * Pure numbers in, pure numbers out (the k runs themselves are stability-run.ts).
 *
 * Conventions, chosen once here:
 * - the standard deviation is the *sample* one (divided by k − 1), the usual estimate of the seed-to-seed spread;
 *   a pixel whose k values are all equal has std exactly 0 and mean exactly that value (no rounding residue);
 * - Spearman's ρ is the Pearson correlation of the ranks, ties ranked by their average (scipy.stats.spearmanr);
 * - a constant map ranks nothing: two constant maps that are equal have ρ = 1 (every seed gave the same map),
 *   any other pair with a constant map has ρ = 0 (no agreement can be measured), and is counted in constantPairs.
 */
import { pearson } from '../math/correlation';
import { GlassboxError } from '../errors';

/** The k the UI offers: at least two maps to compare, at most 20 runs. */
export const STABILITY_K_MIN = 2;
export const STABILITY_K_MAX = 20;
export const STABILITY_K_DEFAULT = 5;

/** Check k before any model call: a whole number in the range the UI offers (the store and the worker both check). */
export function checkStabilityK(k: number): void {
  if (!Number.isInteger(k) || k < STABILITY_K_MIN || k > STABILITY_K_MAX) {
    throw new GlassboxError('PARAM_INVALID', `The number of seeds must be a whole number from ${STABILITY_K_MIN} to ${STABILITY_K_MAX} (got ${k}).`, 'Two seeds are the least that can disagree; 5 is a good start.');
  }
}

/** Mean pairwise ρ below this: the ranking changes a lot from seed to seed (the UI says "more samples needed"). */
export const UNSTABLE_RANK_CORRELATION = 0.7;

export interface StabilityStats {
  /** Number of maps. */
  k: number;
  /** Per-pixel mean of the k maps. */
  mean: Float32Array;
  /** Per-pixel sample standard deviation (k − 1 in the denominator), in the maps' units. */
  std: Float32Array;
  /** Mean of `std` over the pixels (one number for "how much the map moves"). */
  meanStd: number;
  /** Largest per-pixel standard deviation. */
  maxStd: number;
  /** Spearman's ρ of every pair (symmetric, 1 on the diagonal). */
  pairwise: number[][];
  /** Mean of ρ over the k(k − 1)/2 pairs. */
  meanRankCorrelation: number;
  /** The pair that agrees least, and its ρ. */
  minRankCorrelation: number;
  minPair: [number, number];
  /** Pairs where a map was constant (ρ taken as 1 when both are the same constant map, else 0). */
  constantPairs: number;
  /** Whether all k maps are exactly equal (a method that does not sample). */
  identical: boolean;
}

/**
 * Ranks 1 … n of the values, ties sharing their average rank (scipy's rankdata(method='average')).
 * NaN values are ranked last (they sort after every number), so a NaN map does not throw.
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const key = (i: number) => (Number.isNaN(values[i]) ? Infinity : values[i]);
  order.sort((a, b) => key(a) - key(b) || (Number.isNaN(values[a]) ? 1 : 0) - (Number.isNaN(values[b]) ? 1 : 0));
  const ranks = new Float64Array(n);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && sameValue(values[order[end]], values[order[start]])) end++;
    const rank = (start + 1 + end) / 2; // the average of ranks start+1 … end
    for (let j = start; j < end; j++) ranks[order[j]] = rank;
    start = end;
  }
  return ranks;
}

const sameValue = (a: number, b: number) => a === b || (Number.isNaN(a) && Number.isNaN(b));

/** Pearson correlation of two rank vectors (Spearman's ρ); undefined when either has no spread (a constant map). */
const rankCorrelation = (ra: Float64Array, rb: Float64Array): number | undefined => pearson(ra, rb);

function isConstant(map: ArrayLike<number>): boolean {
  for (let i = 1; i < map.length; i++) if (!sameValue(map[i], map[0])) return false;
  return true;
}

function equalMaps(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
  return true;
}

/**
 * Spearman's rank correlation of two maps of the same size, ties by average rank. Constant maps: 1 when both are
 * the same constant map, else 0 (see the file header).
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new GlassboxError('PARAM_INVALID', `Maps of different sizes cannot be compared (${a.length} and ${b.length} values).`);
  if (equalMaps(a, b)) return 1;
  return rankCorrelation(averageRanks(a), averageRanks(b)) ?? 0;
}

/** Mean, per-pixel sample standard deviation and pairwise Spearman ρ of k ≥ 2 maps of the same size. */
export function stabilityStats(maps: ArrayLike<number>[]): StabilityStats {
  const k = maps.length;
  if (k < 2) throw new GlassboxError('PARAM_INVALID', `Stability needs at least 2 maps to compare (got ${k}).`);
  const n = maps[0].length;
  for (const m of maps) if (m.length !== n) throw new GlassboxError('PARAM_INVALID', `The maps differ in size (${n} and ${m.length} values): they cannot be compared pixel by pixel.`);

  const mean = new Float32Array(n);
  const std = new Float32Array(n);
  let stdSum = 0, maxStd = 0;
  for (let p = 0; p < n; p++) {
    let sum = 0, lo = Infinity, hi = -Infinity;
    for (let j = 0; j < k; j++) {
      const v = maps[j][p];
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === hi) {
      // all k equal: exactly that value and exactly 0, not a rounding residue of sum / k
      mean[p] = lo;
      continue;
    }
    const m = sum / k;
    let squares = 0;
    for (let j = 0; j < k; j++) squares += (maps[j][p] - m) ** 2;
    const s = Math.sqrt(squares / (k - 1));
    mean[p] = m;
    std[p] = s;
    stdSum += s;
    if (s > maxStd) maxStd = s;
  }

  const constant = maps.map(isConstant);
  const ranks = maps.map((m, j) => (constant[j] ? undefined : averageRanks(m)));
  const pairwise = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : NaN)));
  let sum = 0, pairs = 0, constantPairs = 0, identical = true;
  let minRankCorrelation = Infinity, minPair: [number, number] = [0, 1];
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const equal = equalMaps(maps[i], maps[j]);
      if (!equal) identical = false;
      let rho: number;
      if (equal) rho = 1;
      else if (constant[i] || constant[j]) (rho = 0), constantPairs++;
      else rho = rankCorrelation(ranks[i]!, ranks[j]!) ?? 0;
      if (equal && constant[i]) constantPairs++;
      pairwise[i][j] = pairwise[j][i] = rho;
      sum += rho;
      pairs++;
      if (rho < minRankCorrelation) (minRankCorrelation = rho), (minPair = [i, j]);
    }
  }
  return { k, mean, std, meanStd: n ? stdSum / n : 0, maxStd, pairwise, meanRankCorrelation: sum / pairs, minRankCorrelation, minPair, constantPairs, identical };
}
