import { describe, expect, it } from 'vitest';
import { boxMask } from '../../../src/engine/metrics/mask';
import { withMaskOutline } from '../../../src/engine/render/outline';
import type { RgbaImage } from '../../../src/engine/image/types';

const picture = (w: number, h: number) => ({ width: w, height: h, data: new Uint8ClampedArray(w * h * 4).fill(0) });
const lit = (img: RgbaImage, x: number, y: number) => img.data[(y * img.width + x) * 4] === 255;

describe('the ground-truth outline over a map picture', () => {
  it('at the mask’s own size: the box’s border pixels, not its inside or outside', () => {
    const mask = boxMask(6, 6, { x: 1, y: 1, width: 4, height: 3 }); // columns 1–4, rows 1–3
    const out = withMaskOutline(picture(6, 6), mask);
    const rows = Array.from({ length: 6 }, (_, y) => Array.from({ length: 6 }, (_, x) => (lit(out, x, y) ? '#' : '.')).join(''));
    expect(rows).toEqual(['......', '.####.', '.#..#.', '.####.', '......', '......']);
  });

  it('enlarged 3×: a one-pixel line at the enlarged edge (the picture itself is left untouched)', () => {
    const mask = boxMask(4, 4, { x: 1, y: 1, width: 2, height: 2 });
    const src = picture(12, 12);
    const out = withMaskOutline(src, mask);
    expect(lit(out, 3, 3)).toBe(true);
    expect(lit(out, 4, 4)).toBe(false); // inside, one pixel in
    expect(lit(out, 8, 5)).toBe(true); // right edge of the box (cells 1–2 → pixels 3–8)
    expect(lit(out, 9, 5)).toBe(false);
    expect(src.data.every((v) => v === 0)).toBe(true);
  });

  it('refuses a picture that is not a whole multiple of the mask', () => {
    expect(() => withMaskOutline(picture(10, 10), boxMask(4, 4, { x: 0, y: 0, width: 2, height: 2 }))).toThrow(/whole multiple/);
  });
});
