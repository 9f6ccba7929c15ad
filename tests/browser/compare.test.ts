/** KernelSHAP's sum check, and the comparison view: several methods on the demo, maps side by side, the cost table filled. */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, useDashboard } from './harness';

const COMPARED = ['lime', 'kernelshap', 'rise', 'gradcam'];

async function setNumber(page: Page, label: string, value: number) {
  await page.fill(`input[aria-label="${label}"]`, String(value));
}

describe.skipIf(!browserTestsRunnable())('SHAP and the comparison view in Chromium', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('KernelSHAP: the bar chart and the sum check base value + Σφ = model output', async () => {
    const page = dashboard.session.page;
    await page.selectOption('[data-testid="method-picker"]', 'kernelshap');
    await setNumber(page, 'Segments', 12);
    await page.click('[data-testid="run-explain"]');
    await page.waitForSelector('[data-testid="shap-sum"]', { timeout: 120_000 });
    const text = (await page.textContent('[data-testid="shap-sum"]'))!;
    const [, base, sum, total, output] = /base value (\S+) \+ Σ φ (\S+) = (\S+) \(model output\s+(\S+)\)/.exec(text)!;
    expect(Number(base) + Number(sum)).toBeCloseTo(Number(total), 3);
    expect(Number(total)).toBeCloseTo(Number(output), 3);
    expect(text).toMatch(/exact Shapley values/);
    expect((await page.$$('[data-testid="weights-chart"] [data-feature]')).length).toBeGreaterThan(5);
  });

  it('RISE: the map so far shows while it runs, then the result with example masks and masked images', async () => {
    const page = dashboard.session.page;
    await page.selectOption('[data-testid="method-picker"]', 'rise');
    await setNumber(page, 'Masks', 4000);
    await page.click('[data-testid="run-explain"]');
    await page.waitForSelector('[data-testid="run-preview"] canvas', { timeout: 120_000 });
    await page.waitForSelector('[data-testid="rise-examples"]', { timeout: 240_000 });
    expect(await page.$$('[data-testid="rise-examples"] figure')).toHaveLength(4);
    expect(await page.$('[data-testid="run-preview"]')).toBeNull();
    expect(await page.textContent('#result-h')).toMatch(/^RISE explanation · #3 star · \d+\.\d %$/);
  });

  it('runs LIME, KernelSHAP, RISE and Grad-CAM: four maps render and the table has time, calls and both AUCs', async () => {
    const page = dashboard.session.page;
    // keep the run short: fewer LIME samples and RISE masks
    await page.selectOption('[data-testid="method-picker"]', 'lime');
    await setNumber(page, 'Samples', 200);
    await page.selectOption('[data-testid="method-picker"]', 'rise');
    await setNumber(page, 'Masks', 300);
    // KernelSHAP back to its default 50 superpixels (the sum check above used 12, too coarse to locate the star)
    await page.selectOption('[data-testid="method-picker"]', 'kernelshap');
    await setNumber(page, 'Segments', 50);
    for (const box of await page.$$('[data-testid="compare-panel"] .method-checks input:checked')) await box.uncheck();
    for (const label of ['LIME', 'KernelSHAP', 'RISE', 'Grad-CAM']) await page.check(`[data-testid="compare-panel"] input[aria-label="Compare ${label}"]`);
    expect(await page.evaluate(() => (window as unknown as { glassbox: { getState(): { compareMethods: string[] } } }).glassbox.getState().compareMethods)).toEqual(COMPARED);
    await page.click('[data-testid="run-compare"]');
    await page.waitForFunction(() => (window as unknown as { glassbox: { getState(): { comparison?: { done: boolean } } } }).glassbox.getState().comparison?.done, undefined, { timeout: 240_000 });
    for (const m of COMPARED) await page.waitForSelector(`[data-testid="compare-map-${m}"]`);
    const rows = await page.$$eval('[data-testid="compare-table"] tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')));
    expect(rows.map((r) => r[0])).toEqual(['LIME', 'KernelSHAP', 'RISE', 'Grad-CAM']);
    // model calls follow from the settings and the batch size (32): 200 LIME samples → 7 calls; Grad-CAM one
    // forward+backward run; RISE (the image, then 300 masks) calls the model not at all: the 4000-mask run above,
    // with the same seed, grid and keep probability, scored those rows, and the table says so
    expect(rows.map((r) => r[2])).toEqual(['7', expect.stringMatching(/^\d+$/), '0 + 301 rows reused', '1']);
    for (const [method, time, calls, deletion, insertion] of rows) {
      expect(time).toMatch(/\d/);
      if (method !== 'RISE') expect(Number(calls)).toBeGreaterThan(0);
      // a faithful map: restoring its most important pixels first brings the class back faster than deleting them removes it
      expect(Number(insertion), method).toBeGreaterThan(Number(deletion));
    }
    // ground truth (the demo's object mask): each map is higher on the object than on the background
    const evidence = await page.evaluate(async () => {
      const state = (window as unknown as { glassbox: { getState(): { image: { name: string }; comparison: { target: number; entries: { method: string; result: { map: number[]; width: number; height: number; metrics: { deletion: { auc: number }; insertion: { auc: number } } } }[] } } } }).glassbox.getState();
      const bitmap = await createImageBitmap(await (await fetch(`demo/masks/${state.image.name}`)).blob());
      const out = [];
      for (const e of state.comparison.entries) {
        const { width, height, map } = e.result;
        const canvas = new OffscreenCanvas(width, height);
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(bitmap, 0, 0, width, height);
        const mask = ctx.getImageData(0, 0, width, height).data;
        let inside = 0, outside = 0, nIn = 0, nOut = 0, sum = 0, squares = 0;
        for (let i = 0; i < width * height; i++) {
          const v = map[i];
          (sum += v), (squares += v * v);
          if (mask[i * 4] > 127) (inside += v), nIn++;
          else (outside += v), nOut++;
        }
        const std = Math.sqrt(squares / (width * height) - (sum / (width * height)) ** 2);
        // effect size: how far the map's mean on the object sits above its mean on the background, in map std
        out.push({ method: e.method, effect: (inside / nIn - outside / nOut) / std, nIn });
      }
      return out;
    });
    expect(evidence.map((e) => e.method)).toEqual(COMPARED);
    for (const e of evidence) {
      expect(e.nIn, e.method).toBeGreaterThan(50);
      expect(e.effect, e.method).toBeGreaterThan(0.5);
    }
    // a shared scale only among maps of the same quantity: these four all measure different ones, and the panel says so
    expect(await page.$eval('select[aria-label="Comparison scale"] option[value="shared"]', (o) => (o as HTMLOptionElement).disabled)).toBe(true);
    expect(await page.textContent('[data-testid="compare-scale-note"]')).toMatch(/no two of these maps measure the same quantity/);
    expect(dashboard.session.consoleErrors).toEqual([]);
  });
});
