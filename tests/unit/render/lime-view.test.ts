/** lime's get_image_and_mask views and the overlay, as pure functions. */
import { describe, expect, it } from 'vitest';
import { COLORMAPS, symmetricLimit } from '../../../src/engine/render/colormap';
import { boundaryMask, DEFAULT_VIEW, renderSurrogateOverlay, visibleFeatures } from '../../../src/engine/render/lime-view';
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

describe('overlay', () => {
  // 6 superpixels as 6 columns of a 6×2 image, mid-grey.
  const image = createRgbaImage(6, 2);
  image.data.fill(128);
  const segments = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5];

  it('boundaries are the pixels whose right or lower neighbour is another superpixel', () => {
    expect(Array.from(boundaryMask(segments, 6, 2))).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0]);
  });

  it('colours on a symmetric scale: the strongest negative is the darkest blue end, the strongest positive leans red', () => {
    expect(symmetricLimit(weights)).toBe(0.9);
    const out = renderSurrogateOverlay(image, segments, weights, { ...DEFAULT_VIEW, boundaries: false, opacity: 1 });
    const px = (x: number) => Array.from(out.data.slice(x * 4, x * 4 + 3));
    expect(px(1)).toEqual(Array.from(COLORMAPS.diverging.slice(0, 3))); // −0.9 → entry 0
    expect(px(5)[0]).toBeGreaterThan(px(5)[2]); // +0.7 → red side
    expect(px(3)).toEqual([128, 128, 128]); // weight 0 is not shown: the image stays
  });

  it('hide rest greys out features that are not shown; the highlighted feature gets an outline', () => {
    const out = renderSurrogateOverlay(image, segments, weights, { ...DEFAULT_VIEW, polarity: 'positive', hideRest: true, boundaries: false }, 5);
    expect(out.data[1 * 4]).toBeLessThan(70); // feature 1 is negative: hidden, dark
    expect(Array.from(out.data.slice(5 * 4, 5 * 4 + 3))).toEqual([255, 230, 0]); // outline on feature 5
  });
});
