/**
 * Class activation maps from one image's activations A and gradients G, both [C, h, w] (channel-major), as
 * jacobgil/pytorch-grad-cam computes them (base_cam.py and each method's get_cam_weights):
 *   Grad-CAM   w_k = mean_ij G                              cam = ReLU(Σ_k w_k A_k)
 *   Grad-CAM++ α = G² / (2G² + Σ_ij A · G³), α = 0 where G = 0, w_k = Σ_ij α·ReLU(G)
 *   XGrad-CAM  w_k = Σ_ij (A·G) / (Σ_ij A + 1e-7)
 *   HiResCAM   cam = ReLU(Σ_k G⊙A)         Layer-CAM  cam = ReLU(Σ_k ReLU(G)⊙A)
 *   Eigen-CAM  cam = ReLU(projection of A on its first principal component)
 * Pure numeric code (runs in the worker, the CLI and tests).
 */

export type GradientCam = 'gradcam' | 'gradcampp' | 'xgradcam' | 'hirescam' | 'layercam';

export interface FeatureMaps {
  channels: number;
  height: number;
  width: number;
  /** [C, h, w] values of one image. */
  data: Float32Array;
}

/** Per-channel weights for the weighted-sum CAMs. */
export function camWeights(method: 'gradcam' | 'gradcampp' | 'xgradcam', a: FeatureMaps, g: Float32Array): Float64Array {
  const { channels: c, height: h, width: w } = a;
  const area = h * w;
  const weights = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    const o = k * area;
    if (method === 'gradcam') {
      let s = 0;
      for (let i = 0; i < area; i++) s += g[o + i];
      weights[k] = s / area;
    } else if (method === 'xgradcam') {
      let sumA = 0, sumAG = 0;
      for (let i = 0; i < area; i++) {
        sumA += a.data[o + i];
        sumAG += a.data[o + i] * g[o + i];
      }
      weights[k] = sumAG / (sumA + 1e-7);
    } else {
      let sumA = 0;
      for (let i = 0; i < area; i++) sumA += a.data[o + i];
      let s = 0;
      for (let i = 0; i < area; i++) {
        const gi = g[o + i];
        if (gi === 0) continue;
        const g2 = gi * gi, g3 = g2 * gi;
        const alpha = g2 / (2 * g2 + sumA * g3 + 1e-6);
        s += alpha * Math.max(gi, 0);
      }
      weights[k] = s;
    }
  }
  return weights;
}

/** The raw (unnormalised) CAM at feature resolution, [h, w], after the final ReLU. */
export function gradientCam(method: GradientCam, a: FeatureMaps, g: Float32Array): Float32Array {
  const { channels: c, height: h, width: w } = a;
  const area = h * w;
  const cam = new Float64Array(area);
  if (method === 'hirescam' || method === 'layercam') {
    for (let k = 0; k < c; k++) {
      const o = k * area;
      for (let i = 0; i < area; i++) cam[i] += (method === 'layercam' ? Math.max(g[o + i], 0) : g[o + i]) * a.data[o + i];
    }
  } else {
    const weights = camWeights(method, a, g);
    for (let k = 0; k < c; k++) {
      const wk = weights[k], o = k * area;
      if (wk === 0) continue;
      for (let i = 0; i < area; i++) cam[i] += wk * a.data[o + i];
    }
  }
  return Float32Array.from(cam, (v) => Math.max(v, 0));
}

/** Σ_k w_k A_k then ReLU, for externally computed weights (Score-CAM, Ablation-CAM). */
export function weightedCam(a: FeatureMaps, weights: ArrayLike<number>): Float32Array {
  const area = a.height * a.width;
  const cam = new Float64Array(area);
  for (let k = 0; k < a.channels; k++) {
    const wk = weights[k], o = k * area;
    if (!wk) continue;
    for (let i = 0; i < area; i++) cam[i] += wk * a.data[o + i];
  }
  return Float32Array.from(cam, (v) => Math.max(v, 0));
}

/**
 * Eigen-CAM: the activations as an (h·w) × C matrix, centred per channel, projected on their first right
 * singular vector (pytorch-grad-cam's get_2d_projection), then ReLU. The singular vector's sign is arbitrary;
 * we pick the one whose projection correlates positively with the mean activation (so the map marks where the
 * layer is active, not where it is not).
 */
export function eigenCam(a: FeatureMaps, iterations = 100): Float32Array {
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
    if (!(norm > 0)) return new Float32Array(n);
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
  return Float32Array.from(v, (vi) => Math.max(sign * sigma * vi, 0));
}

/** Min-max to [0, 1] (pytorch-grad-cam's scale_cam_image); a constant map becomes zeros. */
export function minMaxNormalise(values: ArrayLike<number>): Float32Array {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  const range = hi - lo;
  return Float32Array.from(values as ArrayLike<number>, (v) => (range > 0 ? (v - lo) / range : 0));
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
