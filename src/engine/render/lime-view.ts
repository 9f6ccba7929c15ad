/**
 * lime's get_image_and_mask views as pure functions: which superpixels to show (positive only, negative only or
 * both; top num_features by weight; minimum weight), and the overlay pixels with boundaries like skimage's
 * mark_boundaries.
 */
import type { RgbaImage } from '../image/types';
import { createRgbaImage } from '../image/types';
import { COLORMAPS, symmetricLimit, type ColormapName } from './colormap';

export type Polarity = 'positive' | 'negative' | 'both';

export interface SurrogateView {
  polarity: Polarity;
  /** Show only the strongest features (by |weight| for 'both'); 0 shows all. */
  numFeatures: number;
  /** Hide features whose |weight| is below this. */
  minWeight: number;
  /** Grey out everything not shown (lime's hide_rest). */
  hideRest: boolean;
  boundaries: boolean;
  /** Overlay opacity 0..1. */
  opacity: number;
  colormap: ColormapName;
}

export const DEFAULT_VIEW: SurrogateView = { polarity: 'both', numFeatures: 0, minWeight: 0, hideRest: false, boundaries: true, opacity: 0.6, colormap: 'diverging' };

/** Indices of the features the view shows, strongest first (as lime ranks them). */
export function visibleFeatures(weights: readonly number[], view: Pick<SurrogateView, 'polarity' | 'numFeatures' | 'minWeight'>): number[] {
  const keep = weights
    .map((w, i) => [w, i] as const)
    .filter(([w]) => (view.polarity === 'positive' ? w > 0 : view.polarity === 'negative' ? w < 0 : w !== 0) && Math.abs(w) >= view.minWeight)
    .sort((a, b) => (view.polarity === 'negative' ? a[0] - b[0] : Math.abs(b[0]) - Math.abs(a[0])) || a[1] - b[1])
    .map(([, i]) => i);
  return view.numFeatures > 0 ? keep.slice(0, view.numFeatures) : keep;
}

/** Pixels on the border between two superpixels (4-neighbourhood), like mark_boundaries' 'thick'-less default. */
export function boundaryMask(segments: ArrayLike<number>, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const s = segments[i];
      if ((x + 1 < width && segments[i + 1] !== s) || (y + 1 < height && segments[i + width] !== s)) out[i] = 1;
    }
  }
  return out;
}

/**
 * Compose the image with the attribution of the visible features in a colour map on a symmetric scale.
 * `highlight` (a feature index) is drawn with a bright outline (hover linking with the bar chart).
 */
export function renderSurrogateOverlay(
  image: RgbaImage,
  segments: ArrayLike<number>,
  weights: readonly number[],
  view: SurrogateView,
  highlight?: number,
): RgbaImage {
  const { width, height } = image;
  const out = createRgbaImage(width, height);
  const shown = new Uint8Array(weights.length);
  for (const f of visibleFeatures(weights, view)) shown[f] = 1;
  const limit = symmetricLimit(weights) || 1;
  const lut = COLORMAPS[view.colormap];
  const borders = view.boundaries || highlight !== undefined ? boundaryMask(segments, width, height) : undefined;
  for (let i = 0; i < width * height; i++) {
    const s = segments[i];
    let r = image.data[i * 4], g = image.data[i * 4 + 1], b = image.data[i * 4 + 2];
    if (shown[s]) {
      const t = Math.round(((weights[s] / limit + 1) / 2) * 255);
      const a = view.opacity;
      r = r * (1 - a) + lut[t * 3] * a;
      g = g * (1 - a) + lut[t * 3 + 1] * a;
      b = b * (1 - a) + lut[t * 3 + 2] * a;
    } else if (view.hideRest) {
      const grey = 0.299 * r + 0.587 * g + 0.114 * b;
      r = g = b = 40 + grey * 0.15;
    }
    if (borders?.[i] && (view.boundaries || s === highlight)) {
      [r, g, b] = s === highlight ? [255, 230, 0] : [255, 255, 0];
    }
    out.data[i * 4] = r;
    out.data[i * 4 + 1] = g;
    out.data[i * 4 + 2] = b;
    out.data[i * 4 + 3] = 255;
  }
  if (highlight !== undefined && borders) {
    // Outline the highlighted superpixel on both sides of its border.
    for (let i = 0; i < width * height; i++) {
      if (segments[i] !== highlight) continue;
      const x = i % width;
      const edge = (x > 0 && segments[i - 1] !== highlight) || (x + 1 < width && segments[i + 1] !== highlight) || (i >= width && segments[i - width] !== highlight) || (i + width < width * height && segments[i + width] !== highlight);
      if (edge) out.data.set([255, 230, 0, 255], i * 4);
    }
  }
  return out;
}
