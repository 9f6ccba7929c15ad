import { createRgbaImage, type RgbaImage } from './types';

/** How samples beyond the border are taken, as scipy.ndimage's modes: 'nearest' a a | a b c, 'reflect' b a | a b c. */
export type EdgeMode = 'nearest' | 'reflect';

function edgeIndex(i: number, size: number, mode: EdgeMode): number {
  if (mode === 'nearest') return Math.min(size - 1, Math.max(0, i));
  const period = 2 * size; // 0..size−1 forwards, then size−1..0 backwards
  let m = i % period;
  if (m < 0) m += period;
  return m < size ? m : period - 1 - m;
}

/**
 * Separable Gaussian smoothing of one float plane (as scipy.ndimage.gaussian_filter, which scikit-image's
 * `gaussian` calls). The kernel reaches `truncate`·sigma on each side (scipy's default truncate is 4).
 * Returns the input itself when sigma is 0.
 */
export function gaussianBlurPlane(data: Float32Array, width: number, height: number, sigma: number, mode: EdgeMode = 'reflect', truncate = 4): Float32Array {
  if (!(sigma > 0)) return data;
  const radius = Math.max(1, Math.ceil(truncate * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) total += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
  const xs = new Int32Array(width + 2 * radius);
  for (let i = 0; i < xs.length; i++) xs[i] = edgeIndex(i - radius, width, mode);
  const ys = new Int32Array(height + 2 * radius);
  for (let i = 0; i < ys.length; i++) ys[i] = edgeIndex(i - radius, height, mode) * width;
  const tmp = new Float32Array(data.length);
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let t = 0; t < kernel.length; t++) acc += data[row + xs[x + t]] * kernel[t];
      tmp[row + x] = acc;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let t = 0; t < kernel.length; t++) acc += tmp[ys[y + t] + x] * kernel[t];
      out[y * width + x] = acc;
    }
  }
  return out;
}

/** Gaussian blur of an RGBA image (edges clamped), for "blurred image" baselines and fills. */
export function gaussianBlur(src: RgbaImage, sigma: number): RgbaImage {
  const { width, height } = src;
  const n = width * height;
  const out = createRgbaImage(width, height);
  for (let c = 0; c < 4; c++) {
    const plane = new Float32Array(n);
    for (let j = 0; j < n; j++) plane[j] = src.data[j * 4 + c];
    const blurred = gaussianBlurPlane(plane, width, height, sigma, 'nearest', 3);
    for (let j = 0; j < n; j++) out.data[j * 4 + c] = blurred[j];
  }
  return out;
}
