/** Localisation metrics on small maps whose values are worked out by hand; edge cases give defined, documented results. */
import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import {
  defaultPointingTolerance,
  LOCALISATION_METRICS,
  localisationMetrics,
  pointingGame,
  relevanceMass,
  relevanceRankAccuracy,
  rocAuc,
  topKOverlap,
} from '../../../src/engine/metrics/localisation';
import { boxMask, type Mask } from '../../../src/engine/metrics/mask';

function maskOf(width: number, height: number, on: number[]): Mask {
  const data = new Uint8Array(width * height);
  for (const i of on) data[i] = 1;
  return { width, height, data };
}

function paramError(fn: () => unknown): GlassboxError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GlassboxError);
    expect((e as GlassboxError).code).toBe('PARAM_INVALID');
    return e as GlassboxError;
  }
  throw new Error('expected a PARAM_INVALID error');
}

// 4×4 map 0 … 15 row-major; mask = the bottom-right 2×2 (indices 10, 11, 14, 15).
const ramp = Float32Array.from({ length: 16 }, (_, i) => i);
const corner = maskOf(4, 4, [10, 11, 14, 15]);

describe('4×4 ramp against its bottom-right quarter', () => {
  it('gives the hand-computed values', () => {
    const r = localisationMetrics(ramp, corner);
    expect(r.pointing).toEqual({ hit: true, point: [3, 3], tolerancePx: (15 * 4) / 224, tiedMaxima: 1 });
    expect(r.relevanceMass).toBeCloseTo(50 / 120, 12); // (10 + 11 + 14 + 15) / (0 + … + 15)
    expect(r.rankAccuracy).toBe(0.5); // top 4 = 15, 14, 13, 12 → 15 and 14 on the mask
    expect(r.iou).toBeCloseTo(2 / 6, 12);
    expect(r.dice).toBe(0.5);
    expect(r.topKFraction).toBe(0.25);
    expect(r.auc).toBeCloseTo(44 / 48, 12); // ranks 11 + 12 + 15 + 16 = 54; U = 54 − 4·5/2 = 44; P·N = 48
    expect(r.maskFraction).toBe(0.25);
  });

  it('top-k with a caller share: top half (8 pixels) contains the whole mask', () => {
    const top = topKOverlap(ramp, corner, 0.5);
    expect(top).toEqual({ iou: 0.5, dice: 8 / 12, topKFraction: 0.5, topKPixels: 8 });
    expect(localisationMetrics(ramp, corner, { topKFraction: 0.5 }).iou).toBe(0.5);
    expect(topKOverlap(ramp, corner, 0).iou).toBe(0);
    paramError(() => topKOverlap(ramp, corner, 1.5));
  });
});

describe('8×8 square map shifted against a square mask', () => {
  // Mask: 3×3 at (2..4, 2..4). Map: 1 on 3×3 at (3..5, 3..5), else 0. Overlap: 2×2 = 4 pixels.
  const mask = boxMask(8, 8, { x: 2, y: 2, width: 3, height: 3 });
  const map = Array.from(boxMask(8, 8, { x: 3, y: 3, width: 3, height: 3 }).data);

  it('gives the hand-computed values', () => {
    const r = localisationMetrics(map, mask);
    expect(r.pointing.point).toEqual([3, 3]); // first of the 9 tied maxima, on the mask
    expect(r.pointing.tiedMaxima).toBe(9);
    expect(r.pointing.hit).toBe(true);
    expect(r.relevanceMass).toBeCloseTo(4 / 9, 12);
    expect(r.rankAccuracy).toBeCloseTo(4 / 9, 12);
    expect(r.iou).toBeCloseTo(4 / 14, 12);
    expect(r.dice).toBeCloseTo(8 / 18, 12);
    // Pairs (mask, other): 1 vs 0: 4·50 wins; 1 vs 1: 4·5 ties; 0 vs 0: 5·50 ties; over 9·55.
    expect(r.auc).toBeCloseTo((200 + 0.5 * 20 + 0.5 * 250) / 495, 12);
    expect(r.maskFraction).toBe(9 / 64);
  });
});

describe('pointing game', () => {
  it('is TorchRay’s strict test: distance² < tolerance²', () => {
    const map = new Float32Array(16);
    map[15] = 1; // maximum at (3, 3)
    const left = maskOf(4, 4, [12]); // (0, 3): distance 3
    expect(pointingGame(map, left, 3).hit).toBe(false);
    expect(pointingGame(map, left, 3.0001).hit).toBe(true);
    const far = maskOf(4, 4, [0]); // (0, 0): distance √18 ≈ 4.243
    expect(pointingGame(map, far, 4.2).hit).toBe(false);
    expect(pointingGame(map, far, 4.3).hit).toBe(true);
    // Tolerance 1: the maximum itself must be on the mask.
    expect(pointingGame(map, maskOf(4, 4, [15]), 1).hit).toBe(true);
    expect(pointingGame(map, maskOf(4, 4, [14]), 1).hit).toBe(false);
  });

  it('defaults to 15 px at 224², scaled by the shorter side', () => {
    expect(defaultPointingTolerance(224, 224)).toBe(15);
    expect(defaultPointingTolerance(448, 112)).toBe(7.5);
    const map = new Float32Array(224 * 224);
    const mask = maskOf(224, 224, [100 * 224 + 100]);
    map[110 * 224 + 110] = 1; // distance √200 ≈ 14.1
    expect(pointingGame(map, mask)).toMatchObject({ hit: true, point: [110, 110], tolerancePx: 15 });
    map[110 * 224 + 110] = 0;
    map[115 * 224 + 100] = 1; // distance exactly 15
    expect(pointingGame(map, mask).hit).toBe(false);
  });

  it('takes the first maximum in row-major order on ties and reports how many tie', () => {
    const map = [0, 2, 0, 2];
    expect(pointingGame(map, maskOf(2, 2, [3]), 1)).toEqual({ hit: false, point: [1, 0], tolerancePx: 1, tiedMaxima: 2 });
  });

  it('rejects a tolerance that is not positive', () => {
    paramError(() => pointingGame(ramp, corner, 0));
    paramError(() => pointingGame(ramp, corner, NaN));
  });
});

