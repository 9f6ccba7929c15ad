/** Heatmap overlay pixels: the greyscale underlay, fading at 0 for signed maps, saturation beyond the range. */
import { describe, expect, it } from 'vitest';
import { createRgbaImage } from '../../../src/engine/image/types';
import { COLORMAPS, colorBarStops } from '../../../src/engine/render/colormap';
import { renderHeatmapOverlay } from '../../../src/engine/render/heatmap';
import { greyscale, luma } from '../../../src/engine/render/underlay';

// a cyan image: its colour must not leak into the overlay when the underlay is grey
const cyan = createRgbaImage(3, 1);
for (let i = 0; i < 3; i++) cyan.data.set([0, 200, 220, 255], i * 4);
const px = (img: { data: ArrayLike<number> }, i: number) => Array.from(img.data).slice(i * 4, i * 4 + 3);

describe('greyscale underlay', () => {
  it('R = G = B = the BT.601 luma', () => {
    const g = greyscale(cyan);
    const v = Math.round(luma(0, 200, 220));
    expect(px(g, 0)).toEqual([v, v, v]);
    expect(v).toBe(Math.round(0.587 * 200 + 0.114 * 220));
  });

  it('where a signed map is 0 the overlay is the grey image; at the ends it is the colour map’s end colour', () => {
    const out = renderHeatmapOverlay(cyan, [0, -1, 1], [-1, 1], 'diverging', 1, { greyUnderlay: true, fadeAtZero: true });
    const [r, g, b] = px(out, 0);
    expect(r).toBe(g);
    expect(g).toBe(b);
    expect(px(out, 1)).toEqual(Array.from(COLORMAPS.diverging.slice(0, 3)));
    expect(px(out, 2)).toEqual(Array.from(COLORMAPS.diverging.slice(255 * 3, 256 * 3)));
  });

  it('fading: a value half-way to the limit gets √½ of the opacity; without fading every pixel gets the full opacity', () => {
    const one = createRgbaImage(1, 1);
    one.data.set([100, 100, 100, 255]);
    const t = Math.round(0.75 * 255);
    const half = renderHeatmapOverlay(one, [0.5], [-1, 1], 'diverging', 1, { fadeAtZero: true });
    expect(px(half, 0)[0]).toBeCloseTo(100 * (1 - Math.SQRT1_2) + COLORMAPS.diverging[t * 3] * Math.SQRT1_2, 0);
    const full = renderHeatmapOverlay(one, [0.5], [-1, 1], 'diverging', 1);
    expect(px(full, 0)).toEqual(Array.from(COLORMAPS.diverging.slice(t * 3, t * 3 + 3)));
  });

  it('without the grey underlay the image keeps its colour (the old behaviour a cyan star under red misread)', () => {
    const out = renderHeatmapOverlay(cyan, [0, 0, 0], [-1, 1], 'diverging', 0.5, { fadeAtZero: true });
    expect(px(out, 0)).toEqual([0, 200, 220]);
  });

  it('values beyond a clipped range saturate at the end colour', () => {
    const out = renderHeatmapOverlay(cyan, [5, 1, -5], [0, 1], 'jet', 1);
    expect(px(out, 0)).toEqual(px(out, 1));
    expect(px(out, 2)).toEqual(Array.from(COLORMAPS.jet.slice(0, 3)));
  });

  it('the colour bar of a fading map is transparent in the middle and opaque at the ends', () => {
    const stops = colorBarStops('diverging', true, 5);
    expect(stops.map((s) => s.alpha)).toEqual([1, Math.SQRT1_2, 0, Math.SQRT1_2, 1]);
    expect(colorBarStops('jet', false, 3).map((s) => s.alpha)).toEqual([1, 1, 1]);
  });
});
