/**
 * The dashboard's two charts as standalone SVG documents for exports and the HTML report: the surrogate weights
 * (WeightsChart.tsx: bars sorted by weight, coloured as on the map) and the deletion/insertion curves
 * (FaithfulnessPlots.tsx: axes, shaded area, dashed random baseline, AUC legend). Pure strings: explicit size, a
 * white background, one font family, no external references; every text is escaped for XML.
 */
import type { FaithfulnessCurve, FaithfulnessMetrics, SuperpixelExplanation } from '../explain/types';
import { colourAt, type ColormapName } from '../render/colormap';
import { DEFAULT_VIEW as DEFAULT_SURROGATE_VIEW, surrogateLook } from '../render/lime-view';
import { formatValue } from '../render/scale';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Text for XML content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
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

const svgOpen = (width: number, height: number, label: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="11" fill="#222" role="img" aria-label="${escapeXml(label)}">` +
  `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`;

const text = (x: number, y: number, s: string, attrs = '') => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(s)}</text>`;

export interface WeightsChartOptions {
  /** Most bars drawn: longer lists show the max/2 highest and max/2 lowest weights (default 30). */
  max?: number;
  /** Colour map of the bars (default: the dashboard's for superpixel weights, as on the figure). */
  colormap?: ColormapName;
  /** Width of the SVG in px (default 420). */
  width?: number;
}

const ROW = 16;

/**
 * The weight per superpixel of a LIME/KernelSHAP result as horizontal bars, highest first, coloured by the map's
 * colour map at (w / limit + 1) / 2, with each bar's superpixel id and value, the zero line and the units.
 */
export function weightsChartSvg(result: Pick<SuperpixelExplanation, 'weights' | 'units'>, options: WeightsChartOptions = {}): string {
  const width = options.width ?? 420;
  const colormap = options.colormap ?? surrogateLook(DEFAULT_SURROGATE_VIEW).colormap;
  const order = result.weights.map((w, i) => [w, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const half = Math.max(1, Math.floor((options.max ?? 30) / 2));
  const cut = order.length > 2 * half;
  const rows = cut ? [...order.slice(0, half), ...order.slice(order.length - half)] : order;
  const limit = Math.max(...result.weights.map((w) => (Number.isFinite(w) ? Math.abs(w) : 0)), 1e-12);
  const labelWidth = 92, zero = labelWidth + (width - labelWidth - 10) / 2, halfBar = (width - labelWidth - 10) / 2 - 4;
  const maxChars = Math.floor((width - 16) / 6.6);
  const heading = wrapWords(`Weight per superpixel${result.units ? ` (${result.units})` : ''}`, maxChars);
  const captionLines = [...heading, ...wrapWords(`${order.length} superpixels${cut ? `, the ${half} highest and ${half} lowest listed` : ''}`, maxChars)];
  const top = 14 + captionLines.length * 15 + 14;
  const gap = cut ? ROW : 0;
  const height = top + rows.length * ROW + gap + 8;
  const parts = [svgOpen(width, height, 'Weights per superpixel')];
  captionLines.forEach((line, i) => parts.push(text(8, 16 + i * 15, line, i < heading.length ? 'font-weight="bold"' : '')));
  const scaleY = top - 6;
  parts.push(text(zero - halfBar, scaleY, formatValue(-limit), 'text-anchor="start"'), text(zero, scaleY, '0', 'text-anchor="middle"'), text(zero + halfBar, scaleY, formatValue(limit, true), 'text-anchor="end"'));
  parts.push(`<line class="zero" x1="${zero.toFixed(1)}" x2="${zero.toFixed(1)}" y1="${top - 2}" y2="${height - 4}" stroke="#8a93a6"/>`);
  rows.forEach(([w, i], row) => {
    const y = top + row * ROW + (cut && row >= half ? gap : 0);
    const len = Math.min(1, Math.abs(w) / limit) * halfBar;
    const [r, g, b] = colourAt(colormap, Math.max(0, Math.min(1, (w / limit + 1) / 2)));
    parts.push(
      `<g class="bar-row" data-feature="${i}">`,
      text(8, y + 12, `#${i}`),
      text(38, y + 12, formatValue(w, true)),
      `<rect class="bar" x="${(w >= 0 ? zero : zero - len).toFixed(1)}" y="${y + 2}" width="${Math.max(len, 0.5).toFixed(1)}" height="${ROW - 4}" fill="rgb(${r},${g},${b})"/>`,
      '</g>',
    );
    if (cut && row === half - 1) parts.push(text(zero, y + ROW + 12, `… ${order.length - 2 * half} more …`, 'text-anchor="middle" fill="#666"'));
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface CurvesOptions {
  /** Width of one plot in px (default 340); the SVG holds two side by side. */
  plotWidth?: number;
}

const X_TICKS = [0, 0.25, 0.5, 0.75, 1];
const Y_TICKS = [0, 0.25, 0.5, 0.75, 1];
const PLOT_HEIGHT = 300;

/** One plot (deletion or insertion) at horizontal offset `left`. */
function curvePlot(left: number, plotWidth: number, curve: FaithfulnessCurve, random: FaithfulnessCurve | undefined, title: string, better: string, action: string, kind: string): string {
  const frame = { left: left + 50, right: left + plotWidth - 12, top: 40, bottom: 200 };
  const px = (x: number) => frame.left + Math.max(0, Math.min(1, x)) * (frame.right - frame.left);
  const py = (y: number) => frame.bottom - Math.max(0, Math.min(1, Number.isFinite(y) ? y : 0)) * (frame.bottom - frame.top);
  const points = (c: FaithfulnessCurve) => c.x.map((x, i) => `${px(x).toFixed(2)},${py(c.y[i]).toFixed(2)}`).join(' ');
  const line = points(curve);
  const parts = [`<g class="curve-plot ${kind}">`, text(left + 8, 16, title, 'font-weight="bold" font-size="13"'), text(left + 8, 31, better, 'fill="#555"')];
  for (const t of Y_TICKS) {
    parts.push(`<line x1="${frame.left}" x2="${frame.right}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#e3e6ec"/>`);
    parts.push(text(frame.left - 5, py(t) + 3.5, String(t), 'text-anchor="end"'));
  }
  for (const t of X_TICKS) {
    parts.push(`<line x1="${px(t).toFixed(1)}" x2="${px(t).toFixed(1)}" y1="${frame.bottom}" y2="${frame.bottom + 4}" stroke="#444"/>`);
    parts.push(text(px(t), frame.bottom + 15, String(t), 'text-anchor="middle"'));
  }
  parts.push(`<rect class="frame" x="${frame.left}" y="${frame.top}" width="${frame.right - frame.left}" height="${frame.bottom - frame.top}" fill="none" stroke="#444"/>`);
  parts.push(`<polygon class="area" points="${px(0).toFixed(2)},${frame.bottom} ${line} ${px(1).toFixed(2)},${frame.bottom}" fill="#2b6cb0" fill-opacity="0.15" stroke="none"/>`);
  if (random) parts.push(`<polyline class="random" points="${points(random)}" fill="none" stroke="#888" stroke-width="1.5" stroke-dasharray="5 4"/>`);
  parts.push(`<polyline class="curve" points="${line}" fill="none" stroke="#2b6cb0" stroke-width="2"/>`);
  parts.push(text((frame.left + frame.right) / 2, frame.bottom + 32, `fraction of pixels ${action}`, 'text-anchor="middle"'));
  const midY = (frame.top + frame.bottom) / 2;
  parts.push(`<text x="0" y="0" transform="translate(${left + 14} ${midY}) rotate(-90)" text-anchor="middle">class probability</text>`);
  const legendY = frame.bottom + 56;
  parts.push(`<line x1="${frame.left}" x2="${frame.left + 24}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="#2b6cb0" stroke-width="2"/>`);
  parts.push(text(frame.left + 30, legendY, `this map: AUC ${curve.auc.toFixed(3)}`, 'class="auc"'));
  if (random) {
    parts.push(`<line x1="${frame.left}" x2="${frame.left + 24}" y1="${legendY + 14}" y2="${legendY + 14}" stroke="#888" stroke-width="1.5" stroke-dasharray="5 4"/>`);
    parts.push(text(frame.left + 30, legendY + 18, `random order: AUC ${random.auc.toFixed(3)}`, 'class="auc-random"'));
  }
  parts.push('</g>');
  return parts.join('');
}

/**
 * Deletion (left) and insertion (right) curves: class probability against the fraction of pixels changed, the
 * map's order solid with its area shaded, the random order dashed, and each one's AUC in the legend.
 */
export function curvesSvg(metrics: Pick<FaithfulnessMetrics, 'deletion' | 'insertion' | 'random'>, options: CurvesOptions = {}): string {
  const plotWidth = options.plotWidth ?? 340;
  const width = 2 * plotWidth, height = PLOT_HEIGHT;
  const label = `Deletion AUC ${metrics.deletion.auc.toFixed(3)}, insertion AUC ${metrics.insertion.auc.toFixed(3)}`;
  return [
    svgOpen(width, height, label),
    curvePlot(0, plotWidth, metrics.deletion, metrics.random?.deletion, 'Deletion', 'most important pixels removed first (lower is better)', 'deleted', 'deletion'),
    curvePlot(plotWidth, plotWidth, metrics.insertion, metrics.random?.insertion, 'Insertion', 'most important pixels restored first (higher is better)', 'inserted', 'insertion'),
    '</svg>',
  ].join('');
}
