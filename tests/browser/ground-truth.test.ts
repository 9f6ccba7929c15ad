/**
 * Ground truth on the production build: the demo image arrives with its mask, a Grad-CAM result is scored against
 * it (pointing game, relevance mass, …) with the mask's outline over the map, a box dragged on the image replaces
 * it, and the comparison table gains localisation columns.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, useDashboard } from './harness';

const state = <T,>(page: Page, expr: string): Promise<T> => page.evaluate(`((s) => (${expr}))(window.glassbox.getState())`) as Promise<T>;
const idle = (page: Page) => page.waitForFunction(() => { const s = (window as unknown as { glassbox: { getState(): { run?: unknown; predicting: boolean } } }).glassbox.getState(); return !s.run && !s.predicting; }, undefined, { timeout: 120_000 });

/** Pure-white pixels of the result overlay: the outline colour. */
const whitePixels = (page: Page) =>
  page.$eval('[data-testid="overlay-canvas"]', (c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] === 255 && data[i + 1] === 255 && data[i + 2] === 255) n++;
    return n;
  });

describe.skipIf(!browserTestsRunnable())('ground truth and localisation metrics', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('a demo image comes with its mask; Grad-CAM on the clean model hits the star, the outline lies over the map', async () => {
    const page = dashboard.session.page;
    await page.waitForFunction(() => document.querySelector('[data-testid="ground-truth-status"]')?.textContent?.includes('demo mask'), undefined, { timeout: 30_000 });
    expect(await page.textContent('[data-testid="ground-truth-status"]')).toMatch(/star-1\.png \(demo mask\) · object \d+\.\d % of the image/);
    // star-2: Grad-CAM's peak lies on the star (measured: on star-1 it peaks at (12, 67), off the star — a miss)
    await idle(page);
    await page.click('button[title="star 2"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="ground-truth-status"]')?.textContent?.includes('star-2.png (demo mask)'));
    await idle(page);
    await page.selectOption('[data-testid="method-picker"]', 'gradcam');
    await page.click('[data-testid="run-explain"]');
    await page.waitForSelector('[data-testid="ground-truth-metrics"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="ground-truth-metrics"] tr[data-metric="pointing"] td')).toBe('hit');
    const mass = await page.textContent('[data-testid="ground-truth-metrics"] tr[data-metric="relevanceMass"] td');
    const fraction = await state<number>(page, 's.groundTruth.fraction');
    expect(Number(mass!.replace(' %', '')) / 100).toBeGreaterThan(fraction); // more on the star than a uniform map puts there
    const outlined = await whitePixels(page);
    expect(outlined).toBeGreaterThan(20);
    await page.uncheck('text=outline over maps');
    await page.waitForFunction((n) => {
      const c = document.querySelector('[data-testid="overlay-canvas"]') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let w = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] === 255 && d[i + 1] === 255 && d[i + 2] === 255) w++;
      return w < n / 4;
    }, outlined);
    await page.check('text=outline over maps');
  });

  it('a box dragged on the image replaces the mask and the metrics follow', async () => {
    const page = dashboard.session.page;
    await page.click('[data-testid="draw-box"]');
    const box = (await page.locator('[data-testid="mask-preview"]').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.05, box.y + box.height * 0.05);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.15, { steps: 4 });
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector('[data-testid="ground-truth-status"]')?.textContent?.startsWith('box drawn'));
    const fraction = await state<number>(page, 's.groundTruth.fraction');
    expect(fraction).toBeGreaterThan(0.05);
    expect(fraction).toBeLessThan(0.07); // a 25 % × 25 % box
    // the star is not in the top-left corner: Grad-CAM's peak misses this box
    await page.waitForFunction(() => document.querySelector('[data-testid="ground-truth-metrics"] tr[data-metric="pointing"] td')?.textContent === 'miss');
  });

  it('the demo story in the page: Layer-CAM at the 24×24 layer hits the circle on the clean model and misses it on the shortcut model, whose mass goes elsewhere', async () => {
    const page = dashboard.session.page;
    const pointingAndMass = async () => {
      await idle(page);
      await page.click('[data-testid="run-explain"]');
      await page.waitForSelector('[data-testid="ground-truth-metrics"]', { timeout: 60_000 });
      await idle(page);
      return {
        pointing: await page.textContent('[data-testid="ground-truth-metrics"] tr[data-metric="pointing"] td'),
        mass: Number((await page.textContent('[data-testid="ground-truth-metrics"] tr[data-metric="relevanceMass"] td'))!.replace(' %', '')) / 100,
      };
    };
    await page.click('button[title="circle with watermark"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="ground-truth-status"]')?.textContent?.includes('circle-watermark.png (demo mask)'));
    await idle(page);
    await page.selectOption('[data-testid="method-picker"]', 'layercam');
    await page.selectOption('[data-testid="layer-picker"]', '/features/features.9/Relu_output_0');
    const clean = await pointingAndMass();
    expect(clean.pointing).toBe('hit');
    await page.click('button[title^="Same task and network"]'); // the shortcut demo model
    await page.waitForFunction(() => (window as unknown as { glassbox: { getState(): { model?: { name: string } } } }).glassbox.getState().model?.name === 'shortcut.onnx', undefined, { timeout: 30_000 });
    await page.waitForFunction(() => !!(window as unknown as { glassbox: { getState(): { support?: unknown } } }).glassbox.getState().support);
    await page.selectOption('[data-testid="layer-picker"]', '/features/features.9/Relu_output_0');
    const shortcut = await pointingAndMass();
    expect(await page.textContent('[data-testid="result-heading"]')).toMatch(/· #3 star/); // it calls the circle a star
    expect(shortcut.pointing).toBe('miss');
    expect(shortcut.mass).toBeLessThan(clean.mass);
    await page.click('button[title^="Coloured shapes"]'); // back to the clean model for the next test
    await page.waitForFunction(() => (window as unknown as { glassbox: { getState(): { model?: { name: string } } } }).glassbox.getState().model?.name === 'shapes.onnx', undefined, { timeout: 30_000 });
    await page.waitForFunction(() => !!(window as unknown as { glassbox: { getState(): { support?: unknown } } }).glassbox.getState().support);
    await page.selectOption('[data-testid="layer-picker"]', ''); // the suggested layer again
  });

  it('the comparison table scores every method against the mask', async () => {
    const page = dashboard.session.page;
    await page.click('[data-testid="clear-mask"]');
    await page.evaluate(() => (window as unknown as { glassbox: { getState(): { loadDemoImage(f: string): Promise<void> } } }).glassbox.getState().loadDemoImage('images/star-2.png'));
    await page.waitForFunction(() => document.querySelector('[data-testid="ground-truth-status"]')?.textContent?.includes('demo mask'));
    await idle(page);
    await page.evaluate(() => (window as unknown as { glassbox: { getState(): { setCompareMethods(m: string[]): void } } }).glassbox.getState().setCompareMethods(['gradcam', 'saliency']));
    await page.click('[data-testid="run-compare"]');
    await page.waitForSelector('[data-testid="compare-table"] td[data-metric="pointing"]', { timeout: 60_000 });
    await idle(page);
    const headers = await page.$$eval('[data-testid="compare-table"] th', (t) => t.map((x) => x.textContent));
    expect(headers).toEqual(expect.arrayContaining(['pointing game', 'relevance mass', 'top-k IoU', 'mask AUC']));
    const pointing = await page.$$eval('[data-testid="compare-table"] td[data-metric="pointing"]', (t) => t.map((x) => x.textContent));
    expect(pointing).toHaveLength(2);
    expect(pointing[0]).toBe('hit'); // Grad-CAM
    expect(dashboard.session.consoleErrors).toEqual([]);
  });
});
