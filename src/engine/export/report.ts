/**
 * The HTML report: one self-contained page for several runs (a summary table, then each run's figure, curves,
 * weights chart and details), that opens offline and loads nothing — inline CSS, images as data: URLs, a CSP
 * that forbids everything else, no executing script. The result files ride along in a JSON script block (which
 * never executes), so parseReport gives back exactly what was reported. Pure: the caller encodes the figure PNG
 * (sharp in Node, a canvas in the browser) and passes the result file's text (serializeResultFile).
 */
import { GlassboxError } from '../errors';
import { descriptorOf } from '../explain/registry';
import { curvesSvg, escapeXml, weightsChartSvg } from './charts';
import { explanationOf, parseResultFile, type ResultFile } from './result-json';

export interface ReportRun {
  /** The result file's text, as serializeResultFile writes it. */
  resultJson: string;
  /** The figure (renderFigure, encoded as PNG) as a data:image/png;base64 URL. */
  figurePng: string;
  /** The run's heading; default: method · class · image. */
  title?: string;
  /** The picture the model saw (model input size) as a data:image/png;base64 URL, carried so that a re-opened
   *  report draws each run over its own image (reportInputImages). */
  inputPng?: string;
}

export interface ReportMeta {
  title: string;
  /** When the report was made, as the caller wants it shown (ISO 8601 is a good choice). */
  generatedAt: string;
  /** Glassbox's version. */
  glassbox: string;
}

export const REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";
/** The id of the script block holding the result files (a JSON array). */
export const REPORT_RESULTS_ID = 'glassbox-results';
/** The id of the script block holding each run's model-input picture (a JSON array of data URLs or null). */
export const REPORT_INPUTS_ID = 'glassbox-inputs';

const PNG_DATA_URL = /^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/;

const CSS = `
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; background: #fff; margin: 24px; max-width: 1200px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; border-top: 1px solid #ccd; padding-top: 16px; }
p.meta { color: #555; margin: 0 0 16px; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
th, td { border: 1px solid #d5d9e0; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f2f4f7; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
.run-body { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.run-body img { max-width: 100%; height: auto; border: 1px solid #e3e6ec; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; margin-top: 8px; }
.charts svg { max-width: 100%; height: auto; border: 1px solid #e3e6ec; }
.warning { color: #9a3412; } .info { color: #1e40af; }
ul.quality { margin: 0; padding-left: 18px; }
`;

const esc = escapeXml;
const shortSha = (sha: string) => sha.slice(0, 12);
const auc = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(3));

/** Parameters as key=value, nested objects with dotted keys. */
export function flattenParams(params: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value)) out.push(...flattenParams(value as Record<string, unknown>, name));
    else out.push(`${name}=${Array.isArray(value) ? value.join(',') : String(value)}`);
  }
  return out;
}

const classOf = (f: ResultFile) => `${f.target}${f.targetLabel ? ` (${f.targetLabel})` : ''}`;
const methodOf = (f: ResultFile) => `${descriptorOf(f.method).label} (${f.method})`;
const defaultTitle = (f: ResultFile) => `${descriptorOf(f.method).label} · class ${classOf(f)} · ${f.image.name}`;

function aucCell(f: ResultFile, which: 'deletion' | 'insertion'): string {
  const m = f.metrics;
  if (!m) return '—';
  const random = m.random?.[which];
  return `${auc(m[which].auc)}${random ? ` (random ${auc(random.auc)})` : ''}`;
}

function qualityList(f: ResultFile): string {
  if (!f.quality?.length) return 'none';
  return `<ul class="quality">${f.quality.map((q) => `<li class="${q.level === 'warning' ? 'warning' : 'info'}">${esc(q.level)}: ${esc(q.message)}</li>`).join('')}</ul>`;
}

/** An SVG document inline in HTML: the HTML parser puts <svg> in the SVG namespace, so xmlns can go. */
const inlineSvg = (svg: string) => svg.replace(/^<svg xmlns="[^"]*"/, '<svg');

