/**
 * Weighted ridge regression with an intercept, accumulated one sample at a time so memory does not grow with
 * the number of samples. Solves exactly what scikit-learn's Ridge(alpha, fit_intercept=True).fit(X, y,
 * sample_weight=w) solves (the surrogate of the lime library): centre X and y by their weighted means, then
 * (Xcᵀ W Xc + αI) β = Xcᵀ W yc, intercept = ȳ − x̄ᵀβ. Several targets (classes) share the same X and weights.
 */
import { solveSpd } from './linalg';

export interface RidgeFit {
  coef: Float64Array;
  intercept: number;
  /** Weighted R² of the fit on the samples it saw (sklearn's `score` with sample_weight). */
  score: number;
}

export class WeightedRidgeAccumulator {
  private sw = 0;
  private readonly swx: Float64Array; // Σ w x           (M)
  private readonly swxx: Float64Array; // Σ w x xᵀ        (M×M)
  private readonly swy: Float64Array; // Σ w y           (T)
  private readonly swyy: Float64Array; // Σ w y²          (T)
  private readonly swxy: Float64Array; // Σ w x y         (M×T)
  samples = 0;

  constructor(
    readonly features: number,
    readonly targets: number,
  ) {
    this.swx = new Float64Array(features);
    this.swxx = new Float64Array(features * features);
    this.swy = new Float64Array(targets);
    this.swyy = new Float64Array(targets);
    this.swxy = new Float64Array(features * targets);
  }

  /** Add one sample with binary features `x` (0/1), weight `w` and one response per target. */
  addBinary(x: Uint8Array, w: number, y: ArrayLike<number>): void {
    const m = this.features, t = this.targets;
    this.sw += w;
    this.samples++;
    for (let k = 0; k < t; k++) {
      this.swy[k] += w * y[k];
      this.swyy[k] += w * y[k] * y[k];
    }
    for (let i = 0; i < m; i++) {
      if (!x[i]) continue;
      this.swx[i] += w;
      const row = i * m;
      for (let j = 0; j <= i; j++) if (x[j]) this.swxx[row + j] += w;
      for (let k = 0; k < t; k++) this.swxy[i * t + k] += w * y[k];
    }
  }

  solve(alpha: number): RidgeFit[] {
    const m = this.features, t = this.targets, sw = this.sw;
    if (!(sw > 0)) throw new Error('no weighted samples to fit');
    const a = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j <= i; j++) {
        const v = this.swxx[i * m + j] - (this.swx[i] * this.swx[j]) / sw;
        a[i * m + j] = v;
        a[j * m + i] = v;
      }
      a[i * m + i] += alpha;
    }
    const b = new Float64Array(m * t);
    for (let i = 0; i < m; i++) for (let k = 0; k < t; k++) b[i * t + k] = this.swxy[i * t + k] - (this.swx[i] * this.swy[k]) / sw;
    const beta = solveSpd(a, b, m, t);
    const fits: RidgeFit[] = [];
    for (let k = 0; k < t; k++) {
      const coef = new Float64Array(m);
      for (let i = 0; i < m; i++) coef[i] = beta[i * t + k];
      const yMean = this.swy[k] / sw;
      let intercept = yMean;
      for (let i = 0; i < m; i++) intercept -= (coef[i] * this.swx[i]) / sw;
      // Σw(y − b − xβ)² from the accumulators, so the score needs no second pass over the samples.
      let xbY = 0, xb = 0, quad = 0;
      for (let i = 0; i < m; i++) {
        xbY += coef[i] * this.swxy[i * t + k];
        xb += coef[i] * this.swx[i];
        let row = 0;
        for (let j = 0; j < m; j++) row += (i >= j ? this.swxx[i * m + j] : this.swxx[j * m + i]) * coef[j];
        quad += coef[i] * row;
      }
      const residual = this.swyy[k] - 2 * intercept * this.swy[k] - 2 * xbY + intercept * intercept * sw + 2 * intercept * xb + quad;
      const total = this.swyy[k] - (this.swy[k] * this.swy[k]) / sw;
      fits.push({ coef, intercept, score: total > 0 ? 1 - residual / total : residual <= 1e-12 ? 1 : 0 });
    }
    return fits;
  }
}
