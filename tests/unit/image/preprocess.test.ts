import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import {
  defaultPreprocess,
  describePipeline,
  matchPreset,
  planResize,
  preprocessImage,
  resizeForModel,
  tensorDims,
  validatePreprocess,
  writeModelInput,
  type PreprocessConfig,
} from '../../../src/engine/image/preprocess';
import { createRgbaImage, type RgbaImage } from '../../../src/engine/image/types';

const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

/** 3 wide × 2 high, row-major. */
const PIXELS: [number, number, number][] = [
  [255, 0, 0], [0, 255, 0], [0, 0, 255],
  [128, 64, 32], [10, 20, 30], [255, 255, 255],
];

function image3x2(): RgbaImage {
  const img = createRgbaImage(3, 2);
  PIXELS.forEach(([r, g, b], i) => img.data.set([r, g, b, 255], i * 4));
  return img;
}

/** 3×2 stretch config: the resize is the identity, so the tensor is the normalised pixels. */
function cfg3x2(patch: Partial<PreprocessConfig> = {}): PreprocessConfig {
  return {
    ...defaultPreprocess(3, 2),
    resize: 'stretch',
    range: 1,
    mean: [...IMAGENET_MEAN],
    std: [...IMAGENET_STD],
    channelOrder: 'RGB',
    layout: 'NCHW',
    channels: 3,
    ...patch,
  };
}

function tensorFor(patch: Partial<PreprocessConfig> = {}): Float32Array {
  const cfg = cfg3x2(patch);
  const out = new Float32Array(cfg.width * cfg.height * cfg.channels);
  writeModelInput(image3x2(), cfg, out);
  return out;
}

function expectGlassboxError(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(GlassboxError);
  expect((thrown as GlassboxError).code).toBe(code);
}

