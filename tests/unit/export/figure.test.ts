import { describe, expect, it } from 'vitest';
import { figureLayout, figureScale, renderFigure, sourceWindow, wrapWords } from '../../../src/engine/export/figure';
import type { Explanation } from '../../../src/engine/explain/types';
import { defaultPreprocess } from '../../../src/engine/image/preprocess';
import { createRgbaImage } from '../../../src/engine/image/types';
import { COLORMAPS } from '../../../src/engine/render/colormap';

describe('exported figure', () => {
  it('upscales by a whole factor to at least 384 px on the short side', () => {
    expect(figureScale(96, 96)).toBe(4);
    expect(figureScale(224, 224)).toBe(2);
    expect(figureScale(384, 384)).toBe(1);
    expect(figureScale(500, 100)).toBe(4);
    expect(figureLayout(96, 96).overlay).toMatchObject({ width: 384, height: 384, scale: 4 });
  });

  it('wraps a long units line between words', () => {
    expect(wrapWords('a bb ccc dddd', 6)).toEqual(['a bb', 'ccc', 'dddd']);
  });

  it('draws the overlay, the colour bar in the kind’s colour map, and a title with method, class and model (escaped)', () => {
    const image = createRgbaImage(4, 4);
    image.data.fill(128);
    const result = {
      kind: 'cam', method: 'gradcam', target: 2, targetLabel: 'cat & dog', width: 4, height: 4, signed: false, scoreSpace: 'raw',
      map: Array.from({ length: 16 }, (_, i) => i), classes: [], params: {}, seed: 0, normalisedMap: [], layer: 'l', cam: [], camWidth: 1, camHeight: 1,
      timings: { totalMs: 0, inferenceMs: 0, modelCalls: 0, samples: 0, batchSize: 1 },
    } as Explanation;
    const fig = renderFigure(result, image, 'model.onnx');
    expect(fig.title).toBe('Grad-CAM · class 2 (cat & dog) · model.onnx');
    expect(fig.svg).toContain('cat &amp; dog');
    expect(fig.colorBar.colormap).toBe('jet');
    const px = (x: number, y: number) => [...fig.pixels.data.subarray((y * fig.pixels.width + x) * 4, (y * fig.pixels.width + x) * 4 + 3)];
    const y = fig.colorBar.top + 2;
    expect(px(fig.colorBar.left, y)).toEqual([...COLORMAPS.jet.subarray(0, 3)]);
    expect(px(fig.colorBar.left + fig.colorBar.width - 1, y)).toEqual([...COLORMAPS.jet.subarray(765, 768)]);
    // nearest-neighbour upscaling: each map pixel is a scale × scale block
    const { left, top, scale } = fig.overlay;
    expect(px(left, top)).toEqual(px(left + scale - 1, top + scale - 1));
    expect(px(left, top)).not.toEqual(px(left + scale, top));
    expect(() => renderFigure(result, createRgbaImage(3, 3), 'm')).toThrow(/3×3/);
  });
});

