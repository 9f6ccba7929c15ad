/** The CLI's image decoder (sharp) honours EXIF orientation, takes the first GIF frame and downscales huge photos, like the dashboard. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImageFile, MAX_DECODED_SIDE } from '../../src/cli/decode-image';

const image = (name: string) => new Uint8Array(fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/images', name)));
const pixel = (img: { width: number; data: ArrayLike<number> }, x: number, y: number) => Array.from({ length: 4 }, (_, c) => img.data[(y * img.width + x) * 4 + c]);

describe('Node image decoding', () => {
  it('EXIF orientation 6: 40×20 stored → 20×40 upright, red on top, blue below', async () => {
    const img = await decodeImageFile(image('exif_rotate90.jpg'));
    expect([img.width, img.height]).toEqual([20, 40]);
    const [top, bottom] = [pixel(img, 10, 5), pixel(img, 10, 34)];
    expect(top[0]).toBeGreaterThan(200);
    expect(top[2]).toBeLessThan(60);
    expect(bottom[2]).toBeGreaterThan(200);
    expect(bottom[0]).toBeLessThan(60);
  });

  it('exact pixels of a PNG: R = 60x, G = 100y, B = 7, opaque', async () => {
    const img = await decodeImageFile(image('gradient_4x3.png'));
    for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) expect(pixel(img, x, y)).toEqual([60 * x, 100 * y, 7, 255]);
  });

  it('GIF: the first frame (red); greyscale comes out as equal R, G, B', async () => {
    const gif = await decodeImageFile(image('anim.gif'));
    expect(pixel(gif, 4, 4).slice(0, 3)).toEqual([255, 0, 0]);
    const gray = await decodeImageFile(image('gray.png'));
    const p = pixel(gray, 3, 2);
    expect(p[0]).toBe(p[1]);
    expect(p[1]).toBe(p[2]);
  });

  it(`a 6000×4000 photo is downscaled to ${MAX_DECODED_SIDE} px on its long side`, async () => {
    const img = await decodeImageFile(image('big.png'));
    expect([img.width, img.height]).toEqual([MAX_DECODED_SIDE, Math.round((4000 * MAX_DECODED_SIDE) / 6000)]);
  });
});
