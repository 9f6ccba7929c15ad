/**
 * The exported picture of a result: a one-line title (method, class, model), the overlay at the model's resolution
 * upscaled by a whole factor (nearest neighbour) to at least FIGURE_MIN_SHORT_SIDE px on its short side, and a
 * colour bar with its end and zero ticks and the map's units. Pure: the pixels come back as RGBA and the text as an
 * SVG of the same size to composite on top (the CLI encodes both with sharp; the dashboard can draw the same).
 * Colours follow the dashboard's defaults for the kind (render/defaults.ts; LIME/SHAP weights as lime-view.ts).
 */
import { descriptorOf } from '../explain/registry';
import { describeUnits } from '../explain/units';
import type { Explanation } from '../explain/types';
import { createRgbaImage, type RgbaImage } from '../image/types';
import { COLORMAPS, type ColormapName } from '../render/colormap';
import { resolveView } from '../render/defaults';
import { DEFAULT_HEATMAP_VIEW, renderHeatmapOverlay } from '../render/heatmap';
import { DEFAULT_VIEW as DEFAULT_SURROGATE_VIEW, surrogateLook } from '../render/lime-view';
import { clippedEnds, colorBarTicks, mapRange } from '../render/scale';

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

export interface Figure {
  /** The whole picture: white, with the overlay and the colour bar drawn in. */
  pixels: RgbaImage;
  /** Title and labels, as an SVG the size of `pixels`, to composite over it. */
  svg: string;
  overlay: Box & { scale: number };
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
  const overlay = { left: MARGIN, top: TITLE_HEIGHT, width: mapWidth * scale, height: mapHeight * scale, scale };
  const colorBar = { left: MARGIN, top: overlay.top + overlay.height + BAR_GAP, width: overlay.width, height: BAR_HEIGHT };
  return { width: overlay.width + 2 * MARGIN, overlay, colorBar };
}

/** How the result is coloured: the dashboard's default look for its kind. */
function look(result: Explanation): { colormap: ColormapName; greyUnderlay: boolean; fadeAtZero: boolean; clipPercentile?: number; opacity: number } {
  if (result.kind === 'superpixel-weights') return { ...surrogateLook(DEFAULT_SURROGATE_VIEW), opacity: DEFAULT_SURROGATE_VIEW.opacity };
  return { ...resolveView(DEFAULT_HEATMAP_VIEW, result), opacity: DEFAULT_HEATMAP_VIEW.opacity };
}

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** The figure's one-line title: method, explained class, model. */
export function figureTitle(result: Explanation, modelName: string): string {
  const label = result.targetLabel ? `class ${result.target} (${result.targetLabel})` : `class ${result.target}`;
  return `${descriptorOf(result.method).label} · ${label} · ${modelName}`;
}

/** Lines of at most `max` characters, broken between words. */
export function wrapWords(textLine: string, max: number): string[] {
  const lines: string[] = [];
  for (const word of textLine.split(/\s+/).filter(Boolean)) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= max) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

/** `image` is the picture at model resolution the result was computed from (result.width × result.height). */
export function renderFigure(result: Explanation, image: RgbaImage, modelName: string): Figure {
  if (image.width !== result.width || image.height !== result.height) throw new Error(`the image is ${image.width}×${image.height}, the result ${result.width}×${result.height}`);
  const style = look(result);
  const range = mapRange(result.map, result.signed, style.clipPercentile);
  const small = renderHeatmapOverlay(image, result.map, range, style.colormap, style.opacity, { greyUnderlay: style.greyUnderlay, fadeAtZero: style.fadeAtZero });
  const layout = figureLayout(result.width, result.height);
  const { overlay, width } = layout;
  const { scale, width: overlayWidth, height: overlayHeight } = overlay;
  const bar = { ...layout.colorBar, colormap: style.colormap, range };
  const unitLines = wrapWords(result.units ?? describeUnits(result), Math.floor(width / CHAR_WIDTH) - 2);
  const height = bar.top + BAR_HEIGHT + TICKS_HEIGHT + unitLines.length * LINE_HEIGHT + 8;
  const pixels = createRgbaImage(width, height);
  pixels.data.fill(255);
  for (let y = 0; y < overlayHeight; y++) {
    const src = Math.floor(y / scale) * result.width;
    const row = (overlay.top + y) * width + overlay.left;
    for (let x = 0; x < overlayWidth; x++) {
      const s = (src + Math.floor(x / scale)) * 4, d = (row + x) * 4;
      pixels.data[d] = small.data[s];
      pixels.data[d + 1] = small.data[s + 1];
      pixels.data[d + 2] = small.data[s + 2];
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
  const fullTitle = figureTitle(result, modelName);
  const titleChars = Math.floor(width / TITLE_CHAR_WIDTH) - 2;
  const title = fullTitle.length > titleChars ? `${fullTitle.slice(0, titleChars - 1)}…` : fullTitle;
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
