/** Browser image decoding in the worker: createImageBitmap honours EXIF orientation and reads PNG, JPEG, WebP, GIF (first frame) and BMP. */
import { GlassboxError } from '../src/engine/errors';
import { emptyImageError, unreadableImageError } from '../src/engine/intake/image-errors';
import { imageHeaderSize, imageOverLimitError } from '../src/engine/intake/image-header';
import type { RgbaImage } from '../src/engine/image/types';
import { PAGE_LIMITS, type DecodedImage } from '../src/worker-api';

/** Longest side kept; larger photos are downscaled on decode (explanations run at model resolution anyway). */
export const MAX_DECODED_SIDE = 4096;

/** Bytes read for the header: JPEG's EXIF and ICC segments can put the frame header well past the first 64 KiB. */
const HEADER_BYTES = 512 * 1024;

/**
 * An image file checked before its bytes are read or decoded: over PAGE_LIMITS.imageMb it is refused by size, and
 * when its header claims more than PAGE_LIMITS.megapixels, by pixel count (decoding it could exhaust the tab's memory).
 */
export async function checkImageBlob(file: Blob, name: string): Promise<void> {
  if (file.size === 0) throw emptyImageError(name);
  if (file.size > PAGE_LIMITS.imageMb * 1024 * 1024) throw imageOverLimitError(name, { bytes: file.size }, PAGE_LIMITS);
  const size = imageHeaderSize(new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer()));
  if (size && size.width * size.height > PAGE_LIMITS.megapixels * 1e6) throw imageOverLimitError(name, size, PAGE_LIMITS);
}

export async function decodeImageInWorker(file: Blob, name: string): Promise<Omit<DecodedImage, 'sha256'>> {
  await checkImageBlob(file, name);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'default' });
  } catch (e) {
    throw unreadableImageError(name, 'PNG, JPEG, WebP, GIF or BMP', `createImageBitmap${file.type ? ` (${file.type})` : ''}: ${(e as Error).message ?? String(e)}`);
  }
  const originalWidth = bitmap.width;
  const originalHeight = bitmap.height;
  const scale = Math.min(1, MAX_DECODED_SIDE / Math.max(originalWidth, originalHeight));
  if (scale < 1) {
    bitmap.close();
    bitmap = await createImageBitmap(file, {
      imageOrientation: 'from-image',
      premultiplyAlpha: 'none',
      resizeWidth: Math.max(1, Math.round(originalWidth * scale)),
      resizeHeight: Math.max(1, Math.round(originalHeight * scale)),
      resizeQuality: 'high',
    });
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) {
    throw new GlassboxError('IMAGE_UNREADABLE', 'This browser cannot read image pixels in the background.', 'Use a current Chrome, Edge, Firefox or Safari.', "OffscreenCanvas.getContext('2d') returned null in the worker.");
  }
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const data = ctx.getImageData(0, 0, width, height).data;
  return { name, width, height, originalWidth, originalHeight, image: { width, height, data } };
}

/**
 * A mask or label image: its exact colours (no colour-space conversion, no smoothing), so a palette class stays
 * one colour. Larger than MAX_DECODED_SIDE it is shrunk by nearest neighbour (labels must not blend).
 */
export async function decodeMaskInWorker(file: Blob, name: string): Promise<RgbaImage> {
  await checkImageBlob(file, name);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (e) {
    throw unreadableImageError(name, 'PNG, WebP, GIF or BMP', `createImageBitmap${file.type ? ` (${file.type})` : ''}: ${(e as Error).message ?? String(e)}`);
  }
  const scale = Math.min(1, MAX_DECODED_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale)), height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return { width, height, data: ctx.getImageData(0, 0, width, height).data };
}
