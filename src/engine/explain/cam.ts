/**
 * Class activation maps from one image's activations A and gradients G, both [C, h, w] (channel-major), as
 * jacobgil/pytorch-grad-cam computes them (base_cam.py and each method's get_cam_weights / get_cam_image):
 *   Grad-CAM   w_k = mean_ij G                              map = Σ_k w_k A_k
 *   Grad-CAM++ α = G² / (2G² + Σ_ij A · G³), α = 0 where G = 0, w_k = Σ_ij α·ReLU(G)
 *   XGrad-CAM  w_k = Σ_ij (A·G) / (Σ_ij A + 1e-7)
 *   HiResCAM   map = Σ_k G⊙A               Layer-CAM  map = Σ_k ReLU(G)⊙A
 *   Eigen-CAM  map = projection of A on its first principal component
 * and the raw CAM is ReLU(map). Pure numeric code (runs in the worker, the CLI and tests); the pipeline around it
 * (layer, model runs, upsampling, result) is cam-methods.ts.
 */

export interface FeatureMaps {
  channels: number;
  height: number;
  width: number;
  /** [C, h, w] values of one image. */
  data: Float32Array;
}

/** Grad-CAM's channel weights: the spatial mean of the gradient. */
export function gradCamWeights(a: FeatureMaps, g: Float32Array): Float64Array {
  const area = a.height * a.width;
  const weights = new Float64Array(a.channels);
  for (let k = 0; k < a.channels; k++) {
    let s = 0;
    for (let i = 0, o = k * area; i < area; i++) s += g[o + i];
    weights[k] = s / area;
  }
  return weights;
}

/** Grad-CAM++'s channel weights: Σ_ij α·ReLU(G) with the closed-form α of the paper (exponential output). */
export function gradCamPlusPlusWeights(a: FeatureMaps, g: Float32Array): Float64Array {
  const area = a.height * a.width;
  const weights = new Float64Array(a.channels);
  for (let k = 0; k < a.channels; k++) {
    const o = k * area;
    let sumA = 0;
    for (let i = 0; i < area; i++) sumA += a.data[o + i];
    let s = 0;
    for (let i = 0; i < area; i++) {
      const gi = g[o + i];
      if (gi === 0) continue;
      const g2 = gi * gi, g3 = g2 * gi;
      s += (g2 / (2 * g2 + sumA * g3 + 1e-6)) * Math.max(gi, 0);
    }
    weights[k] = s;
  }
  return weights;
}

/** XGrad-CAM's channel weights: Σ_ij A·G normalised by Σ_ij A. */
export function xGradCamWeights(a: FeatureMaps, g: Float32Array): Float64Array {
  const area = a.height * a.width;
  const weights = new Float64Array(a.channels);
  for (let k = 0; k < a.channels; k++) {
    let sumA = 0, sumAG = 0;
    for (let i = 0, o = k * area; i < area; i++) {
      sumA += a.data[o + i];
      sumAG += a.data[o + i] * g[o + i];
    }
    weights[k] = sumAG / (sumA + 1e-7);
  }
  return weights;
}

/** Σ_k w_k A_k at feature resolution [h, w], before the final ReLU (base_cam's get_cam_image). */
export function channelWeightedSum(a: FeatureMaps, weights: ArrayLike<number>): Float64Array {
  const area = a.height * a.width;
  const map = new Float64Array(area);
  for (let k = 0; k < a.channels; k++) {
    const wk = weights[k], o = k * area;
    if (!wk) continue;
    for (let i = 0; i < area; i++) map[i] += wk * a.data[o + i];
  }
  return map;
}

/** Σ_k f(G)⊙A, element-wise (HiResCAM: f = identity; Layer-CAM: f = ReLU). */
function elementwiseSum(a: FeatureMaps, g: Float32Array, f: (gradient: number) => number): Float64Array {
  const area = a.height * a.width;
  const map = new Float64Array(area);
  for (let k = 0; k < a.channels; k++) {
    const o = k * area;
    for (let i = 0; i < area; i++) map[i] += f(g[o + i]) * a.data[o + i];
  }
  return map;
}

export const hiResCamMap = (a: FeatureMaps, g: Float32Array): Float64Array => elementwiseSum(a, g, (v) => v);
export const layerCamMap = (a: FeatureMaps, g: Float32Array): Float64Array => elementwiseSum(a, g, (v) => Math.max(v, 0));

/**
 * Eigen-CAM's map: the activations as an (h·w) × C matrix, centred per channel, projected on their first right
 * singular vector (pytorch-grad-cam's get_2d_projection). The singular vector's sign is arbitrary; we pick the one
 * whose projection correlates positively with the mean activation (so the map marks where the layer is active,
 * not where it is not).
 */
