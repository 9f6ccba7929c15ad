/** LIME in the dashboard: run on the demo model, overlay and bar chart linked by hover, cancel mid-run, run again. */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, useDashboard } from './harness';

async function setNumber(page: Page, label: string, value: number) {
  await page.fill(`input[aria-label="${label}"]`, String(value));
}

describe.skipIf(!browserTestsRunnable())('LIME in Chromium', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('runs on the demo model: progress, then the overlay, the coefficient chart and the cost', async () => {
    const page = dashboard.session.page;
    await setNumber(page, 'Samples', 300);
    await page.click('[data-testid="run-explain"]');
    await page.waitForSelector('[data-testid="overlay-canvas"]', { timeout: 120_000 });
    const bars = await page.$$('[data-testid="weights-chart"] [data-feature]');
    expect(bars.length).toBeGreaterThan(5);
    const meta = await page.textContent('[data-testid="explanation-meta"]');
    expect(meta).toMatch(/300 samples in 10 model calls/);
    expect(meta).toMatch(/R² [-\d.]+/);
    // Hovering a bar highlights its superpixel and names it.
    const feature = await bars[0].getAttribute('data-feature');
    await bars[0].hover();
    await page.waitForFunction((f) => document.querySelector('[data-testid="explanation-meta"]')?.textContent?.includes(`superpixel #${f}:`), feature);
    expect(await page.getAttribute(`[data-testid="weights-chart"] [data-feature="${feature}"]`, 'class')).toContain('active');
  });

  it('hovering the image highlights the bar of the superpixel under the pointer', async () => {
    const page = dashboard.session.page;
    const box = (await page.$('[data-testid="overlay-canvas"]'))!;
    const rect = (await box.boundingBox())!;
    await page.mouse.move(rect.x + rect.width * 0.5, rect.y + rect.height * 0.5);
    await page.waitForSelector('[data-testid="weights-chart"] .bar-row.active');
  });

  it('cancel stops a long run at once, keeps the earlier result without an error, and a new run then succeeds', async () => {
    const page = dashboard.session.page;
    const stable = (t: string | null) => t?.replace(/ · superpixel #.*$/, '');
    const before = stable(await page.textContent('[data-testid="explanation-meta"]'));
    expect(before).toMatch(/300 samples/);
    await setNumber(page, 'Samples', 50_000);
    await page.click('[data-testid="run-explain"]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="explain-progress"]')?.getAttribute('aria-valuenow')) > 0, undefined, { timeout: 60_000 });
    const cancelledAt = Date.now();
    await page.click('[data-testid="cancel-explain"]');
    await page.waitForSelector('[data-testid="run-explain"]', { timeout: 10_000 });
    expect(Date.now() - cancelledAt).toBeLessThan(5_000);
    expect(stable(await page.textContent('[data-testid="explanation-meta"]'))).toBe(before);
    expect(await page.$('[data-testid="messages"]')).toBeNull();

    await setNumber(page, 'Samples', 200);
    await page.click('[data-testid="run-explain"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="explanation-meta"]')?.textContent?.includes('200 samples'), undefined, { timeout: 60_000 });
    expect(dashboard.session.consoleErrors).toEqual([]);
  });

  it('Felzenszwalb segmentation: its own parameters appear, and a run with it draws its regions', async () => {
    const page = dashboard.session.page;
    await page.selectOption('select[aria-label="Segmentation"]', 'felzenszwalb');
    await page.waitForSelector('input[aria-label="Scale"]');
    expect(await page.$('input[aria-label="Segments"]')).toBeNull();
    await setNumber(page, 'Scale', 300);
    await setNumber(page, 'Samples', 100);
    await page.click('[data-testid="run-explain"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="explanation-meta"]')?.textContent?.includes('100 samples'), undefined, { timeout: 60_000 });
    const bars = await page.$$('[data-testid="weights-chart"] [data-feature]');
    expect(bars.length).toBeGreaterThan(1);
    expect(dashboard.session.consoleErrors).toEqual([]);
  });
});
