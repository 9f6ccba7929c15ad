/** Small pictures of results: a dataset row's map over its image, in the method's default look, the object outlined. */
import type { RowDetail } from '../evaluate/dataset';
import type { RgbaImage } from '../image/types';
import type { Mask } from '../metrics/mask';
import { resolveView } from './defaults';
import { renderHeatmapOverlay } from './heatmap';
import { withMaskOutline } from './outline';
import { mapRange } from './scale';

/**
 * A result's map over the image it was computed from, in the default look of its kind (colour map, underlay,
 * clipping: defaults.ts) on its own range, with the ground truth's outline when a mask of the map's size is given.
 */
export function defaultOverlay(result: RowDetail['result'], image: RgbaImage, opacity: number, mask?: Mask): RgbaImage {
  const look = resolveView({ colormap: 'auto' }, result);
  const range = mapRange(result.map, result.signed, look.clipPercentile);
  const picture = renderHeatmapOverlay(image, result.map, range, look.colormap, opacity, { greyUnderlay: look.greyUnderlay, fadeAtZero: look.fadeAtZero });
  return mask && mask.width === picture.width && mask.height === picture.height ? withMaskOutline(picture, mask) : picture;
}

/**
 * A row's picture: its map over the image as the model saw it, in the method's default look, with the object's
 * outline when there is a mask — at ≤ `side` px (nearest neighbour, so the outline stays visible).
 */
export function mapThumbnail({ result, image, mask }: RowDetail, side = 48): RgbaImage {
  const picture = defaultOverlay(result, image, 0.55, mask);
  const scale = Math.min(1, side / Math.max(picture.width, picture.height));
  const width = Math.max(1, Math.round(picture.width * scale)), height = Math.max(1, Math.round(picture.height * scale));
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(picture.height - 1, Math.floor(((y + 0.5) * picture.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(picture.width - 1, Math.floor(((x + 0.5) * picture.width) / width));
      out.set(picture.data.subarray((sy * picture.width + sx) * 4, (sy * picture.width + sx) * 4 + 4), (y * width + x) * 4);
    }
  }
  return { width, height, data: out };
}

