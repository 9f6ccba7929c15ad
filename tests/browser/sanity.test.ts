/**
 * The sanity check (model-parameter randomisation) in Chromium on the demo model and image: Saliency and Guided
 * Backprop with 3 steps name the class the predictions panel shows and the image, draw a chart line per method for
 * Spearman ρ of |map| and for SSIM with labelled axes (x: "trained" and the layer randomised last at each step),
 * give each method a verdict in words, and draw each method's maps (trained, then each step) at the model's input
 * size; axe-core finds no serious or critical violation in the panel. Cancel stops a run: no result, no error message. With SANITY_SCREENSHOT=path, the result is captured at 1280×720.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, panelViolations, readTopK, ROOT, useDashboard } from './harness';

interface PageState {
  sanity?: { methods: string[]; done: boolean; target: number; error?: string; result?: { layers: { name: string }[]; methods: { method: string; steps: { upTo: number; layer: string }[] }[] } };
  run?: { kind: string; progress?: { done: number } };
  messages: unknown[];
  image: { name: string };
  preprocess: { width: number; height: number };
}

const state = (page: Page) =>
  page.evaluate(() => {
    const s = (window as unknown as { glassbox: { getState(): PageState } }).glassbox.getState();
    const r = s.sanity?.result;
    return {
      sanity: s.sanity && { methods: s.sanity.methods, done: s.sanity.done, target: s.sanity.target, error: s.sanity.error, hasResult: !!r },
      layers: r?.layers.map((l) => l.name),
      steps: r?.methods.map((m) => ({ method: m.method, upTo: m.steps.map((x) => x.upTo), layers: m.steps.map((x) => x.layer) })),
      running: !!s.run,
      messages: s.messages.length,
      imageName: s.image.name,
      inputSize: { width: s.preprocess.width, height: s.preprocess.height },
    };
  });

/** Check exactly the given methods in the panel, set the steps and press Run. */
async function startCheck(page: Page, methods: string[], steps: number) {
  const panel = '[data-testid="sanity-panel"]';
  await page.waitForFunction(() => !!(window as unknown as { glassbox: { getState(): { support?: unknown } } }).glassbox.getState().support, undefined, { timeout: 60_000 });
  for (const box of await page.$$(`${panel} .method-checks input[type="checkbox"]`)) {
    const name = ((await box.getAttribute('aria-label')) ?? '').replace(/^Check /, '');
    if (await box.isDisabled()) continue;
    if ((await box.isChecked()) !== methods.includes(name)) await box.click();
  }
  await page.fill(`${panel} input[aria-label="Randomisation steps"]`, String(steps));
  await page.waitForFunction(() => !(document.querySelector('[data-testid="run-sanity"]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 60_000 });
  await page.click('[data-testid="run-sanity"]');
}

describe.skipIf(!browserTestsRunnable())('the sanity check in Chromium', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('Saliency and Guided Backprop over 3 steps: heading, a chart line per method, verdicts, map strips at model size', async () => {
    const page = dashboard.session.page;
    const [top] = await readTopK(page);
    await startCheck(page, ['Saliency', 'Guided Backprop'], 3);
    await page.waitForFunction(() => {
      const s = (window as unknown as { glassbox: { getState(): PageState } }).glassbox.getState();
      return !!s.sanity?.done && !s.run;
    }, undefined, { timeout: 120_000 });
    const s = await state(page);
    expect(s.sanity).toMatchObject({ methods: ['saliency', 'guidedbackprop'], target: top.index, done: true, hasResult: true });
    expect(s.sanity!.error).toBeUndefined();
    expect(s.messages).toBe(0);
    // 3 steps spread over the demo model's weight layers, the last randomising all of them, plus the half-way step
    // the verdict reads (7 layers: 2, 4, 5, 7)
    const layerCount = s.layers!.length;
    expect(layerCount).toBeGreaterThanOrEqual(3);
    const measured = s.steps![0].upTo.length;
    for (const m of s.steps!) {
      expect(m.upTo).toContain(Math.ceil(layerCount / 2));
      expect(m.upTo.length).toBeGreaterThanOrEqual(3);
      expect(m.upTo.length).toBeLessThanOrEqual(4);
      expect(m.upTo.at(-1)).toBe(layerCount);
    }

    const heading = (await page.textContent('[data-testid="sanity-heading"]'))!;
    expect(heading).toContain(`#${top.index} ${top.label}`);
    expect(heading).toContain(s.imageName);

    for (const chart of ['sanity-chart-spearman', 'sanity-chart-ssim']) {
      const lines = await page.$$eval(`[data-testid="${chart}"] polyline`, (ls) => ls.map((l) => ({ id: l.getAttribute('data-testid'), points: (l.getAttribute('points') ?? '').trim().split(/\s+/).length })));
      expect(lines, chart).toEqual([
        { id: `${chart}-line-saliency`, points: measured + 1 },
        { id: `${chart}-line-guidedbackprop`, points: measured + 1 },
      ]);
      const xLabels = await page.$$eval(`[data-testid="${chart}"] .sanity-x-label`, (ts) => ts.map((t) => t.textContent ?? ''));
      expect(xLabels).toHaveLength(measured + 1);
      expect(xLabels[0]).toBe('trained');
      s.steps![0].layers.forEach((layer, i) => expect(layer.endsWith(xLabels[i + 1].replace(/^…/, '')), `${layer} ~ ${xLabels[i + 1]}`).toBe(true));
      expect(await page.textContent(`[data-testid="${chart}-x-title"]`)).toMatch(/weight layers randomised/);
    }
    expect(await page.textContent('[data-testid="sanity-chart-spearman-y-title"]')).toBe('Spearman ρ of |map|');
    expect(await page.textContent('[data-testid="sanity-chart-ssim-y-title"]')).toBe('SSIM');
    expect(await page.$('[data-testid="sanity-chart-spearman-threshold"]')).not.toBeNull();
    expect(await page.$$eval('[data-testid="sanity-legend"] .legend-item', (items) => items.map((i) => i.textContent))).toEqual(['Saliency', 'Guided Backprop']);

    for (const [method, label] of [
      ['saliency', 'Saliency'],
      ['guidedbackprop', 'Guided Backprop'],
    ]) {
      const verdict = (await page.textContent(`[data-testid="sanity-verdict-${method}"]`))!;
      expect(verdict).toMatch(new RegExp(`^${label}: (this map does not depend on what the model learned|much of this map survives random weights|changes as the weights are randomised|not judged) — `));
      const sizes = await page.$$eval(`[data-testid="sanity-strip-${method}"] canvas`, (cs) => cs.map((c) => ({ width: (c as HTMLCanvasElement).width, height: (c as HTMLCanvasElement).height })));
      expect(sizes).toEqual(Array.from({ length: measured + 1 }, () => s.inputSize));
    }
    // the insensitive verdict is the one styled as a warning
    const classes = await page.$$eval('.sanity-verdict', (ls) => ls.map((l) => [l.getAttribute('data-verdict'), l.querySelector('.lead')?.textContent]));
    for (const [verdict, lead] of classes) {
      if (verdict === 'insensitive') expect(lead).toBe('this map does not depend on what the model learned');
      if (verdict === 'partly') expect(lead).toBe('much of this map survives random weights');
    }

    if (process.env.SANITY_SCREENSHOT) {
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.$eval('[data-testid="sanity-panel"]', (el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: process.env.SANITY_SCREENSHOT });
    }
    expect(await panelViolations(page, 'sanity-panel')).toEqual([]);
    expect(dashboard.session.consoleErrors).toEqual([]);
  });

  it('Cancel stops a running check: no result, no error message', async () => {
    const page = dashboard.session.page;
    const before = await state(page);
    await startCheck(page, ['Saliency', 'Guided Backprop'], 16);
    await page.waitForFunction(() => (window as unknown as { glassbox: { getState(): PageState } }).glassbox.getState().run?.kind === 'sanity', undefined, { timeout: 30_000 });
    await page.click('[data-testid="cancel-sanity"]');
    await page.waitForFunction(() => !(window as unknown as { glassbox: { getState(): PageState } }).glassbox.getState().run, undefined, { timeout: 60_000 });
    const s = await state(page);
    expect(s.sanity).toMatchObject({ done: true, error: 'cancelled', hasResult: false });
    expect(s.messages).toBe(before.messages);
    expect(await page.$('[data-testid="sanity-chart-spearman"]')).toBeNull();
    expect(await page.textContent('[data-testid="sanity-error"]')).toMatch(/^Cancelled/);
    expect(await page.$('[data-testid="run-sanity"]')).not.toBeNull();
    expect(dashboard.session.consoleErrors).toEqual([]);
  });
});
