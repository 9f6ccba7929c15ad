/**
 * The stability statistics against ground truth: k maps = one true map + independent Gaussian noise of known σ
 * (seeded). The per-pixel sample variance averages σ², the sample std averages c4(k)·σ (its known bias), the mean map
 * is the true map within σ/√k; and when the true map's values are themselves Gaussian, two noisy copies are
 * bivariate normal with Pearson ρ = var(true)/(var(true) + σ²), whose Spearman ρ has the closed form
 * ρ_s = (6/π)·asin(ρ/2) (Pearson 1907). Ties are ranked by their average (scipy's rankdata); identical maps give std
 * exactly 0 and ρ exactly 1; constant maps follow the documented convention.
 */
import { describe, expect, it } from 'vitest';
import { averageRanks, checkStabilityK, spearman, stabilityStats } from '../../../src/engine/explain/stability';
import { createRng } from '../../../src/engine/math/rng';

/** c4(k) = E[s]/σ for a normal sample of size k: √(2/(k−1))·Γ(k/2)/Γ((k−1)/2), Γ of halves by Γ(x+1) = x·Γ(x). */
function c4(k: number): number {
  const gammaOfHalf = (twice: number): number => (twice === 1 ? Math.sqrt(Math.PI) : twice === 2 ? 1 : (twice / 2 - 1) * gammaOfHalf(twice - 2));
  return Math.sqrt(2 / (k - 1)) * (gammaOfHalf(k) / gammaOfHalf(k - 1));
}

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((s, x) => s + x, 0) / xs.length;

describe('stabilityStats against a known noise level', () => {
  const N = 20_000;
  const K = 5;
  const TAU = 1; // spread of the true map across pixels
  const SIGMA = 0.5; // the noise each seed adds
  const rng = createRng(20260101);
  const truth = Float64Array.from({ length: N }, () => TAU * rng.normal());
  const maps = Array.from({ length: K }, () => Float64Array.from(truth, (t) => t + SIGMA * rng.normal()));
  const stats = stabilityStats(maps);

  it('the sample variance averages σ² (k − 1 in the denominator) and the std averages c4(k)·σ', () => {
    expect(c4(5)).toBeCloseTo(0.93999, 4);
    expect(mean(stats.std.map((s) => s * s)) / SIGMA ** 2).toBeCloseTo(1, 1.7); // within ~1 %: its SE is 0.5 %
    expect(Math.abs(stats.meanStd - c4(K) * SIGMA)).toBeLessThan(0.005); // SE 0.0012
    expect(stats.meanStd).toBeCloseTo(mean(stats.std), 5);
    expect(stats.maxStd).toBeGreaterThan(2 * SIGMA);
  });

  it('the mean map is the true map within σ/√k (RMS of the difference)', () => {
    let squares = 0;
    for (let p = 0; p < N; p++) squares += (stats.mean[p] - truth[p]) ** 2;
    expect(Math.sqrt(squares / N) / (SIGMA / Math.sqrt(K))).toBeCloseTo(1, 1.5); // within ~3 %
  });

  it('pairwise Spearman ρ matches (6/π)·asin(ρ/2) with ρ = τ²/(τ² + σ²)', () => {
    const pearson = TAU ** 2 / (TAU ** 2 + SIGMA ** 2); // 0.8
    const expected = (6 / Math.PI) * Math.asin(pearson / 2); // 0.786
    expect(stats.k).toBe(K);
    expect(stats.pairwise).toHaveLength(K);
    for (let i = 0; i < K; i++) {
      expect(stats.pairwise[i][i]).toBe(1);
      for (let j = 0; j < K; j++) {
        expect(stats.pairwise[i][j]).toBe(stats.pairwise[j][i]);
        if (i !== j) expect(Math.abs(stats.pairwise[i][j] - expected)).toBeLessThan(0.015); // SE ≈ 0.003 at n = 20 000
      }
    }
    expect(Math.abs(stats.meanRankCorrelation - expected)).toBeLessThan(0.01);
    expect(stats.minRankCorrelation).toBeLessThanOrEqual(stats.meanRankCorrelation);
    const [a, b] = stats.minPair;
    expect(stats.pairwise[a][b]).toBe(stats.minRankCorrelation);
    expect(stats.identical).toBe(false);
    expect(stats.constantPairs).toBe(0);
  });

  it('more noise: lower ρ, as the closed form says', () => {
    const noisy = Array.from({ length: 3 }, () => Float64Array.from(truth, (t) => t + 2 * rng.normal()));
    const expected = (6 / Math.PI) * Math.asin(1 / (1 + 4) / 2); // ρ = 0.2 → ρ_s ≈ 0.191
    expect(Math.abs(stabilityStats(noisy).meanRankCorrelation - expected)).toBeLessThan(0.02);
  });
});