function detailsTable(f: ResultFile): string {
  const rows: [string, string][] = [
    ['method', esc(methodOf(f))],
    ['class', esc(classOf(f))],
    ['model', `${esc(f.model.name)} <code>${esc(shortSha(f.model.sha256))}</code>`],
    ['image', `${esc(f.image.name)} <code>${esc(shortSha(f.image.sha256))}</code>`],
    ['input', esc(`${f.preprocess.width}×${f.preprocess.height}, ${String(f.preprocess.resize)}`)],
    ['parameters', flattenParams(f.params).map((p) => `<code>${esc(p)}</code>`).join(' ') || '—'],
    ['seed', String(f.seed)],
    ['time', `${f.timings.totalMs.toFixed(0)} ms`],
    ['model calls', String(f.timings.modelCalls)],
    ['deletion AUC (lower is better)', esc(aucCell(f, 'deletion'))],
    ['insertion AUC (higher is better)', esc(aucCell(f, 'insertion'))],
    ['quality', qualityList(f)],
    ['units', esc(f.units ?? '—')],
    ['run on', esc(`Glassbox ${f.glassbox}, ${f.backend}, ${f.threads} thread${f.threads === 1 ? '' : 's'}`)],
  ];
  return `<table class="details">${rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function summaryTable(files: ResultFile[], titles: string[]): string {
  const head = ['#', 'method', 'class', 'model', 'image', 'deletion AUC', 'insertion AUC', 'time', 'model calls', 'quality'];
  const rows = files.map((f, i) => [
    `<a href="#run-${i + 1}">${i + 1}</a>`,
    esc(methodOf(f)),
    esc(classOf(f)),
    `${esc(f.model.name)} <code>${esc(shortSha(f.model.sha256))}</code>`,
    `${esc(f.image.name)} <code>${esc(shortSha(f.image.sha256))}</code>`,
    esc(aucCell(f, 'deletion')),
    esc(aucCell(f, 'insertion')),
    `${f.timings.totalMs.toFixed(0)} ms`,
    String(f.timings.modelCalls),
    f.quality?.length ? esc(`${f.quality.length} signal${f.quality.length === 1 ? '' : 's'}`) : 'none',
  ]);
  return [
    `<table class="summary" aria-label="${esc(`Summary of ${titles.length} runs`)}">`,
    `<tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr>`,
    ...rows.map((r) => `<tr>${r.map((c, k) => `<td${k === 0 || k >= 5 ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`),
    '</table>',
  ].join('\n');
}

/** JSON text safe inside <script>: no "<" at all, so no "</script>" or "<!--". */
const scriptSafe = (json: string) => json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

/** The result files (and the model-input pictures, when given) as JSON blocks, which never execute. */
function dataBlocks(runs: ReportRun[]): string {
  const results = `<script type="application/json" id="${REPORT_RESULTS_ID}">${scriptSafe(`[${runs.map((r) => r.resultJson.trim()).join(',')}]`)}</script>`;
  if (!runs.some((r) => r.inputPng)) return results;
  return `${results}\n<script type="application/json" id="${REPORT_INPUTS_ID}">${scriptSafe(JSON.stringify(runs.map((r) => r.inputPng ?? null)))}</script>`;
}

