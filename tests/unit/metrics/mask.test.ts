/** Ground-truth masks: mask images (binary and VOC palette), boxes, polygons, and alignment with the model input. */
import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import { defaultPreprocess, resizeForModel, type PreprocessConfig } from '../../../src/engine/image/preprocess';
import type { RgbaImage } from '../../../src/engine/image/types';
import {
  alignMask,
  boxMask,
  labelColours,
  maskArea,
  maskFromImage,
  polygonMask,
  VOC_CLASSES,
  VOC_VOID,
  vocPaletteColour,
  type Mask,
  type Rgb,
} from '../../../src/engine/metrics/mask';

/** An RGBA image from one [r, g, b, a?] per pixel. */
function image(width: number, height: number, pixels: readonly (readonly number[])[]): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  pixels.forEach(([r, g, b, a = 255], i) => data.set([r, g, b, a], i * 4));
  return { width, height, data };
}

const bits = (m: Mask) => Array.from(m.data);
const rows = (m: Mask) => Array.from({ length: m.height }, (_, y) => Array.from(m.data.subarray(y * m.width, (y + 1) * m.width)).join(''));

function paramError(fn: () => unknown): GlassboxError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GlassboxError);
    expect((e as GlassboxError).code).toBe('PARAM_INVALID');
    return e as GlassboxError;
  }
  throw new Error('expected a PARAM_INVALID error');
}

describe('VOC palette', () => {
  it('has the devkit colours: aeroplane (128,0,0), bicycle (0,128,0), person (192,128,128), void (224,224,192)', () => {
    expect(vocPaletteColour(0)).toEqual([0, 0, 0]);
    expect(vocPaletteColour(VOC_CLASSES.indexOf('aeroplane'))).toEqual([128, 0, 0]);
    expect(vocPaletteColour(VOC_CLASSES.indexOf('bicycle'))).toEqual([0, 128, 0]);
    expect(vocPaletteColour(VOC_CLASSES.indexOf('bird'))).toEqual([128, 128, 0]);
    expect(vocPaletteColour(VOC_CLASSES.indexOf('person'))).toEqual([192, 128, 128]);
    expect(vocPaletteColour(255)).toEqual([...VOC_VOID]);
  });
});

describe('maskFromImage', () => {
  const aeroplane: Rgb = [128, 0, 0], bicycle: Rgb = [0, 128, 0], black = [0, 0, 0], voidColour = [...VOC_VOID];
  // 4×2 SegmentationClass-like label image: 3 aeroplane, 2 bicycle, 2 void (object borders), 1 background.
  const voc = image(4, 2, [aeroplane, aeroplane, voidColour, bicycle, aeroplane, voidColour, bicycle, black]);

  it("'nonzero' marks any non-black, non-transparent pixel (binary/greyscale masks)", () => {
    const grey = image(4, 1, [[0, 0, 0], [1, 1, 1], [255, 255, 255, 0], [255, 255, 255]]);
    const m = maskFromImage(grey, { kind: 'nonzero' });
    expect(bits(m)).toEqual([0, 1, 0, 1]);
    expect([m.width, m.height, m.voidPixels]).toEqual([4, 1, 0]);
  });

  it("'label' selects exactly one VOC class colour; void is never object and is counted", () => {
    const plane = maskFromImage(voc, { kind: 'label', value: aeroplane });
    expect(bits(plane)).toEqual([1, 1, 0, 0, 1, 0, 0, 0]);
    expect(plane.voidPixels).toBe(2);
    expect(bits(maskFromImage(voc, { kind: 'label', value: bicycle }))).toEqual([0, 0, 0, 1, 0, 0, 1, 0]);
    const any = maskFromImage(voc, { kind: 'nonzero' });
    expect(bits(any)).toEqual([1, 1, 0, 1, 1, 0, 1, 0]);
    expect(any.voidPixels).toBe(2);
  });

  it('labelColours lists the classes by pixel count, without background and void', () => {
    expect(labelColours(voc)).toEqual([
      { colour: aeroplane, pixels: 3, vocIndex: 1 },
      { colour: bicycle, pixels: 2, vocIndex: 2 },
    ]);
    expect(labelColours(image(2, 1, [[10, 20, 30], [0, 0, 0]]))).toEqual([{ colour: [10, 20, 30], pixels: 1 }]);
  });

  it('rejects a label colour out of range', () => {
    paramError(() => maskFromImage(voc, { kind: 'label', value: [256, 0, 0] }));
  });
});

