/**
 * Custom regions: the user's own label image (organs, lesions, parts) as the surrogate methods' features, as
 * captum's feature_mask does for Lime and KernelShap. One id per pixel; ids are compacted to 0..K−1 keeping their
 * order (the k-th smallest id becomes k − 1), so labels that already run 0..K−1 — a Glassbox segments export, or
 * the segments of an earlier run — are used exactly as they are and the weights index the same regions.
 * A label image of another size than the model input is resampled by nearest neighbour with the image's own
 * preprocessing (stretch, or resize + centre crop: planResize), so each region lands where it lies on the image.
 */
import { GlassboxError } from '../errors';
import type { DecodedNpy } from '../export/npy';
import { planResize, type PreprocessConfig } from '../image/preprocess';
import type { RgbaImage } from '../image/types';
import type { Segmentation } from './types';

/** A label image: one id per pixel, row-major, width × height. */
export interface LabelImage {
  width: number;
  height: number;
  labels: Int32Array;
}

const HINT = 'Give one whole-number id ≥ 0 per pixel (a label .npy or a PNG where each colour is a region), at the model input size or covering the whole image.';

/** What is wrong with a label array meant to be `width` × `height`, or undefined. */
export function customLabelsProblem(labels: ArrayLike<number> | undefined, width: number, height: number): string | undefined {
  if (!labels || labels.length === 0) return 'no labels loaded: choose a label file (.npy or .png)';
  if (width > 0 && height > 0 && labels.length !== width * height) {
    return `${labels.length} labels do not cover the ${width}×${height} label image (${width * height} pixels)`;
  }
  let first: number | undefined;
  let several = false;
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (!Number.isInteger(v) || v < 0) return `every label must be a whole number ≥ 0 (pixel ${i} is ${v})`;
    if (first === undefined) first = v;
    else if (v !== first) several = true;
  }
  if (!several) return 'the labels hold a single region; at least 2 are needed to tell regions apart';
  return undefined;
}

/**
 * Nearest-neighbour resampling of a label image to the model input, through the same resize (and centre crop)
 * the image goes through. Labels already at the model input size pass through unchanged.
 */
export function labelsForModel(labels: ArrayLike<number>, labelWidth: number, labelHeight: number, preprocess: Pick<PreprocessConfig, 'width' | 'height' | 'resize' | 'cropFraction'>): Int32Array {
  const { width, height } = preprocess;
  if (labelWidth === width && labelHeight === height) return Int32Array.from(labels);
  if (labels.length !== labelWidth * labelHeight || labelWidth < 1 || labelHeight < 1) {
    throw new GlassboxError('PARAM_INVALID', `Custom regions: ${labels.length} labels do not fill a ${labelWidth}×${labelHeight} label image.`, HINT);
  }
  const plan = planResize(labelWidth, labelHeight, preprocess as PreprocessConfig);
  // pixel centres: model pixel x sits at x + cropX + ½ in the resized image, i.e. at that × labelWidth / resizeWidth
  const column = new Int32Array(width);
  for (let x = 0; x < width; x++) column[x] = Math.min(labelWidth - 1, Math.floor(((x + plan.cropX + 0.5) * labelWidth) / plan.resizeWidth));
  const out = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = Math.min(labelHeight - 1, Math.floor(((y + plan.cropY + 0.5) * labelHeight) / plan.resizeHeight)) * labelWidth;
    for (let x = 0; x < width; x++) out[y * width + x] = labels[row + column[x]];
  }
  return out;
}

/**
 * The segmentation of a model-input-sized label array: ids compacted to 0..K−1 in their own order. Throws
 * PARAM_INVALID naming the problem (size, non-integer or negative ids, fewer than 2 regions).
 */
export function customSegmentation(labels: ArrayLike<number>, width: number, height: number, name?: string): Segmentation {
  const from = name ? ` (${name})` : '';
  const problem = customLabelsProblem(labels, width, height);
  if (problem) throw new GlassboxError('PARAM_INVALID', `Custom regions${from}: ${problem}.`, HINT);
  const ids = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  const rank = new Map(ids.map((id, k) => [id, k]));
  const out = new Int32Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = rank.get(labels[i])!;
  return { width, height, labels: out, count: ids.length };
}

/** The number of distinct ids (regions) in a label array. */
export function regionCount(labels: ArrayLike<number>): number {
  return new Set(Array.from(labels)).size;
}

/**
 * A colour label image (PNG) as ids: each distinct colour is one region, its id the packed value 0xRRGGBB, so a
 * grey or palette label image whose values are the ids keeps their order. Black is a region like any other;
 * alpha is ignored.
 */
export function labelsFromRgba(image: RgbaImage): LabelImage {
  const n = image.width * image.height;
  const labels = new Int32Array(n);
  const px = image.data;
  for (let i = 0; i < n; i++) labels[i] = (px[i * 4] << 16) | (px[i * 4 + 1] << 8) | px[i * 4 + 2];
  return { width: image.width, height: image.height, labels };
}

/** A label .npy (integer, H×W, or H×W×1 / 1×H×W) as a label image. */
export function labelsFromNpy(array: DecodedNpy, name = 'the .npy file'): LabelImage {
  const bad = (why: string): never => {
    throw new GlassboxError('PARAM_INVALID', `Custom regions: ${name} ${why}.`, HINT);
  };
  if (array.descr === '<f4') bad("holds floats ('<f4'); label ids must be integers");
  const s = array.shape;
  // H×W×1 (a channel axis) or 1×H×W (a batch axis) are a plain H×W label image
  const dims = s.length === 3 && s[2] === 1 ? s.slice(0, 2) : s.length === 3 && s[0] === 1 ? s.slice(1) : s;
  if (dims.length !== 2) bad(`has shape (${array.shape.join(', ')}); a label image is height × width`);
  const [height, width] = dims;
  return { width, height, labels: Int32Array.from(array.data) };
}

/**
 * A label image must cover the same picture as the image (same aspect ratio within 2 %), or its regions would be
 * placed on the wrong pixels; labels at the model input size are taken as already matching it.
 */
export function labelsCoverImage(label: { width: number; height: number }, image: { width: number; height: number }, modelInput: { width: number; height: number }): string | undefined {
  if (label.width === modelInput.width && label.height === modelInput.height) return undefined;
  const a = label.width / label.height, b = image.width / image.height;
  if (Math.abs(a / b - 1) <= 0.02) return undefined;
  return `the labels are ${label.width}×${label.height} but the image is ${image.width}×${image.height} (another shape), so their regions cannot be placed on it; give labels of the image's size or of the model input (${modelInput.width}×${modelInput.height})`;
}
