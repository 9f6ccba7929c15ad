/** segmentImage: the one entry point LIME (and later KernelSHAP) use, with its validation. */
import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import { segmentImage } from '../../../src/engine/explain/segmentation';
import { createRgbaImage } from '../../../src/engine/image/types';
import { quickshift } from '../../../src/engine/segment/quickshift';

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

  it("quickshift breaks density ties with the run's seed: on flat regions another seed can cut other segments, the same seed the same ones", () => {
    // Two flat halves: inside each, every pixel whose window is whole has the same density, so the seeded
    // tie-breaking noise decides which pixels are modes and so where the segments lie.
    const spec = { method: 'quickshift', kernelSize: 1, maxDist: 4, ratio: 0.5 } as const;
    const labels = (seed: number) => Array.from(segmentImage(halves(), spec, seed).labels);
    expect(labels(1)).toEqual(labels(1));
    expect(labels(2)).not.toEqual(labels(1));
    // the seed is quickshift's own
    expect(labels(7)).toEqual(Array.from(quickshift(halves(), { kernelSize: 1, maxDist: 4, ratio: 0.5, seed: 7 }).labels));
    // and the spec carries none: a stray seed in stored settings is ignored
    expect(Array.from(segmentImage(halves(), { ...spec, seed: 99 } as never, 1).labels)).toEqual(labels(1));
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
