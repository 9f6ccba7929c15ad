/**
 * Crop geometry before any resize (issue 13): resizeForModel computes only the centre-crop window of the resized
 * image, so a 1×10000 strip (shorter side to 256: a 256×2,560,000 intermediate, 2.6 GB) costs no more than a photo,
 * and every image gives exactly the tensor of "resize everything, then crop" (the PIL/torchvision pipeline).
 */
import { describe, expect, it } from 'vitest';
import { defaultPreprocess, planResize, preprocessImage, tensorLength, writeModelInput, type PreprocessConfig } from '../../../src/engine/image/preprocess';
import { cropImage, resizeBilinearAntialiased, resizeWindowBilinearAntialiased } from '../../../src/engine/image/resize';
import { createRgbaImage, type RgbaImage } from '../../../src/engine/image/types';
import { pattern } from '../../helpers/test-images';


/** The model input by the old route: the whole image resized, then the crop cut out of it. */
function resizeThenCrop(src: RgbaImage, cfg: PreprocessConfig): RgbaImage {
  const plan = planResize(src.width, src.height, cfg);
  return cropImage(resizeBilinearAntialiased(src, plan.resizeWidth, plan.resizeHeight), plan.cropX, plan.cropY, cfg.width, cfg.height);
}

/**
 * The same by brute force on a small strip, for a source whose resize factor is a whole number k on each axis:
 * the source rows/columns around the window (two spare on each side, more than the triangle filter reaches when
 * enlarging) resized by the same factor k put their pixels at the same centres with the same taps as the full
 * resize does, so cutting the window from that small resize gives the full resize's window.
 */
function stripReference(src: RgbaImage, cfg: PreprocessConfig): RgbaImage {
  const plan = planResize(src.width, src.height, cfg);
  const axis = (srcSize: number, outSize: number, winStart: number, winLength: number) => {
    const k = outSize / srcSize;
    expect(Number.isInteger(k), `resize factor ${outSize}/${srcSize}`).toBe(true);
    const from = Math.max(0, Math.floor(winStart / k) - 2);
    const to = Math.min(srcSize, Math.ceil((winStart + winLength) / k) + 2);
    return { from, size: to - from, out: (to - from) * k, offset: winStart - from * k };
  };
  const h = axis(src.width, plan.resizeWidth, plan.cropX, cfg.width);
  const v = axis(src.height, plan.resizeHeight, plan.cropY, cfg.height);
  const strip = cropImage(src, h.from, v.from, h.size, v.size);
  return cropImage(resizeBilinearAntialiased(strip, h.out, v.out), h.offset, v.offset, cfg.width, cfg.height);
}

function tensorOf(img: RgbaImage, cfg: PreprocessConfig): Float32Array {
  const out = new Float32Array(tensorLength(cfg));
  writeModelInput(img, cfg, out);
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('resizeForModel on extreme aspect ratios', () => {
  const cfg = defaultPreprocess(224, 224);
  for (const [w, h] of [[1, 10000], [10000, 1]] as const) {
    it(`a ${w}×${h} image preprocesses at 224 in well under a second, equal to the brute-force strip reference`, () => {
      const src = pattern(w, h);
      const plan = planResize(w, h, cfg);
      // the intermediate the old route made: 256 × 2,560,000 RGBA
      expect(plan.resizeWidth * plan.resizeHeight).toBe(256 * 2_560_000);
      const t0 = performance.now();
      const { resized, tensor } = preprocessImage(src, cfg);
      const ms = performance.now() - t0;
      expect(ms).toBeLessThan(500);
      expect([resized.width, resized.height]).toEqual([224, 224]);
      const reference = stripReference(src, cfg);
      expect(Array.from(resized.data)).toEqual(Array.from(reference.data));
      expect(maxAbsDiff(tensor, tensorOf(reference, cfg))).toBeLessThanOrEqual(1e-5);
      // a one-pixel-wide strip enlarged across: every pixel of a row (or column) is that one source pixel's blend
      const across = (x: number, y: number) => (w === 1 ? resized.data[(y * 224 + x) * 4] : resized.data[(x * 224 + y) * 4]);
      for (const line of [0, 100, 223]) for (let i = 1; i < 224; i++) expect(across(i, line)).toBe(across(0, line));
    });
  }
});

describe('resizeForModel gives the tensor of resizing everything, then cropping', () => {
  const configs: PreprocessConfig[] = [
    defaultPreprocess(224, 224),
    defaultPreprocess(320, 240),
    { ...defaultPreprocess(240, 320), layout: 'NHWC', channelOrder: 'BGR' },
    { ...defaultPreprocess(64, 64), cropFraction: 0.5 },
    { ...defaultPreprocess(224, 224), resize: 'stretch' },
  ];
  const sizes = [[500, 375], [375, 500], [640, 427], [257, 255], [100, 50], [224, 224], [600, 37], [3, 200]];
  for (const cfg of configs) {
    it(`${cfg.resize} ${cfg.width}×${cfg.height}: max |Δ| ≤ 1e-5 on ${sizes.length} image sizes`, () => {
      for (const [w, h] of sizes) {
        const src = pattern(w, h);
        const { tensor } = preprocessImage(src, cfg);
        expect(maxAbsDiff(tensor, tensorOf(resizeThenCrop(src, cfg), cfg)), `${w}×${h}`).toBeLessThanOrEqual(1e-5);
      }
    });
  }
});

describe('resizeWindowBilinearAntialiased', () => {
  it('any window equals the same window cut from the full resize', () => {
    const src = pattern(97, 61);
    for (const [ow, oh] of [[40, 30], [200, 150], [97, 61], [13, 300]]) {
      const full = resizeBilinearAntialiased(src, ow, oh);
      for (const [x, y, w, h] of [[0, 0, ow, oh], [3, 5, 7, 4], [ow - 1, oh - 1, 1, 1], [0, 2, ow, 1]]) {
        const win = resizeWindowBilinearAntialiased(src, ow, oh, { x, y, width: w, height: h });
        expect(Array.from(win.data), `${ow}×${oh} window ${w}×${h} at ${x},${y}`).toEqual(Array.from(cropImage(full, x, y, w, h).data));
      }
    }
  });

  it('refuses a window outside the output', () => {
    expect(() => resizeWindowBilinearAntialiased(pattern(4, 4), 8, 8, { x: 4, y: 0, width: 5, height: 2 })).toThrow(RangeError);
    expect(() => resizeWindowBilinearAntialiased(pattern(4, 4), 8, 8, { x: 0, y: 0, width: 0, height: 2 })).toThrow(RangeError);
  });
});
