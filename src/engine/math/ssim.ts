/**
 * Structural similarity (Wang, Bovik, Sheikh & Simoncelli 2004, "Image quality assessment: from error visibility to
 * structural similarity"), computed as scikit-image's `metrics.structural_similarity` does.
 *
 * Conventions (scikit-image's defaults unless said):
 * - window 'uniform': a 7 × 7 box with the sample (co)variance (N / (N − 1) correction, use_sample_covariance=True);
 *   window 'gaussian': an 11 × 11 Gaussian, σ = 1.5 (skimage's gaussian_weights=True, truncate 3.5: the paper's
 *   window), population (co)variance;
 * - C1 = (K1·L)², C2 = (K2·L)² with K1 = 0.01, K2 = 0.03 and L = `dataRange` (1 for maps normalised to [0, 1]);
 * - the mean SSIM is over the pixels whose whole window lies inside the image (skimage crops (window − 1) / 2
 *   pixels on each side before averaging, so its border padding never counts); images smaller than the window are
 *   refused.
 */
import { GlassboxError } from '../errors';

export type SsimWindow = 'uniform' | 'gaussian';

export interface SsimOptions {
  /** L: the range of values the images can take (max − min possible); 1 for maps normalised to [0, 1]. */
  dataRange?: number;
  window?: SsimWindow;
  k1?: number;
  k2?: number;
}

/** The 1-D weights of the separable window (they sum to 1). */
export function ssimWindow(window: SsimWindow): Float64Array {
  if (window === 'uniform') return new Float64Array(7).fill(1 / 7);
  const sigma = 1.5, radius = Math.floor(3.5 * sigma + 0.5);
  const w = Float64Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / sum);
}

/** Weighted window sums of `values` (height × width) at every position whose window is inside: (H−k+1) × (W−k+1). */
function filterValid(values: Float64Array, width: number, height: number, w: Float64Array): Float64Array {
  const k = w.length, outW = width - k + 1, outH = height - k + 1;
  const rows = new Float64Array(height * outW);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outW; x++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += w[j] * values[y * width + x + j];
      rows[y * outW + x] = s;
    }
  }
  const out = new Float64Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += w[j] * rows[(y + j) * outW + x];
      out[y * outW + x] = s;
    }
  }
  return out;
}

/** Mean SSIM of two images of the same size (row-major, height × width, one channel). */
export function ssim(a: ArrayLike<number>, b: ArrayLike<number>, width: number, height: number, options: SsimOptions = {}): number {
  const { dataRange = 1, window = 'uniform', k1 = 0.01, k2 = 0.03 } = options;
  const n = width * height;
  if (a.length !== n || b.length !== n) {
    throw new GlassboxError('PARAM_INVALID', `SSIM needs two ${width} × ${height} images (got ${a.length} and ${b.length} values).`);
  }
  const w = ssimWindow(window);
  const k = w.length;
  if (width < k || height < k) {
    throw new GlassboxError('PARAM_INVALID', `SSIM with a ${k} × ${k} window needs images at least that large (got ${width} × ${height}).`);
  }
  if (!(dataRange > 0)) throw new GlassboxError('PARAM_INVALID', `SSIM's data range must be positive (got ${dataRange}).`);
  const x = Float64Array.from(a), y = Float64Array.from(b);
  const xx = x.map((v) => v * v), yy = y.map((v) => v * v), xy = x.map((v, i) => v * y[i]);
  const [ux, uy, uxx, uyy, uxy] = [x, y, xx, yy, xy].map((t) => filterValid(t, width, height, w));
  const np = k * k;
  const covNorm = window === 'uniform' ? np / (np - 1) : 1;
  const c1 = (k1 * dataRange) ** 2, c2 = (k2 * dataRange) ** 2;
  let sum = 0;
  for (let i = 0; i < ux.length; i++) {
    const vx = covNorm * (uxx[i] - ux[i] * ux[i]);
    const vy = covNorm * (uyy[i] - uy[i] * uy[i]);
    const vxy = covNorm * (uxy[i] - ux[i] * uy[i]);
    sum += ((2 * ux[i] * uy[i] + c1) * (2 * vxy + c2)) / ((ux[i] * ux[i] + uy[i] * uy[i] + c1) * (vx + vy + c2));
  }
  return sum / ux.length;
}
