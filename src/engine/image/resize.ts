import { createRgbaImage, type RgbaImage } from './types';

/**
 * Antialiased bilinear resize, the algorithm of PIL's `Image.resize(..., BILINEAR)`: a triangle filter whose
 * support widens with the downscale factor, applied separably (horizontal then vertical) with pixel-centre
 * alignment. Plain bilinear sampling aliases badly when shrinking photos to 224 px; this matches what the
 * reference top-5 lists (torchvision/PIL pipelines) were computed with.
 */
export function resizeBilinearAntialiased(src: RgbaImage, outWidth: number, outHeight: number): RgbaImage {
  return resizeWindowBilinearAntialiased(src, outWidth, outHeight, { x: 0, y: 0, width: outWidth, height: outHeight });
}

/** A rectangle of an image, in its pixels: [x, x + width) × [y, y + height). */
export interface PixelWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The window `win` of the image resizeBilinearAntialiased(src, outWidth, outHeight) would make, without making the
 * rest of it: only the window's output pixels are computed, from only the source rows and columns their filter
 * taps reach. Each output pixel sums the same taps with the same weights in the same order, so the numbers are
 * those of resizing everything and cropping after — but a 1×4096 strip resized to 256×1048576 and cropped to
 * 224×224 costs 224×224 pixels, not a gigabyte.
 */
export function resizeWindowBilinearAntialiased(src: RgbaImage, outWidth: number, outHeight: number, win: PixelWindow): RgbaImage {
  const { x: winX, y: winY, width: winWidth, height: winHeight } = win;
  if (!(winWidth >= 1 && winHeight >= 1 && winX >= 0 && winY >= 0 && winX + winWidth <= outWidth && winY + winHeight <= outHeight)) {
    throw new RangeError(`resizeWindowBilinearAntialiased: window ${winWidth}×${winHeight} at (${winX}, ${winY}) is not inside ${outWidth}×${outHeight}.`);
  }
  if (outWidth === src.width && outHeight === src.height) return cropImage(src, winX, winY, winWidth, winHeight);
  const horizontal = filterWeights(src.width, outWidth, winX, winWidth);
  const vertical = filterWeights(src.height, outHeight, winY, winHeight);
  // The source rows the window's output rows read.
  let firstRow = src.height, endRow = 0;
  for (let y = 0; y < winHeight; y++) {
    firstRow = Math.min(firstRow, vertical.start[y]);
    endRow = Math.max(endRow, vertical.start[y] + vertical.count[y]);
  }
  // Horizontal pass over those rows into a float buffer (rows × winWidth × 4), then vertical pass to 8 bits.
  const stride = winWidth * 4;
  const tmp = new Float32Array((endRow - firstRow) * stride);
  const s = src.data;
  for (let y = firstRow; y < endRow; y++) {
    const rowIn = y * src.width * 4;
    const rowOut = (y - firstRow) * stride;
    for (let x = 0; x < winWidth; x++) {
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
  const out = createRgbaImage(winWidth, winHeight);
  const d = out.data;
  for (let y = 0; y < winHeight; y++) {
    const start = vertical.start[y] - firstRow;
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

/**
 * Per output index `first + j` (j < n): first input index, number of taps and normalised triangle weights (PIL's
 * precompute_coeffs), at slot j.
 */
function filterWeights(inSize: number, outSize: number, first = 0, n = outSize): FilterWeights {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 1 * filterScale; // the bilinear (triangle) filter has support 1
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const weights = new Float32Array(n * maxTaps);
  for (let j = 0; j < n; j++) {
    const i = first + j;
    const centre = (i + 0.5) * scale;
    const xmin = Math.max(Math.trunc(centre - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(centre + support + 0.5), inSize);
    let total = 0;
    const taps = xmax - xmin;
    for (let k = 0; k < taps; k++) {
      const t = Math.abs((k + xmin - centre + 0.5) / filterScale);
      const w = t < 1 ? 1 - t : 0;
      weights[j * maxTaps + k] = w;
      total += w;
    }
    if (total > 0) for (let k = 0; k < taps; k++) weights[j * maxTaps + k] /= total;
    start[j] = xmin;
    count[j] = taps;
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
