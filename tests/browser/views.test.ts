/**
 * Legible views (issue 10): every map has a labelled colour bar whose range labels follow the scale switch, signed
 * maps sit on a greyscale image, "Top features" filters the bar chart, the curves have axes and a random-order
 * baseline, and the comparison draws each map in its own colours with its own colour bar, in cells large enough
 * to see a 10-px detail, enlarged from the keyboard. Soft assertions: each check reports on its own.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, useDashboard } from './harness';

interface ResultLike {
  method: string;
  map: number[];
  width: number;
  height: number;
  units?: string;
  metrics?: unknown;
}
type Glassbox = { glassbox: { getState(): { explanation?: { result: ResultLike }; run?: unknown; comparison?: { done: boolean; entries: { method: string; result?: ResultLike }[] } } } };

async function currentResult(page: Page): Promise<ResultLike> {
  return page.evaluate(() => (window as unknown as Glassbox).glassbox.getState().explanation!.result);
}

/** Pick a method, press Run and wait for its new result (and, with `curves`, its deletion/insertion curves). */
async function runAndWait(page: Page, method: string, curves = false) {
  await page.selectOption('[data-testid="method-picker"]', method);
  await page.waitForFunction(() => !(document.querySelector('[data-testid="run-explain"]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 60_000 });
  await page.evaluate(() => ((window as unknown as { previousResult?: unknown }).previousResult = (window as unknown as Glassbox).glassbox.getState().explanation?.result));
  await page.click('[data-testid="run-explain"]');
  await page.waitForFunction(
    ([m, withCurves]) => {
      const s = (window as unknown as Glassbox).glassbox.getState();
      const r = s.explanation?.result;
      return !!r && r !== (window as unknown as { previousResult?: unknown }).previousResult && r.method === m && !s.run && (!withCurves || !!r.metrics);
    },
    [method, curves] as const,
    { timeout: 120_000 },
  );
}

const tickLabels = (page: Page, selector: string) => page.$$eval(`${selector} .colorbar-tick`, (ticks) => ticks.map((t) => t.textContent ?? ''));

describe.skipIf(!browserTestsRunnable())('legible views in Chromium', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('Grad-CAM: the colour bar names its quantity; raw and normalised show different ranges; the opacity shows its value', async () => {
    const page = dashboard.session.page;
    await runAndWait(page, 'gradcam');
    const result = await currentResult(page);
    expect(result.units).toMatch(/class activation/);
    const bar = (await page.textContent('[data-testid="heatmap-scale"]')) ?? '';
    expect.soft(bar, 'the colour bar says what the colours measure').toContain(result.units);
    await page.selectOption('select[aria-label="Scale"]', 'raw');
    const raw = await tickLabels(page, '[data-testid="heatmap-scale"]');
    await page.selectOption('select[aria-label="Scale"]', 'normalised');
    const normalised = await tickLabels(page, '[data-testid="heatmap-scale"]');
    expect.soft(raw.length, 'min and max ticks').toBeGreaterThanOrEqual(2);
    expect.soft(normalised, 'normalised labels are 0 … 1').toEqual(['0', '1']);
    expect.soft(raw, 'raw labels are the map’s values, not 0 … 1').not.toEqual(normalised);
    expect.soft(await page.textContent('[data-testid="heatmap-scale"]'), 'the normalised note names the raw range it stands for').toMatch(/1 = \d/);
    expect.soft(await page.textContent('[data-testid="opacity-value"]').catch(() => null), 'the slider shows its value').toBe('50 %');
    // CAMs in jet (pytorch-grad-cam), the image in colour under an unsigned map
    expect.soft(await page.$eval('select[aria-label="Colour map"]', (s) => (s as HTMLSelectElement).selectedOptions[0]?.textContent ?? '')).toMatch(/auto \(jet\)/);
  });

  it('LIME: a greyscale image under the signed map, the colour bar’s quantity, Top features filters the chart, curves with axes and a random baseline', async () => {
    const page = dashboard.session.page;
    await page.selectOption('[data-testid="method-picker"]', 'lime');
    await page.fill('input[aria-label="Samples"]', '300');
    await runAndWait(page, 'lime', true);
    const result = await currentResult(page);
    expect.soft((await page.textContent('[data-testid="heatmap-scale"]').catch(() => '')) ?? '', 'the colour bar names the surrogate weight').toContain(result.units);

    // where the map is about 0 the overlay shows the image in grey: R ≈ G ≈ B (boundaries off, they are yellow)
    const boundaries = page.locator('input[aria-label="Boundaries"]');
    if (await boundaries.isChecked()) await boundaries.click();
    const grey = await page.evaluate((r) => {
      const canvas = document.querySelector('[data-testid="overlay-canvas"]') as HTMLCanvasElement;
      const scale = canvas.width / r.width;
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const limit = r.map.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      let near = 0, greyish = 0;
      for (let i = 0; i < r.map.length; i++) {
        if (Math.abs(r.map[i]) > 0.01 * limit) continue;
        const x = Math.floor((i % r.width) * scale + scale / 2), y = Math.floor(Math.floor(i / r.width) * scale + scale / 2);
        const o = (y * canvas.width + x) * 4;
        near++;
        if (Math.max(Math.abs(pixels[o] - pixels[o + 1]), Math.abs(pixels[o + 1] - pixels[o + 2]), Math.abs(pixels[o] - pixels[o + 2])) <= 4) greyish++;
      }
      return { near, greyish };
    }, result);
    expect(grey.near, 'pixels where the map is about 0').toBeGreaterThan(50);
    expect.soft(grey.greyish / grey.near, 'share of them drawn in grey').toBeGreaterThan(0.95);

    await page.fill('input[aria-label="Top features"]', '5');
    await page.waitForTimeout(100);
    expect.soft(await page.$$('[data-testid="weights-chart"] [data-feature]'), 'Top features = 5 leaves 5 bars').toHaveLength(5);
    await page.fill('input[aria-label="Top features"]', '0');

    // deletion / insertion curves: axes with labels, and the random order as a dashed baseline with its AUC
    for (const [id, action] of [['deletion-curve', 'deleted'], ['insertion-curve', 'inserted']]) {
      const text = (await page.textContent(`[data-testid="${id}"]`)) ?? '';
      expect.soft(text, `${id} x axis`).toContain(`fraction of pixels ${action}`);
      expect.soft(text, `${id} y axis`).toContain('class probability');
      expect.soft(text, `${id} baseline AUC`).toMatch(/random order: AUC 0\.\d{3}/);
      expect.soft(await page.$(`[data-testid="${id}"] [data-testid="random-baseline"]`), `${id} baseline line`).not.toBeNull();
      const box = await page.locator(`[data-testid="${id}"] svg`).boundingBox();
      expect.soft(box?.width ?? 0, `${id} is large enough to read`).toBeGreaterThanOrEqual(240);
    }
  });

  it('comparison of LIME and Grad-CAM: each in its own colours with its own colour bar, cells ≥ 192 px, enlarged with the keyboard', async () => {
    const page = dashboard.session.page;
    for (const box of await page.$$('[data-testid="compare-panel"] .method-checks input:checked')) await box.uncheck();
    for (const label of ['LIME', 'Grad-CAM']) await page.check(`[data-testid="compare-panel"] input[aria-label="Compare ${label}"]`);
    await page.click('[data-testid="run-compare"]');
    await page.waitForFunction(() => (window as unknown as Glassbox).glassbox.getState().comparison?.done, undefined, { timeout: 240_000 });
    const units = await page.evaluate(() => Object.fromEntries((window as unknown as Glassbox).glassbox.getState().comparison!.entries.map((e) => [e.method, e.result?.units ?? ''])));
    const ramps: string[] = [];
    for (const m of ['lime', 'gradcam']) {
      await page.waitForSelector(`[data-testid="compare-map-${m}"]`);
      const box = (await page.locator(`[data-testid="compare-map-${m}"]`).boundingBox())!;
      expect.soft(box.width, `${m} cell width`).toBeGreaterThanOrEqual(192);
      expect.soft(box.height, `${m} cell height`).toBeGreaterThanOrEqual(192);
      const bar = page.locator(`[data-testid="compare-scale-${m}"]`);
      expect.soft(await bar.count(), `${m} has its own colour bar`).toBe(1);
      if ((await bar.count()) === 1) {
        expect.soft(await bar.textContent(), `${m} colour bar quantity`).toContain(units[m]);
        ramps.push(await bar.locator('.colorbar-ramp').evaluate((el) => getComputedStyle(el).backgroundImage));
      }
    }
    expect.soft(ramps, 'two colour bars in two colour maps (red–blue for LIME, jet for Grad-CAM)').toHaveLength(2);
    if (ramps.length === 2) expect.soft(ramps[0]).not.toBe(ramps[1]);
    // different quantities: no shared scale is offered, and the panel says why
    expect.soft(await page.$eval('select[aria-label="Comparison scale"] option[value="shared"]', (o) => (o as HTMLOptionElement).disabled)).toBe(true);
    expect.soft(await page.textContent('[data-testid="compare-panel"]')).toMatch(/no two of these maps measure the same quantity/);

    // enlarge with the keyboard: focus the Grad-CAM cell, Enter opens the dialog, Escape closes it
    const thumb = page.locator('[data-testid="compare-cell-gradcam"] button');
    await thumb.focus({ timeout: 5_000 });
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="compare-dialog"][open]', { timeout: 5_000 });
    const big = (await page.locator('[data-testid="compare-dialog-map"]').boundingBox())!;
    expect.soft(big.width, 'the enlarged map').toBeGreaterThanOrEqual(384);
    expect.soft(await page.textContent('[data-testid="compare-dialog"]')).toContain(units.gradcam);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="compare-dialog"]:not([open])', { state: 'attached', timeout: 5_000 });
    expect(dashboard.session.consoleErrors).toEqual([]);
  });

  it('maps of the same quantity (Grad-CAM and Grad-CAM++) can share one range, and the panel names them', async () => {
    const page = dashboard.session.page;
    for (const box of await page.$$('[data-testid="compare-panel"] .method-checks input:checked')) await box.uncheck();
    for (const label of ['Grad-CAM', 'Grad-CAM++']) await page.check(`[data-testid="compare-panel"] input[aria-label="Compare ${label}"]`);
    await page.click('[data-testid="run-compare"]');
    await page.waitForFunction(() => {
      const c = (window as unknown as Glassbox).glassbox.getState().comparison;
      return c?.done && c.entries.map((e) => e.method).join() === 'gradcam,gradcampp';
    }, undefined, { timeout: 120_000 });
    await page.waitForSelector('[data-testid="compare-map-gradcampp"]');
    const own = await Promise.all(['gradcam', 'gradcampp'].map((m) => tickLabels(page, `[data-testid="compare-scale-${m}"]`)));
    await page.selectOption('select[aria-label="Comparison scale"]', 'shared');
    const shared = await Promise.all(['gradcam', 'gradcampp'].map((m) => tickLabels(page, `[data-testid="compare-scale-${m}"]`)));
    expect.soft(own[0], 'each on its own range').not.toEqual(own[1]);
    expect.soft(shared[0], 'one range for both').toEqual(shared[1]);
    expect.soft(shared[0].length).toBeGreaterThanOrEqual(2);
    expect.soft(await page.textContent('[data-testid="compare-scale-note"]').catch(() => '')).toMatch(/Shared range for maps of the same quantity: Grad-CAM and Grad-CAM\+\+ \(class activation/);
    expect.soft(await page.textContent('[data-testid="compare-scale-gradcam"]')).toMatch(/range shared with Grad-CAM\+\+/);
    await page.selectOption('select[aria-label="Comparison scale"]', 'normalised');
    expect(dashboard.session.consoleErrors).toEqual([]);
  });
});
