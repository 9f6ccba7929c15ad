import { createRgbaImage, type RgbaImage } from './types';

/**
 * Antialiased bilinear resize, the algorithm of PIL's `Image.resize(..., BILINEAR)`: a triangle filter whose
 * support widens with the downscale factor, applied separably (horizontal then vertical) with pixel-centre
 * alignment. Plain bilinear sampling aliases badly when shrinking photos to 224 px; this matches what the
 * reference top-5 lists (torchvision/PIL pipelines) were computed with.
 */
export function resizeBilinearAntialiased(src: RgbaImage, outWidth: number, outHeight: number): RgbaImage {
  if (outWidth === src.width && outHeight === src.height) {
    return { width: src.width, height: src.height, data: new Uint8ClampedArray(src.data) };
  }
  const horizontal = filterWeights(src.width, outWidth);
  const vertical = filterWeights(src.height, outHeight);
  // Horizontal pass into a float buffer (height × outWidth × 4), then vertical pass to 8 bits.
  const tmp = new Float32Array(src.height * outWidth * 4);
  const s = src.data;
  for (let y = 0; y < src.height; y++) {
    const rowIn = y * src.width * 4;
    const rowOut = y * outWidth * 4;
    for (let x = 0; x < outWidth; x++) {
      const start = horizontal.start[x];
      const count = horizontal.count[x];
      const wOff = x * horizontal.maxTaps;
      let r = 0, g = 0, b = 0, a = 0;
      for (let k = 0; k < count; k++) {
        const w = horizontal.weights[wOff + k];
        const p = rowIn + (start + k) * 4;
        r += s[p] * w; g += s[p + 1] * w; b += s[p + 2] * w; a += s[p + 3] * w;
      }
      const o = rowOut + x * 4;
      tmp[o] = r; tmp[o + 1] = g; tmp[o + 2] = b; tmp[o + 3] = a;
    }
  }
  const out = createRgbaImage(outWidth, outHeight);
  const d = out.data;
  const stride = outWidth * 4;
  for (let y = 0; y < outHeight; y++) {
    const start = vertical.start[y];
    const count = vertical.count[y];
    const wOff = y * vertical.maxTaps;
    const rowOut = y * stride;
    for (let i = 0; i < stride; i++) {
      let acc = 0;
      for (let k = 0; k < count; k++) acc += tmp[(start + k) * stride + i] * vertical.weights[wOff + k];
      d[rowOut + i] = acc; // Uint8ClampedArray rounds half to even and clamps
    }
  }
  return out;
}

interface FilterWeights {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

/** Per output index: first input index, number of taps and normalised triangle weights (PIL's precompute_coeffs). */
function filterWeights(inSize: number, outSize: number): FilterWeights {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale; // the bilinear (triangle) filter has support 1
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    const xmin = Math.max(Math.trunc(centre - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(centre + support + 0.5), inSize);
    let total = 0;
    const n = xmax - xmin;
    for (let k = 0; k < n; k++) {
      const t = Math.abs((k + xmin - centre + 0.5) / filterScale);
      const w = t < 1 ? 1 - t : 0;
      weights[i * maxTaps + k] = w;
      total += w;
    }
    if (total > 0) for (let k = 0; k < n; k++) weights[i * maxTaps + k] /= total;
    start[i] = xmin;
    count[i] = n;
  }
  return { start, count, weights, maxTaps };
}

/** Copy a rectangle out of an image (the rectangle must lie inside it). */
export function cropImage(src: RgbaImage, x: number, y: number, width: number, height: number): RgbaImage {
  const out = createRgbaImage(width, height);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * src.width + x) * 4;
    out.data.set(src.data.subarray(from, from + width * 4), row * width * 4);
  }
  return out;
}