describe('figure options: size, the image’s own resolution, bare', () => {
  const cam = (width: number, height: number, map: number[]): Explanation =>
    ({
      kind: 'cam', method: 'gradcam', target: 1, width, height, signed: false, scoreSpace: 'raw', map, classes: [], params: {}, seed: 0,
      normalisedMap: [], layer: 'l', cam: [], camWidth: 1, camHeight: 1, timings: { totalMs: 0, inferenceMs: 0, modelCalls: 0, samples: 0, batchSize: 1 },
    }) as Explanation;
  const grey = (width: number, height: number, v = 128) => {
    const img = createRgbaImage(width, height);
    img.data.fill(v);
    return img;
  };
  const pixelOf = (img: { width: number; data: ArrayLike<number> }, x: number, y: number) => [0, 1, 2].map((c) => img.data[(y * img.width + x) * 4 + c]);
  const ramp = (w: number, h: number) => Array.from({ length: w * h }, (_, i) => i % w);
  const cropCfg = { ...defaultPreprocess(8, 8), resize: 'crop' as const, cropFraction: 0.5 };

  it('no options and size "auto" give the default figure', () => {
    const r = cam(4, 4, ramp(4, 4));
    const a = renderFigure(r, grey(4, 4), 'm'), b = renderFigure(r, grey(4, 4), 'm', { size: 'auto' });
    expect(Buffer.compare(Buffer.from(b.pixels.data), Buffer.from(a.pixels.data))).toBe(0);
    expect(b.svg).toBe(a.svg);
    expect(a.overlay).toMatchObject({ width: 384, height: 384, scale: 96 });
  });

  it('a width in px resamples the overlay to it, keeping the aspect, smoothly; the figure is laid out around it', () => {
    const r = cam(8, 4, ramp(8, 4));
    const fig = renderFigure(r, grey(8, 4), 'model.onnx', { size: 1024 });
    expect(fig.overlay).toMatchObject({ left: 16, top: 36, width: 1024, height: 512, scale: 128 });
    expect(fig.pixels.width).toBe(1024 + 32);
    expect(fig.colorBar).toMatchObject({ left: 16, width: 1024, top: 36 + 512 + 12 });
    expect(fig.pixels.height).toBeGreaterThan(fig.colorBar.top + fig.colorBar.height);
    expect(fig.svg).toContain(`width="${fig.pixels.width}" height="${fig.pixels.height}"`);
    // bilinear: one row across the overlay has many more colours than the map has columns
    const row = new Set(Array.from({ length: 1024 }, (_, x) => pixelOf(fig.pixels, 16 + x, 36 + 256).join(',')));
    expect(row.size).toBeGreaterThan(100);
    // a smaller width works too (downscaled)
    expect(renderFigure(r, grey(8, 4), 'm', { size: 6, bare: true }).pixels).toMatchObject({ width: 6, height: 3 });
    expect(() => renderFigure(r, grey(8, 4), 'm', { size: 0 })).toThrow(/whole number of pixels/);
    expect(() => renderFigure(r, grey(8, 4), 'm', { size: 10.5 })).toThrow(/whole number of pixels/);
  });

  it('the crop window maps back to the original image’s pixels', () => {
    // 200×100 → shorter side 16 → 32×16, centre crop 8×8 at (12, 4) → source x 75…125, y 25…75
    expect(sourceWindow(200, 100, cropCfg)).toEqual({ left: 75, top: 25, width: 50, height: 50 });
    expect(sourceWindow(100, 200, cropCfg)).toEqual({ left: 25, top: 75, width: 50, height: 50 });
    expect(sourceWindow(640, 480, { ...cropCfg, resize: 'stretch' })).toEqual({ left: 0, top: 0, width: 640, height: 480 });
  });

  it('size "image": the part of the original the model saw, at its own resolution, never the cropped-away border', () => {
    // a red border around the crop window, grey inside it
    const source = createRgbaImage(200, 100);
    for (let y = 0; y < 100; y++) {
      for (let x = 0; x < 200; x++) {
        const inside = x >= 75 && x < 125 && y >= 25 && y < 75;
        source.data.set(inside ? [128, 128, 128, 255] : [255, 0, 0, 255], (y * 200 + x) * 4);
      }
    }
    const r = cam(8, 8, new Array(64).fill(0.5));
    const fig = renderFigure(r, grey(8, 8), 'm', { size: 'image', source: { image: source, preprocess: cropCfg }, bare: true });
    expect(fig.pixels).toMatchObject({ width: 50, height: 50 });
    const first = pixelOf(fig.pixels, 0, 0);
    for (let y = 0; y < 50; y++) for (let x = 0; x < 50; x++) expect(pixelOf(fig.pixels, x, y)).toEqual(first);
    // the same colour as the model-resolution overlay of the same grey
    expect(first).toEqual(pixelOf(renderFigure(r, grey(8, 8), 'm', { bare: true }).pixels, 0, 0));
    const full = renderFigure(r, grey(8, 8), 'm', { size: 'image', source: { image: source, preprocess: cropCfg } });
    expect(full.overlay).toMatchObject({ width: 50, height: 50 });
    // a small overlay is centred in a figure wide enough for its title and colour bar
    expect(full.pixels.width).toBe(320);
    expect(full.overlay).toMatchObject({ left: 135, width: 50 });
    expect(full.colorBar).toMatchObject({ left: 16, width: 320 - 32 });
    expect(() => renderFigure(r, grey(8, 8), 'm', { size: 'image' })).toThrow(/original image/);
  });

  it('size "image" samples the map bilinearly onto the original’s pixels (stretch: the whole image)', () => {
    const cfg = { ...defaultPreprocess(4, 2), resize: 'stretch' as const };
    const r = cam(4, 2, ramp(4, 2));
    const fig = renderFigure(r, grey(4, 2), 'm', { size: 'image', source: { image: grey(40, 20), preprocess: cfg }, bare: true });
    expect(fig.pixels).toMatchObject({ width: 40, height: 20 });
    expect(fig.overlay.scale).toBe(10);
    const model = renderFigure(r, grey(4, 2), 'm', { bare: true }).pixels;
    const scale = 384 / 2;
    // the ends are the map's end cells (clamped); in between, the colour changes a little at every pixel
    expect(pixelOf(fig.pixels, 0, 0)).toEqual(pixelOf(model, 0, 0));
    expect(pixelOf(fig.pixels, 39, 19)).toEqual(pixelOf(model, 3 * scale, 1 * scale));
    const row = new Set(Array.from({ length: 40 }, (_, x) => pixelOf(fig.pixels, x, 10).join(',')));
    expect(row.size).toBeGreaterThan(20);
  });

  it('bare: the overlay alone, no white margin, title bar or text', () => {
    const r = cam(4, 4, ramp(4, 4));
    const fig = renderFigure(r, grey(4, 4), 'model.onnx', { bare: true });
    expect(fig.pixels).toMatchObject({ width: 384, height: 384 });
    expect(fig.svg).toBe('');
    expect(fig.overlay).toMatchObject({ left: 0, top: 0, width: 384, height: 384 });
    expect(fig.colorBar).toMatchObject({ width: 0, height: 0, colormap: 'jet' });
    expect(fig.title).toBe('Grad-CAM · class 1 · model.onnx');
    for (const [x, y] of [[0, 0], [383, 0], [0, 383], [383, 383], [192, 0], [0, 192]]) expect(pixelOf(fig.pixels, x, y)).not.toEqual([255, 255, 255]);
    expect(renderFigure(r, grey(4, 4), 'm', { bare: true, size: 100 }).pixels).toMatchObject({ width: 100, height: 100 });
  });
});
