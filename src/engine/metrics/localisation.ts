/**
 * Localisation metrics: how well a saliency map points at a ground-truth object mask.
 * Pointing game as TorchRay (Zhang et al. 2016); relevance mass/rank accuracy as Quantus (Arras et al. 2022).
 *
 * Conventions shared by every function here:
 * - `map` is row-major, mask.width × mask.height, at model resolution (align the mask first: mask.ts alignMask);
 *   a mask pixel is object when its value is non-zero.
 * - A map with any NaN or ±Infinity is rejected (GlassboxError PARAM_INVALID): a broken map has no localisation,
 *   and a NaN would silently decide maxima and ranks.
 * - "Highest-valued pixels" are ranked by signed value, descending; equal values are ordered by pixel index
 *   (row-major, lower first), so ties at a threshold are broken deterministically and reproducibly (numpy:
 *   np.argsort(-m, kind='stable')).
 * - A metric that is undefined for the inputs (no positive attribution, empty or full mask, …) is `undefined`,
 *   never NaN.
 */
import { GlassboxError } from '../errors';
import { maskArea, type Mask } from './mask';

/** TorchRay's default tolerance: 15 px for a 224 × 224 input. */
export const POINTING_TOLERANCE_AT_224 = 15;

/** The default pointing tolerance for a map size: 15 px at 224², scaled by min(width, height) / 224 (not rounded). */
export function defaultPointingTolerance(width: number, height: number): number {
  return (POINTING_TOLERANCE_AT_224 * Math.min(width, height)) / 224;
}

function checkInputs(map: ArrayLike<number>, mask: Mask): void {
  const n = mask.width * mask.height;
  if (!(mask.width >= 1 && mask.height >= 1) || mask.data.length !== n) {
    throw new GlassboxError('PARAM_INVALID', `The mask has ${mask.data.length} values for ${mask.width}×${mask.height} pixels.`);
  }
  if (map.length !== n) {
    throw new GlassboxError(
      'PARAM_INVALID',
      `The map has ${map.length} values but the mask is ${mask.width}×${mask.height} (${n} pixels).`,
      'Line the mask up with the model input first (the same resize and crop as the image).',
    );
  }
  let bad = 0;
  for (let i = 0; i < n; i++) if (!Number.isFinite(map[i])) bad++;
  if (bad > 0) {
    throw new GlassboxError(
      'PARAM_INVALID',
      `The map has ${bad} value${bad === 1 ? '' : 's'} that are not finite numbers (NaN or ±Infinity), so localisation cannot be measured.`,
      'The explanation failed numerically; try another method or settings, and check the model output for this image.',
    );
  }
}

export interface PointingResult {
  /** The map's maximum lies within `tolerancePx` of a mask pixel. */
  hit: boolean;
  /** The maximum, [x, y] in map pixels: the first maximum in row-major order (torch.argmax / np.argmax). */
  point: [number, number];
  tolerancePx: number;
  /** How many pixels share the maximum value (1 = no tie); with ties only the first one is tested, as TorchRay. */
  tiedMaxima: number;
}

/**
 * Pointing game (Zhang et al., "Top-down Neural Attention by Excitation Backprop", ECCV 2016), following TorchRay's
 * PointingGame.evaluate exactly: the point is the flat argmax of the map (first maximum on ties), and it is a hit
 * when some mask pixel (u, v) has (u − x)² + (v − y)² < tolerance² (strictly less: tolerance 1 means the point
 * itself must be on the mask). An empty mask is a miss (TorchRay's `any` over an empty set).
 */
export function pointingGame(map: ArrayLike<number>, mask: Mask, tolerancePx?: number): PointingResult {
  checkInputs(map, mask);
  return pointingGameChecked(map, mask, checkedTolerance(mask, tolerancePx));
}

function checkedTolerance(mask: Mask, tolerancePx: number | undefined): number {
  const tolerance = tolerancePx ?? defaultPointingTolerance(mask.width, mask.height);
  if (!(Number.isFinite(tolerance) && tolerance > 0)) {
    throw new GlassboxError('PARAM_INVALID', `The pointing tolerance must be a positive number of pixels (got ${tolerance}).`, 'Use 1 to require the maximum itself to be on the object.');
  }
  return tolerance;
}

