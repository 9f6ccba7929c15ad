/**
 * The segmentations the surrogate methods (LIME, KernelSHAP) can use, behind one spec. The run's seed drives every
 * random choice, quickshift's density tie-breaking included, so the spec carries no seed of its own. 'custom' is
 * the user's own regions (segment/custom.ts), captum's feature_mask.
 */
import { GlassboxError } from '../errors';
import type { PreprocessConfig } from '../image/preprocess';
import type { RgbaImage } from '../image/types';
import { customSegmentation, labelsForModel } from '../segment/custom';
import { felzenszwalb, FELZENSZWALB_DEFAULTS, type FelzenszwalbParams } from '../segment/felzenszwalb';
import { gridSegmentation } from '../segment/grid';
import { quickshift, QUICKSHIFT_DEFAULTS, type QuickshiftParams } from '../segment/quickshift';
import { slic, SLIC_DEFAULTS, type SlicParams } from '../segment/slic';
import type { Segmentation } from '../segment/types';
import { validateSlicParams } from '../segment/validate';

export type SegmentationSpec =
  | ({ method: 'slic' } & Partial<SlicParams>)
  | { method: 'grid'; nSegments: number }
  | ({ method: 'felzenszwalb' } & Partial<FelzenszwalbParams>)
  | ({ method: 'quickshift' } & Partial<Omit<QuickshiftParams, 'seed'>>)
  | CustomSegmentationSpec;

/**
 * The user's own regions: one id per pixel, row-major, `width` × `height` (the model input when not given; another
 * size is resampled by nearest neighbour with the run's preprocessing). Ids are compacted to 0..K−1 in their order.
 * Stored settings hold only { method: 'custom', name }: the labels live in memory and in the job, never in storage,
 * and a result's params say { method, name, regions } (its `segments` are the labels the run used).
 */
export interface CustomSegmentationSpec {
  method: 'custom';
  labels?: ArrayLike<number>;
  width?: number;
  height?: number;
  /** The label file's name, shown in the form and the result. */
  name?: string;
  /** How many regions the labels hold (for the cost estimate; the engine counts them itself). */
  regions?: number;
}

/**
 * Cut the image into superpixels; `seed` is the run's seed (quickshift breaks density ties with it); `preprocess`
 * places custom labels of another size than the image on it.
 */
export function segmentImage(image: RgbaImage, spec: SegmentationSpec, seed = 0, preprocess?: Pick<PreprocessConfig, 'resize' | 'cropFraction'>): Segmentation {
  if (spec.method === 'custom') {
    const { labels, name } = spec;
    const width = spec.width ?? image.width, height = spec.height ?? image.height;
    if (labels && (width !== image.width || height !== image.height)) {
      if (!preprocess) throw new GlassboxError('PARAM_INVALID', `Custom regions: the labels are ${width}×${height} but the image is ${image.width}×${image.height}.`, 'Give labels at the model input size.');
      if (labels.length !== width * height) return customSegmentation(labels, width, height, name); // throws the size problem
      return customSegmentation(labelsForModel(labels, width, height, { ...preprocess, width: image.width, height: image.height }), image.width, image.height, name);
    }
    return customSegmentation(labels ?? [], image.width, image.height, name);
  }
  if (spec.method === 'grid') {
    if (!Number.isInteger(spec.nSegments) || spec.nSegments < 1 || spec.nSegments > image.width * image.height) {
      throw new GlassboxError('PARAM_INVALID', `Grid segmentation: the number of cells must be a whole number from 1 to ${image.width * image.height} (got ${spec.nSegments}).`);
    }
    return gridSegmentation(image.width, image.height, spec.nSegments);
  }
  if (spec.method === 'felzenszwalb') {
    const params: FelzenszwalbParams = {
      scale: spec.scale ?? FELZENSZWALB_DEFAULTS.scale,
      sigma: spec.sigma ?? FELZENSZWALB_DEFAULTS.sigma,
      minSize: spec.minSize ?? FELZENSZWALB_DEFAULTS.minSize,
    };
    const bad = (message: string) => {
      throw new GlassboxError('PARAM_INVALID', `Felzenszwalb: ${message}`, 'Fix the segmentation settings.');
    };
    if (!(params.scale > 0) || !Number.isFinite(params.scale)) bad(`scale must be a positive number (got ${params.scale}).`);
    if (!(params.sigma >= 0) || !Number.isFinite(params.sigma)) bad(`the smoothing sigma must be ≥ 0 (got ${params.sigma}).`);
    if (!Number.isInteger(params.minSize) || params.minSize < 1) bad(`the minimum region size must be a whole number ≥ 1 (got ${params.minSize}).`);
    return felzenszwalb(image, params);
  }
  if (spec.method === 'quickshift') {
    const params: QuickshiftParams = {
      kernelSize: spec.kernelSize ?? QUICKSHIFT_DEFAULTS.kernelSize,
      maxDist: spec.maxDist ?? QUICKSHIFT_DEFAULTS.maxDist,
      ratio: spec.ratio ?? QUICKSHIFT_DEFAULTS.ratio,
      sigma: spec.sigma ?? QUICKSHIFT_DEFAULTS.sigma,
      seed,
    };
    const bad = (message: string) => {
      throw new GlassboxError('PARAM_INVALID', `Quickshift: ${message}`, 'Fix the segmentation settings.');
    };
    if (!(params.kernelSize > 0 && params.kernelSize <= 50)) bad(`the kernel size must be above 0 and at most 50 (got ${params.kernelSize}).`);
    if (!(params.maxDist > 0) || !Number.isFinite(params.maxDist)) bad(`the maximum distance must be a positive number (got ${params.maxDist}).`);
    if (!(params.ratio >= 0 && params.ratio <= 1)) bad(`the ratio must be from 0 to 1 (got ${params.ratio}).`);
    if (!(params.sigma >= 0) || !Number.isFinite(params.sigma)) bad(`the smoothing sigma must be ≥ 0 (got ${params.sigma}).`);
    return quickshift(image, params);
  }
  if (spec.method !== 'slic') throw new GlassboxError('PARAM_INVALID', `Unknown segmentation "${String((spec as { method: unknown }).method)}": use slic, quickshift, felzenszwalb, grid or custom.`);
  const { method: _method, ...rest } = spec;
  const params = { ...SLIC_DEFAULTS, ...rest };
  validateSlicParams(params);
  return slic(image, params);
}
