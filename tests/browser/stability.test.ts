/**
 * The stability view in Chromium on the demo model and image: RISE with a small budget over 3 seeds names the class
 * the predictions panel shows, draws its mean and std maps at the model's input size over the demo image (at opacity
 * 0 the canvases are exactly the image), and reports a Spearman ρ in [−1, 1]; Grad-CAM, which does not sample, shows
 * std 0, ρ 1 and says so; a k outside 2 … 20 shows a message and does not run.
 * axe-core finds no serious or critical violation in the panel. With STABILITY_SCREENSHOT=path, the RISE result is
 * also captured at 1280×720.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, panelViolations, readTopK, ROOT, useDashboard } from './harness';

interface StabilityView {
  method: string;
  k: number;
  done: boolean;
  target: number;
  stats?: { maxStd: number; meanRankCorrelation: number; identical: boolean };
}
interface PageState {
  stability?: StabilityView;
  run?: unknown;
  image: { name: string };
  preprocess: { width: number; height: number };
  prediction: { result: { modelInput: { width: number; height: number; data: Uint8ClampedArray } } };
}
const state = (page: Page) =>
  page.evaluate(() => {
    const s = (window as unknown as { glassbox: { getState(): PageState } }).glassbox.getState();
    const st = s.stability;
    return {
      stability: st && { method: st.method, k: st.k, done: st.done, target: st.target, stats: st.stats && { maxStd: st.stats.maxStd, meanRankCorrelation: st.stats.meanRankCorrelation, identical: st.stats.identical } },
      running: !!s.run,
      imageName: s.image.name,
      inputSize: { width: s.preprocess.width, height: s.preprocess.height },
    };
  });

async function setSeeds(page: Page, k: number | string) {
  await page.fill('[data-testid="stability-panel"] input[aria-label="Seeds"]', String(k));
}

/** Run the stability view for the method picked now and wait for its finished result. */
async function runStability(page: Page, method: string, k: number) {
  await page.selectOption('[data-testid="method-picker"]', method);
  await setSeeds(page, k);
  await page.waitForFunction(() => !(document.querySelector('[data-testid="run-stability"]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 60_000 });
  await page.click('[data-testid="run-stability"]');
  await page.waitForFunction(
    (m) => {
      const s = (window as unknown as { glassbox: { getState(): PageState } }).glassbox.getState();
      return s.stability?.method === m && s.stability.done && !s.run;
    },
    method,
    { timeout: 180_000 },
  );
}

/** Set the stability panel's opacity slider (a controlled range input) as a user dragging it would. */
async function setOpacity(page: Page, value: number) {
  await page.$eval(
    '[data-testid="stability-panel"] input[aria-label="Opacity"]',
    (el, v) => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(el, String(v));
      el.dispatchEvent(new Event('input', { bubbles: true }));
    },
    value,
  );
}

/** Whether a canvas holds exactly the model's view of the image (what an overlay at opacity 0 must show). */
async function canvasIsModelInput(page: Page, testId: string): Promise<boolean> {
  return page.evaluate((id) => {
    const canvas = document.querySelector(`[data-testid="${id}"]`) as HTMLCanvasElement;
    const image = (window as unknown as { glassbox: { getState(): PageState } }).glassbox.getState().prediction.result.modelInput;
    if (canvas.width !== image.width || canvas.height !== image.height) return false;
    const drawn = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < drawn.length; i++) if (drawn[i] !== image.data[i]) return false;
    return true;
  }, testId);
}

describe.skipIf(!browserTestsRunnable())('the stability view in Chromium', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('RISE over 3 seeds: heading names the predicted class, mean and std maps over the demo image, ρ in [−1, 1]', async () => {
    const page = dashboard.session.page;
    const [top] = await readTopK(page);
    await page.selectOption('[data-testid="method-picker"]', 'rise');
    await page.fill('input[aria-label="Masks"]', '200');
    await runStability(page, 'rise', 3);
    const s = await state(page);
    expect(s.stability).toMatchObject({ method: 'rise', k: 3, target: top.index });

    const heading = (await page.textContent('[data-testid="stability-heading"]'))!;
    expect(heading).toContain('RISE over 3 seeds');
    expect(heading).toContain(`#${top.index} ${top.label}`);
    expect(heading).toContain(s.imageName);

    // the maps at the model's input size, each seed's too
    for (const id of ['stability-mean', 'stability-std']) {
      const size = await page.$eval(`[data-testid="${id}"]`, (c) => ({ width: (c as HTMLCanvasElement).width, height: (c as HTMLCanvasElement).height }));
      expect(size, id).toEqual(s.inputSize);
    }
    expect(await page.$$('[data-testid="stability-seeds"] canvas')).toHaveLength(3);
    expect(await page.textContent('[data-testid="stability-std-scale"]')).toMatch(/^standard deviation across seeds, mean .*class/);

    const rho = Number(await page.textContent('[data-testid="stability-rho-value"]'));
    expect(rho).toBeGreaterThanOrEqual(-1);
    expect(rho).toBeLessThanOrEqual(1);
    expect(rho).toBeLessThan(1); // 200 masks: the seeds do not agree perfectly
    expect(s.stability!.stats!.maxStd).toBeGreaterThan(0);
    expect(await page.textContent('[data-testid="stability-rho"]')).toMatch(/lowest pair: seeds \d+ and \d+, ρ −?\d\.\d{3}/);
    expect(await page.$('[data-testid="stability-deterministic"]')).toBeNull();

    if (process.env.STABILITY_SCREENSHOT) {
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.$eval('[data-testid="stability-panel"]', (el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: process.env.STABILITY_SCREENSHOT });
    }

    // drawn over the demo image: with the colours and the ground-truth outline off, the canvases are the image the model saw
    expect(await canvasIsModelInput(page, 'stability-mean')).toBe(false);
    await page.uncheck('[data-testid="ground-truth-panel"] >> text=outline over maps');
    await setOpacity(page, 0);
    await page.waitForFunction(() => document.querySelector('[data-testid="stability-panel"] [data-testid="opacity-value"]')?.textContent === '0 %');
    expect(await canvasIsModelInput(page, 'stability-mean')).toBe(true);
    expect(await canvasIsModelInput(page, 'stability-std')).toBe(true);
    // the outline back on: the demo mask's border lies over the maps
    await page.check('[data-testid="ground-truth-panel"] >> text=outline over maps');
    await page.waitForFunction(() => document.querySelector('[data-testid="ground-truth-panel"] input[type="checkbox"]:checked') !== null);
    expect(await canvasIsModelInput(page, 'stability-mean')).toBe(false);
    await setOpacity(page, 0.6);
    expect(await panelViolations(page, 'stability-panel')).toEqual([]);
    expect(dashboard.session.consoleErrors).toEqual([]);
  });

  it('Grad-CAM does not sample: std 0, ρ 1, and the panel says so', async () => {
    const page = dashboard.session.page;
    await page.selectOption('[data-testid="method-picker"]', 'gradcam');
    await page.waitForFunction(() => (document.querySelectorAll('[data-testid="layer-picker"] option').length ?? 0) > 1, undefined, { timeout: 60_000 });
    await runStability(page, 'gradcam', 3);
    const s = await state(page);
    expect(s.stability!.stats).toEqual({ maxStd: 0, meanRankCorrelation: 1, identical: true });
    expect(await page.textContent('[data-testid="stability-heading"]')).toContain('Grad-CAM over 3 seeds');
    expect(await page.textContent('[data-testid="stability-deterministic"]')).toMatch(/does not sample: every seed gives the same map, so the standard deviation is 0 everywhere/);
    expect(Number(await page.textContent('[data-testid="stability-rho-value"]'))).toBe(1);
    expect(await page.$$eval('[data-testid="stability-std-scale"] .colorbar-tick', (ticks) => ticks.map((t) => t.textContent))).toEqual(['0']);
    expect(dashboard.session.consoleErrors).toEqual([]);
  });

  it('a k outside 2 … 20 shows a message and does not run', async () => {
    const page = dashboard.session.page;
    const before = await state(page);
    for (const k of ['1', '21', '']) {
      await setSeeds(page, k);
      expect(await page.textContent('[data-testid="stability-k-error"]')).toMatch(/whole number from 2 to 20/);
      expect(await page.$eval('[data-testid="run-stability"]', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
      await page.click('[data-testid="run-stability"]', { force: true });
    }
    expect(await panelViolations(page, 'stability-panel')).toEqual([]);
    const after = await state(page);
    expect(after.running).toBe(false);
    expect(after.stability).toEqual(before.stability);
    await setSeeds(page, 4);
    expect(await page.$('[data-testid="stability-k-error"]')).toBeNull();
    expect(await page.textContent('[data-testid="run-stability"]')).toMatch(/^Run 4 seeds · 4 model calls$/);
    expect(dashboard.session.consoleErrors).toEqual([]);
  });
});
