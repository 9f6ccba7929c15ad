/** Exports from the result view, through real clicks: each file is downloaded and read back. */
import fs from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy } from '../../src/engine/export/npy';
import { explanationOf, parseResultFile } from '../../src/engine/export/result-json';
import { browserTestsRunnable, useDashboard } from './harness';

describe.skipIf(!browserTestsRunnable())('exports from the dashboard', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('LIME on the demo: the figure PNG, the map and superpixels as .npy and the result JSON match what is shown', async () => {
    const page = dashboard.session.page;
    await page.selectOption('[data-testid="method-picker"]', 'lime');
    await page.fill('input[aria-label="Samples"]', '100');
    await page.click('[data-testid="run-explain"]');
    await page.waitForSelector('[data-testid="export-menu"]', { timeout: 60_000 });
    const shown = await page.evaluate(() => {
      const e = (window as unknown as { glassbox: { getState(): { explanation: { result: { map: number[]; segments: number[]; width: number; height: number; seed: number } } } } }).glassbox.getState().explanation.result;
      return { map: e.map, segments: e.segments, width: e.width, height: e.height, seed: e.seed };
    });
    const save = async (testId: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testId}"]`)]);
      return { name: download.suggestedFilename(), bytes: fs.readFileSync((await download.path())!) };
    };

    const npy = await save('export-npy');
    expect(npy.name).toBe('star-1-lime.npy');
    const map = decodeNpy(new Uint8Array(npy.bytes));
    expect(map.shape).toEqual([shown.height, shown.width]);
    expect(Array.from(map.data)).toEqual(shown.map.map((v) => Math.fround(v)));

    const seg = await save('export-segments');
    expect(Array.from(decodeNpy(new Uint8Array(seg.bytes)).data)).toEqual(shown.segments);

    const json = await save('export-json');
    const file = parseResultFile(json.bytes.toString('utf8'));
    expect(file).toMatchObject({ format: 'glassbox-result', method: 'lime', seed: shown.seed, image: { name: 'star-1.png' }, model: { name: 'shapes.onnx' } });
    expect(explanationOf(file).map).toEqual(shown.map);

    const png = await save('export-png');
    const meta = await sharp(png.bytes).metadata();
    expect(meta.format).toBe('png');
    expect(Math.min(meta.width!, meta.height!)).toBeGreaterThanOrEqual(384); // the 96-px map scaled up, with room for the bar
    expect(dashboard.session.consoleErrors).toEqual([]);
  });
});
