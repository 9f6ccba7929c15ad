/**
 * SLIC superpixels — Achanta et al., "SLIC Superpixels Compared to State-of-the-Art Superpixel Methods" (TPAMI 2012).
 * Follows scikit-image's `segmentation.slic` (Gaussian pre-smoothing, CIELAB, grid seeds, the paper's 2S×2S search,
 * distance √(d_lab² + (d_xy/S)²·m²), connectivity enforcement), plus the paper's move of each seed to the
 * lowest-gradient pixel of its 3×3 neighbourhood. Deterministic: ties break by position.
 */
import { gaussianBlurChannels } from '../image/blur';
import type { RgbaImage } from '../image/types';
import type { Segmentation } from './types';

export interface SlicParams {
  nSegments: number;
  compactness: number;
  sigma: number;
  maxIterations: number;
  enforceConnectivity: boolean;
  minSizeFactor: number;
  maxSizeFactor: number;
  convertToLab: boolean;
}

export const SLIC_DEFAULTS: SlicParams = {
  nSegments: 100,
  compactness: 10,
  sigma: 0,
  maxIterations: 10,
  enforceConnectivity: true,
  minSizeFactor: 0.5,
  maxSizeFactor: 3,
  convertToLab: true,
};

/** sRGB (0..255) → CIELAB (D65), as skimage.color.rgb2lab. */
const linearLut = new Float64Array(256).map((_, v) => srgbToLinear(v));

function srgbToLinear(v: number): number {
  const c = v / 255;
  return c > 0.04045 ? ((c + 0.055) / 1.055) ** 2.4 : c / 12.92;
}

/** Integer inputs (unsmoothed pixels) use the table; smoothed values are computed. */
function linear(v: number): number {
  return (v | 0) === v && v >= 0 && v <= 255 ? linearLut[v] : srgbToLinear(v);
}

function labF(t: number): number {
  return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116;
}

export function rgbToLab(r: number, g: number, b: number, out: Float32Array, offset: number): void {
  const R = linear(r), G = linear(g), B = linear(b);
  const x = (0.412453 * R + 0.35758 * G + 0.180423 * B) / 0.95047;
  const y = 0.212671 * R + 0.71516 * G + 0.072169 * B;
  const z = (0.019334 * R + 0.119193 * G + 0.950227 * B) / 1.08883;
  const fx = labF(x), fy = labF(y), fz = labF(z);
  out[offset] = y > 0.008856 ? 116 * fy - 16 : 903.3 * y;
  out[offset + 1] = 500 * (fx - fy);
  out[offset + 2] = 200 * (fy - fz);
}

