/**
 * lime's get_image_and_mask views as pure functions: which superpixels to show (positive only, negative only or
 * both; top num_features by weight; minimum weight), and the overlay pixels with boundaries like skimage's
 * mark_boundaries. Small images are drawn upscaled (nearest neighbour) so that boundaries can be one screen
 * pixel thin instead of one image pixel (4 screen pixels on a 96-px image shown at 400 px).
 */
import type { RgbaImage } from '../image/types';
import { createRgbaImage } from '../image/types';
import { COLORMAPS, fade, symmetricLimit, type ColormapName } from './colormap';
import { luma } from './underlay';

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
  /** 'auto': the red–blue map centred on 0 (the weights are signed), as shap's image_plot. */
  colormap: ColormapName | 'auto';
  /** The image under the colours: greyscale ('auto' for these signed weights) or as it is. */
  underlay: 'auto' | 'grey' | 'colour';
  /** Several classes explained: each drawn on its own range ('normalised'), or one range for all ('raw'). */
  scale: 'normalised' | 'raw';
}

export const DEFAULT_VIEW: SurrogateView = { polarity: 'both', numFeatures: 0, minWeight: 0, hideRest: false, boundaries: true, opacity: 0.6, colormap: 'auto', underlay: 'auto', scale: 'normalised' };

/** The colour map and underlay a view resolves to (settings stored before `underlay` existed lack it). */
export function surrogateLook(view: Pick<SurrogateView, 'colormap'> & Partial<Pick<SurrogateView, 'underlay'>>): { colormap: ColormapName; greyUnderlay: boolean; fadeAtZero: boolean } {
  const colormap = view.colormap === 'auto' ? 'diverging' : view.colormap;
  return { colormap, greyUnderlay: (view.underlay ?? 'auto') !== 'colour', fadeAtZero: colormap === 'diverging' };
}

/** Indices of the features the view shows, strongest first (as lime ranks them). */
export function visibleFeatures(weights: readonly number[], view: Pick<SurrogateView, 'polarity' | 'numFeatures' | 'minWeight'>): number[] {
  const keep = weights
    .map((w, i) => [w, i] as const)
    .filter(([w]) => (view.polarity === 'positive' ? w > 0 : view.polarity === 'negative' ? w < 0 : w !== 0) && Math.abs(w) >= view.minWeight)
    .sort((a, b) => (view.polarity === 'negative' ? a[0] - b[0] : Math.abs(b[0]) - Math.abs(a[0])) || a[1] - b[1])
    .map(([, i]) => i);
  return view.numFeatures > 0 ? keep.slice(0, view.numFeatures) : keep;
}

/** The overlay's pixel size (at least 384 px on its longer side, by whole factors): small images get upscaled. */
export const OVERLAY_MIN_PX = 384;

/** Whole upscaling factor for an overlay of a width × height image (1 for images of OVERLAY_MIN_PX and more). */
export function overlayScale(width: number, height: number): number {
  return Math.max(1, Math.floor(OVERLAY_MIN_PX / Math.max(width, height, 1)));
}

/**
 * Boundary thickness in overlay pixels: 1 on small (upscaled) images, growing with the image so that it stays
 * about one screen pixel when a large image is shown at about 400 px.
 */
export function boundaryThickness(width: number, height: number, scale = overlayScale(width, height)): number {
  return scale > 1 ? 1 : Math.max(1, Math.round(Math.max(width, height) / 400));
}

interface Grid {
  /** Source pixel of every overlay pixel. */
  source(x: number, y: number): number;
  W: number;
  H: number;
}

function grid(width: number, height: number, scale: number): Grid {
  const col = Int32Array.from({ length: width * scale }, (_, x) => Math.floor(x / scale));
  const row = Int32Array.from({ length: height * scale }, (_, y) => Math.floor(y / scale) * width);
  return { source: (x, y) => row[y] + col[x], W: width * scale, H: height * scale };
}

/**
 * Pixels on the border between two superpixels, at `scale` × the segmentation's size: a pixel whose right or
 * lower neighbour is another superpixel (as mark_boundaries' default mode), widened to `thickness` pixels across
 * the border.
 */
