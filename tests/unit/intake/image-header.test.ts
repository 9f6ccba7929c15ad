/**
 * Images are checked before the browser decodes them: the header's width and height are read without decoding
 * (PNG, JPEG, WebP, GIF, BMP, AVIF), and a file over the byte or pixel budget is refused with a plain message
 * (the worker's checkImageBlob applies both; tests/browser/resource-limits.test.ts drops such files).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { imageHeaderSize, imageOverLimitError } from '../../../src/engine/intake/image-header';
import { PAGE_LIMITS } from '../../../src/worker-api';

const IMAGES = path.resolve(import.meta.dirname, '../../fixtures/images');
const read = (name: string) => new Uint8Array(fs.readFileSync(path.join(IMAGES, name)));

async function encoded(format: 'png' | 'jpeg' | 'webp' | 'gif' | 'avif', width: number, height: number, options: object = {}): Promise<Uint8Array> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: 10, g: 200, b: 30 } } });
  return new Uint8Array(await img.toFormat(format, options).toBuffer());
}

describe('imageHeaderSize', () => {
  it('reads width and height from each format the page decodes', async () => {
    expect(imageHeaderSize(read('gradient_4x3.png'))).toEqual({ width: 4, height: 3 });
    expect(imageHeaderSize(read('big.png'))).toEqual({ width: 6000, height: 4000 });
    expect(imageHeaderSize(read('tiny.bmp'))).toEqual({ width: 8, height: 8 });
    expect(imageHeaderSize(read('anim.gif'))).toEqual({ width: 8, height: 8 });
    expect(imageHeaderSize(read('tiny.webp'))).toEqual({ width: 8, height: 8 });
    expect(imageHeaderSize(read('exif_rotate90.jpg'))).toEqual({ width: 40, height: 20 });
    expect(imageHeaderSize(await encoded('jpeg', 123, 45))).toEqual({ width: 123, height: 45 });
    expect(imageHeaderSize(await encoded('webp', 301, 77))).toEqual({ width: 301, height: 77 });
    expect(imageHeaderSize(await encoded('webp', 64, 33, { lossless: true }))).toEqual({ width: 64, height: 33 });
    expect(imageHeaderSize(await encoded('gif', 19, 23))).toEqual({ width: 19, height: 23 });
    expect(imageHeaderSize(await encoded('avif', 40, 24))).toEqual({ width: 40, height: 24 });
  });

  it('says nothing about bytes it does not understand', () => {
    expect(imageHeaderSize(read('not_image.png'))).toBeUndefined();
    expect(imageHeaderSize(new Uint8Array())).toBeUndefined();
  });
});

describe('imageOverLimitError', () => {
  it('names the pixel count a header claims, or the file size, against the page limits', () => {
    const pixels = imageOverLimitError('huge.png', { width: 20000, height: 15000 }, PAGE_LIMITS);
    expect(pixels.code).toBe('IMAGE_UNSUPPORTED');
    expect(pixels.message).toBe(`huge.png is 20000×15000 pixels (300 megapixels), over the ${PAGE_LIMITS.megapixels}-megapixel limit.`);
    expect(imageOverLimitError('disk.png', { bytes: 2 * 1024 ** 3 }, PAGE_LIMITS).message).toBe(`disk.png is 2048 MB, over the ${PAGE_LIMITS.imageMb} MB image limit.`);
  });

  it('a crafted PNG header of 20000×15000 reads as such (the page refuses it before decoding)', () => {
    const png = read('gradient_4x3.png').slice();
    new DataView(png.buffer).setUint32(16, 20000);
    new DataView(png.buffer).setUint32(20, 15000);
    expect(imageHeaderSize(png)).toEqual({ width: 20000, height: 15000 });
  });
});
