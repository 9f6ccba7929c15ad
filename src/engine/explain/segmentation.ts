/**
 * The segmentations the surrogate methods (LIME, KernelSHAP) can use, behind one spec. The run's seed drives every
 * random choice, quickshift's density tie-breaking included, so the spec carries no seed of its own.
 */
import { GlassboxError } from '../errors';
import type { RgbaImage } from '../image/types';
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
  | ({ method: 'quickshift' } & Partial<Omit<QuickshiftParams, 'seed'>>);

/** Cut the image into superpixels; `seed` is the run's seed (quickshift breaks density ties with it). */
export function segmentImage(image: RgbaImage, spec: SegmentationSpec, seed = 0): Segmentation {
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
  if (spec.method !== 'slic') throw new GlassboxError('PARAM_INVALID', `Unknown segmentation "${String((spec as { method: unknown }).method)}": use slic, quickshift, felzenszwalb or grid.`);
  const { method: _method, ...rest } = spec;
  const params = { ...SLIC_DEFAULTS, ...rest };
  validateSlicParams(params);
  return slic(image, params);
}
