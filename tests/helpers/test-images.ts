/** Synthetic images for the image tests. */
import { createRgbaImage, type RgbaImage } from '../../src/engine/image/types';

/**
 * Deterministic test pattern (the same formula in Python makes the PIL references of the resize tests). The modulo
 * wrap-arounds give sharp edges in both directions, so a wrong filter support, centre, tap or offset shows up.
 */
export function pattern(width: number, height: number): RgbaImage {
  const img = createRgbaImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      img.data[p] = (x * 37 + y * 91) % 256;
      img.data[p + 1] = (x * x * 7 + y * 13 + 50) % 256;
      img.data[p + 2] = ((x ^ y) * 29 + 7) % 256;
      img.data[p + 3] = 255;
    }
  }
  return img;
}
