/**
 * The ground-truth mask drawn as an outline over a picture of the map: the mask is at the map's (model input)
 * resolution and the picture an integer multiple of it (the views enlarge by whole factors); a pixel of the
 * picture is on the outline when it falls in the mask and one of its four neighbours (at the picture's
 * resolution) falls outside, so the line is one picture pixel wide at any enlargement.
 */
import type { Mask } from '../metrics/mask';
import type { RgbaImage } from '../image/types';

export const OUTLINE_COLOUR: readonly [number, number, number] = [255, 255, 255];

export function withMaskOutline(picture: RgbaImage, mask: Mask, colour: readonly [number, number, number] = OUTLINE_COLOUR): RgbaImage {
  const { width, height } = picture;
  const kx = width / mask.width, ky = height / mask.height;
  if (!Number.isInteger(kx) || !Number.isInteger(ky) || kx < 1 || ky < 1) throw new Error(`a ${width}×${height} picture is not a whole multiple of a ${mask.width}×${mask.height} mask`);
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && mask.data[Math.floor(y / ky) * mask.width + Math.floor(x / kx)] !== 0;
  const out = { width, height, data: new Uint8ClampedArray(picture.data) };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!inside(x, y)) continue;
      if (inside(x - 1, y) && inside(x + 1, y) && inside(x, y - 1) && inside(x, y + 1)) continue;
      const o = (y * width + x) * 4;
      out.data[o] = colour[0];
      out.data[o + 1] = colour[1];
      out.data[o + 2] = colour[2];
      out.data[o + 3] = 255;
    }
  }
  return out;
}