describe('boxMask', () => {
  it('a whole-pixel box covers exactly width × height pixels', () => {
    const m = boxMask(6, 5, { x: 1, y: 1, width: 3, height: 2 });
    expect(maskArea(m)).toBe(6);
    expect(rows(m)).toEqual(['000000', '011100', '011100', '000000', '000000']);
  });

  it('takes the pixels whose centres are inside (half-open), and clips to the image', () => {
    expect(rows(boxMask(3, 1, { x: 0.6, y: 0, width: 1, height: 1 }))).toEqual(['010']);
    expect(rows(boxMask(3, 1, { x: 0.4, y: 0, width: 1, height: 1 }))).toEqual(['100']);
    expect(rows(boxMask(4, 3, { x: -2, y: 1, width: 4, height: 10 }))).toEqual(['0000', '1100', '1100']);
    expect(maskArea(boxMask(4, 3, { x: 1, y: 1, width: 0, height: 2 }))).toBe(0);
  });
});

describe('polygonMask', () => {
  it('a rectangle covers exactly its area', () => {
    const m = polygonMask(6, 5, [[1, 1], [4, 1], [4, 3], [1, 3]]);
    expect(maskArea(m)).toBe(6);
    expect(rows(m)).toEqual(['000000', '011100', '011100', '000000', '000000']);
  });

  it('a right triangle takes the pixels whose centres lie below its hypotenuse (x + y < 4: 6 pixels)', () => {
    const m = polygonMask(5, 5, [[0, 0], [4, 0], [0, 4]]);
    expect(rows(m)).toEqual(['11100', '11000', '10000', '00000', '00000']);
  });

  it('even-odd and non-zero differ on a region traced twice', () => {
    const twice: [number, number][] = [[0, 0], [3, 0], [3, 3], [0, 3], [0, 0], [3, 0], [3, 3], [0, 3]];
    expect(maskArea(polygonMask(4, 4, twice, 'evenodd'))).toBe(0);
    expect(maskArea(polygonMask(4, 4, twice, 'nonzero'))).toBe(9);
  });

  it('a square with an inner square traced the other way is a ring under both rules', () => {
    const ring: [number, number][] = [[0, 0], [5, 0], [5, 5], [0, 5], [0, 0], [1, 1], [1, 4], [4, 4], [4, 1], [1, 1]];
    for (const rule of ['evenodd', 'nonzero'] as const) expect(maskArea(polygonMask(5, 5, ring, rule)), rule).toBe(25 - 9);
  });

  it('fewer than three points is an empty region; non-finite points are rejected', () => {
    expect(maskArea(polygonMask(3, 3, [[0, 0], [3, 3]]))).toBe(0);
    paramError(() => polygonMask(3, 3, [[0, 0], [NaN, 1], [2, 2]]));
  });
});

