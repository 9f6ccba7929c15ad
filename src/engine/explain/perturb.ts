/**
 * Masked images built straight into the model's input tensor. The original image and the hidden one (hide.ts:
 * hiddenTensor) are each in the model's layout and normalisation already; a coalition z then picks, element by
 * element, one or the other — so the layout, channel order and normalisation cost nothing per sample.
 */
import { tensorLength, writeModelInput, type PreprocessConfig } from '../image/preprocess';
import type { RgbaImage } from '../image/types';
import type { Segmentation } from '../segment/types';

/** What hidden pixels show lives in hide.ts; re-exported for the UI's hide fields. */
export type { HideMode, HideSpec } from './hide';

export interface MaskedInputBuilder {
  readonly elementsPerImage: number;
  /** The image as a model input tensor. */
  readonly original: Float32Array;
  /** Write the image with only the features where z[s] = 1 kept into `out` from element `offset` on. */
  write(z: Uint8Array, out: Float32Array, offset: number): void;
}

/** `hidden`: the fully hidden image as a model input tensor (hiddenTensor), the same length as the image's. */
export function createMaskedInputBuilder(image: RgbaImage, seg: Segmentation, hidden: Float32Array, cfg: PreprocessConfig): MaskedInputBuilder {
  const length = tensorLength(cfg);
  if (hidden.length !== length) throw new RangeError(`createMaskedInputBuilder: the hidden tensor has ${hidden.length} values, the model input ${length}.`);
  const original = new Float32Array(length);
  writeModelInput(image, cfg, original);
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
    original,
    write(z, out, offset) {
      for (let e = 0; e < length; e++) out[offset + e] = z[elementSegment[e]] ? original[e] : hidden[e];
    },
  };
}
