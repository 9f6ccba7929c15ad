/**
 * Heatmap overlays for per-pixel maps (CAMs, gradient attributions): a colour map blended over the image.
 * Scales: 'normalised' stretches each map to its own range (pytorch-grad-cam's show_cam_on_image); 'raw' keeps
 * one scale for every class of the run (the largest |value| among them), so a class the model barely sees
 * looks faint instead of being stretched to full colour (pytorch-grad-cam#267). Signed maps use a symmetric
 * diverging scale with 0 in the middle.
 */
import { createRgbaImage, type RgbaImage } from '../image/types';
import { COLORMAPS, symmetricLimit, type ColormapName } from './colormap';

export interface HeatmapView {
  /** 'auto': jet for unsigned maps (as pytorch-grad-cam), diverging for signed ones. */
  colormap: ColormapName | 'auto';
  opacity: number;
  scale: 'normalised' | 'raw';
}

export const DEFAULT_HEATMAP_VIEW: HeatmapView = { colormap: 'auto', opacity: 0.5, scale: 'normalised' };

export function effectiveColormap(view: HeatmapView, signed: boolean): ColormapName {
  return view.colormap === 'auto' ? (signed ? 'diverging' : 'jet') : view.colormap;
}

/** The value range a map is drawn with: [lo, hi] mapped onto the colour map. */
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

export function renderHeatmapOverlay(image: RgbaImage, map: ArrayLike<number>, range: [number, number], colormap: ColormapName, opacity: number): RgbaImage {
  const { width, height } = image;
  if (map.length !== width * height) throw new Error(`map has ${map.length} values for a ${width}×${height} image`);
  const out = createRgbaImage(width, height);
  const lut = COLORMAPS[colormap];
  const [lo, hi] = range;
  const span = hi - lo || 1;
  for (let i = 0; i < width * height; i++) {
    const t = Math.max(0, Math.min(255, Math.round(((map[i] - lo) / span) * 255)));
    for (let c = 0; c < 3; c++) out.data[i * 4 + c] = image.data[i * 4 + c] * (1 - opacity) + lut[t * 3 + c] * opacity;
    out.data[i * 4 + 3] = 255;
  }
  return out;
}
