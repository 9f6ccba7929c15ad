/**
 * The model shelf in Chromium: the demo's shapes.onnx is the current model; shortcut.onnx is added with the Add
 * model button; Grad-CAM runs on both for the demo star. Two rows, each cell a map and a prediction, each model its
 * parameter count and file size, and "star" found in both models' labels.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, ROOT, useDashboard } from './harness';

type Glassbox = { glassbox: { getState(): { shelf: unknown[]; shelfGrid?: { done: boolean } } } };

describe.skipIf(!browserTestsRunnable())('model shelf in Chromium', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('adds shortcut.onnx beside shapes.onnx and runs Grad-CAM on both for the demo star', async () => {
    const page = dashboard.session.page;
    await page.setViewportSize({ width: 1280, height: 720 });
    const bytes = fs.readFileSync(path.join(ROOT, 'public/demo/shortcut.onnx'));
    await page.setInputFiles('[data-testid="shelf-model-input"]', { name: 'shortcut.onnx', mimeType: 'application/octet-stream', buffer: bytes });
    await page.waitForFunction(() => (window as unknown as Glassbox).glassbox.getState().shelf.length === 1, undefined, { timeout: 30_000 });
    const models = await page.$$eval('[data-testid="shelf-models"] tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-row')));
    expect(models).toHaveLength(2);

    // Grad-CAM only
    for (const box of await page.$$('[data-testid="shelf-panel"] .method-checks input:checked')) await box.uncheck();
    await page.check('[data-testid="shelf-panel"] input[aria-label="Shelf Grad-CAM"]');
    expect(await page.textContent('[data-testid="shelf-class"]')).toBe('star');
    await page.click('[data-testid="shelf-run"]');
    await page.waitForFunction(() => (window as unknown as Glassbox).glassbox.getState().shelfGrid?.done, undefined, { timeout: 60_000 });

    const rows = await page.$$('[data-testid="shelf-grid-row"]');
    // the demo image's own mask: each cell is scored against it, over its own model input
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="shelf-pointing"]').length === 2, undefined, { timeout: 10_000 });
    expect(await page.$$eval('[data-testid="shelf-pointing"]', (els) => els.map((e) => e.textContent))).toEqual([expect.stringMatching(/^(hit|miss)$/), expect.stringMatching(/^(hit|miss)$/)]);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const canvas = await row.$('canvas[data-testid^="shelf-map-"][data-testid$="-gradcam"]');
      expect(canvas).not.toBeNull();
      // the ground truth's outline (pure white) lies over the map
      const white = await canvas!.evaluate((c) => {
        const el = c as HTMLCanvasElement;
        const d = el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] === 255 && d[i + 1] === 255 && d[i + 2] === 255) n++;
        return n;
      });
      expect(white).toBeGreaterThan(20);
      expect(await row.textContent()).toMatch(/top-1: (circle|square|triangle|star) · \d+\.\d %/);
      // the class is found by name in both models' labels
      expect((await (await row.$('[data-testid="shelf-row-class"]'))!.textContent())!).toMatch(/^class #\d+ star$/);
      const deletion = Number(await (await row.$('[data-testid="shelf-deletion"]'))!.textContent());
      const insertion = Number(await (await row.$('[data-testid="shelf-insertion"]'))!.textContent());
      expect(deletion).toBeGreaterThanOrEqual(0);
      expect(insertion).toBeGreaterThanOrEqual(0);
    }
    // per model: a parameter count and a file size
    const perModel = await page.$$eval('[data-testid="shelf-models"] tbody tr', (trs) =>
      trs.map((tr) => ({ params: Number(tr.querySelector('[data-testid="shelf-params"]')?.getAttribute('data-value')), size: tr.querySelector('[data-testid="shelf-size"]')?.textContent ?? '', match: tr.querySelector('[data-testid="shelf-match"]')?.textContent ?? '' })),
    );
    for (const m of perModel) {
      expect(m.params).toBeGreaterThan(0);
      expect(m.size).toMatch(/\d+(\.\d)? KB/);
      expect(m.match).toMatch(/star/);
    }
    expect(perModel[0].params).toBe(perModel[1].params); // the same network, trained twice
    await page.$eval('[data-testid="shelf-panel"]', (el) => el.scrollIntoView({ block: 'start' }));
    if (process.env.GLASSBOX_SHELF_SCREENSHOT) await page.screenshot({ path: process.env.GLASSBOX_SHELF_SCREENSHOT });
    expect(dashboard.session.consoleErrors).toEqual([]);
  });
});
