/**
 * Custom regions (segment/custom.ts): labels at the model input pass through; labels of the image's size land on
 * the model input where the image's own resize (stretch, or resize + centre crop) puts those pixels; ids are
 * compacted in their own order; every bad label array is refused with a message naming the problem.
 */
import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import { LIME_META } from '../../../src/engine/explain/meta/lime';
import { LIME_DEFAULTS } from '../../../src/engine/explain/lime';
import { validateParams } from '../../../src/engine/explain/schema';
import { segmentImage } from '../../../src/engine/explain/segmentation';
import { decodeNpy, int32LabelsNpy, npyHeader, type NpyDescr } from '../../../src/engine/export/npy';
import { defaultPreprocess, resizeForModel, type PreprocessConfig } from '../../../src/engine/image/preprocess';
import { createRgbaImage } from '../../../src/engine/image/types';
import { customSegmentation, labelsCoverImage, labelsForModel, labelsFromNpy, labelsFromRgba } from '../../../src/engine/segment/custom';

/** A W×H image, white inside the rectangle [x0, x1) × [y0, y1), black elsewhere, and its labels (1 inside, 0 out). */
function rectangle(width: number, height: number, x0: number, x1: number, y0: number, y1: number) {
  const image = createRgbaImage(width, height);
  const labels = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= x0 && x < x1 && y >= y0 && y < y1;
      image.data.set(inside ? [255, 255, 255, 255] : [0, 0, 0, 255], (y * width + x) * 4);
      labels[y * width + x] = inside ? 1 : 0;
    }
  }
  return { image, labels };
}

/** Where the resized image is clearly white the labels say 1, where clearly black 0 (blended edge pixels skipped). */
function expectLabelsOnImage(width: number, height: number, cfg: PreprocessConfig) {
  const { image, labels } = rectangle(width, height, Math.round(width * 0.55), Math.round(width * 0.8), Math.round(height * 0.2), Math.round(height * 0.6));
  const seen = resizeForModel(image, cfg);
  const placed = labelsForModel(labels, width, height, cfg);
  expect(placed).toHaveLength(cfg.width * cfg.height);
  let white = 0, black = 0;
  for (let i = 0; i < placed.length; i++) {
    const v = seen.data[i * 4];
    if (v > 230) (white++, expect(placed[i], `pixel ${i}`).toBe(1));
    if (v < 25) (black++, expect(placed[i], `pixel ${i}`).toBe(0));
  }
  expect(white).toBeGreaterThan(10);
  expect(black).toBeGreaterThan(10);
}

describe('labelsForModel', () => {
  const cfg = (resize: 'crop' | 'stretch'): PreprocessConfig => ({ ...defaultPreprocess(16, 16), resize });

  it('labels at the model input size pass through unchanged', () => {
    const labels = Array.from({ length: 256 }, (_, i) => (i * 7) % 5);
    expect(Array.from(labelsForModel(labels, 16, 16, cfg('crop')))).toEqual(labels);
    expect(Array.from(labelsForModel(labels, 16, 16, cfg('stretch')))).toEqual(labels);
  });

  it('stretch: labels of the image size land where the stretched image puts those pixels', () => {
    expectLabelsOnImage(40, 24, cfg('stretch'));
    // an exact 2× label image comes back to the model input pixel for pixel
    const small = Array.from({ length: 16 * 16 }, (_, i) => i);
    const big = Array.from({ length: 32 * 32 }, (_, i) => small[Math.floor(Math.floor(i / 32) / 2) * 16 + Math.floor((i % 32) / 2)]);
    expect(Array.from(labelsForModel(big, 32, 32, cfg('stretch')))).toEqual(small);
  });

  it('crop: labels of the image size land where resize + centre crop puts those pixels; cropped-off labels vanish', () => {
    expectLabelsOnImage(40, 20, cfg('crop'));
    expectLabelsOnImage(20, 44, cfg('crop'));
    // columns as ids: a landscape image loses its left and right edges to the centre crop
    const columns = Array.from({ length: 40 * 20 }, (_, i) => i % 40);
    const placed = labelsForModel(columns, 40, 20, { ...cfg('crop'), cropFraction: 1 });
    const firstRow = Array.from(placed.subarray(0, 16));
    expect(firstRow[0]).toBeGreaterThanOrEqual(10);
    expect(firstRow[15]).toBeLessThanOrEqual(29);
    expect(firstRow).toEqual([...firstRow].sort((a, b) => a - b));
  });

  it('a label image of another shape than the image is named as such', () => {
    expect(labelsCoverImage({ width: 40, height: 20 }, { width: 80, height: 40 }, { width: 16, height: 16 })).toBeUndefined();
    expect(labelsCoverImage({ width: 16, height: 16 }, { width: 80, height: 40 }, { width: 16, height: 16 })).toBeUndefined();
    expect(labelsCoverImage({ width: 40, height: 40 }, { width: 80, height: 40 }, { width: 16, height: 16 })).toMatch(/the labels are 40×40 but the image is 80×40/);
  });
});