export function slic(image: RgbaImage, params: Partial<SlicParams> = {}): Segmentation {
  const p = { ...SLIC_DEFAULTS, ...params };
  const { width, height } = image;
  const n = width * height;
  // Smooth the RGB values (as skimage does, before the colour conversion), then convert.
  let rgb: Float32Array = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) rgb[i * 3 + c] = image.data[i * 4 + c];
  rgb = gaussianBlurChannels(rgb, width, height, 3, p.sigma);
  const feat = new Float32Array(n * 3);
  if (p.convertToLab) for (let i = 0; i < n; i++) rgbToLab(rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2], feat, i * 3);
  else feat.set(rgb);

  // Grid seeds: step S so that about nSegments cells cover the image.
  const step = Math.max(1, Math.sqrt(n / p.nSegments));
  const cols = Math.max(1, Math.round(width / step));
  const rows = Math.max(1, Math.round(height / step));
  const k = cols * rows;
  const cx = new Float64Array(k), cy = new Float64Array(k), cl = new Float64Array(k * 3);
  const gradient = (x: number, y: number) => {
    const xl = Math.max(0, x - 1), xr = Math.min(width - 1, x + 1), yu = Math.max(0, y - 1), yd = Math.min(height - 1, y + 1);
    let g = 0;
    for (let c = 0; c < 3; c++) {
      const dx = feat[(y * width + xr) * 3 + c] - feat[(y * width + xl) * 3 + c];
      const dy = feat[(yd * width + x) * 3 + c] - feat[(yu * width + x) * 3 + c];
      g += dx * dx + dy * dy;
    }
    return g;
  };
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const i = r * cols + q;
      let bx = Math.min(width - 1, Math.floor((q + 0.5) * (width / cols)));
      let by = Math.min(height - 1, Math.floor((r + 0.5) * (height / rows)));
      // Move to the lowest-gradient pixel of the 3×3 neighbourhood, so seeds avoid edges and noise.
      let best = gradient(bx, by);
      const x0 = bx, y0 = by;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = x0 + dx, y = y0 + dy;
          if (x < 0 || y < 0 || x >= width || y >= height) continue;
          const g = gradient(x, y);
          if (g < best) {
            best = g;
            bx = x;
            by = y;
          }
        }
      }
      cx[i] = bx;
      cy[i] = by;
      for (let c = 0; c < 3; c++) cl[i * 3 + c] = feat[(by * width + bx) * 3 + c];
    }
  }

  const labels = new Int32Array(n).fill(-1);
  const distance = new Float32Array(n);
  const spatialWeight = (p.compactness / step) ** 2;
  const sums = new Float64Array(k * 5);
  const counts = new Float64Array(k);
  // The paper's 2S×2S search region (±S): skimage searches ±2S, four times the work for nearly the same result.
  const window = Math.ceil(step);
  for (let iter = 0; iter < p.maxIterations; iter++) {
    distance.fill(Infinity);
    let changed = 0;
    for (let i = 0; i < k; i++) {
      const cxi = cx[i], cyi = cy[i];
      const x0 = Math.max(0, Math.floor(cxi - window)), x1 = Math.min(width - 1, Math.ceil(cxi + window));
      const y0 = Math.max(0, Math.floor(cyi - window)), y1 = Math.min(height - 1, Math.ceil(cyi + window));
      const L = cl[i * 3], A = cl[i * 3 + 1], B = cl[i * 3 + 2];
      for (let y = y0; y <= y1; y++) {
        const dy = y - cyi;
        const rowCost = dy * dy * spatialWeight;
        let j = y * width + x0;
        let f = j * 3;
        for (let x = x0; x <= x1; x++, j++, f += 3) {
          const dx = x - cxi;
          const dl = feat[f] - L, da = feat[f + 1] - A, db = feat[f + 2] - B;
          const d = dl * dl + da * da + db * db + dx * dx * spatialWeight + rowCost;
          if (d < distance[j]) {
            distance[j] = d;
            if (labels[j] !== i) {
              labels[j] = i;
              changed++;
            }
          }
        }
      }
    }
    sums.fill(0);
    counts.fill(0);
    for (let y = 0, j = 0; y < height; y++) {
      for (let x = 0; x < width; x++, j++) {
        const l = labels[j];
        if (l < 0) continue;
        const o = l * 5;
        counts[l]++;
        sums[o] += x;
        sums[o + 1] += y;
        sums[o + 2] += feat[j * 3];
        sums[o + 3] += feat[j * 3 + 1];
        sums[o + 4] += feat[j * 3 + 2];
      }
    }
    for (let i = 0; i < k; i++) {
      if (!counts[i]) continue;
      cx[i] = sums[i * 5] / counts[i];
      cy[i] = sums[i * 5 + 1] / counts[i];
      for (let c = 0; c < 3; c++) cl[i * 3 + c] = sums[i * 5 + 2 + c] / counts[i];
    }
    // Converged: (almost) no pixel changed its superpixel.
    if (iter > 0 && changed <= n * 0.001) break;
  }
  for (let j = 0; j < n; j++) if (labels[j] < 0) labels[j] = 0;
  return p.enforceConnectivity ? enforceConnectivity(labels, width, height, Math.floor((p.minSizeFactor * n) / k)) : relabel(labels, width, height);
}

/**
 * Split every label into its 4-connected components, then merge components smaller than `minSize` into the
 * neighbouring component met just before them in raster order (as skimage does); labels become 0..count−1 in
 * order of first appearance.
 */
function enforceConnectivity(labels: Int32Array, width: number, height: number, minSize: number): Segmentation {
  const n = width * height;
  const out = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let next = 0;
  const sizes: number[] = [];
  for (let start = 0; start < n; start++) {
    if (out[start] >= 0) continue;
    const label = labels[start];
    // the adjacent, already labelled component to merge into if this one is too small
    let adjacent = -1;
    const sx = start % width;
    if (sx > 0 && out[start - 1] >= 0) adjacent = out[start - 1];
    else if (start >= width && out[start - width] >= 0) adjacent = out[start - width];
    let head = 0, tail = 0;
    queue[tail++] = start;
    out[start] = next;
    while (head < tail) {
      const j = queue[head++];
      const x = j % width;
      if (x > 0 && out[j - 1] < 0 && labels[j - 1] === label) (out[j - 1] = next), (queue[tail++] = j - 1);
      if (x + 1 < width && out[j + 1] < 0 && labels[j + 1] === label) (out[j + 1] = next), (queue[tail++] = j + 1);
      if (j >= width && out[j - width] < 0 && labels[j - width] === label) (out[j - width] = next), (queue[tail++] = j - width);
      if (j + width < n && out[j + width] < 0 && labels[j + width] === label) (out[j + width] = next), (queue[tail++] = j + width);
    }
    if (tail < minSize && adjacent >= 0) {
      for (let q = 0; q < tail; q++) out[queue[q]] = adjacent;
      sizes[adjacent] += tail;
    } else {
      sizes[next] = tail;
      next++;
    }
  }
  return { width, height, labels: out, count: next };
}

function relabel(labels: Int32Array, width: number, height: number): Segmentation {
  const map = new Map<number, number>();
  const out = new Int32Array(labels.length);
  for (let j = 0; j < labels.length; j++) {
    let v = map.get(labels[j]);
    if (v === undefined) map.set(labels[j], (v = map.size));
    out[j] = v;
  }
  return { width, height, labels: out, count: map.size };
}