describe('ties at the top-k cut are broken by pixel index', () => {
  // 2×2 map [5, 1, 1, 0]: the 1s at indices 1 and 2 tie; the lower index is ranked first.
  const map = [5, 1, 1, 0];
  it('rank accuracy and top-k keep index 1 before index 2', () => {
    expect(relevanceRankAccuracy(map, maskOf(2, 2, [2]))).toBe(0); // K = 1: index 0
    expect(topKOverlap(map, maskOf(2, 2, [2]), 0.5).iou).toBe(0); // top 2: indices 0, 1
    expect(topKOverlap(map, maskOf(2, 2, [1]), 0.5).iou).toBe(0.5);
  });
  it('AUC counts a tie as one half (average ranks)', () => {
    expect(rocAuc(map, maskOf(2, 2, [2]))).toBe(0.5); // vs 5: 0, vs 1: ½, vs 0: 1 → 1.5 / 3
    expect(rocAuc(map, maskOf(2, 2, [0]))).toBe(1);
    expect(rocAuc(map, maskOf(2, 2, [3]))).toBe(0);
  });
});

describe('edge cases', () => {
  it('empty mask: pointing misses (as TorchRay), no mass on it, rank/IoU/Dice/AUC undefined', () => {
    const r = localisationMetrics(ramp, maskOf(4, 4, []));
    expect(r.pointing.hit).toBe(false);
    expect(r.relevanceMass).toBe(0);
    expect([r.rankAccuracy, r.iou, r.dice, r.auc]).toEqual([undefined, undefined, undefined, undefined]);
    expect([r.topKFraction, r.maskFraction]).toEqual([0, 0]);
    expect(topKOverlap(ramp, maskOf(4, 4, []), 0.25)).toMatchObject({ iou: 0, dice: 0, topKPixels: 4 });
  });

  it('full mask: everything is a perfect score except AUC, which is undefined', () => {
    const r = localisationMetrics(ramp, maskOf(4, 4, [...Array(16).keys()]));
    expect(r).toMatchObject({ relevanceMass: 1, rankAccuracy: 1, iou: 1, dice: 1, auc: undefined, maskFraction: 1 });
    expect(r.pointing.hit).toBe(true);
  });

  it('constant map: mass = area share, AUC 0.5, ranks by index, maximum at the first pixel', () => {
    const r = localisationMetrics(new Float32Array(16).fill(2), corner);
    expect(r.pointing).toMatchObject({ point: [0, 0], tiedMaxima: 16, hit: false });
    expect(r.relevanceMass).toBe(0.25);
    expect(r.auc).toBe(0.5);
    expect(r.rankAccuracy).toBe(0); // top 4 by index = the first row
    expect(r.iou).toBe(0);
  });

  it('a map with no positive value has no relevance mass; the other metrics rank it as it is', () => {
    const negative = Array.from(ramp, (v) => v - 16); // −16 … −1, same order as the ramp
    const r = localisationMetrics(negative, corner);
    const reference = localisationMetrics(ramp, corner);
    expect(r.relevanceMass).toBeUndefined();
    expect(relevanceMass(new Float32Array(16), corner)).toBeUndefined();
    expect({ ...r, relevanceMass: 0 }).toEqual({ ...reference, relevanceMass: 0 });
    // Negative values do not count against the mass: clipping leaves only positive attribution.
    expect(relevanceMass([-100, 1, 1, -100], maskOf(2, 2, [1]))).toBe(0.5);
  });

  it('NaN or ±Infinity in the map is a PARAM_INVALID error naming the count', () => {
    const nan = Float32Array.from(ramp);
    nan[3] = NaN;
    nan[7] = Infinity;
    for (const fn of [localisationMetrics, pointingGame, relevanceMass, relevanceRankAccuracy, topKOverlap, rocAuc]) {
      expect(paramError(() => fn(nan, corner)).message).toMatch(/2 values that are not finite/);
    }
  });

  it('a map that does not match the mask size is a PARAM_INVALID error', () => {
    expect(paramError(() => localisationMetrics(new Float32Array(15), corner)).message).toMatch(/15 values.*4×4/);
  });
});

describe('LOCALISATION_METRICS', () => {
  it('lists one row per score of localisationMetrics, with a reference and help', () => {
    const r = localisationMetrics(ramp, corner);
    for (const m of LOCALISATION_METRICS) {
      expect(r).toHaveProperty(m.id);
      expect(m.better).toBe('higher');
      expect(m.reference.length).toBeGreaterThan(10);
      expect(m.help.length).toBeGreaterThan(10);
    }
    expect(new Set(LOCALISATION_METRICS.map((m) => m.id)).size).toBe(LOCALISATION_METRICS.length);
  });
});
