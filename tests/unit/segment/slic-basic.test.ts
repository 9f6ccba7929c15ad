/** SLIC and grid segmentations: the structural properties every consumer relies on. */
import { describe, expect, it } from 'vitest';
import { createRgbaImage, type RgbaImage } from '../../../src/engine/image/types';
import { createRng } from '../../../src/engine/math/rng';
import { gridSegmentation } from '../../../src/engine/segment/grid';
import { rgbToLab, slic } from '../../../src/engine/segment/slic';
import type { Segmentation } from '../../../src/engine/segment/types';
import { validateSlicParams } from '../../../src/engine/segment/validate';
import { componentsPerLabel } from '../../helpers/segment-compare';
import { SLIC_DEFAULTS } from '../../../src/engine/segment/slic';

function texturedImage(width: number, height: number, seed = 1): RgbaImage {
  const rng = createRng(seed);
  const img = createRgbaImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      img.data[i] = 128 + 90 * Math.sin(x / 9) + 20 * rng.float();
      img.data[i + 1] = 128 + 90 * Math.cos(y / 7) + 20 * rng.float();
      img.data[i + 2] = (x * y) % 256;
      img.data[i + 3] = 255;
    }
  }
  return img;
}

describe('SLIC', () => {
  it('labels are exactly 0..count−1, every segment is one connected piece, and the count is near n_segments', () => {
    for (const nSegments of [25, 100]) {
      const seg = slic(texturedImage(120, 90), { nSegments, sigma: 1 });
      const used = new Set(seg.labels);
      expect(used.size).toBe(seg.count);
      expect(Math.max(...used)).toBe(seg.count - 1);
      expect(componentsPerLabel(seg).every((c) => c === 1)).toBe(true);
      expect(seg.count).toBeGreaterThan(nSegments * 0.6);
      expect(seg.count).toBeLessThan(nSegments * 1.4);
    }
  });

  it('on flat colour quadrants no superpixel straddles a colour edge', () => {
    const img = createRgbaImage(64, 64);
    const colours = [[200, 30, 30], [30, 200, 30], [30, 30, 200], [220, 220, 40]];
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) img.data.set([...colours[(y < 32 ? 0 : 2) + (x < 32 ? 0 : 1)], 255], (y * 64 + x) * 4);
    const seg = slic(img, { nSegments: 16, compactness: 10 });
    const quadrantOf = new Map<number, number>();
    for (let i = 0; i < 64 * 64; i++) {
      const q = (Math.floor(i / 64) < 32 ? 0 : 2) + (i % 64 < 32 ? 0 : 1);
      const prev = quadrantOf.get(seg.labels[i]);
      if (prev === undefined) quadrantOf.set(seg.labels[i], q);
      else expect(prev).toBe(q);
    }
  });

  it('is deterministic', () => {
    const img = texturedImage(80, 60, 3);
    expect(Array.from(slic(img, { nSegments: 40 }).labels)).toEqual(Array.from(slic(img, { nSegments: 40 }).labels));
  });

  it('CIELAB matches skimage.color.rgb2lab on reference colours', () => {
    const lab = new Float32Array(3);
    rgbToLab(255, 0, 0, lab, 0);
    expect(lab[0]).toBeCloseTo(53.24, 1);
    expect(lab[1]).toBeCloseTo(80.09, 1);
    expect(lab[2]).toBeCloseTo(67.2, 1);
    rgbToLab(255, 255, 255, lab, 0);
    expect(lab[0]).toBeCloseTo(100, 2);
    expect(Math.abs(lab[1])).toBeLessThan(0.01);
    expect(Math.abs(lab[2])).toBeLessThan(0.01);
  });

  it('refuses impossible parameters with a message naming them', () => {
    expect(() => validateSlicParams({ ...SLIC_DEFAULTS, nSegments: 0 })).toThrow(/number of segments/);
    expect(() => validateSlicParams({ ...SLIC_DEFAULTS, compactness: -1 })).toThrow(/compactness/);
    expect(() => validateSlicParams({ ...SLIC_DEFAULTS, sigma: -0.5 })).toThrow(/sigma/);
  });
});

describe('grid segmentation', () => {
  it('covers every pixel with about n contiguous rectangular cells, numbered row by row', () => {
    const seg = gridSegmentation(96, 64, 24);
    expect(seg.count).toBeGreaterThanOrEqual(20);
    expect(seg.count).toBeLessThanOrEqual(28);
    expect(componentsPerLabel(seg).every((c) => c === 1)).toBe(true);
    expect(seg.labels[0]).toBe(0);
    expect(seg.labels[96 * 64 - 1]).toBe(seg.count - 1);
    expect(new Set(seg.labels).size).toBe(seg.count);
  });
});
