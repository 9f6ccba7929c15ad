/** Dataset rows' pictures: the row's map over its image with the object outlined, small. */
import { describe, expect, it } from 'vitest';
import type { Explanation } from '../../../src/engine/explain/types';
import { boxMask } from '../../../src/engine/metrics/mask';
import { mapThumbnail } from '../../../src/engine/render/thumbnail';
import type { RgbaImage } from '../../../src/engine/image/types';

const THUMB_SIDE = 48;

const N = 96;
const grey = { width: N, height: N, data: new Uint8ClampedArray(N * N * 4).fill(128) };
// a CAM that is hot in the top-left quarter only
const map = Array.from({ length: N * N }, (_, i) => (i % N < N / 2 && Math.floor(i / N) < N / 2 ? 1 : 0));
const result = { kind: 'cam', method: 'gradcam', signed: false, map, width: N, height: N } as unknown as Explanation;
const px = (img: RgbaImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 3));

describe('a dataset row’s picture', () => {
  it('shows where the map is hot (jet: red top-left, blue elsewhere) at THUMB_SIDE px', () => {
    const t = mapThumbnail({ result, image: grey });
    expect([t.width, t.height]).toEqual([THUMB_SIDE, THUMB_SIDE]);
    const [r1, , b1] = px(t, 5, 5);
    const [r2, , b2] = px(t, 40, 40);
    expect(r1).toBeGreaterThan(b1); // hot
    expect(b2).toBeGreaterThan(r2); // cold
  });

  it('outlines the object when there is a mask', () => {
    const mask = boxMask(N, N, { x: 48, y: 48, width: 40, height: 40 });
    const white = (t: RgbaImage) => {
      let n = 0;
      for (let i = 0; i < t.data.length; i += 4) if (t.data[i] === 255 && t.data[i + 1] === 255 && t.data[i + 2] === 255) n++;
      return n;
    };
    const t = mapThumbnail({ result, image: grey, mask });
    expect(white(t)).toBeGreaterThan(20); // about half of the 156-px line survives halving
    expect(white(mapThumbnail({ result, image: grey }))).toBe(0);
    expect(px(t, 34, 34)).not.toEqual([255, 255, 255]); // inside the box: the map, not the line
  });
});
