/** The ground truth aligned with a result's inputs, for its metrics and outline (undefined without a mask). */
import { useMemo } from 'react';
import type { RgbaImage } from '../../engine/image/types';
import type { Mask } from '../../engine/metrics/mask';
import { withMaskOutline } from '../../engine/render/outline';
import type { InputsKey } from '../../store/inputs';
import { alignedGroundTruth } from '../../store/slices/ground-truth';
import { useApp } from '../store-context';

export function useAlignedMask(inputs: Pick<InputsKey, 'imageSha256' | 'preprocess'> | undefined, size?: { width: number; height: number }): Mask | undefined {
  const groundTruth = useApp((s) => s.groundTruth);
  return useMemo(() => {
    try {
      const mask = alignedGroundTruth(groundTruth, inputs);
      // a result computed at another size than this alignment gives cannot be scored against it
      return mask && (!size || (mask.width === size.width && mask.height === size.height)) ? mask : undefined;
    } catch {
      return undefined;
    }
  }, [groundTruth, inputs, size?.width, size?.height]);
}

/** Whether the ground-truth outline is drawn over maps (a view setting of this page). */
export function useOutlineShown(): boolean {
  return useApp((s) => s.showGroundTruthOutline);
}

/**
 * A function that draws the ground truth's outline over a picture of a map computed from `inputs` (unchanged when
 * there is no mask for them, the outline is switched off, or the picture is not a whole multiple of the map).
 */
export function useMaskOutliner(inputs: Pick<InputsKey, 'imageSha256' | 'preprocess'> | undefined): (picture: RgbaImage) => RgbaImage {
  const mask = useAlignedMask(inputs);
  const shown = useOutlineShown();
  return useMemo(() => {
    if (!mask || !shown) return (picture: RgbaImage) => picture;
    return (picture: RgbaImage) => (picture.width % mask.width === 0 && picture.height % mask.height === 0 ? withMaskOutline(picture, mask) : picture);
  }, [mask, shown]);
}
