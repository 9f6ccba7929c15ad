import { createRgbaImage, type RgbaImage } from './types';

/** Separable Gaussian blur (edges clamped), for "blurred image" baselines and fills. */
export function gaussianBlur(src: RgbaImage, sigma: number): RgbaImage {
  const out = createRgbaImage(src.width, src.height);
  if (!(sigma > 0)) {
    out.data.set(src.data);
    return out;
  }
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) total += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
  const { width: w, height: h } = src;
  const tmp = new Float32Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 4; c++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) acc += src.data[(y * w + Math.min(w - 1, Math.max(0, x + k))) * 4 + c] * kernel[k + radius];
        tmp[(y * w + x) * 4 + c] = acc;
      }
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 4; c++) {
        let acc = 0;
        for (let k = -radius; k <= radius; k++) acc += tmp[(Math.min(h - 1, Math.max(0, y + k)) * w + x) * 4 + c] * kernel[k + radius];
        out.data[(y * w + x) * 4 + c] = acc;
      }
    }
  }
  return out;
}
