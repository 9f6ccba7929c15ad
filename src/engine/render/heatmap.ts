/**
 * Heatmap overlays for per-pixel maps (CAMs, gradient attributions, RISE, SHAP): a colour map blended over the
 * image. Scales: 'normalised' draws each map on its own range (pytorch-grad-cam's show_cam_on_image stretches
 * each map to [0, 1]); 'raw' keeps one range for every class of the run, so a class the model barely sees looks
 * faint instead of being stretched to full colour (pytorch-grad-cam#267). Signed maps use a symmetric range with
 * 0 in the middle. Which colour map, underlay and clipping a kind gets by default: defaults.ts.
 */
import { createRgbaImage, type RgbaImage } from '../image/types';
import { COLORMAPS, fade, symmetricLimit, type ColormapName } from './colormap';
import type { ViewChoices } from './defaults';
import { greyscale } from './underlay';

export interface HeatmapView extends ViewChoices {
  /** 'auto': the default for the result's kind (defaults.ts). */
  colormap: ColormapName | 'auto';
  opacity: number;
  scale: 'normalised' | 'raw';
  underlay: 'auto' | 'grey' | 'colour';
  clip: 'auto' | 'on' | 'off';
}

export const DEFAULT_HEATMAP_VIEW: HeatmapView = { colormap: 'auto', opacity: 0.5, scale: 'normalised', underlay: 'auto', clip: 'auto' };

/** The value range a map is drawn with: [lo, hi] mapped onto the colour map (no clipping; scale.ts has more). */
export function heatmapRange(map: ArrayLike<number>, signed: boolean, scale: HeatmapView['scale'], sharedLimit: number): [number, number] {
  if (scale === 'raw') return signed ? [-sharedLimit, sharedLimit] : [0, sharedLimit];
  if (signed) {
    const l = symmetricLimit(map);
    return [-l, l];
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < map.length; i++) (lo = Math.min(lo, map[i])), (hi = Math.max(hi, map[i]));
  return [lo, hi];
}

export interface OverlayOptions {
  /** Draw the image in greyscale under the colours (shap's image_plot), so its colours cannot fake a sign. */
  greyUnderlay?: boolean;
  /**
   * Opacity grows with the distance from the range's centre (√ of it, so that mid-sized values stay visible): a
   * signed map is transparent at 0 and shows the image there, as shap's red_transparent_blue.
   */
  fadeAtZero?: boolean;
}

/** Blend the map's colours over the image; values outside the range take the colour map's end colours. */
export function renderHeatmapOverlay(image: RgbaImage, map: ArrayLike<number>, range: [number, number], colormap: ColormapName, opacity: number, options: OverlayOptions = {}): RgbaImage {
  const { width, height } = image;
  if (map.length !== width * height) throw new Error(`map has ${map.length} values for a ${width}×${height} image`);
  const base = options.greyUnderlay ? greyscale(image) : image;
  const out = createRgbaImage(width, height);
  const lut = COLORMAPS[colormap];
  const [lo, hi] = range;
  const span = hi - lo || 1;
  for (let i = 0; i < width * height; i++) {
    const u = Math.max(0, Math.min(1, (map[i] - lo) / span));
    const t = Math.round(u * 255);
    const a = options.fadeAtZero ? opacity * fade(u) : opacity;
    for (let c = 0; c < 3; c++) out.data[i * 4 + c] = base.data[i * 4 + c] * (1 - a) + lut[t * 3 + c] * a;
    out.data[i * 4 + 3] = 255;
  }
  return out;
}
