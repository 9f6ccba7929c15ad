/**
 * Keep, share and reproduce, through real clicks and drops on the production build: history runs compared side by
 * side (seed 004's parameter comparison), figures at a chosen size or bare, charts as SVG/PNG, an HTML report that
 * opens offline without a single request, and result files and reports dropped back that re-open (over their own
 * image only) and re-run bit for bit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceWindow } from '../../src/engine/export/figure';
import { parseReport } from '../../src/engine/export/report';
import { parseResultFile } from '../../src/engine/export/result-json';
import { browserTestsRunnable, dropFiles, ROOT, useDashboard } from './harness';

type Glassbox = { glassbox: { getState(): Record<string, unknown> } };
/** An expression of the store's state `s`, evaluated in the page (through the DevTools protocol, not eval). */
const state = <T,>(page: Page, expr: string): Promise<T> => page.evaluate(`((s) => (${expr}))(window.glassbox.getState())`) as Promise<T>;

async function idle(page: Page) {
  await page.waitForFunction(() => !((window as unknown as Glassbox).glassbox.getState() as { run?: unknown; predicting: boolean }).run && !((window as unknown as Glassbox).glassbox.getState() as { predicting: boolean }).predicting, undefined, { timeout: 120_000 });
}

/** LIME with a sample count; waits for the map and its curves. Returns the new history entry's id. */
async function runLime(page: Page, samples: number): Promise<number> {
  await idle(page);
  await page.selectOption('[data-testid="method-picker"]', 'lime');
  await page.fill('input[aria-label="Samples"]', String(samples));
  const before = await state<number>(page, 's.history.length');
  await page.click('[data-testid="run-explain"]');
  await page.waitForFunction((n) => ((window as unknown as Glassbox).glassbox.getState() as { history: unknown[] }).history.length > n, before, { timeout: 120_000 });
  await idle(page);
  return state<number>(page, 's.history[0].id');
}

