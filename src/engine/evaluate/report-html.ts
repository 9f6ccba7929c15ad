/**
 * An evaluation as one self-contained HTML page: the summary (mean and bootstrap interval per model × method ×
 * metric) and, optionally, the per-image rows with small pictures as data: URLs. Inline CSS, no script, nothing
 * loaded (the report's CSP). Written by the CLI's --report and the page's dataset mode.
 */
import { escapeXml } from '../export/charts';
import { REPORT_CSP } from '../export/report';
import { LOCALISATION_METRICS } from '../metrics/localisation';
import { AGGREGATE_METRICS, type EvaluationRow, type EvaluationSummary } from './aggregate';

export const METRIC_HELP: Record<string, string> = {
  ...Object.fromEntries(LOCALISATION_METRICS.map((m) => [m.id, `${m.help} (${m.reference})`])),
  deletionAuc: 'Area under the deletion curve: the class probability as the most important pixels are removed first; lower is better (Petsiuk et al. 2018, RISE).',
  insertionAuc: 'Area under the insertion curve: the class probability as the most important pixels are restored onto a blurred image; higher is better (Petsiuk et al. 2018, RISE).',
  ms: 'Wall time of one explanation (and its curves), in milliseconds.',
};

export interface ReportRows {
  rows: readonly EvaluationRow[];
  /** A picture per row (same order): a data:image/… URL, or undefined for none. */
  pictures?: readonly (string | undefined)[];
}

const cell = (v: number | undefined, id: string) => (v === undefined || !Number.isFinite(v) ? '–' : id === 'ms' ? v.toFixed(1) : v.toFixed(3));

function rowsTable(present: typeof AGGREGATE_METRICS, { rows, pictures }: ReportRows): string {
  const head = `<tr>${pictures ? '<th>picture</th>' : ''}<th>image</th><th>model</th><th>method</th><th>target</th><th>score</th>${present.map((m) => `<th>${escapeXml(m.label)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r, i) => {
      const picture = pictures?.[i];
      const safe = picture && /^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/=]+$/.test(picture) ? picture : undefined;
      const values = present.map((m) => {
        const v = r[m.id];
        return `<td>${typeof v === 'boolean' ? (v ? 'hit' : 'miss') : cell(v, m.id)}</td>`;
      });
      return `<tr>${pictures ? `<td>${safe ? `<img src="${safe}" alt="" width="48">` : ''}</td>` : ''}<th scope="row">${escapeXml(r.image)}</th><td>${escapeXml(r.model)}</td><td>${escapeXml(r.method)}</td><td>${escapeXml(r.label)} (#${r.target})</td><td>${cell(r.score, 'score')}</td>${values.join('')}</tr>`;
    })
    .join('\n');
  return `<h2>Per image</h2>\n<table class="rows"><thead>${head}</thead>\n<tbody>\n${body}\n</tbody></table>`;
}

/** The summary (and, with `perImage`, every row) as one self-contained HTML page. */
export function summaryHtml(summary: EvaluationSummary, source: string, generatedAt: string, perImage?: ReportRows): string {
  const present = AGGREGATE_METRICS.filter((m) => summary.groups.some((g) => g.metrics[m.id].n > 0));
  const rows = summary.groups
    .map((g) => {
      const cells = present.map((m) => {
        const s = g.metrics[m.id];
        return s.n === 0 ? '<td>–</td>' : `<td><b>${cell(s.mean, m.id)}</b><br><small>[${cell(s.low, m.id)}, ${cell(s.high, m.id)}] · n ${s.n}</small></td>`;
      });
      return `<tr><th scope="row">${escapeXml(g.model)}</th><td>${escapeXml(g.method)}</td><td>${g.rows}</td>${cells.join('')}</tr>`;
    })
    .join('\n');
  const legend = present.map((m) => `<li><b>${escapeXml(m.label)}</b> (${m.better} is better): ${escapeXml(METRIC_HELP[m.id] ?? '')}</li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<title>Glassbox evaluation: ${escapeXml(source)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1a1a1a}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.35rem .6rem;text-align:right;vertical-align:top}
th[scope=row],td:nth-child(2){text-align:left}thead th{background:#f3f3f3}small{color:#555}
${perImage ? 'table.rows td,table.rows th{vertical-align:middle}table.rows img{image-rendering:pixelated;display:block}\n' : ''}</style></head><body>
<h1>Glassbox evaluation</h1>
<p>${escapeXml(source)} · generated ${escapeXml(generatedAt)}</p>
<table><thead><tr><th>model</th><th>method</th><th>rows</th>${present.map((m) => `<th>${escapeXml(m.label)}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody></table>
<p>Mean over images; below it the ${Math.round(summary.level * 100)} % percentile-bootstrap interval of the mean (${summary.resamples} resamples, seed ${summary.seed}) and the number of images with a value.</p>
<ul>
${legend}
</ul>
${perImage ? rowsTable(present, perImage) + '\n' : ''}</body></html>
`;
}
