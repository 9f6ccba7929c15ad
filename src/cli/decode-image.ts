/** Node image decoding for the CLI and tests: sharp (libvips) reads PNG, JPEG, WebP, GIF, TIFF and AVIF. */
import sharp from 'sharp';
import { emptyImageError, unreadableImageError } from '../engine/intake/image-errors';
import type { RgbaImage } from '../engine/image/types';

/** Longest side kept after decoding; larger photos are downscaled (same limit as the dashboard). */
export const MAX_DECODED_SIDE = 4096;

export async function decodeImageFile(bytes: Uint8Array, name = 'image'): Promise<RgbaImage> {
  if (bytes.byteLength === 0) throw emptyImageError(name);
  try {
    // .rotate() with no angle applies the EXIF orientation; only the first frame of an animation is read.
    const { data, info } = await sharp(bytes, { animated: false, limitInputPixels: 1e9, failOn: 'truncated' })
      .rotate()
      .resize({ width: MAX_DECODED_SIDE, height: MAX_DECODED_SIDE, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
  } catch (e) {
    // BMP is read in the dashboard (the browser's decoder) but not by sharp.
    throw unreadableImageError(name, 'PNG, JPEG, WebP, GIF, TIFF or AVIF (BMP works in the dashboard; convert it to PNG for the CLI)', `sharp (libvips): ${(e as Error).message}`);
  }
}