describe.skipIf(!browserTestsRunnable())('keep, share and reproduce', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-keep-'));
  const save = async (testId: string) => {
    const page = dashboard.session.page;
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testId}"]`)]);
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    return { name: download.suggestedFilename(), file, bytes: fs.readFileSync(file) };
  };

  it('figures at the image’s own resolution, a chosen width or bare; the bar chart and the curves as SVG and PNG', async () => {
    const page = dashboard.session.page;
    await runLime(page, 120);
    const image = await state<{ width: number; height: number }>(page, '({ width: s.image.image.width, height: s.image.image.height })');
    const preprocess = await state<Parameters<typeof sourceWindow>[2]>(page, 's.explanation.inputs.preprocess');
    const window = sourceWindow(image.width, image.height, preprocess);

    await page.selectOption('[data-testid="figure-size"]', 'image');
    await page.check('[data-testid="figure-bare"]');
    const bare = await sharp((await save('export-png')).bytes).metadata();
    expect([bare.width, bare.height]).toEqual([window.width, window.height]); // the part of the image the model saw, at its pixels
    await page.uncheck('[data-testid="figure-bare"]');
    const titled = await sharp((await save('export-png')).bytes).metadata();
    expect(titled.height!).toBeGreaterThan(window.height + 60); // title above, colour bar and units below
    await page.selectOption('[data-testid="figure-size"]', '1024');
    await page.check('[data-testid="figure-bare"]');
    const wide = await sharp((await save('export-png')).bytes).metadata();
    expect(wide.width).toBe(1024);
    await page.uncheck('[data-testid="figure-bare"]');
    await page.selectOption('[data-testid="figure-size"]', 'auto');

    const weights = (await save('export-weights-svg')).bytes.toString('utf8');
    const segmentCount = await state<number>(page, 's.explanation.result.segmentCount');
    expect(weights.startsWith('<svg')).toBe(true);
    expect((weights.match(/class="bar"/g) ?? []).length).toBe(Math.min(segmentCount, 30));
    const weightsPng = await sharp((await save('export-weights-png')).bytes).metadata();
    expect(weightsPng.width).toBe(2 * Number(/width="(\d+)"/.exec(weights)![1]));
    await page.waitForSelector('[data-testid="export-curves-svg"]', { timeout: 60_000 });
    const curves = (await save('export-curves-svg')).bytes.toString('utf8');
    const auc = await state<number>(page, 's.explanation.result.metrics.deletion.auc');
    expect(curves).toContain(auc.toFixed(3));
    expect((await sharp((await save('export-curves-png')).bytes).metadata()).format).toBe('png');
  });

  it('the report opens offline with every run, no request leaving the page, and its results parse back', async () => {
    const page = dashboard.session.page;
    const report = await save('export-report');
    const runs = parseReport(report.bytes.toString('utf8'));
    const shown = await state<number[]>(page, 's.explanation.result.map');
    expect(runs).toHaveLength(1);
    expect(runs[0].map).toEqual(shown);

    const context = await page.context().browser()!.newContext({ offline: true });
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const viewer = await context.newPage();
    await viewer.goto(`file://${report.file}`);
    const images = await viewer.$$eval('img', (imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth));
    expect(images.length).toBeGreaterThan(0);
    expect(images.every((w) => w > 0)).toBe(true); // inlined, decoded without the network
    expect(await viewer.locator('svg').count()).toBeGreaterThanOrEqual(2); // the curves and the bar chart
    expect(requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([]);
    await context.close();
  });

  it('seed 004: two history runs side by side, captioned by the sample count, each over its image, and reported together', async () => {
    const page = dashboard.session.page;
    await runLime(page, 100);
    const [b, a] = await state<number[]>(page, 's.history.map((h) => h.id)');
    await page.check(`[data-testid="select-history-${a}"]`);
    await page.check(`[data-testid="select-history-${b}"]`);
    await page.click('[data-testid="compare-history"]');
    await page.waitForSelector('[data-testid="compare-source"]');
    expect(await page.textContent('#compare-h')).toBe('Compare runs');
    const captions = await page.$$eval('[data-testid="compare-grid"] .compare-cell > figcaption', (f) => f.map((x) => x.textContent));
    expect(captions[0]).toMatch(/^LIME · Samples 120/);
    expect(captions[1]).toMatch(/^LIME · Samples 100/);
    const label = await page.textContent('[data-testid="topk"] tbody tr .label');
    expect(captions[0]).toContain(label!.trim()); // the class each run explained, by name
    for (const id of [a, b]) expect(await page.locator(`[data-testid="compare-map-run-${id}"]`).count()).toBe(1);
    const report = await save('compare-report');
    const runs = parseReport(report.bytes.toString('utf8'));
    expect(runs.map((r) => (r.params as { samples: number }).samples)).toEqual([120, 100]);
    expect(dashboard.session.consoleErrors).toEqual([]);
  });

  it('a result JSON dropped back re-opens, re-runs bit for bit; over another image it waits over grey; a report re-opens its runs', async () => {
    const page = dashboard.session.page;
    const json = await save('export-json');
    const file = parseResultFile(json.bytes.toString('utf8'));
    await dropFiles(page, [{ name: json.name, type: 'application/json', bytes: json.bytes }]);
    await page.waitForSelector('[data-testid="reopened-note"]');
    expect(await page.textContent('[data-testid="reopened-note"]')).toContain(`Opened from ${json.name}`);
    expect(await page.textContent('[data-testid="result-heading"]')).toContain(`#${file.target}`);
    await page.click('[data-testid="rerun-check"]');
    await page.waitForSelector('[data-testid="rerun-verdict"]', { timeout: 120_000 });
    expect(await page.textContent('[data-testid="rerun-verdict"]')).toMatch(/identical, bit for bit/);

    // another image on screen: the dropped result is never drawn over it
    const other = fs.readFileSync(path.join(ROOT, 'public/demo/images/circle-1.png'));
    await dropFiles(page, [{ name: 'circle-1.png', type: 'image/png', bytes: other }]);
    await page.waitForFunction(() => ((window as unknown as Glassbox).glassbox.getState() as { image?: { name: string } }).image?.name === 'circle-1.png');
    await idle(page);
    await dropFiles(page, [{ name: json.name, type: 'application/json', bytes: json.bytes }]);
    await page.waitForSelector('[data-testid="history-notice"]');
    expect(await page.textContent('[data-testid="history-notice"]')).toMatch(/load those/);
    expect(await state<unknown>(page, 's.explanation')).toBeUndefined();
    expect(await state<boolean>(page, 's.history[0].imageMissing')).toBe(true);

    // a report carries each run's picture: re-opened over its own image, not grey
    const reportPath = fs.readdirSync(dir).find((f) => f.endsWith('comparison.html'))!;
    const report = fs.readFileSync(path.join(dir, reportPath));
    await dropFiles(page, [{ name: reportPath, type: 'text/html', bytes: report }]);
    await page.waitForFunction((n) => ((window as unknown as Glassbox).glassbox.getState() as { historyNotice?: string }).historyNotice?.includes(n), reportPath);
    expect(await state<string>(page, 's.historyNotice')).toMatch(/its 2 results added/);
    expect(await state<boolean[]>(page, 's.history.slice(0, 2).map((h) => !!h.imageMissing)')).toEqual([false, false]);
    expect(dashboard.session.consoleErrors).toEqual([]);
  });
});
