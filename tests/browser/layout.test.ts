/**
 * Layout on the production build, through real clicks: at 1280×720 the Run button is on screen and stays exactly
 * where it was when a result appears; preprocessing sits right under the model, on screen; at 1440×900 the
 * explanation gets the wide column (its map at least 500 px wide); the first visit shows what it is loading, with
 * progress, and placeholder thumbnails until the demo list arrives.
 */
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, launchBrowser, readTopK, startServer } from './harness';

type Box = { x: number; y: number; width: number; height: number };

const inViewport = (b: Box, w: number, h: number) => b.x >= 0 && b.y >= 0 && b.x + b.width <= w && b.y + b.height <= h;

async function waitForRunToEnd(page: Page): Promise<void> {
  // the map, then its deletion/insertion curves: over when Run is back and no progress shows
  await page.waitForFunction(() => !document.querySelector('[data-testid="explain-progress"]') && document.querySelector('[data-testid="run-explain"]'), undefined, { timeout: 180_000, polling: 100 });
}

describe.skipIf(!browserTestsRunnable())('layout in Chromium', () => {
  let server: PreviewServer;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    ({ server, url } = await startServer({ isolationHeaders: true }));
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(width: number, height: number): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    await page.goto(url);
    await readTopK(page);
    return page;
  }

  it('1280×720: Run is on screen at first and stays in the same place after a LIME run', async () => {
    const page = await open(1280, 720);
    const run = page.locator('[data-testid="run-explain"]');
    const before = (await run.boundingBox())!;
    expect(inViewport(before, 1280, 720)).toBe(true);
    await page.fill('input[aria-label="Samples"]', '300'); // scrolls the controls column to the field
    expect(await run.boundingBox()).toEqual(before);
    await run.click();
    await page.waitForSelector('[data-testid="explanation-view"] canvas', { timeout: 120_000 });
    await waitForRunToEnd(page);
    const after = (await run.boundingBox())!;
    expect(after).toEqual(before);
    // the result went to the right of the controls, not above them
    const result = (await page.locator('[data-testid="explanation-view"]').boundingBox())!;
    expect(result.x).toBeGreaterThanOrEqual(before.x + before.width);
    await page.close();
  });

  it('1280×720: preprocessing sits right under the model and is on screen; its settings open in place', async () => {
    const page = await open(1280, 720);
    const order = await page.$$eval('[data-testid$="-panel"]', (panels) => panels.map((p) => p.getAttribute('data-testid')));
    expect(order.indexOf('preprocess-panel')).toBe(order.indexOf('model-panel') + 1);
    const panel = (await page.locator('[data-testid="preprocess-panel"]').boundingBox())!;
    expect(inViewport(panel, 1280, 720)).toBe(true);
    expect(await page.textContent('[data-testid="preprocess-summary"]')).toMatch(/96×96/);
    await page.click('[data-testid="preprocess-toggle"]');
    expect(await page.getAttribute('[data-testid="preprocess-toggle"]', 'aria-expanded')).toBe('true');
    await page.waitForSelector('select[aria-label="Channel order"]', { state: 'visible' });
    await page.close();
  });

  it('1440×900: the explanation gets the wide column (map ≥ 500 px wide)', async () => {
    const page = await open(1440, 900);
    await page.selectOption('[data-testid="method-picker"]', 'gradcam');
    await page.click('[data-testid="run-explain"]');
    const canvas = page.locator('[data-testid="overlay-canvas"]');
    await canvas.waitFor({ timeout: 120_000 });
    await waitForRunToEnd(page);
    const box = (await canvas.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(500);
    expect(inViewport((await page.locator('[data-testid="run-explain"]').boundingBox())!, 1440, 900)).toBe(true);
    await page.close();
  });

  it('first visit: a start-up progress bar and placeholder thumbnails while the demo loads', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    // hold the demo list back, as a slow network would
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/demo/manifest.json', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(url);
    const progress = page.getByRole('progressbar', { name: 'Starting Glassbox' });
    await progress.waitFor();
    expect(Number(await progress.getAttribute('aria-valuenow'))).toBeLessThan(Number(await progress.getAttribute('aria-valuemax')));
    expect(await page.locator('.skeleton-thumbs .skeleton').count()).toBeGreaterThan(0);
    release();
    await readTopK(page);
    expect(await page.locator('[data-testid="start-progress"]').count()).toBe(0);
    expect(await page.locator('.thumbs button').count()).toBeGreaterThan(0);
    await context.close();
  });
});
