/**
 * Masked images built straight into the model's input tensor. Both the original and the "hidden" fill image
 * are preprocessed once; a coalition z then picks, element by element, one or the other — so the layout,
 * channel order and normalisation cost nothing per sample.
 */
import { gaussianBlur } from '../image/blur';
import { tensorLength, writeModelInput, type PreprocessConfig } from '../image/preprocess';
import { createRgbaImage, type RgbaImage } from '../image/types';
import type { Segmentation } from '../segment/types';

export type HideMode = 'mean' | 'black' | 'grey' | 'blur' | 'color';

export interface HideSpec {
  mode: HideMode;
  /** For 'color': [r, g, b] in 0..255. */
  color?: [number, number, number];
  /** For 'blur': Gaussian sigma in pixels. */
  blurSigma?: number;
}

/** The image that replaces hidden superpixels: each superpixel's mean colour (lime's default), a constant, or a blur. */
export function fillImage(image: RgbaImage, seg: Segmentation, hide: HideSpec): RgbaImage {
  if (hide.mode === 'blur') return gaussianBlur(image, hide.blurSigma ?? 5);
  const out = createRgbaImage(image.width, image.height);
  const n = image.width * image.height;
  if (hide.mode === 'mean') {
    const sums = new Float64Array(seg.count * 3);
    const counts = new Float64Array(seg.count);
    for (let i = 0; i < n; i++) {
      const s = seg.labels[i];
      counts[s]++;
      for (let c = 0; c < 3; c++) sums[s * 3 + c] += image.data[i * 4 + c];
    }
    for (let i = 0; i < n; i++) {
      const s = seg.labels[i];
      for (let c = 0; c < 3; c++) out.data[i * 4 + c] = sums[s * 3 + c] / counts[s];
      out.data[i * 4 + 3] = 255;
    }
    return out;
  }
  const rgb = hide.mode === 'black' ? [0, 0, 0] : hide.mode === 'grey' ? [128, 128, 128] : (hide.color ?? [0, 0, 0]);
  for (let i = 0; i < n; i++) out.data.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
  return out;
}

export interface MaskedInputBuilder {
  readonly elementsPerImage: number;
  /** Write the image with only the features where z[s] = 1 kept into `out` at slot `slot`. */
  write(z: Uint8Array, out: Float32Array, slot: number): void;
}

export function createMaskedInputBuilder(image: RgbaImage, seg: Segmentation, fill: RgbaImage, cfg: PreprocessConfig): MaskedInputBuilder {
  const length = tensorLength(cfg);
  const original = new Float32Array(length);
  const hidden = new Float32Array(length);
  writeModelInput(image, cfg, original);
  writeModelInput(fill, cfg, hidden);
  // Which superpixel each tensor element belongs to, in the tensor's own layout.
  const elementSegment = new Int32Array(length);
  const pixels = cfg.width * cfg.height;
  const channels = cfg.channels;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < pixels; i++) {
      const e = cfg.layout === 'NCHW' ? c * pixels + i : i * channels + c;
      elementSegment[e] = seg.labels[i];
    }
  }
  return {
    elementsPerImage: length,
    write(z, out, slot) {
      const base = slot * length;
      for (let e = 0; e < length; e++) out[base + e] = z[elementSegment[e]] ? original[e] : hidden[e];
    },
  };
}
