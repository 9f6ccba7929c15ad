/**
 * What hidden pixels show — one concept for every method that hides part of the image (LIME's hide colour,
 * KernelSHAP's and Partition SHAP's background, RISE's dropped cells, Integrated Gradients' baseline, Occlusion's
 * window): each superpixel's mean colour (lime's default), black, grey, a Gaussian blur of the image, a colour, or
 * the zero tensor (a zero *after* normalisation: the dataset's mean colour under ImageNet-style mean/std — captum's
 * and RISE's default).
 */
import { gaussianBlur } from '../image/blur';
import { tensorLength, writeModelInput, type PreprocessConfig } from '../image/preprocess';
import { createRgbaImage, type RgbaImage } from '../image/types';
import type { Segmentation } from '../segment/types';

export type HideMode = 'mean' | 'black' | 'grey' | 'blur' | 'color' | 'zeros';

export interface HideSpec {
  mode: HideMode;
  /** For 'color': [r, g, b] in 0..255. */
  color?: [number, number, number];
  /** For 'blur': Gaussian sigma in pixels. */
  blurSigma?: number;
}

export const DEFAULT_BLUR_SIGMA = 5;
const GREY: [number, number, number] = [128, 128, 128];

/** Plain-language name of a mode, for forms, help and result captions. */
export const HIDE_MODE_LABELS: Record<HideMode, string> = {
  mean: 'superpixel mean colour',
  black: 'black',
  grey: 'grey',
  blur: 'blurred image',
  color: 'a colour',
  zeros: 'zero tensor (mean colour after normalisation)',
};

/** The image every hidden pixel is taken from, or undefined for the zero tensor. 'mean' needs a segmentation. */
export function hiddenImage(image: RgbaImage, hide: HideSpec, segmentation?: Segmentation): RgbaImage | undefined {
  if (hide.mode === 'zeros') return undefined;
  if (hide.mode === 'blur') return gaussianBlur(image, hide.blurSigma ?? DEFAULT_BLUR_SIGMA);
  const out = createRgbaImage(image.width, image.height);
  const n = image.width * image.height;
  if (hide.mode === 'mean') {
    // per superpixel, or the whole image's mean colour when there is no segmentation
    const labels = segmentation?.labels;
    const count = segmentation?.count ?? 1;
    const sums = new Float64Array(count * 3);
    const counts = new Float64Array(count);
    for (let i = 0; i < n; i++) {
      const s = labels ? labels[i] : 0;
      counts[s]++;
      for (let c = 0; c < 3; c++) sums[s * 3 + c] += image.data[i * 4 + c];
    }
    for (let i = 0; i < n; i++) {
      const s = labels ? labels[i] : 0;
      for (let c = 0; c < 3; c++) out.data[i * 4 + c] = sums[s * 3 + c] / counts[s];
      out.data[i * 4 + 3] = 255;
    }
    return out;
  }
  const rgb = hide.mode === 'black' ? [0, 0, 0] : hide.mode === 'grey' ? GREY : (hide.color ?? GREY);
  for (let i = 0; i < n; i++) out.data.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
  return out;
}

/** The hidden image as a model input tensor (one image, in the model's layout and normalisation). */
export function hiddenTensor(image: RgbaImage, hide: HideSpec, cfg: PreprocessConfig, segmentation?: Segmentation): Float32Array {
  const out = new Float32Array(tensorLength(cfg));
  const fill = hiddenImage(image, hide, segmentation);
  if (fill) writeModelInput(fill, cfg, out);
  return out;
}

/** A message when the spec is impossible, for the generic parameter check. */
export function hideProblem(hide: HideSpec, modes: readonly HideMode[]): string | undefined {
  if (!hide || !modes.includes(hide.mode)) return `must be one of ${modes.join(', ')} (got "${String(hide?.mode)}")`;
  if (hide.mode === 'color' && hide.color !== undefined && (!Array.isArray(hide.color) || hide.color.length !== 3 || hide.color.some((v) => !(v >= 0 && v <= 255)))) {
    return 'a colour needs three values from 0 to 255';
  }
  if (hide.mode === 'blur' && hide.blurSigma !== undefined && !(hide.blurSigma > 0 && hide.blurSigma <= 1000)) return `the blur sigma must be a positive number of pixels (got ${hide.blurSigma})`;
  return undefined;
}
