/**
 * Separable Gaussian smoothing of one float plane with reflected edges (scipy.ndimage's mode='reflect':
 * …c b a | a b c…), as scikit-image's `gaussian` applies before SLIC. The kernel reaches 4σ on each side.
 */
export function gaussianBlurPlane(data: Float32Array, width: number, height: number, sigma: number, truncate = 4): Float32Array {
  if (!(sigma > 0)) return data;
  const radius = Math.max(1, Math.ceil(truncate * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) total += kernel[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i] /= total;
  const reflectIndex = (i: number, size: number): number => {
    // period 2·size: 0..size−1 forwards, then size−1..0 backwards
    const period = 2 * size;
    let m = i % period;
    if (m < 0) m += period;
    return m < size ? m : period - 1 - m;
  };
  const xs = Int32Array.from({ length: width + 2 * radius }, (_, i) => reflectIndex(i - radius, width));
  const ys = Int32Array.from({ length: height + 2 * radius }, (_, i) => reflectIndex(i - radius, height) * width);
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