export function boundaryMask(segments: ArrayLike<number>, width: number, height: number, options: { scale?: number; thickness?: number } = {}): Uint8Array {
  const scale = options.scale ?? 1;
  const thickness = Math.max(1, options.thickness ?? 1);
  const { source, W, H } = grid(width, height, scale);
  const out = new Uint8Array(W * H);
  const before = Math.floor((thickness - 1) / 2), after = thickness - 1 - before;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const s = segments[source(x, y)];
      if (x + 1 < W && segments[source(x + 1, y)] !== s) for (let d = -before; d <= after; d++) if (x + d >= 0 && x + d < W) out[y * W + x + d] = 1;
      if (y + 1 < H && segments[source(x, y + 1)] !== s) for (let d = -before; d <= after; d++) if (y + d >= 0 && y + d < H) out[(y + d) * W + x] = 1;
    }
  }
  return out;
}

export interface SurrogateRenderOptions {
  /** Whole upscaling factor (overlayScale); the output is scale × the image's size. Default 1. */
  scale?: number;
  /** Boundary thickness in output pixels (boundaryThickness). Default 1. */
  thickness?: number;
  /** The |weight| drawn at full colour (a scale shared by several classes); default this class's largest |weight|. */
  limit?: number;
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
  options: SurrogateRenderOptions = {},
): RgbaImage {
  const { width, height } = image;
  const scale = options.scale ?? 1;
  const shown = new Uint8Array(weights.length);
  for (const f of visibleFeatures(weights, view)) shown[f] = 1;
  const limit = options.limit ?? (symmetricLimit(weights) || 1);
  const look = surrogateLook(view);
  const lut = COLORMAPS[look.colormap];
  // the composite at the image's own size, then upscaled
  const small = new Uint8ClampedArray(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const s = segments[i];
    let r = image.data[i * 4], g = image.data[i * 4 + 1], b = image.data[i * 4 + 2];
    if (look.greyUnderlay) r = g = b = luma(r, g, b);
    if (shown[s]) {
      const u = Math.max(0, Math.min(1, (weights[s] / limit + 1) / 2));
      const t = Math.round(u * 255);
      const a = look.fadeAtZero ? view.opacity * fade(u) : view.opacity;
      r = r * (1 - a) + lut[t * 3] * a;
      g = g * (1 - a) + lut[t * 3 + 1] * a;
      b = b * (1 - a) + lut[t * 3 + 2] * a;
    } else if (view.hideRest) {
      r = g = b = 40 + luma(r, g, b) * 0.15;
    }
    small[i * 3] = r;
    small[i * 3 + 1] = g;
    small[i * 3 + 2] = b;
  }
  const { source, W, H } = grid(width, height, scale);
  const out = createRgbaImage(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = source(x, y), o = (y * W + x) * 4;
      out.data[o] = small[i * 3];
      out.data[o + 1] = small[i * 3 + 1];
      out.data[o + 2] = small[i * 3 + 2];
      out.data[o + 3] = 255;
    }
  }
  const thickness = options.thickness ?? 1;
  if (view.boundaries) {
    const borders = boundaryMask(segments, width, height, { scale, thickness });
    for (let p = 0; p < W * H; p++) if (borders[p]) out.data.set([255, 255, 0, 255], p * 4);
  }
  if (highlight !== undefined) {
    // an outline inside the highlighted superpixel, one pixel wider than the boundaries
    const reach = thickness + 1;
    const inside = (x: number, y: number) => x < 0 || y < 0 || x >= W || y >= H || segments[source(x, y)] === highlight;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (segments[source(x, y)] !== highlight) continue;
        let edge = false;
        for (let d = 1; d <= reach && !edge; d++) edge = !inside(x - d, y) || !inside(x + d, y) || !inside(x, y - d) || !inside(x, y + d);
        if (edge) out.data.set([255, 230, 0, 255], (y * W + x) * 4);
      }
    }
  }
  return out;
}
