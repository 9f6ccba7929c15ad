/**
 * The exported picture of a result: a one-line title (method, class, model), the overlay at the model's resolution
 * upscaled by a whole factor (nearest neighbour) to at least FIGURE_MIN_SHORT_SIDE px on its short side, and a
 * colour bar with its end and zero ticks and the map's units. Pure: the pixels come back as RGBA and the text as an
 * SVG of the same size to composite on top (the CLI encodes both with sharp; the dashboard can draw the same).
 * Colours follow the dashboard's defaults for the kind (render/defaults.ts; LIME/SHAP weights as lime-view.ts).
 * Options choose another overlay size (a width in px, or the original image's own resolution over the part of it
 * the model saw) and a bare overlay without title, colour bar or margins.
 */
import { GlassboxError } from '../errors';
import { descriptorOf } from '../explain/registry';
import { describeUnits } from '../explain/units';
import type { Explanation } from '../explain/types';
import { planResize, type PreprocessConfig } from '../image/preprocess';
import { cropImage, resizeBilinearAntialiased } from '../image/resize';
import { createRgbaImage, type RgbaImage } from '../image/types';
import { COLORMAPS, type ColormapName } from '../render/colormap';
import { resolveView } from '../render/defaults';
import { DEFAULT_HEATMAP_VIEW, renderHeatmapOverlay } from '../render/heatmap';
import { DEFAULT_VIEW as DEFAULT_SURROGATE_VIEW, surrogateLook } from '../render/lime-view';
import { clippedEnds, colorBarTicks, mapRange } from '../render/scale';
import { escapeXml, wrapWords } from './charts';

export { wrapWords };

export const FIGURE_MIN_SHORT_SIDE = 384;
const MARGIN = 16;
const TITLE_HEIGHT = 36;
const BAR_GAP = 12;
const BAR_HEIGHT = 18;
/** Tick labels under the bar, then the units in lines of this height. */
const TICKS_HEIGHT = 26;
const LINE_HEIGHT = 16;
/** Average width of a 12-px sans-serif character, for wrapping the units line. */
const CHAR_WIDTH = 6.6;
/** The same for the 15-px bold title. */
const TITLE_CHAR_WIDTH = 9;

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export const FIGURE_MAX_SIDE = 16384;
/** The narrowest figure (a smaller overlay is centred in it); the default overlay is always wider. */
export const FIGURE_MIN_WIDTH = 320;

export interface FigureOptions {
  /**
   * The overlay's size. 'auto' (default): the model-resolution overlay upscaled by a whole factor (nearest
   * neighbour) to at least FIGURE_MIN_SHORT_SIDE px on its short side. A number: the overlay's width in px, its
   * height following the map's aspect, resampled bilinearly. 'image': the original image at its own resolution,
   * cut to the part the model saw (the centre-crop window mapped back to it), the map sampled bilinearly onto
   * its pixels; needs `source`.
   */
  size?: 'auto' | number | 'image';
  /** The decoded original image and the preprocessing the result was computed with (for size 'image'). */
  source?: { image: RgbaImage; preprocess: PreprocessConfig };
  /** Only the overlay's pixels at the chosen size: no margins, title, colour bar or units; `svg` is ''. */
  bare?: boolean;
}

export interface Figure {
  /** The whole picture: white, with the overlay and the colour bar drawn in (bare: the overlay alone). */
  pixels: RgbaImage;
  /** Title and labels, as an SVG the size of `pixels`, to composite over it ('' for a bare figure). */
  svg: string;
  /** Where the overlay sits; `scale` is overlay px per map px (whole for 'auto', fractional otherwise). */
  overlay: Box & { scale: number };
  /** Where the colour bar sits (a zero box in a bare figure), its colour map and value range. */
  colorBar: Box & { colormap: ColormapName; range: [number, number] };
  title: string;
}

