/**
 * Custom regions in the page: LIME over the user's own label file (captum's feature_mask) — a .npy of ids and a PNG
 * whose colours are the regions, each read in the page and run in the worker; the result's superpixels are those
 * regions, and the bar chart has one bar per region.
 */
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { int32LabelsNpy } from '../../src/engine/export/npy';
import { browserTestsRunnable, useDashboard } from './harness';

const N = 96;
/** Four quadrants (ids 0–3) and a centre square (id 4) at the demo model's input size. */
const labels = Array.from({ length: N * N }, (_, i) => {
  const x = i % N, y = Math.floor(i / N);
  if (x >= 32 && x < 64 && y >= 32 && y < 64) return 4;
  return (y < N / 2 ? 0 : 2) + (x < N / 2 ? 0 : 1);
});

const state = <T,>(page: Page, expr: string): Promise<T> => page.evaluate(`((s) => (${expr}))(window.glassbox.getState())`) as Promise<T>;

async function runLimeWith(page: Page, file: { name: string; mimeType: string; buffer: Buffer }) {
  await page.waitForFunction(() => { const s = (window as unknown as { glassbox: { getState(): { run?: unknown; predicting: boolean } } }).glassbox.getState(); return !s.run && !s.predicting; }, undefined, { timeout: 60_000 });
  await page.selectOption('[data-testid="method-picker"]', 'lime');
  await page.fill('input[aria-label="Samples"]', '120');
  await page.selectOption('select[aria-label="Segmentation"]', 'custom');
  await page.setInputFiles('[data-testid="label-file-input"]', file);
  await page.waitForFunction((name) => document.querySelector('[data-testid="custom-regions"]')?.textContent?.includes(`5 regions from ${name}`), file.name);
  const before = await state<number>(page, 's.history.length');
  await page.click('[data-testid="run-explain"]');
  await page.waitForFunction((n) => (window as unknown as { glassbox: { getState(): { history: unknown[] } } }).glassbox.getState().history.length > n, before, { timeout: 60_000 });
  await page.waitForSelector('[data-testid="weights-chart"]');
}

describe.skipIf(!browserTestsRunnable())('custom regions for LIME', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('a .npy of region ids: the superpixels are exactly those regions, one bar each', async () => {
    const page = dashboard.session.page;
    await runLimeWith(page, { name: 'regions.npy', mimeType: 'application/octet-stream', buffer: Buffer.from(int32LabelsNpy(labels, N, N)) });
    expect(await state<number>(page, 's.explanation.result.segmentCount')).toBe(5);
    expect(await state<number[]>(page, 's.explanation.result.segments')).toEqual(labels);
    expect(await state<unknown>(page, 's.explanation.result.params.segmentation')).toMatchObject({ method: 'custom', name: 'regions.npy', regions: 5 });
    expect(await page.locator('[data-testid="weights-chart"] .bar-row').count()).toBe(5);
  });

  it('a PNG whose colours are the regions, at twice the model size: resampled, the same five regions', async () => {
    const page = dashboard.session.page;
    const colours = [[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]];
    const big = Buffer.alloc(4 * N * N * 4);
    for (let y = 0; y < 2 * N; y++) for (let x = 0; x < 2 * N; x++) {
      const c = colours[labels[Math.floor(y / 2) * N + Math.floor(x / 2)]];
      big.set([...c, 255], (y * 2 * N + x) * 4);
    }
    const png = await sharp(big, { raw: { width: 2 * N, height: 2 * N, channels: 4 } }).png().toBuffer();
    await runLimeWith(page, { name: 'regions.png', mimeType: 'image/png', buffer: png });
    const segments = await state<number[]>(page, 's.explanation.result.segments');
    expect(await state<number>(page, 's.explanation.result.segmentCount')).toBe(5);
    // the same partition (ids follow the colours' packed values, so compare which pixels share a region)
    const pairs = new Map<number, number>();
    segments.forEach((s, i) => pairs.set(labels[i], pairs.get(labels[i]) ?? s));
    expect(segments.every((s, i) => pairs.get(labels[i]) === s)).toBe(true);
    expect(new Set(pairs.values()).size).toBe(5);
    expect(dashboard.session.consoleErrors).toEqual([]);
  });
});
