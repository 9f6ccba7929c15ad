/** The streamed weighted ridge equals the closed-form solution of sklearn's Ridge(alpha, fit_intercept=True) with sample weights. */
import { describe, expect, it } from 'vitest';
import { solveSpd } from '../../../src/engine/math/linalg';
import { createRng } from '../../../src/engine/math/rng';
import { WeightedRidgeAccumulator } from '../../../src/engine/math/weighted-ridge';

/** Reference: build dense X, W, y; centre by weighted means; solve (XcᵀWXc + αI)β = XcᵀWyc by Gaussian elimination. */
function reference(x: number[][], w: number[], y: number[], alpha: number) {
  const n = x.length, m = x[0].length;
  const sw = w.reduce((a, b) => a + b, 0);
  const xm = Array.from({ length: m }, (_, j) => x.reduce((a, row, i) => a + w[i] * row[j], 0) / sw);
  const ym = y.reduce((a, v, i) => a + w[i] * v, 0) / sw;
  const a = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => x.reduce((s, row, r) => s + w[r] * (row[i] - xm[i]) * (row[j] - xm[j]), 0) + (i === j ? alpha : 0)));
  const b = Array.from({ length: m }, (_, i) => x.reduce((s, row, r) => s + w[r] * (row[i] - xm[i]) * (y[r] - ym), 0));
  // Gaussian elimination with partial pivoting
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    [b[c], b[p]] = [b[p], b[c]];
    for (let r = c + 1; r < m; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k < m; k++) a[r][k] -= f * a[c][k];
      b[r] -= f * b[c];
    }
  }
  const beta = new Array<number>(m).fill(0);
  for (let r = m - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < m; k++) s -= a[r][k] * beta[k];
    beta[r] = s / a[r][r];
  }
  const intercept = ym - beta.reduce((s, v, j) => s + v * xm[j], 0);
  const pred = x.map((row) => intercept + row.reduce((s, v, j) => s + v * beta[j], 0));
  const ssRes = y.reduce((s, v, i) => s + w[i] * (v - pred[i]) ** 2, 0);
  const ssTot = y.reduce((s, v, i) => s + w[i] * (v - ym) ** 2, 0);
  void n;
  return { beta, intercept, score: 1 - ssRes / ssTot };
}

describe('weighted ridge', () => {
  it('matches the closed-form reference on random binary data with two targets', () => {
    const rng = createRng(7);
    const m = 6, n = 80;
    const x = Array.from({ length: n }, () => Array.from({ length: m }, () => rng.uint32() >>> 31));
    const w = Array.from({ length: n }, () => 0.1 + rng.float());
    const y1 = x.map((row) => row.reduce((s, v, j) => s + v * (j - 2.5), 0.3) + 0.2 * rng.normal());
    const y2 = x.map((row) => row[0] * row[1] * 2 - row[5] + 0.1 * rng.normal());
    const acc = new WeightedRidgeAccumulator(m, 2);
    x.forEach((row, i) => acc.addBinary(Uint8Array.from(row), w[i], [y1[i], y2[i]]));
    const fits = acc.solve(1);
    for (const [k, y] of [y1, y2].entries()) {
      const ref = reference(x, w, y, 1);
      fits[k].coef.forEach((c, j) => expect(c).toBeCloseTo(ref.beta[j], 9));
      expect(fits[k].intercept).toBeCloseTo(ref.intercept, 9);
      expect(fits[k].score).toBeCloseTo(ref.score, 9);
    }
  });

  it('a noiseless linear response is recovered almost exactly with a small penalty, with R² ≈ 1', () => {
    const rng = createRng(3);
    const m = 10;
    const truth = Array.from({ length: m }, (_, j) => (j % 3) - 1 + j / 10);
    const acc = new WeightedRidgeAccumulator(m, 1);
    for (let i = 0; i < 500; i++) {
      const z = Uint8Array.from({ length: m }, () => rng.uint32() >>> 31);
      acc.addBinary(z, 1, [2 + z.reduce((s, v, j) => s + v * truth[j], 0)]);
    }
    const [fit] = acc.solve(1e-6);
    fit.coef.forEach((c, j) => expect(c).toBeCloseTo(truth[j], 5));
    expect(fit.intercept).toBeCloseTo(2, 5);
    expect(fit.score).toBeCloseTo(1, 8);
  });

  it('solveSpd solves a known system and refuses a matrix that is not positive definite', () => {
    const a = Float64Array.from([4, 2, 2, 3]);
    const x = solveSpd(a, Float64Array.from([2, 1]), 2, 1);
    expect(4 * x[0] + 2 * x[1]).toBeCloseTo(2, 12);
    expect(2 * x[0] + 3 * x[1]).toBeCloseTo(1, 12);
    expect(() => solveSpd(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2, 1)).toThrow(/not positive definite/);
  });
});
