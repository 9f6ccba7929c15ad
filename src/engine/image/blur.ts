import { createRgbaImage, type RgbaImage } from './types';

/**
 * Separable Gaussian blur of interleaved float channels, edges clamped (scipy's mode='nearest', as skimage's
 * gaussian). The kernel reaches `truncate`·sigma on each side (scipy's default truncate is 4).
 */
export function gaussianBlurChannels(data: Float32Array, width: number, height: number, channels: number, sigma: number, truncate = 4): Float32Array {
  if (!(sigma > 0)) return data;
  const radius = Math.max(1, Math.ceil(truncate * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) total += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
  const tmp = new Float32Array(data.length);
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) acc += data[(y * width + Math.min(width - 1, Math.max(0, x + k))) * channels + c] * kernel[k + radius];
        tmp[(y * width + x) * channels + c] = acc;
      }
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) acc += tmp[(Math.min(height - 1, Math.max(0, y + k)) * width + x) * channels + c] * kernel[k + radius];
        out[(y * width + x) * channels + c] = acc;
      }
    }
  }
  return out;
}

/** Gaussian blur of an RGBA image, for "blurred image" baselines and fills. */
export function gaussianBlur(src: RgbaImage, sigma: number): RgbaImage {
  const out = createRgbaImage(src.width, src.height);
  out.data.set(gaussianBlurChannels(Float32Array.from(src.data), src.width, src.height, 4, sigma, 3));
  return out;
}