/** One self-contained HTML page reporting the runs, in order. */
export function buildReport(runs: ReportRun[], meta: ReportMeta): string {
  const files = runs.map((r, i) => {
    try {
      return parseResultFile(r.resultJson);
    } catch (e) {
      throw new GlassboxError('PARAM_INVALID', `Run ${i + 1} of the report: ${(e as Error).message}`, (e as GlassboxError).hint);
    }
  });
  runs.forEach((r, i) => {
    if (!PNG_DATA_URL.test(r.figurePng)) throw new GlassboxError('PARAM_INVALID', `Run ${i + 1} of the report: its figure must be a data:image/png;base64 URL.`);
    if (r.inputPng !== undefined && !PNG_DATA_URL.test(r.inputPng)) throw new GlassboxError('PARAM_INVALID', `Run ${i + 1} of the report: its input picture must be a data:image/png;base64 URL.`);
  });
  const titles = runs.map((r, i) => r.title ?? defaultTitle(files[i]));
  const sections = files.map((f, i) => {
    const explanation = explanationOf(f);
    const charts = [
      f.metrics ? `<figure class="curves">${inlineSvg(curvesSvg(f.metrics))}</figure>` : '',
      explanation.kind === 'superpixel-weights' ? `<figure class="weights">${inlineSvg(weightsChartSvg(explanation))}</figure>` : '',
    ].filter(Boolean);
    return [
      `<section class="run" id="run-${i + 1}">`,
      `<h2>${i + 1}. ${esc(titles[i])}</h2>`,
      '<div class="run-body">',
      `<img src="${runs[i].figurePng}" alt="${esc(`${titles[i]}: the map over the image`)}">`,
      detailsTable(f),
      '</div>',
      charts.length ? `<div class="charts">${charts.join('')}</div>` : '',
      '</section>',
    ].join('\n');
  });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${esc(`Glassbox ${meta.glassbox}`)}">`,
    `<title>${esc(meta.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${esc(meta.title)}</h1>`,
    `<p class="meta">${esc(`Generated ${meta.generatedAt} by Glassbox ${meta.glassbox} · ${runs.length} run${runs.length === 1 ? '' : 's'}`)}</p>`,
    summaryTable(files, titles),
    ...sections,
    dataBlocks(runs),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const NO_RESULTS_HINT = 'Open an HTML report that Glassbox wrote (npm run explain -- --report FILE, or the dashboard’s report export).';

/** The result files embedded in a report, each checked as parseResultFile checks a .json file. */
export function parseReport(html: string): ResultFile[] {
  const match = new RegExp(`<script type="application/json" id="${REPORT_RESULTS_ID}">([\\s\\S]*?)</script>`).exec(html);
  if (!match) throw new GlassboxError('PARAM_INVALID', 'This HTML file holds no Glassbox results.', NO_RESULTS_HINT);
  let list: unknown;
  try {
    list = JSON.parse(match[1]);
  } catch (e) {
    throw new GlassboxError('PARAM_INVALID', 'The Glassbox results in this HTML file are damaged: they are not JSON.', NO_RESULTS_HINT, (e as Error).message);
  }
  if (!Array.isArray(list)) throw new GlassboxError('PARAM_INVALID', 'The Glassbox results in this HTML file are damaged: they are not a list.', NO_RESULTS_HINT);
  return list.map((item, i) => {
    try {
      return parseResultFile(JSON.stringify(item));
    } catch (e) {
      throw new GlassboxError('PARAM_INVALID', `Result ${i + 1} in this report: ${(e as Error).message}`, (e as GlassboxError).hint);
    }
  });
}

/**
 * Each run's model-input picture (a data:image/png;base64 URL) in a report, in the order of parseReport's
 * results; undefined for a run without one (or a report made without them).
 */
export function reportInputImages(html: string): (string | undefined)[] {
  const count = parseReportBlock(html, REPORT_RESULTS_ID)?.length ?? 0;
  const inputs = parseReportBlock(html, REPORT_INPUTS_ID);
  return Array.from({ length: count }, (_, i) => {
    const url = inputs?.[i];
    return typeof url === 'string' && PNG_DATA_URL.test(url) ? url : undefined;
  });
}

/** A JSON-array script block's content, or undefined when there is none or it is not a JSON array. */
function parseReportBlock(html: string, id: string): unknown[] | undefined {
  const match = new RegExp(`<script type="application/json" id="${id}">([\\s\\S]*?)</script>`).exec(html);
  if (!match) return undefined;
  try {
    const list: unknown = JSON.parse(match[1]);
    return Array.isArray(list) ? list : undefined;
  } catch {
    return undefined;
  }
}
