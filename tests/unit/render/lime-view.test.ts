/** lime's get_image_and_mask views and the overlay, as pure functions. */
import { describe, expect, it } from 'vitest';
import { COLORMAPS, symmetricLimit } from '../../../src/engine/render/colormap';
import { boundaryMask, boundaryThickness, DEFAULT_VIEW, overlayScale, renderSurrogateOverlay, surrogateLook, visibleFeatures } from '../../../src/engine/render/lime-view';
import { createRgbaImage } from '../../../src/engine/image/types';

const weights = [0.5, -0.9, 0.1, 0, -0.2, 0.7];

describe('visible features', () => {
  it('positive only, strongest first; top k; minimum weight', () => {
    expect(visibleFeatures(weights, { polarity: 'positive', numFeatures: 0, minWeight: 0 })).toEqual([5, 0, 2]);
    expect(visibleFeatures(weights, { polarity: 'positive', numFeatures: 2, minWeight: 0 })).toEqual([5, 0]);
    expect(visibleFeatures(weights, { polarity: 'positive', numFeatures: 0, minWeight: 0.3 })).toEqual([5, 0]);
  });
  it('negative only, most negative first; both by |weight|, zero weights never shown', () => {
    expect(visibleFeatures(weights, { polarity: 'negative', numFeatures: 0, minWeight: 0 })).toEqual([1, 4]);
    expect(visibleFeatures(weights, { polarity: 'both', numFeatures: 3, minWeight: 0 })).toEqual([1, 5, 0]);
    expect(visibleFeatures(weights, { polarity: 'both', numFeatures: 0, minWeight: 0 })).not.toContain(3);
  });
});

describe('boundaries', () => {
  // 6 superpixels as 6 columns of a 6×2 image
  const segments = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5];

  it('boundaries are the pixels whose right or lower neighbour is another superpixel', () => {
    expect(Array.from(boundaryMask(segments, 6, 2))).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0]);
  });

  it('upscaled, a boundary stays one output pixel thin: the last column of each superpixel’s block', () => {
    const mask = boundaryMask([0, 1, 0, 1], 2, 2, { scale: 4 });
    // 8×8 output: superpixel 0 is x 0..3, 1 is x 4..7; only x = 3 is on the border
    for (let y = 0; y < 8; y++) expect(Array.from(mask.slice(y * 8, y * 8 + 8))).toEqual([0, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('thicker boundaries straddle the border', () => {
    // a 2×1 segmentation drawn at 8×4: every row crosses the border once
    const mask = boundaryMask([0, 1], 2, 1, { scale: 4, thickness: 2 });
    for (let y = 0; y < 4; y++) expect(Array.from(mask.slice(y * 8, y * 8 + 8))).toEqual([0, 0, 0, 1, 1, 0, 0, 0]);
    expect(Array.from(boundaryMask([0, 1], 2, 1, { scale: 4, thickness: 3 }).slice(0, 8))).toEqual([0, 0, 1, 1, 1, 0, 0, 0]);
  });

  it('small images are upscaled by a whole factor to at least 384 px and get 1-px boundaries; large ones thicker', () => {
    expect(overlayScale(96, 96)).toBe(4);
    expect(overlayScale(224, 224)).toBe(1);
    expect(overlayScale(32, 16)).toBe(12);
    expect(boundaryThickness(96, 96)).toBe(1);
    expect(boundaryThickness(224, 224)).toBe(1);
    expect(boundaryThickness(1024, 768)).toBe(3);
  });
});

describe('overlay', () => {
  // 6 superpixels as 6 columns of a 6×2 image, mid-grey.
  const image = createRgbaImage(6, 2);
  image.data.fill(128);
  const segments = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5];

  it('colours on a symmetric scale: the strongest negative is the darkest blue end, the strongest positive leans red', () => {
    expect(symmetricLimit(weights)).toBe(0.9);
    const out = renderSurrogateOverlay(image, segments, weights, { ...DEFAULT_VIEW, boundaries: false, opacity: 1 });
    const px = (x: number) => Array.from(out.data.slice(x * 4, x * 4 + 3));
    expect(px(1)).toEqual(Array.from(COLORMAPS.diverging.slice(0, 3))); // −0.9 → entry 0
    expect(px(5)[0]).toBeGreaterThan(px(5)[2]); // +0.7 → red side
    expect(px(3)).toEqual([128, 128, 128]); // weight 0 is not shown: the image stays
  });

  it('the default look for these signed weights: red–blue, grey underlay, transparent at 0 (shap image_plot)', () => {
    expect(surrogateLook(DEFAULT_VIEW)).toEqual({ colormap: 'diverging', greyUnderlay: true, fadeAtZero: true });
    // settings stored before the underlay existed lack it: grey all the same
    expect(surrogateLook({ colormap: 'diverging' }).greyUnderlay).toBe(true);
    expect(surrogateLook({ colormap: 'jet', underlay: 'colour' })).toEqual({ colormap: 'jet', greyUnderlay: false, fadeAtZero: false });
  });

  it('over a coloured image the grey underlay leaves R = G = B where no feature is shown', () => {
    const coloured = createRgbaImage(6, 2);
    for (let i = 0; i < 12; i++) coloured.data.set([0, 200, 220, 255], i * 4);
    const out = renderSurrogateOverlay(coloured, segments, weights, { ...DEFAULT_VIEW, boundaries: false });
    const [r, g, b] = Array.from(out.data.slice(3 * 4, 3 * 4 + 3));
    expect(r).toBe(g);
    expect(g).toBe(b);
    const kept = renderSurrogateOverlay(coloured, segments, weights, { ...DEFAULT_VIEW, boundaries: false, underlay: 'colour' });
    expect(Array.from(kept.data.slice(3 * 4, 3 * 4 + 3))).toEqual([0, 200, 220]);
  });

  it('upscaled overlays repeat each pixel scale × scale times and draw 1-px boundaries', () => {
    const out = renderSurrogateOverlay(image, segments, weights, { ...DEFAULT_VIEW, opacity: 1 }, undefined, { scale: 4 });
    expect([out.width, out.height]).toEqual([24, 8]);
    const at = (x: number, y: number) => Array.from(out.data.slice((y * 24 + x) * 4, (y * 24 + x) * 4 + 3));
    expect(at(4, 0)).toEqual(Array.from(COLORMAPS.diverging.slice(0, 3))); // superpixel 1, first column
    expect(at(6, 5)).toEqual(at(4, 0));
    expect(at(7, 0)).toEqual([255, 255, 0]); // its last column: the boundary
    expect(at(3, 0)).toEqual([255, 255, 0]);
    expect(at(2, 0)).not.toEqual([255, 255, 0]);
  });

  it('hide rest greys out features that are not shown; the highlighted feature gets an outline', () => {
    const out = renderSurrogateOverlay(image, segments, weights, { ...DEFAULT_VIEW, polarity: 'positive', hideRest: true, boundaries: false }, 5);
    expect(out.data[1 * 4]).toBeLessThan(70); // feature 1 is negative: hidden, dark
    expect(Array.from(out.data.slice(5 * 4, 5 * 4 + 3))).toEqual([255, 230, 0]); // outline on feature 5
  });
});