describe('customSegmentation', () => {
  it('compacts ids to 0..K−1 in their own order (labels already 0..K−1 stay as they are)', () => {
    const seg = customSegmentation([5, 5, 2, 9, 2, 9], 3, 2);
    expect(Array.from(seg.labels)).toEqual([1, 1, 0, 2, 0, 2]);
    expect(seg.count).toBe(3);
    const plain = [0, 1, 2, 3, 3, 2];
    expect(Array.from(customSegmentation(plain, 3, 2).labels)).toEqual(plain);
  });

  it('refuses missing labels, a wrong size, negative or fractional ids and a single region, naming the problem', () => {
    const image = createRgbaImage(3, 2);
    const msg = (labels: number[] | undefined) => {
      try {
        segmentImage(image, { method: 'custom', labels, name: 'organs.npy' });
      } catch (e) {
        expect(e).toBeInstanceOf(GlassboxError);
        expect((e as GlassboxError).code).toBe('PARAM_INVALID');
        return (e as Error).message;
      }
      throw new Error('not refused');
    };
    expect(msg(undefined)).toBe('Custom regions (organs.npy): no labels loaded: choose a label file (.npy or .png).');
    expect(msg([0, 1, 2])).toBe('Custom regions (organs.npy): 3 labels do not cover the 3×2 label image (6 pixels).');
    expect(msg([0, 1, -2, 0, 0, 0])).toBe('Custom regions (organs.npy): every label must be a whole number ≥ 0 (pixel 2 is -2).');
    expect(msg([0, 1, 1.5, 0, 0, 0])).toBe('Custom regions (organs.npy): every label must be a whole number ≥ 0 (pixel 2 is 1.5).');
    expect(msg([4, 4, 4, 4, 4, 4])).toBe('Custom regions (organs.npy): the labels hold a single region; at least 2 are needed to tell regions apart.');
  });

  it('validateParams names the method and the field; labels of their own size are checked against it', () => {
    const params = (segmentation: object) => ({ ...LIME_DEFAULTS, segmentation }) as typeof LIME_DEFAULTS;
    expect(() => validateParams(LIME_META, params({ method: 'custom', name: 'a.png' }), { width: 4, height: 4 })).toThrow(
      'LIME: segmentation custom regions (a.png): no labels loaded: choose a label file (.npy or .png).',
    );
    expect(() => validateParams(LIME_META, params({ method: 'custom', labels: [0, 1, 0] }), { width: 4, height: 4 })).toThrow(/3 labels do not cover the 4×4 label image \(16 pixels\)/);
    expect(() => validateParams(LIME_META, params({ method: 'custom', labels: [0, 1, 0, 1, 0, 1], width: 3, height: 2 }), { width: 4, height: 4 })).not.toThrow();
    // labels of another size are placed with the run's preprocessing
    const seg = segmentImage(createRgbaImage(4, 4), { method: 'custom', labels: [0, 1, 0, 1, 0, 1, 0, 1], width: 2, height: 4 }, 0, { resize: 'stretch', cropFraction: 1 });
    expect(Array.from(seg.labels)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
  });
});

describe('label files', () => {
  it('PNG: each colour is one region, black too, ids in the order of the packed colour', () => {
    const image = createRgbaImage(2, 2);
    image.data.set([0, 0, 0, 255, 255, 0, 0, 255, 0, 0, 3, 255, 255, 0, 0, 0]);
    const { labels } = labelsFromRgba(image);
    expect(Array.from(labels)).toEqual([0, 0xff0000, 3, 0xff0000]);
    expect(Array.from(customSegmentation(labels, 2, 2).labels)).toEqual([0, 2, 1, 2]);
  });

  it('.npy: integer dtypes numpy writes (int8…int64, uint8…uint32) read as int32; floats and other shapes refused', () => {
    const npy = (descr: string, shape: number[], bytes: number[]) => {
      const header = npyHeader(descr as NpyDescr, shape);
      return Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 255, header.length >> 8, ...Array.from(header, (c) => c.charCodeAt(0)), ...bytes]);
    };
    expect(Array.from(decodeNpy(npy('|u1', [2, 2], [0, 1, 255, 2])).data)).toEqual([0, 1, 255, 2]);
    expect(Array.from(decodeNpy(npy('|i1', [2], [0xff, 3])).data)).toEqual([-1, 3]);
    expect(Array.from(decodeNpy(npy('<u2', [2], [0x34, 0x12, 1, 0])).data)).toEqual([0x1234, 1]);
    expect(Array.from(decodeNpy(npy('<i2', [1], [0xfe, 0xff])).data)).toEqual([-2]);
    expect(Array.from(decodeNpy(npy('<u4', [1], [7, 0, 0, 0])).data)).toEqual([7]);
    expect(Array.from(decodeNpy(npy('<i8', [2], [5, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).data)).toEqual([5, -1]);
    expect(() => decodeNpy(npy('<i8', [1], [0, 0, 0, 0, 1, 0, 0, 0]))).toThrow(/does not fit in int32/);
    expect(() => decodeNpy(npy('<u4', [1], [0, 0, 0, 0x80]))).toThrow(/does not fit in int32/);
    expect(decodeNpy(npy('|u1', [1, 2, 1], [3, 4])).data).toBeInstanceOf(Int32Array);
    expect(labelsFromNpy(decodeNpy(npy('|u1', [2, 1, 1], [3, 4])))).toMatchObject({ width: 1, height: 2 });
    expect(labelsFromNpy(decodeNpy(npy('|u1', [1, 1, 2], [3, 4])))).toMatchObject({ width: 2, height: 1 });
    expect(labelsFromNpy(decodeNpy(int32LabelsNpy([0, 1, 2, 3, 4, 5], 2, 3)))).toMatchObject({ width: 3, height: 2 });
    expect(() => labelsFromNpy(decodeNpy(npy('|u1', [2, 2, 2], [0, 0, 0, 0, 0, 0, 0, 0])), 'x.npy')).toThrow('Custom regions: x.npy has shape (2, 2, 2); a label image is height × width.');
    expect(() => labelsFromNpy(decodeNpy(npy('<f4', [1], [0, 0, 0, 0])), 'x.npy')).toThrow(/holds floats/);
  });
});