function pointingGameChecked(map: ArrayLike<number>, mask: Mask, tolerance: number): PointingResult {
  const { width, height, data } = mask;
  let best = 0, tiedMaxima = 0;
  for (let i = 0; i < map.length; i++) {
    if (map[i] > map[best]) {
      best = i;
      tiedMaxima = 1;
    } else if (map[i] === map[best]) tiedMaxima++;
  }
  const px = best % width, py = Math.floor(best / width);
  const tol2 = tolerance * tolerance;
  const reach = Math.ceil(tolerance);
  let hit = false;
  for (let y = Math.max(0, py - reach); y <= Math.min(height - 1, py + reach) && !hit; y++) {
    for (let x = Math.max(0, px - reach); x <= Math.min(width - 1, px + reach); x++) {
      if (data[y * width + x] !== 0 && (x - px) ** 2 + (y - py) ** 2 < tol2) {
        hit = true;
        break;
      }
    }
  }
  return { hit, point: [px, py], tolerancePx: tolerance, tiedMaxima };
}

/**
 * Relevance mass accuracy, a.k.a. the energy-based pointing game (Wang et al., Score-CAM, CVPRW 2020; Arras et al.
 * 2022, Quantus RelevanceMassAccuracy): Σ_{mask} max(m, 0) / Σ max(m, 0), the share of positive attribution that
 * falls on the object. Undefined when the map has no positive value. (Quantus sums the map as given after its own
 * abs/normalise options; for non-negative maps such as CAMs both agree.)
 */
export function relevanceMass(map: ArrayLike<number>, mask: Mask): number | undefined {
  checkInputs(map, mask);
  return relevanceMassChecked(map, mask);
}

function relevanceMassChecked(map: ArrayLike<number>, mask: Mask): number | undefined {
  let inside = 0, total = 0;
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (v > 0) {
      total += v;
      if (mask.data[i] !== 0) inside += v;
    }
  }
  return total > 0 ? inside / total : undefined;
}

/** Pixel indices by value, descending; equal values by index, ascending (deterministic ties). */
function descendingOrder(map: ArrayLike<number>): Uint32Array {
  const values = Float64Array.from(map);
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => values[b] - values[a] || a - b);
  return order;
}

function hitsInFirst(order: Uint32Array, count: number, mask: Mask): number {
  let hits = 0;
  for (let r = 0; r < count; r++) hits += mask.data[order[r]] !== 0 ? 1 : 0;
  return hits;
}

/**
 * Relevance rank accuracy (Arras et al., "CLEVR-XAI", Information Fusion 2022; Quantus RelevanceRankAccuracy): of
 * the K highest-valued pixels, K = the mask's area, the fraction on the mask. Ranked by signed value with ties by
 * pixel index (Quantus ranks |m| by np.argsort, whose ties are unspecified). Undefined for an empty mask.
 */
export function relevanceRankAccuracy(map: ArrayLike<number>, mask: Mask): number | undefined {
  checkInputs(map, mask);
  return rankAccuracyFrom(descendingOrder(map), mask, maskArea(mask));
}

function rankAccuracyFrom(order: Uint32Array, mask: Mask, area: number): number | undefined {
  return area > 0 ? hitsInFirst(order, area, mask) / area : undefined;
}

export interface TopKOverlap {
  /** |top ∩ mask| / |top ∪ mask|; undefined when both are empty. */
  iou: number | undefined;
  /** 2 |top ∩ mask| / (|top| + |mask|); undefined when both are empty. */
  dice: number | undefined;
  /** The fraction of pixels kept as "top". */
  topKFraction: number;
  /** The number of pixels kept: round(topKFraction · pixels), halves up; the mask's area by default. */
  topKPixels: number;
}

/**
 * IoU and Dice of the top-k % pixels of the map against the mask (as the weakly-supervised localisation
 * literature thresholds a saliency map, e.g. Grad-CAM's and Score-CAM's box/IoU protocols, here with a fixed share
 * of pixels rather than a value threshold). `topKFraction` in [0, 1]; default: the mask's own area fraction, so the
 * top region is exactly as large as the object. Ties at the cut are broken by pixel index (lower index kept).
 */
export function topKOverlap(map: ArrayLike<number>, mask: Mask, topKFraction?: number): TopKOverlap {
  checkInputs(map, mask);
  return topKFrom(descendingOrder(map), mask, maskArea(mask), topKFraction);
}

function topKFrom(order: Uint32Array, mask: Mask, area: number, topKFraction?: number): TopKOverlap {
  const n = order.length;
  if (topKFraction !== undefined && !(topKFraction >= 0 && topKFraction <= 1)) {
    throw new GlassboxError('PARAM_INVALID', `The top-k share must be between 0 and 1 (got ${topKFraction}).`, 'For the top 10 % of pixels use 0.1.');
  }
  const k = topKFraction === undefined ? area : Math.min(n, Math.floor(topKFraction * n + 0.5));
  const inter = hitsInFirst(order, k, mask);
  const union = k + area - inter;
  return {
    iou: union > 0 ? inter / union : undefined,
    dice: k + area > 0 ? (2 * inter) / (k + area) : undefined,
    topKFraction: topKFraction ?? area / n,
    topKPixels: k,
  };
}

