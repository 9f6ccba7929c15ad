/** segmentImage: the one entry point LIME (and later KernelSHAP) use, with its validation. */
import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import { segmentImage } from '../../../src/engine/explain/segmentation';
import { createRgbaImage } from '../../../src/engine/image/types';

function halves(): ReturnType<typeof createRgbaImage> {
  const img = createRgbaImage(40, 30);
  for (let j = 0; j < 40 * 30; j++) img.data.set(j % 40 < 20 ? [220, 30, 30, 255] : [30, 30, 220, 255], j * 4);
  return img;
}

describe('segmentImage', () => {
  it('Felzenszwalb splits two flat halves into exactly two regions along the colour edge', () => {
    const seg = segmentImage(halves(), { method: 'felzenszwalb', scale: 100, sigma: 0, minSize: 5 });
    expect(seg.count).toBe(2);
    for (let j = 0; j < seg.labels.length; j++) expect(seg.labels[j]).toBe(j % 40 < 20 ? 0 : 1);
  });

  it('quickshift splits two flat halves along the colour edge (no link crosses it: the colour gap exceeds max_dist)', () => {
    const seg = segmentImage(halves(), { method: 'quickshift', kernelSize: 2, maxDist: 10, ratio: 0.5 });
    for (let j = 0; j < seg.labels.length; j++) {
      const other = j % 40 < 20 ? j + 20 - (j % 40) : j - (j % 40);
      expect(seg.labels[j]).not.toBe(seg.labels[other]);
    }
  });

  it('refuses impossible Felzenszwalb parameters and unknown methods with PARAM_INVALID', () => {
    for (const bad of [{ scale: 0 }, { scale: Number.NaN }, { sigma: -1 }, { minSize: 0 }, { minSize: 2.5 }]) {
      expect(() => segmentImage(halves(), { method: 'felzenszwalb', ...bad })).toThrow(GlassboxError);
    }
    expect(() => segmentImage(halves(), { method: 'watershed' } as never)).toThrow(/Unknown segmentation/);
    for (const bad of [{ kernelSize: 0 }, { maxDist: -1 }, { ratio: 2 }, { sigma: -1 }]) {
      expect(() => segmentImage(halves(), { method: 'quickshift', ...bad })).toThrow(GlassboxError);
    }
  });
});
