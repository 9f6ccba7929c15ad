/**
 * Quick shift — Vedaldi & Soatto, "Quick Shift and Kernel Methods for Mode Seeking" (ECCV 2008) — as
 * scikit-image's `segmentation.quickshift` (the lime library's default segmentation: kernel_size 4,
 * max_dist 200, ratio 0.2): pixels in CIELAB scaled by `ratio`, plus their (row, column) position; a Parzen
 * density with a Gaussian kernel of width `kernelSize` over a window of ±3·kernelSize; each pixel links to the
 * nearest pixel of higher density in that window, unless it is farther than `maxDist`; the trees of links are
 * the segments. Ties in density are broken by a tiny seeded noise, as skimage does (with its own generator,
 * so labels match skimage's in shape, not pixel for pixel).
 */
import type { RgbaImage } from '../image/types';
import { gaussianBlurPlane } from '../image/blur';
import { createRng } from '../math/rng';
import { toFeaturePlanes } from './slic';
import type { Segmentation } from './types';

export interface QuickshiftParams {
  /** Width of the Gaussian density kernel (skimage's kernel_size). */
  kernelSize: number;
  /** Links longer than this (in the joint colour-position space) are cut (skimage's max_dist). */
  maxDist: number;
  /** Weight of colour against position, 0–1 (skimage's ratio). */
  ratio: number;
  /** Pre-smoothing of the Lab image (skimage's sigma). */
  sigma: number;
  /** Seed of the tie-breaking noise. */
  seed: number;
}

/** lime's LimeImageExplainer default: quickshift(kernel_size=4, max_dist=200, ratio=0.2). */
export const QUICKSHIFT_DEFAULTS: QuickshiftParams = { kernelSize: 4, maxDist: 200, ratio: 0.2, sigma: 0, seed: 42 };

export function quickshift(image: RgbaImage, params: Partial<QuickshiftParams> = {}): Segmentation {
  const p = { ...QUICKSHIFT_DEFAULTS, ...params };
  const { width, height } = image;
  const n = width * height;
  const [fL, fA, fB] = toFeaturePlanes(image, true).map((plane) => {
    const smoothed = gaussianBlurPlane(plane, width, height, p.sigma);
    return Float64Array.from(smoothed, (v) => v * p.ratio);
  });
  const inv = -0.5 / (p.kernelSize * p.kernelSize);
  const reach = Math.ceil(3 * p.kernelSize);
  const rng = createRng(p.seed);
  const density = Float64Array.from({ length: n }, () => rng.normal() * 1e-5);

  // Parzen densities: Σ exp(−d²/(2k²)) over the window, d² = colour² + position²
  for (let r = 0; r < height; r++) {
    const r0 = Math.max(0, r - reach), r1 = Math.min(height - 1, r + reach);
    for (let c = 0; c < width; c++) {
      const c0 = Math.max(0, c - reach), c1 = Math.min(width - 1, c + reach);
      const j = r * width + c;
      const L = fL[j], A = fA[j], B = fB[j];
      let sum = 0;
      for (let rr = r0; rr <= r1; rr++) {
        const dr = (r - rr) * (r - rr);
        for (let cc = c0, k = rr * width + c0; cc <= c1; cc++, k++) {
          const dl = L - fL[k], da = A - fA[k], db = B - fB[k];
          sum += Math.exp((dl * dl + da * da + db * db + dr + (c - cc) * (c - cc)) * inv);
        }
      }
      density[j] += sum;
    }
  }

  // link each pixel to its nearest neighbour of higher density (in the same window)
  const parent = new Int32Array(n);
  const maxDist2 = p.maxDist * p.maxDist;
  for (let r = 0; r < height; r++) {
    const r0 = Math.max(0, r - reach), r1 = Math.min(height - 1, r + reach);
    for (let c = 0; c < width; c++) {
      const c0 = Math.max(0, c - reach), c1 = Math.min(width - 1, c + reach);
      const j = r * width + c;
      const L = fL[j], A = fA[j], B = fB[j], own = density[j];
      let closest = Infinity, best = j;
      for (let rr = r0; rr <= r1; rr++) {
        const dr = (r - rr) * (r - rr);
        for (let cc = c0, k = rr * width + c0; cc <= c1; cc++, k++) {
          if (density[k] <= own) continue;
          const dl = L - fL[k], da = A - fA[k], db = B - fB[k];
          const d = dl * dl + da * da + db * db + dr + (c - cc) * (c - cc);
          if (d < closest) (closest = d), (best = k);
        }
      }
      parent[j] = closest <= maxDist2 ? best : j;
    }
  }

  // the root of each pixel's tree is its segment; labels in order of the roots' raster position (as np.unique)
  const root = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    let k = j;
    while (parent[k] !== k) k = parent[k];
    root[j] = k;
  }
  const ids = new Int32Array(n).fill(-1);
  let count = 0;
  for (let j = 0; j < n; j++) if (root[j] === j) ids[j] = count++;
  const labels = Int32Array.from(root, (k) => ids[k]);
  return { width, height, labels, count };
}