/** Whole upscaling factor that brings the short side to at least FIGURE_MIN_SHORT_SIDE px. */
export function figureScale(width: number, height: number): number {
  return Math.max(1, Math.ceil(FIGURE_MIN_SHORT_SIDE / Math.max(1, Math.min(width, height))));
}

/** Where the overlay and the colour bar sit in the figure of a width × height map; `width` is the figure's. */
export function figureLayout(mapWidth: number, mapHeight: number): { width: number; overlay: Box & { scale: number }; colorBar: Box } {
  const scale = figureScale(mapWidth, mapHeight);
  return layoutAround(mapWidth * scale, mapHeight * scale, scale);
}

/** The figure laid out around an overlay of the given size. */
function layoutAround(overlayWidth: number, overlayHeight: number, scale: number): { width: number; overlay: Box & { scale: number }; colorBar: Box } {
  // A small overlay is centred in a figure wide enough for its title, colour bar and units.
  const width = Math.max(overlayWidth + 2 * MARGIN, FIGURE_MIN_WIDTH);
  const overlay = { left: Math.floor((width - overlayWidth) / 2), top: TITLE_HEIGHT, width: overlayWidth, height: overlayHeight, scale };
  const colorBar = { left: MARGIN, top: overlay.top + overlay.height + BAR_GAP, width: width - 2 * MARGIN, height: BAR_HEIGHT };
  return { width, overlay, colorBar };
}

/** How the result is coloured: the dashboard's default look for its kind. */
function look(result: Explanation): { colormap: ColormapName; greyUnderlay: boolean; fadeAtZero: boolean; clipPercentile?: number; opacity: number } {
  if (result.kind === 'superpixel-weights') return { ...surrogateLook(DEFAULT_SURROGATE_VIEW), opacity: DEFAULT_SURROGATE_VIEW.opacity };
  return { ...resolveView(DEFAULT_HEATMAP_VIEW, result), opacity: DEFAULT_HEATMAP_VIEW.opacity };
}


/** The figure's one-line title: method, explained class, model. */
export function figureTitle(result: Explanation, modelName: string): string {
  const label = result.targetLabel ? `class ${result.target} (${result.targetLabel})` : `class ${result.target}`;
  return `${descriptorOf(result.method).label} · ${label} · ${modelName}`;
}

/**
 * The window of a `srcWidth` × `srcHeight` original that the model saw, in its own pixels: the whole image for
 * 'stretch', the centre-crop window mapped back through the resize for 'crop'.
 */
export function sourceWindow(srcWidth: number, srcHeight: number, cfg: PreprocessConfig): Box {
  const plan = planResize(srcWidth, srcHeight, cfg);
  const sx = srcWidth / plan.resizeWidth, sy = srcHeight / plan.resizeHeight;
  const left = Math.max(0, Math.round(plan.cropX * sx)), top = Math.max(0, Math.round(plan.cropY * sy));
  const right = Math.min(srcWidth, Math.round((plan.cropX + cfg.width) * sx)), bottom = Math.min(srcHeight, Math.round((plan.cropY + cfg.height) * sy));
  return { left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) };
}

