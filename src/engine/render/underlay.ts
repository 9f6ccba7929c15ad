/** The image under a map: as it is, or in greyscale so that its own colours cannot read as attribution. */
import { createRgbaImage, type RgbaImage } from '../image/types';

/** Luma of an RGB pixel (ITU-R BT.601 weights, as PIL's convert('L') and shap's image_plot use). */
export function luma(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/** The image in greyscale: R = G = B = its luma, alpha kept. */
export function greyscale(image: RgbaImage): RgbaImage {
  const out = createRgbaImage(image.width, image.height);
  const d = image.data;
  for (let i = 0; i < image.width * image.height; i++) {
    const v = Math.round(luma(d[i * 4], d[i * 4 + 1], d[i * 4 + 2]));
    out.data[i * 4] = out.data[i * 4 + 1] = out.data[i * 4 + 2] = v;
    out.data[i * 4 + 3] = d[i * 4 + 3];
  }
  return out;
}
