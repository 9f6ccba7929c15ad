/** The segmentations the surrogate methods (LIME, KernelSHAP) can use, behind one spec. */
import { GlassboxError } from '../errors';
import type { RgbaImage } from '../image/types';
import { gridSegmentation } from '../segment/grid';
import { slic, SLIC_DEFAULTS, type SlicParams } from '../segment/slic';
import type { Segmentation } from '../segment/types';
import { validateSlicParams } from '../segment/validate';

export type SegmentationSpec = ({ method: 'slic' } & Partial<SlicParams>) | { method: 'grid'; nSegments: number };

export function segmentImage(image: RgbaImage, spec: SegmentationSpec): Segmentation {
  if (spec.method === 'grid') {
    if (!Number.isInteger(spec.nSegments) || spec.nSegments < 1 || spec.nSegments > image.width * image.height) {
      throw new GlassboxError('PARAM_INVALID', `Grid segmentation: the number of cells must be a whole number from 1 to ${image.width * image.height} (got ${spec.nSegments}).`);
    }
    return gridSegmentation(image.width, image.height, spec.nSegments);
  }
  const { method: _method, ...rest } = spec;
  const params = { ...SLIC_DEFAULTS, ...rest };
  validateSlicParams(params);
  return slic(image, params);
}
