/** Evaluation CSVs: RFC 4180 quoting, and rows that read back exactly as they were written. */
import { describe, expect, it } from 'vitest';
import { summaryFromRows, type EvaluationRow } from '../../../src/engine/evaluate/aggregate';
import { csvField, csvHeader, formatSummary, parseCsv, ROW_COLUMNS, rowsFromCsv, rowsToCsv } from '../../../src/engine/evaluate/csv';

const row = (over: Partial<EvaluationRow> = {}): EvaluationRow => ({
  image: 'cat.png',
  model: 'shapes',
  method: 'gradcam',
  target: 3,
  label: 'star',
  predicted: 3,
  score: 0.9984463453292847,
  pointing: true,
  relevanceMass: 0.1 + 0.2,
  rankAccuracy: 1 / 3,
  iou: 0,
  dice: 5e-324,
  auc: 0.5,
  ms: 12.345,
  modelCalls: 5,
  seed: 7,
  ...over,
});

describe('CSV fields', () => {
  it('quotes a field only when it holds a comma, a quote or a line break, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
  });

  it('parses RFC 4180: quoted commas, doubled quotes, line breaks in quotes, CRLF, a BOM, no trailing newline', () => {
    expect(parseCsv('\ufeffa,b\r\n"x,1","say ""hi"""\n"two\nlines",\n3,4')).toEqual([
      ['a', 'b'],
      ['x,1', 'say "hi"'],
      ['two\nlines', ''],
      ['3', '4'],
    ]);
  });

  it('refuses a quote inside an unquoted field and an unclosed quote', () => {
    expect(() => parseCsv('a,b"c\n')).toThrow(/quote inside an unquoted field/);
    expect(() => parseCsv('a,"b\n')).toThrow(/never closed/);
  });
});

describe('rows ⇄ CSV', () => {
  it('round-trips rows exactly, awkward names and labels included', () => {
    const rows = [
      row(),
      row({ image: 'a "quoted", name.png', label: 'tench, Tinca tinca', pointing: false, auc: undefined, note: 'The map has 3 values that are not finite,\nso…' }),
      row({ image: 'ünïcødé 猫.jpg', model: 'm,1', pointing: undefined, relevanceMass: undefined, deletionAuc: 0.25, insertionAuc: 0.75 }),
    ];
    const text = rowsToCsv(rows);
    expect(text.split('\n')[0]).toBe(csvHeader());
    expect(csvHeader().split(',')).toEqual([...ROW_COLUMNS]);
    const back = rowsFromCsv(text);
    expect(back).toEqual(rows);
    expect(rowsToCsv(back)).toBe(text);
    expect(summaryFromRows(back, { seed: 7 })).toEqual(summaryFromRows(rows, { seed: 7 }));
  });

  it('writes pointing as 1/0 and missing metrics as empty cells', () => {
    const line = rowsToCsv([row({ pointing: false, iou: undefined })]).split('\n')[1].split(',');
    expect(line[ROW_COLUMNS.indexOf('pointing')]).toBe('0');
    expect(line[ROW_COLUMNS.indexOf('iou')]).toBe('');
  });

  it('reads columns in any order and refuses a file that is not an evaluation CSV', () => {
    const text = 'seed,modelCalls,ms,score,predicted,label,target,method,model,image,pointing\n0,1,2.5,0.5,1,b,1,gradcam,m,x.png,1\n';
    expect(rowsFromCsv(text)).toEqual([{ image: 'x.png', model: 'm', method: 'gradcam', target: 1, label: 'b', predicted: 1, score: 0.5, pointing: true, ms: 2.5, modelCalls: 1, seed: 0 }]);
    expect(() => rowsFromCsv('image,target\ncat.png,3\n', 'targets.csv')).toThrow(/targets.csv is not an evaluation CSV/);
    expect(() => rowsFromCsv(text.replace('2.5', 'fast'), 'r.csv')).toThrow(/ms is "fast", not a number/);
  });
});

describe('summary table', () => {
  it('prints n, mean and the interval per model × method × metric, leaving out metrics no row has', () => {
    const table = formatSummary(summaryFromRows([row(), row({ image: 'dog.png', pointing: false })], { seed: 1 }));
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^model\s+method\s+metric\s+n\s+mean\s+95 % interval$/);
    expect(table).toMatch(/shapes\s+gradcam\s+pointing accuracy\s+2\s+0\.500\s+\[0\.000, 1\.000\]/);
    expect(table).not.toMatch(/deletion AUC/);
    expect(lines.at(-1)).toContain('1000 resamples, seed 1');
  });
});