/**
 * Area under the ROC curve of the map as a detector of mask pixels (as sklearn's roc_auc_score): the Mann–Whitney
 * U statistic over average ranks (ties count one half), AUC = (R₊ − P(P+1)/2) / (P·N) with R₊ the rank sum of the
 * P mask pixels and N the others. 0.5 for a constant map; undefined when the mask is empty or full.
 */
export function rocAuc(map: ArrayLike<number>, mask: Mask): number | undefined {
  checkInputs(map, mask);
  return rocAucChecked(map, mask);
}

function rocAucChecked(map: ArrayLike<number>, mask: Mask): number | undefined {
  const n = map.length;
  const values = Float64Array.from(map);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => values[a] - values[b]);
  let positives = 0, rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const averageRank = (start + 1 + end) / 2; // ranks start + 1 … end
    for (let r = start; r < end; r++) {
      if (mask.data[order[r]] === 0) continue;
      positives++;
      rankSum += averageRank;
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return undefined;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export interface LocalisationOptions {
  /** Pointing-game tolerance in map pixels; default 15 at 224², scaled by min(width, height) / 224. */
  tolerancePx?: number;
  /** Share of pixels kept for IoU/Dice, in [0, 1]; default the mask's area fraction. */
  topKFraction?: number;
}

export interface LocalisationMetrics {
  pointing: PointingResult;
  relevanceMass: number | undefined;
  rankAccuracy: number | undefined;
  iou: number | undefined;
  dice: number | undefined;
  topKFraction: number;
  auc: number | undefined;
  /** Share of the map's pixels on the mask: the chance level of relevance mass (for a uniform map) and rank accuracy. */
  maskFraction: number;
}

/** Every localisation metric of one map against one mask (same size), sharing one validation and one sort. */
export function localisationMetrics(map: ArrayLike<number>, mask: Mask, options: LocalisationOptions = {}): LocalisationMetrics {
  checkInputs(map, mask);
  const pointing = pointingGameChecked(map, mask, checkedTolerance(mask, options.tolerancePx));
  const order = descendingOrder(map);
  const area = maskArea(mask);
  const top = topKFrom(order, mask, area, options.topKFraction);
  return {
    pointing,
    relevanceMass: relevanceMassChecked(map, mask),
    rankAccuracy: rankAccuracyFrom(order, mask, area),
    iou: top.iou,
    dice: top.dice,
    topKFraction: top.topKFraction,
    auc: rocAucChecked(map, mask),
    maskFraction: area / map.length,
  };
}

export type LocalisationMetricId = 'pointing' | 'relevanceMass' | 'rankAccuracy' | 'iou' | 'dice' | 'auc';

export interface LocalisationMetricInfo {
  id: LocalisationMetricId;
  label: string;
  better: 'higher';
  reference: string;
  help: string;
}

/** The metrics as table rows: one entry per field of LocalisationMetrics that scores the map. */
export const LOCALISATION_METRICS: readonly LocalisationMetricInfo[] = [
  {
    id: 'pointing',
    label: 'Pointing game',
    better: 'higher',
    reference: 'Zhang et al. 2016 (Excitation Backprop); TorchRay PointingGame',
    help: 'Hit if the map’s strongest pixel lies within the tolerance (15 px at 224²) of the object mask.',
  },
  {
    id: 'relevanceMass',
    label: 'Relevance mass (energy pointing game)',
    better: 'higher',
    reference: 'Wang et al. 2020 (Score-CAM); Arras et al. 2022; Quantus RelevanceMassAccuracy',
    help: 'Share of the positive attribution that falls on the object; a uniform map scores the mask’s area share.',
  },
  {
    id: 'rankAccuracy',
    label: 'Relevance rank accuracy',
    better: 'higher',
    reference: 'Arras et al. 2022 (CLEVR-XAI); Quantus RelevanceRankAccuracy',
    help: 'Of the K strongest pixels (K = object area), the share on the object.',
  },
  {
    id: 'iou',
    label: 'Top-k IoU',
    better: 'higher',
    reference: 'Intersection over union of the top-k % pixels with the mask (weakly-supervised localisation protocols)',
    help: 'Overlap of the strongest k % of pixels (by default as many as the object covers) with the object.',
  },
  {
    id: 'dice',
    label: 'Top-k Dice',
    better: 'higher',
    reference: 'Dice coefficient of the top-k % pixels with the mask',
    help: 'Like IoU, counting the overlap twice: 2·overlap / (top pixels + object pixels).',
  },
  {
    id: 'auc',
    label: 'ROC AUC',
    better: 'higher',
    reference: 'Mann–Whitney U with average ranks (as sklearn roc_auc_score)',
    help: 'Chance that a random object pixel scores higher than a random background pixel; 0.5 is chance.',
  },
];