describe('ranks and Spearman ρ', () => {
  it('ties share their average rank (scipy.stats.rankdata)', () => {
    expect(Array.from(averageRanks([3, 1, 4, 1, 5]))).toEqual([3, 1.5, 4, 1.5, 5]);
    expect(Array.from(averageRanks([2, 2, 2]))).toEqual([2, 2, 2]);
    expect(Array.from(averageRanks([0, 0, 1, 1, 1, 0.5]))).toEqual([1.5, 1.5, 5, 5, 5, 3]);
  });

  it('with ties it is the Pearson correlation of the average ranks: [1,2,2,3] against [1,2,3,4] is 3/√10', () => {
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(3 / Math.sqrt(10), 12);
    // superpixel-like maps: blocks of equal values, the same order of blocks → 1 whatever the values
    expect(spearman([0.1, 0.1, 0.5, 0.5, -2, -2], [1, 1, 7, 7, -3, -3])).toBeCloseTo(1, 12);
  });

  it('depends only on the order: a monotone transform gives 1, a reversal −1', () => {
    const rng = createRng(3);
    const x = Array.from({ length: 500 }, () => rng.normal());
    expect(spearman(x, x.map(Math.exp))).toBeCloseTo(1, 12);
    expect(spearman(x, x.map((v) => -3 * v))).toBeCloseTo(-1, 12);
  });

  it('constant maps: the same constant map → 1; a constant map against anything else → 0', () => {
    expect(spearman([0, 0, 0], [0, 0, 0])).toBe(1);
    expect(spearman([0, 0, 0], [1, 2, 3])).toBe(0);
    expect(spearman([0, 0, 0], [1, 1, 1])).toBe(0);
    const s = stabilityStats([[0, 0, 0], [1, 2, 3], [0, 0, 0]]);
    expect(s.pairwise).toEqual([[1, 0, 1], [0, 1, 0], [1, 0, 1]]);
    expect(s.constantPairs).toBe(3);
  });

  it('refuses maps of different sizes and fewer than 2 maps', () => {
    expect(() => spearman([1, 2], [1, 2, 3])).toThrow(/different sizes/);
    expect(() => stabilityStats([[1, 2]])).toThrow(/at least 2 maps/);
    expect(() => stabilityStats([[1, 2], [1, 2, 3]])).toThrow(/differ in size/);
  });
});

describe('identical maps (a method that does not sample)', () => {
  it('std exactly 0, the mean exactly the map, ρ exactly 1 for every pair', () => {
    // values whose sum / k is not exact in floating point: 0.1 × 3 / 3 ≠ 0.1
    const map = [0.1, 0.7, 1 / 3, -2.2, 1e-9];
    const s = stabilityStats([map, [...map], Float64Array.from(map)]);
    expect(Array.from(s.std)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(s.mean)).toEqual(Array.from(Float32Array.from(map)));
    expect(s.pairwise.flat()).toEqual(new Array(9).fill(1));
    expect(s.meanRankCorrelation).toBe(1);
    expect(s.minRankCorrelation).toBe(1);
    expect(s.meanStd).toBe(0);
    expect(s.identical).toBe(true);
  });

  it('two maps: the sample std (k − 1): values 0 and 2 give √2, not 1', () => {
    const s = stabilityStats([[0, 5], [2, 5]]);
    expect(s.std[0]).toBeCloseTo(Math.SQRT2, 6);
    expect(s.std[1]).toBe(0);
    expect(s.mean[0]).toBe(1);
  });
});

describe('the number of seeds', () => {
  it('is a whole number from 2 to 20', () => {
    for (const k of [2, 5, 20]) expect(() => checkStabilityK(k)).not.toThrow();
    for (const k of [0, 1, 21, 2.5, NaN]) expect(() => checkStabilityK(k)).toThrow(/whole number from 2 to 20/);
  });
});