export function eigenProjection(a: FeatureMaps, iterations = 100): Float64Array {
  const { channels: c, height: h, width: w } = a;
  const n = h * w;
  // X[i][k] = A[k][i] − mean_i A[k]
  const x = new Float64Array(n * c);
  for (let k = 0; k < c; k++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += a.data[k * n + i];
    mean /= n;
    for (let i = 0; i < n; i++) x[i * c + k] = a.data[k * n + i] - mean;
  }
  // first eigenvector of the n×n Gram matrix X·Xᵀ by power iteration (n = h·w is small)
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < c; k++) s += x[i * c + k] * x[j * c + k];
      gram[i * n + j] = gram[j * n + i] = s;
    }
  }
  let v = Float64Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % 13) / 13);
  for (let it = 0; it < iterations; it++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += gram[i * n + j] * v[j];
      next[i] = s;
    }
    const norm = Math.hypot(...next);
    if (!(norm > 0)) return new Float64Array(n);
    for (let i = 0; i < n; i++) next[i] /= norm;
    v = next;
  }
  // projection X·v₁ (right singular vector) = σ₁·u₁, u₁ = v here; σ₁ = √(λ₁)
  let lambda = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += gram[i * n + j] * v[j];
    lambda += v[i] * s;
  }
  const sigma = Math.sqrt(Math.max(lambda, 0));
  const meanMap = new Float64Array(n);
  for (let k = 0; k < c; k++) for (let i = 0; i < n; i++) meanMap[i] += a.data[k * n + i] / c;
  let corr = 0;
  for (let i = 0; i < n; i++) corr += v[i] * meanMap[i];
  const sign = corr < 0 ? -1 : 1;
  return Float64Array.from(v, (vi) => sign * sigma * vi);
}

/** The raw CAM: the map's positive part (base_cam's np.maximum(cam, 0)). */
export function relu(map: ArrayLike<number>): Float32Array {
  return Float32Array.from(map as ArrayLike<number>, (v) => Math.max(v, 0));
}

/** Min-max to [0, 1] (pytorch-grad-cam's scale_cam_image); a constant map becomes zeros. */
export function minMaxNormalise(values: ArrayLike<number>, eps = 0): Float32Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  const range = hi - lo;
  return Float32Array.from(values as ArrayLike<number>, (v) => (range > 0 ? (v - lo) / (range + eps) : 0));
}

/**
 * Bilinear resize of a [h, w] map to [H, W] with half-pixel centres and edge clamping (OpenCV's INTER_LINEAR,
 * which pytorch-grad-cam uses to bring a CAM to the input size).
 */
export function resizeMap(src: ArrayLike<number>, h: number, w: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(outH * outW);
  const sy = h / outH, sx = w / outW;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(h - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(h - 1, y0 + 1), ty = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(w - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(w - 1, x0 + 1), tx = fx - x0;
      const top = src[y0 * w + x0] * (1 - tx) + src[y0 * w + x1] * tx;
      const bottom = src[y1 * w + x0] * (1 - tx) + src[y1 * w + x1] * tx;
      out[y * outW + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/**
 * Bilinear resize with aligned corners (corner pixels map onto corner pixels): torch's UpsamplingBilinear2d, which
 * pytorch-grad-cam's ScoreCAM uses to bring each activation map to the input size.
 */
export function resizeMapAlignCorners(src: ArrayLike<number>, h: number, w: number, outH: number, outW: number, out = new Float32Array(outH * outW)): Float32Array {
  const sy = outH > 1 ? (h - 1) / (outH - 1) : 0, sx = outW > 1 ? (w - 1) / (outW - 1) : 0;
  for (let y = 0; y < outH; y++) {
    const fy = y * sy;
    const y0 = Math.min(h - 1, Math.floor(fy)), y1 = Math.min(h - 1, y0 + 1), ty = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = x * sx;
      const x0 = Math.min(w - 1, Math.floor(fx)), x1 = Math.min(w - 1, x0 + 1), tx = fx - x0;
      const top = src[y0 * w + x0] * (1 - tx) + src[y0 * w + x1] * tx;
      const bottom = src[y1 * w + x0] * (1 - tx) + src[y1 * w + x1] * tx;
      out[y * outW + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/**
 * One image's feature maps as [C, h, w] from a layer tensor: NCHW maps as they are; token sequences
 * [N, T, C] transposed to channel-major, with the CLS token dropped ('tokens-cls').
 */
export function featureMapsOf(
  data: Float32Array, dims: number[], image: number, layout: 'spatial' | 'tokens-cls' | 'tokens', gridHeight: number, gridWidth: number,
): FeatureMaps {
  if (layout === 'spatial') {
    const [, c, h, w] = dims;
    const size = c * h * w;
    return { channels: c, height: h, width: w, data: data.subarray(image * size, (image + 1) * size) };
  }
  const [, t, c] = dims;
  const skip = layout === 'tokens-cls' ? 1 : 0;
  const area = gridHeight * gridWidth;
  const out = new Float32Array(c * area);
  const base = image * t * c;
  for (let p = 0; p < area; p++) for (let k = 0; k < c; k++) out[k * area + p] = data[base + (p + skip) * c + k];
  return { channels: c, height: gridHeight, width: gridWidth, data: out };
}