describe('alignMask', () => {
  const stretch = (w: number, h: number): PreprocessConfig => ({ ...defaultPreprocess(w, h), resize: 'stretch' });

  it('stretch: corners map to corners, upscaling and downscaling', () => {
    const corners = { width: 2, height: 2, data: Uint8Array.from([1, 0, 0, 1]) };
    expect(rows(alignMask(corners, stretch(4, 4)))).toEqual(['1100', '1100', '0011', '0011']);
    // 8×6 → 4×3: each model pixel samples the original pixel under its centre (2x, 2y + 1 … i.e. floor((X + .5)·2)).
    const big = boxMask(8, 6, { x: 0, y: 0, width: 2, height: 2 });
    big.data[5 * 8 + 7] = 1;
    big.data[5 * 8 + 6] = 1;
    expect(rows(alignMask(big, stretch(4, 3)))).toEqual(['1000', '0000', '0001']);
  });

  it('crop: a mask of only the cropped-away border aligns to an empty mask, its complement to a full one', () => {
    // 320×240 → shorter side 256 → 341×256, centre crop 224 at (58, 16): the original kept is x ∈ [54.4, 264.6), y ∈ [15, 225).
    const cfg = defaultPreprocess(224, 224);
    const border = new Uint8Array(320 * 240);
    for (let y = 0; y < 240; y++) for (let x = 0; x < 320; x++) if (x < 54 || x >= 265 || y < 15 || y >= 225) border[y * 320 + x] = 1;
    const aligned = alignMask({ width: 320, height: 240, data: border }, cfg);
    expect([aligned.width, aligned.height]).toEqual([224, 224]);
    expect(maskArea(aligned)).toBe(0);
    const inner = alignMask({ width: 320, height: 240, data: border.map((v) => 1 - v) }, cfg);
    expect(maskArea(inner)).toBe(224 * 224);
    // One column further in is seen by the model.
    const wider = boxMask(320, 240, { x: 0, y: 0, width: 55, height: 240 });
    expect(maskArea(alignMask(wider, cfg))).toBeGreaterThan(0);
  });

  it('lines up with the photo: pixels the resized photo shows fully inside (outside) a box are 1 (0)', () => {
    const cfg = { ...defaultPreprocess(64, 48), cropFraction: 0.8 };
    const box = { x: 37, y: 20, width: 61, height: 45 };
    const photo = { width: 150, height: 110, data: new Uint8ClampedArray(150 * 110 * 4) };
    const m = boxMask(150, 110, box);
    for (let i = 0; i < m.data.length; i++) photo.data.set([255 * m.data[i], 0, 0, 255], i * 4);
    const seen = resizeForModel(photo, cfg);
    const aligned = alignMask(m, cfg);
    let checked = 0;
    for (let i = 0; i < aligned.data.length; i++) {
      const red = seen.data[i * 4];
      if (red >= 250) expect(aligned.data[i], `pixel ${i}`).toBe(1);
      if (red <= 5) expect(aligned.data[i], `pixel ${i}`).toBe(0);
      if (red >= 250 || red <= 5) checked++;
    }
    expect(checked).toBeGreaterThan(0.8 * aligned.data.length);
    expect(maskArea(aligned)).toBeGreaterThan(0);
  });

  it('a mask at the model input size is used as is', () => {
    const m = boxMask(224, 224, { x: 10, y: 10, width: 5, height: 5 });
    expect(alignMask(m, defaultPreprocess(224, 224))).toBe(m);
    expect(alignMask(m, defaultPreprocess(224, 224), { width: 640, height: 480 })).toBe(m);
  });

  it('a mask the size of the original is resampled even when the original is the model input size', () => {
    const m = boxMask(224, 224, { x: 0, y: 0, width: 12, height: 224 });
    // crop: 224 → 256, crop offset 16: original columns 0..11 are cut away.
    expect(maskArea(alignMask(m, defaultPreprocess(224, 224), { width: 224, height: 224 }))).toBe(0);
  });

  it('a mask at another resolution with the image aspect is scaled; another aspect is a PARAM_INVALID error', () => {
    const cfg = defaultPreprocess(224, 224);
    const full = boxMask(320, 240, { x: 100, y: 60, width: 100, height: 80 });
    const half = boxMask(160, 120, { x: 50, y: 30, width: 50, height: 40 });
    expect(bits(alignMask(half, cfg, { width: 320, height: 240 }))).toEqual(bits(alignMask(full, cfg)));
    const err = paramError(() => alignMask(boxMask(100, 100, { x: 0, y: 0, width: 1, height: 1 }), cfg, { width: 320, height: 240 }));
    expect(err.message).toMatch(/100×100.*320×240/);
    expect(err.hint).toMatch(/224×224/);
  });
});
