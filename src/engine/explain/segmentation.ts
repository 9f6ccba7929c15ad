/** The segmentations the surrogate methods (LIME, KernelSHAP) can use, behind one spec. */
import { GlassboxError } from '../errors';
import type { RgbaImage } from '../image/types';
import { felzenszwalb, FELZENSZWALB_DEFAULTS, type FelzenszwalbParams } from '../segment/felzenszwalb';
import { gridSegmentation } from '../segment/grid';
import { slic, SLIC_DEFAULTS, type SlicParams } from '../segment/slic';
import type { Segmentation } from '../segment/types';
import { validateSlicParams } from '../segment/validate';

export type SegmentationSpec =
  | ({ method: 'slic' } & Partial<SlicParams>)
  | { method: 'grid'; nSegments: number }
  | ({ method: 'felzenszwalb' } & Partial<FelzenszwalbParams>);

export function segmentImage(image: RgbaImage, spec: SegmentationSpec): Segmentation {
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
  if (spec.method !== 'slic') throw new GlassboxError('PARAM_INVALID', `Unknown segmentation "${String((spec as { method: unknown }).method)}": use slic, grid or felzenszwalb.`);
  const { method: _method, ...rest } = spec;
  const params = { ...SLIC_DEFAULTS, ...rest };
  validateSlicParams(params);
  return slic(image, params);
}
