/**
 * Evaluation rows as CSV (RFC 4180: comma-separated, a field quoted when it holds a comma, a quote, CR or LF, with
 * quotes doubled inside; written with "\n" line ends, read with CRLF or LF), back again for merging shards, and the
 * summary as a text table. Numbers are written in JavaScript's shortest round-trip form, so a row read back is the
 * same row bit for bit and a merged summary equals the single run's.
 */
import { GlassboxError } from '../errors';
import { AGGREGATE_METRICS, type EvaluationRow, type EvaluationSummary } from './aggregate';

type Column = keyof EvaluationRow;

/** The CSV's columns, in order. */
export const ROW_COLUMNS: readonly Column[] = [
  'image', 'model', 'method', 'target', 'label', 'predicted', 'score',
  'pointing', 'relevanceMass', 'rankAccuracy', 'iou', 'dice', 'auc', 'deletionAuc', 'insertionAuc',
  'ms', 'modelCalls', 'seed', 'note',
];

const TEXT_COLUMNS = new Set<Column>(['image', 'model', 'method', 'label', 'note']);
const REQUIRED_COLUMNS: readonly Column[] = ['image', 'model', 'method', 'target', 'label', 'predicted', 'score', 'ms', 'modelCalls', 'seed'];

/** One field, quoted when it must be (RFC 4180 §2.6–2.7). */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function cell(row: EvaluationRow, column: Column): string {
  const value = row[column];
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  return csvField(String(value));
}

export function csvHeader(): string {
  return ROW_COLUMNS.join(',');
}

/** One row as a CSV line (no line end). */
export function csvLine(row: EvaluationRow): string {
  return ROW_COLUMNS.map((c) => cell(row, c)).join(',');
}

/** Header and rows, each line ending in "\n". */
export function rowsToCsv(rows: Iterable<EvaluationRow>): string {
  const lines = [csvHeader()];
  for (const row of rows) lines.push(csvLine(row));
  return lines.join('\n') + '\n';
}

/** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF ends a record. */
export function parseCsv(text: string, fileName = 'CSV'): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i: number;
  let quoted = false;
  let line = 1;
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark from spreadsheet exports
  for (i = start; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"') {
      if (field !== '') throw new GlassboxError('PARAM_INVALID', `${fileName}, line ${line}: a quote inside an unquoted field.`, 'Quote the whole field and double the quotes inside it ("a ""b"" c").');
      quoted = true;
    } else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      line++;
    } else field += ch;
  }
  if (quoted) throw new GlassboxError('PARAM_INVALID', `${fileName}: a quoted field is never closed.`, 'Check the file was written completely.');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  // blank lines (a lone empty field) carry no record
  return records.filter((r) => !(r.length === 1 && r[0] === ''));
}

function numberCell(text: string, column: string, fileName: string, line: number): number {
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new GlassboxError('PARAM_INVALID', `${fileName}, row ${line}: ${column} is "${text}", not a number.`, 'Merge only CSV files written by npm run evaluate.');
  return value;
}

/** Rows from a CSV written by rowsToCsv (columns in any order; unknown columns ignored). */
export function rowsFromCsv(text: string, fileName = 'CSV'): EvaluationRow[] {
  const [header, ...records] = parseCsv(text, fileName);
  if (!header) throw new GlassboxError('PARAM_INVALID', `${fileName} is empty.`, 'Merge only CSV files written by npm run evaluate.');
  const index = new Map(header.map((name, i) => [name.trim(), i]));
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new GlassboxError('PARAM_INVALID', `${fileName} is not an evaluation CSV: it has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}.`, 'Merge only CSV files written by npm run evaluate.');
  }
  return records.map((record, r) => {
    const row: Record<string, unknown> = {};
    for (const column of ROW_COLUMNS) {
      const at = index.get(column);
      const text = at === undefined ? '' : (record[at] ?? '');
      if (TEXT_COLUMNS.has(column)) {
        if (column !== 'note' || text !== '') row[column] = text;
      } else if (text !== '') {
        const value = numberCell(text, column, fileName, r + 2);
        row[column] = column === 'pointing' ? value !== 0 : value;
      }
    }
    return row as unknown as EvaluationRow;
  });
}

function formatValue(value: number | undefined, id: string): string {
  if (value === undefined) return '–';
  return id === 'ms' ? value.toFixed(1) : value.toFixed(3);
}

/**
 * The summary as a text table: one line per model × method × metric with n, the mean and the 95 % interval.
 * Metrics no row has (n = 0) are left out.
 */
export function formatSummary(summary: EvaluationSummary): string {
  const header = ['model', 'method', 'metric', 'n', 'mean', `${Math.round(summary.level * 100)} % interval`];
  const lines: string[][] = [];
  for (const group of summary.groups) {
    for (const m of AGGREGATE_METRICS) {
      const s = group.metrics[m.id];
      if (s.n === 0) continue;
      lines.push([group.model, group.method, m.label, String(s.n), formatValue(s.mean, m.id), `[${formatValue(s.low, m.id)}, ${formatValue(s.high, m.id)}]`]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const numeric = new Set([3, 4]);
  const render = (cells: string[]) => cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [
    render(header),
    ...lines.map(render),
    `(mean over images; interval: percentile bootstrap of the mean, ${summary.resamples} resamples, seed ${summary.seed})`,
  ].join('\n');
}