/** The map (mapWidth × mapHeight, row-major) sampled bilinearly at the pixel centres of the source window. */
function mapOnSource(map: ArrayLike<number>, mapWidth: number, mapHeight: number, srcWidth: number, srcHeight: number, cfg: PreprocessConfig, win: Box): Float32Array {
  const plan = planResize(srcWidth, srcHeight, cfg);
  // source px → resized px, less the crop offset → model px; −0.5 from pixel centres to sample indices.
  const kx = plan.resizeWidth / srcWidth, ky = plan.resizeHeight / srcHeight;
  const out = new Float32Array(win.width * win.height);
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v));
  const x0s = new Int32Array(win.width), x1s = new Int32Array(win.width), fxs = new Float32Array(win.width);
  for (let x = 0; x < win.width; x++) {
    const u = clamp((win.left + x + 0.5) * kx - plan.cropX - 0.5, mapWidth - 1);
    x0s[x] = Math.floor(u);
    x1s[x] = Math.min(mapWidth - 1, x0s[x] + 1);
    fxs[x] = u - x0s[x];
  }
  for (let y = 0; y < win.height; y++) {
    const v = clamp((win.top + y + 0.5) * ky - plan.cropY - 0.5, mapHeight - 1);
    const y0 = Math.floor(v), y1 = Math.min(mapHeight - 1, y0 + 1), fy = v - y0;
    const r0 = y0 * mapWidth, r1 = y1 * mapWidth;
    for (let x = 0; x < win.width; x++) {
      const fx = fxs[x], a = x0s[x], b = x1s[x];
      const top = map[r0 + a] * (1 - fx) + map[r0 + b] * fx;
      const bottom = map[r1 + a] * (1 - fx) + map[r1 + b] * fx;
      out[y * win.width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

function checkedWidth(size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > FIGURE_MAX_SIDE) {
    throw new GlassboxError('PARAM_INVALID', `The figure's overlay width must be a whole number of pixels from 1 to ${FIGURE_MAX_SIDE} (got ${size}).`);
  }
  return size;
}

type Look = ReturnType<typeof look>;

/** The overlay's pixels at the chosen size, and its scale (overlay px per map px). */
function overlayPixels(result: Explanation, image: RgbaImage, style: Look, range: [number, number], options: FigureOptions): { pixels: RgbaImage; scale: number } {
  const blend = (under: RgbaImage, map: ArrayLike<number>) =>
    renderHeatmapOverlay(under, map, range, style.colormap, style.opacity, { greyUnderlay: style.greyUnderlay, fadeAtZero: style.fadeAtZero });
  const size = options.size ?? 'auto';
  if (size === 'image') {
    const source = options.source;
    if (!source) throw new GlassboxError('PARAM_INVALID', 'A figure at the image’s own resolution needs the original image and its preprocessing.');
    const cfg = source.preprocess;
    if (cfg.width !== result.width || cfg.height !== result.height) throw new Error(`the preprocessing is ${cfg.width}×${cfg.height}, the result ${result.width}×${result.height}`);
    const { image: original } = source;
    const win = sourceWindow(original.width, original.height, cfg);
    if (win.width * win.height > FIGURE_MAX_SIDE * FIGURE_MAX_SIDE) throw new GlassboxError('PARAM_INVALID', `The image is too large for a figure at its own resolution (${win.width}×${win.height}).`);
    const under = win.width === original.width && win.height === original.height ? original : cropImage(original, win.left, win.top, win.width, win.height);
    const map = mapOnSource(result.map, result.width, result.height, original.width, original.height, cfg, win);
    return { pixels: blend(under, map), scale: win.width / result.width };
  }
  const small = blend(image, result.map);
  if (size === 'auto') {
    const scale = figureScale(result.width, result.height);
    return { pixels: scale === 1 ? small : upscaleNearest(small, scale), scale };
  }
  const width = checkedWidth(size);
  const height = Math.max(1, Math.round((width * result.height) / result.width));
  if (height > FIGURE_MAX_SIDE) throw new GlassboxError('PARAM_INVALID', `A ${width} px wide overlay of this ${result.width}×${result.height} map would be ${height} px high, more than ${FIGURE_MAX_SIDE}.`);
  return { pixels: resizeBilinearAntialiased(small, width, height), scale: width / result.width };
}

function upscaleNearest(small: RgbaImage, scale: number): RgbaImage {
  const out = createRgbaImage(small.width * scale, small.height * scale);
  for (let y = 0; y < out.height; y++) {
    const src = Math.floor(y / scale) * small.width;
    for (let x = 0; x < out.width; x++) {
      const s = (src + Math.floor(x / scale)) * 4, d = (y * out.width + x) * 4;
      out.data[d] = small.data[s];
      out.data[d + 1] = small.data[s + 1];
      out.data[d + 2] = small.data[s + 2];
      out.data[d + 3] = 255;
    }
  }
  return out;
}

/**
 * `image` is the picture at model resolution the result was computed from (result.width × result.height).
 * Options: FigureOptions (size, source for size 'image', bare); the default is the figure described above.
 */
export function renderFigure(result: Explanation, image: RgbaImage, modelName: string, options: FigureOptions = {}): Figure {
  if (image.width !== result.width || image.height !== result.height) throw new Error(`the image is ${image.width}×${image.height}, the result ${result.width}×${result.height}`);
  const style = look(result);
  const range = mapRange(result.map, result.signed, style.clipPercentile);
  const fullTitle = figureTitle(result, modelName);
  const drawn = overlayPixels(result, image, style, range, options);
  const { width: overlayWidth, height: overlayHeight } = drawn.pixels;
  if (options.bare) {
    return {
      pixels: drawn.pixels,
      svg: '',
      overlay: { left: 0, top: 0, width: overlayWidth, height: overlayHeight, scale: drawn.scale },
      colorBar: { left: 0, top: 0, width: 0, height: 0, colormap: style.colormap, range },
      title: fullTitle,
    };
  }
  const layout = layoutAround(overlayWidth, overlayHeight, drawn.scale);
  const { overlay, width } = layout;
  const bar = { ...layout.colorBar, colormap: style.colormap, range };
  const unitLines = wrapWords(result.units ?? describeUnits(result), Math.floor(width / CHAR_WIDTH) - 2);
  const height = bar.top + BAR_HEIGHT + TICKS_HEIGHT + unitLines.length * LINE_HEIGHT + 8;
  const pixels = createRgbaImage(width, height);
  pixels.data.fill(255);
  for (let y = 0; y < overlayHeight; y++) {
    const from = y * overlayWidth * 4;
    for (let x = 0; x < overlayWidth; x++) {
      const s = from + x * 4, d = ((overlay.top + y) * width + overlay.left + x) * 4;
      pixels.data[d] = drawn.pixels.data[s];
      pixels.data[d + 1] = drawn.pixels.data[s + 1];
      pixels.data[d + 2] = drawn.pixels.data[s + 2];
    }
  }
  const lut = COLORMAPS[style.colormap];
  for (let x = 0; x < bar.width; x++) {
    const t = Math.round((x / Math.max(1, bar.width - 1)) * 255);
    for (let y = 0; y < BAR_HEIGHT; y++) {
      const d = ((bar.top + y) * width + bar.left + x) * 4;
      for (let c = 0; c < 3; c++) pixels.data[d + c] = lut[t * 3 + c];
    }
  }
  const titleChars = Math.floor(width / TITLE_CHAR_WIDTH) - 2;
  const title = fullTitle.length > titleChars ? `${fullTitle.slice(0, Math.max(0, titleChars - 1))}…` : fullTitle;
  const ticks = colorBarTicks({ range, signed: result.signed, normalised: false, clipped: clippedEnds(result.map, range) });
  const tickY = bar.top + BAR_HEIGHT + 15;
  const text = (x: number, y: number, anchor: string, size: number, s: string, weight = 'normal') =>
    `<text x="${x.toFixed(1)}" y="${y}" text-anchor="${anchor}" font-size="${size}" font-weight="${weight}">${escapeXml(s)}</text>`;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" fill="#222">`,
    text(MARGIN, 24, 'start', 15, title, 'bold'),
    ...ticks.map((t) => text(bar.left + t.position * bar.width, tickY, t.position === 0 ? 'start' : t.position === 1 ? 'end' : 'middle', 12, t.label)),
    ...unitLines.map((line, i) => text(width / 2, tickY + 20 + i * LINE_HEIGHT, 'middle', 12, line)),
    '</svg>',
  ].join('');
  return { pixels, svg, overlay, colorBar: bar, title };
}