describe('writeModelInput', () => {
  it('normalises (v/255 − mean)/std per channel in NCHW RGB', () => {
    const t = tensorFor();
    expect(t).toHaveLength(18);
    // Plane c starts at c·6; pixel (x, y) is at y·3 + x.
    expect(t[0]).toBeCloseTo((255 / 255 - 0.485) / 0.229, 5); // R of (0,0)
    expect(t[1]).toBeCloseTo((0 / 255 - 0.485) / 0.229, 5); // R of (1,0)
    expect(t[3]).toBeCloseTo((128 / 255 - 0.485) / 0.229, 5); // R of (0,1)
    expect(t[6 + 1]).toBeCloseTo((255 / 255 - 0.456) / 0.224, 5); // G of (1,0)
    expect(t[6 + 3]).toBeCloseTo((64 / 255 - 0.456) / 0.224, 5); // G of (0,1)
    expect(t[6 + 4]).toBeCloseTo((20 / 255 - 0.456) / 0.224, 5); // G of (1,1)
    expect(t[12 + 2]).toBeCloseTo((255 / 255 - 0.406) / 0.225, 5); // B of (2,0)
    expect(t[12 + 3]).toBeCloseTo((32 / 255 - 0.406) / 0.225, 5); // B of (0,1)
    expect(t[12 + 5]).toBeCloseTo((255 / 255 - 0.406) / 0.225, 5); // B of (2,1)
    // Every element, from the pixel table.
    for (let c = 0; c < 3; c++) {
      for (let i = 0; i < 6; i++) expect(t[c * 6 + i]).toBeCloseTo((PIXELS[i][c] / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c], 5);
    }
  });

  it('BGR swaps planes 0 and 2 (each with its own channel mean/std) and keeps plane 1', () => {
    const rgb = tensorFor();
    const bgr = tensorFor({ channelOrder: 'BGR' });
    expect(Array.from(bgr.subarray(0, 6))).toEqual(Array.from(rgb.subarray(12, 18)));
    expect(Array.from(bgr.subarray(6, 12))).toEqual(Array.from(rgb.subarray(6, 12)));
    expect(Array.from(bgr.subarray(12, 18))).toEqual(Array.from(rgb.subarray(0, 6)));
    expect(bgr[0]).toBeCloseTo((0 / 255 - 0.406) / 0.225, 5); // B of the red pixel, with B's mean/std
    expect(bgr[12]).toBeCloseTo((255 / 255 - 0.485) / 0.229, 5); // R of the red pixel, last plane
  });

  it('NHWC interleaves the channels per pixel', () => {
    const nchw = tensorFor();
    const nhwc = tensorFor({ layout: 'NHWC' });
    for (let i = 0; i < 6; i++) {
      for (let c = 0; c < 3; c++) expect(nhwc[i * 3 + c]).toBe(nchw[c * 6 + i]);
    }
    expect(nhwc[3 * 3 + 1]).toBeCloseTo((64 / 255 - 0.456) / 0.224, 5); // G of (0,1)
  });

  it('NHWC + BGR puts blue first in every pixel', () => {
    const t = tensorFor({ layout: 'NHWC', channelOrder: 'BGR', range: 255, mean: [0, 0, 0], std: [1, 1, 1] });
    expect(Array.from(t)).toEqual(PIXELS.flatMap(([r, g, b]) => [b, g, r]));
  });

  it('range 255 with mean 0 and std 1 gives the raw pixel values', () => {
    const t = tensorFor({ range: 255, mean: [0, 0, 0], std: [1, 1, 1] });
    expect(Array.from(t)).toEqual([0, 1, 2].flatMap((c) => PIXELS.map((p) => p[c])));
  });

  it('range 255 with the ImageNet statistics ×255 equals range 1 with the plain ones', () => {
    const unit = tensorFor();
    const scaled = tensorFor({ range: 255, mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] });
    for (let i = 0; i < unit.length; i++) expect(scaled[i]).toBeCloseTo(unit[i], 5);
  });

  it('channels = 1 writes luma 0.299 R + 0.587 G + 0.114 B', () => {
    const t = tensorFor({ channels: 1, range: 255, mean: [0, 0, 0], std: [1, 1, 1] });
    expect(t).toHaveLength(6);
    expect(t[0]).toBeCloseTo(0.299 * 255, 3);
    expect(t[1]).toBeCloseTo(0.587 * 255, 3);
    expect(t[2]).toBeCloseTo(0.114 * 255, 3);
    expect(t[3]).toBeCloseTo(0.299 * 128 + 0.587 * 64 + 0.114 * 32, 3);
    expect(t[4]).toBeCloseTo(0.299 * 10 + 0.587 * 20 + 0.114 * 30, 3);
    expect(t[5]).toBeCloseTo(255, 3);
  });

  it('channels = 1 normalises the luma with the (equal) channel mean/std', () => {
    const t = tensorFor({ channels: 1, range: 1, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
    const luma = 0.299 * 128 + 0.587 * 64 + 0.114 * 32;
    expect(t[3]).toBeCloseTo((luma / 255 - 0.5) / 0.25, 5);
  });

  it('writes one batch slot at the offset and leaves the others alone', () => {
    const cfg = cfg3x2({ range: 255, mean: [0, 0, 0], std: [1, 1, 1] });
    const out = new Float32Array(18 * 3).fill(-7);
    writeModelInput(image3x2(), cfg, out, 18);
    expect(out.subarray(0, 18).every((v) => v === -7)).toBe(true);
    expect(Array.from(out.subarray(18, 36))).toEqual([0, 1, 2].flatMap((c) => PIXELS.map((p) => p[c])));
    expect(out.subarray(36).every((v) => v === -7)).toBe(true);
  });

  it('refuses an image that is not at the model size', () => {
    expectGlassboxError(() => writeModelInput(image3x2(), cfg3x2({ width: 2 }), new Float32Array(12)), 'PARAM_INVALID');
  });
});

describe('tensorDims', () => {
  it('orders the dims by layout', () => {
    expect(tensorDims(cfg3x2(), 4)).toEqual([4, 3, 2, 3]);
    expect(tensorDims(cfg3x2({ layout: 'NHWC' }), 1)).toEqual([1, 2, 3, 3]);
    expect(tensorDims(cfg3x2({ channels: 1 }), 1)).toEqual([1, 1, 2, 3]);
  });
});

describe('planResize', () => {
  const crop224 = defaultPreprocess(224, 224);

  it('crop on a 500×375 landscape: shorter side to 256 (341×256) and a centred 224 window', () => {
    const plan = planResize(500, 375, crop224);
    expect(plan.resizeHeight).toBe(256);
    expect(plan.resizeWidth).toBe(341); // 500 · 256/375 = 341.3
    expect(plan.cropY).toBe(16);
    // 117 spare columns: the window starts within half a pixel of the centre.
    expect(Math.abs(plan.cropX - (341 - 224) / 2)).toBeLessThanOrEqual(0.5);
  });

  it('crop on a 375×500 portrait: 256×341 and a centred window', () => {
    const plan = planResize(375, 500, crop224);
    expect(plan.resizeWidth).toBe(256);
    expect(plan.resizeHeight).toBe(341);
    expect(plan.cropX).toBe(16);
    expect(Math.abs(plan.cropY - (341 - 224) / 2)).toBeLessThanOrEqual(0.5);
  });

  it('crop on a square image resizes to 256×256', () => {
    expect(planResize(1000, 1000, crop224)).toEqual({ resizeWidth: 256, resizeHeight: 256, cropX: 16, cropY: 16 });
  });

  // torchvision's CenterCrop: crop_left = int(round((w - 224) / 2.0)), and Python's round() halves to even:
  // round(58.5) == 58. README promises the crop mode is torchvision's Resize(256)/CenterCrop(224).
  it('crop offset matches torchvision CenterCrop (Python round, half to even) on 500×375 and 375×500', () => {
    expect(planResize(500, 375, crop224).cropX).toBe(58);
    expect(planResize(375, 500, crop224).cropY).toBe(58);
  });

  // torchvision's Resize(256) sizes the long side as int(256 · long / short), truncated: 640×427 → 383×256.
  it('long side matches torchvision Resize (truncated, not rounded) on 640×427', () => {
    const plan = planResize(640, 427, crop224);
    expect(plan.resizeHeight).toBe(256);
    expect(plan.resizeWidth).toBe(383); // 256 · 640 / 427 = 383.7
  });

  it('the crop window always lies inside the resized image and has the model size', () => {
    const configs = [crop224, defaultPreprocess(320, 240), defaultPreprocess(240, 320), { ...defaultPreprocess(299, 299), cropFraction: 0.875 }];
    const sizes = [[500, 375], [375, 500], [224, 224], [100, 50], [50, 100], [4000, 3000], [10, 1000], [1000, 10], [1, 1], [257, 255]];
    for (const cfg of configs) {
      for (const [w, h] of sizes) {
        const p = planResize(w, h, cfg);
        const where = `${w}×${h} → ${cfg.width}×${cfg.height}: ${JSON.stringify(p)}`;
        expect(p.cropX, where).toBeGreaterThanOrEqual(0);
        expect(p.cropY, where).toBeGreaterThanOrEqual(0);
        expect(p.cropX + cfg.width, where).toBeLessThanOrEqual(p.resizeWidth);
        expect(p.cropY + cfg.height, where).toBeLessThanOrEqual(p.resizeHeight);
        // The aspect ratio is kept (to rounding) unless a side had to be raised to the crop size.
        if (p.resizeWidth > cfg.width && p.resizeHeight > cfg.height) {
          expect(Math.abs(p.resizeWidth / p.resizeHeight - w / h) * Math.min(p.resizeWidth, p.resizeHeight), where).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('stretch ignores the aspect ratio and crops nothing', () => {
    const stretch = { ...crop224, resize: 'stretch' as const };
    expect(planResize(500, 375, stretch)).toEqual({ resizeWidth: 224, resizeHeight: 224, cropX: 0, cropY: 0 });
    expect(planResize(10, 1000, { ...stretch, width: 320, height: 240 })).toEqual({ resizeWidth: 320, resizeHeight: 240, cropX: 0, cropY: 0 });
  });
});

describe('resizeForModel / preprocessImage', () => {
  it('crop mode cuts the centre window (no resampling when the shorter side is already the target)', () => {
    // 4×4 input with cropFraction 0.5 → shorter side 8; an 8×16 portrait is already there, so only the crop acts.
    const src = createRgbaImage(8, 16);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) src.data.set([x * 30, y * 15, 7, 255], (y * 8 + x) * 4);
    const cfg: PreprocessConfig = { ...defaultPreprocess(4, 4), cropFraction: 0.5 };
    const out = resizeForModel(src, cfg);
    expect([out.width, out.height]).toEqual([4, 4]);
    for (let y = 0; y < 4; y++) {
      for (let x = 0; x < 4; x++) {
        const o = (y * 4 + x) * 4;
        expect([out.data[o], out.data[o + 1]]).toEqual([(x + 2) * 30, (y + 6) * 15]);
      }
    }
  });

  it('refuses an empty image', () => {
    expectGlassboxError(() => resizeForModel({ width: 0, height: 0, data: new Uint8ClampedArray(0) }, defaultPreprocess()), 'IMAGE_EMPTY');
  });

  it('turns a constant photo into a constant tensor of the right shape', () => {
    const src = createRgbaImage(500, 375);
    for (let i = 0; i < src.data.length; i += 4) src.data.set([200, 100, 50, 255], i);
    for (const layout of ['NCHW', 'NHWC'] as const) {
      const cfg = { ...defaultPreprocess(), layout };
      const { resized, tensor, dims } = preprocessImage(src, cfg);
      expect([resized.width, resized.height]).toEqual([224, 224]);
      expect(dims).toEqual(layout === 'NCHW' ? [1, 3, 224, 224] : [1, 224, 224, 3]);
      expect(tensor).toHaveLength(3 * 224 * 224);
      const expected = [(200 / 255 - 0.485) / 0.229, (100 / 255 - 0.456) / 0.224, (50 / 255 - 0.406) / 0.225];
      const at = (c: number, i: number) => (layout === 'NCHW' ? tensor[c * 224 * 224 + i] : tensor[i * 3 + c]);
      for (const i of [0, 223, 224 * 112 + 112, 224 * 224 - 1]) {
        for (let c = 0; c < 3; c++) expect(at(c, i)).toBeCloseTo(expected[c], 5);
      }
    }
  });

  it('validates the config before doing any work', () => {
    expectGlassboxError(() => preprocessImage(image3x2(), cfg3x2({ std: [1, 0, 1] })), 'PARAM_INVALID');
  });
});

describe('validatePreprocess', () => {
  it('accepts the defaults and the test configs', () => {
    expect(() => validatePreprocess(defaultPreprocess())).not.toThrow();
    expect(() => validatePreprocess(cfg3x2({ layout: 'NHWC', channelOrder: 'BGR', range: 255, channels: 1 }))).not.toThrow();
  });

  const bad: [string, Partial<PreprocessConfig>][] = [
    ['width 0', { width: 0 }],
    ['fractional height', { height: 2.5 }],
    ['width above 8192', { width: 8193 }],
    ['a std of 0', { std: [0.229, 0, 0.225] }],
    ['a negative std', { std: [0.229, -0.224, 0.225] }],
    ['a NaN mean', { mean: [0.485, Number.NaN, 0.406] }],
    ['range 3', { range: 3 as never }],
    ["layout 'NCWH'", { layout: 'NCWH' as never }],
    ['crop fraction 0', { cropFraction: 0 }],
    ['crop fraction above 1', { cropFraction: 1.2 }],
    ['channels 2', { channels: 2 as never }],
    ['channel order GRB', { channelOrder: 'GRB' as never }],
    ['resize mode fit', { resize: 'fit' as never }],
  ];
  for (const [what, patch] of bad) {
    it(`throws PARAM_INVALID for ${what}`, () => {
      expectGlassboxError(() => validatePreprocess({ ...defaultPreprocess(), ...patch }), 'PARAM_INVALID');
    });
  }
});

describe('describePipeline', () => {
  it('names the centre crop in crop mode, and the intermediate size when the photo size is known', () => {
    const steps = describePipeline(defaultPreprocess(224, 224), 500, 375);
    expect(steps.some((s) => s.includes('centre-crop 224×224'))).toBe(true);
    expect(steps.some((s) => s.includes('256') && s.includes('341×256'))).toBe(true);
  });

  it('has no crop step in stretch mode', () => {
    const steps = describePipeline({ ...defaultPreprocess(), resize: 'stretch' });
    expect(steps.some((s) => s.includes('crop'))).toBe(false);
    expect(steps.some((s) => s.includes('224×224'))).toBe(true);
  });

  it('mentions BGR only when the order is BGR', () => {
    expect(describePipeline({ ...defaultPreprocess(), channelOrder: 'BGR' }).some((s) => s.includes('BGR'))).toBe(true);
    expect(describePipeline(defaultPreprocess()).some((s) => s.includes('BGR'))).toBe(false);
  });

  it('states the tensor layout and shape', () => {
    expect(describePipeline({ ...defaultPreprocess(), layout: 'NHWC' }).join('\n')).toContain('NHWC float32 [1, 224, 224, 3]');
  });
});

describe('matchPreset', () => {
  it('recognises ImageNet at range 1 and scaled ×255', () => {
    expect(matchPreset({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] })).toBe('imagenet');
    expect(matchPreset({ mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] })).toBe('imagenet');
  });

  it('recognises [-1, 1] and none', () => {
    expect(matchPreset({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] })).toBe('minusOneToOne');
    expect(matchPreset({ mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] })).toBe('minusOneToOne');
    expect(matchPreset({ mean: [0, 0, 0], std: [1, 1, 1] })).toBe('none');
  });

  it('returns undefined for custom values and for mixed scales', () => {
    expect(matchPreset({ mean: [0.4, 0.4, 0.4], std: [0.2, 0.2, 0.2] })).toBeUndefined();
    expect(matchPreset({ mean: [0.485, 0.456, 0.406], std: [0.5, 0.5, 0.5] })).toBeUndefined();
    expect(matchPreset({ mean: [123.675, 116.28, 103.53], std: [0.229, 0.224, 0.225] })).toBeUndefined();
    // Caffe's BGR means (in R,G,B order reversed) are not ImageNet's ×255.
    expect(matchPreset({ mean: [103.939, 116.779, 123.68], std: [1, 1, 1] })).toBeUndefined();
  });
});
