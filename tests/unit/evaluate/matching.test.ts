/**
 * The dataset's file rules shared by the CLI and the page: stems as Node's path.parse gives them, masks told apart by
 * suffix or folder, masks matched to images by stem, targets looked up by name then stem; and the HTML report with
 * per-image rows stays self-contained (no external reference, pictures only as data: URLs).
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { summaryFromRows, type EvaluationRow } from '../../../src/engine/evaluate/aggregate';
import { fileStem, isImageName, isMaskFile, matchMasks, parseTargets, targetOf } from '../../../src/engine/evaluate/matching';
import { summaryHtml } from '../../../src/engine/evaluate/report-html';

describe('dataset file matching', () => {
  it('fileStem agrees with path.parse(name).name', () => {
    for (const name of ['cat.png', 'cat.tar.gz', '.hidden', 'noext', 'a.b.c.jpg', 'dir/x.png']) expect(fileStem(name)).toBe(path.parse(name).name);
  });

  it('tells images and masks apart by extension, suffix and folder', () => {
    expect(isImageName('a.JPG')).toBe(true);
    expect(isImageName('a.csv')).toBe(false);
    expect(isMaskFile('cat_mask.png')).toBe(true);
    expect(isMaskFile('cat-MASK.png')).toBe(true);
    expect(isMaskFile('cat.png')).toBe(false);
    expect(isMaskFile('cat.png', 'data/masks/cat.png')).toBe(true);
    expect(isMaskFile('cat.png', 'data/images/cat.png')).toBe(false);
    expect(isMaskFile('masks.png', 'data/masks.png')).toBe(false);
  });

  it('matches masks by stem and finds targets by name, then stem', () => {
    expect([...matchMasks(['cat.jpg', 'dog.png', 'owl.png'], ['cat.png', 'dog_mask.png', 'x.png'])]).toEqual([['cat.jpg', 'cat.png'], ['dog.png', 'dog_mask.png']]);
    const targets = parseTargets('image,target\ncat.jpg,3\ndog,tabby\n', 't.csv');
    expect(targetOf(targets, 'cat.jpg')).toBe(3);
    expect(targetOf(targets, 'dog.png')).toBe('tabby');
    expect(targetOf(targets, 'owl.png')).toBeUndefined();
  });
});

describe('the HTML report with per-image rows', () => {
  it('lists every row, with pictures as data: URLs only, and refers to nothing outside the page', () => {
    const rows: EvaluationRow[] = [
      { image: 'a <b>.png', model: 'm', method: 'gradcam', target: 1, label: 'cat', predicted: 1, score: 0.9, pointing: true, relevanceMass: 0.5, ms: 3, modelCalls: 2, seed: 0 },
      { image: 'b.png', model: 'm', method: 'gradcam', target: 2, label: 'dog', predicted: 0, score: 0.1, pointing: false, relevanceMass: 0.1, ms: 4, modelCalls: 2, seed: 0 },
    ];
    const html = summaryHtml(summaryFromRows(rows, { seed: 0 }), 'test', '2026-01-01', { rows, pictures: ['data:image/png;base64,AAAA', 'https://example.com/x.png'] });
    expect(html).toContain('a &lt;b&gt;.png');
    expect(html.match(/<tr><td>/g)).toHaveLength(2);
    expect(html).toContain('<img src="data:image/png;base64,AAAA"');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|url\(/i);
    // without rows, the CLI's summary page as before
    expect(summaryHtml(summaryFromRows(rows, { seed: 0 }), 'test', '2026-01-01')).not.toContain('Per image');
  });
});
