/** Grad-CAM and the gradient methods in the dashboard, on WASM and on WebGPU (Chromium's software adapter here). */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { browserTestsRunnable, dropFiles, ROOT, useDashboard } from './harness';

/** The finished explanation's map, read from the store the page exposes as window.glassbox. */
async function resultMap(page: Page): Promise<{ method: string; map: number[]; layer?: string }> {
  return page.evaluate(() => {
    const s = (window as unknown as { glassbox: { getState(): { explanation?: { result: { method: string; map: number[]; layer?: string } } } } }).glassbox.getState();
    const r = s.explanation!.result;
    return { method: r.method, map: r.map, layer: r.layer };
  });
}

async function runAndWait(page: Page, method: string) {
  await page.selectOption('[data-testid="method-picker"]', method);
  await page.waitForFunction(() => !(document.querySelector('[data-testid="run-explain"]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 60_000 });
  const before = await page.evaluate(() => (window as unknown as { glassbox: { getState(): { explanation?: unknown } } }).glassbox.getState().explanation);
  await page.click('[data-testid="run-explain"]');
  await page.waitForFunction((prev) => {
    const e = (window as unknown as { glassbox: { getState(): { explanation?: unknown; run?: unknown } } }).glassbox.getState();
    return e.explanation && e.explanation !== prev && !e.run;
  }, before, { timeout: 120_000 });
}

describe.skipIf(!browserTestsRunnable())('Grad-CAM and gradients in Chromium', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('Grad-CAM on WASM: the layer picker lists the feature maps, the heatmap and its layer appear', async () => {
    const page = dashboard.session.page;
    await page.selectOption('[data-testid="method-picker"]', 'gradcam');
    await page.waitForFunction(() => (document.querySelectorAll('[data-testid="layer-picker"] option').length ?? 0) > 5, undefined, { timeout: 60_000 });
    expect(await page.textContent('[data-testid="layer-picker"]')).toMatch(/features\.19\/Relu.*12×12/);
    await runAndWait(page, 'gradcam');
    await page.waitForSelector('[data-testid="overlay-canvas"]');
    expect(await page.textContent('[data-testid="explanation-meta"]')).toMatch(/layer .*features\.19\/Relu.* \(12×12\)/);
    expect(await page.textContent('#result-h')).toMatch(/^Grad-CAM explanation · #\d+ /);
    expect(dashboard.session.consoleErrors).toEqual([]);
  });

  it('Grad-CAM on WebGPU gives the same map as on WASM', async () => {
    const page = dashboard.session.page;
    const wasm = await resultMap(page);
    expect(wasm.method).toBe('gradcam');
    await page.selectOption('select[aria-label="Backend"]', 'webgpu');
    await page.waitForFunction(() => document.querySelector('[data-testid="backend-badge"]')?.textContent === 'WEBGPU', undefined, { timeout: 120_000 });
    await page.waitForFunction(() => !document.querySelector('[aria-label="predicting"]'));
    // the batch probe runs on the new backend; on WebGPU its batch is what runs at a default batch size use, unless
    // it ran out of time before the time per image flattened (SwiftShader here, ~50× slower than WASM)
    await page.waitForSelector('[data-testid="batch-probe"]', { state: 'attached', timeout: 120_000 });
    const probe = (await page.textContent('[data-testid="batch-probe"]')) ?? '';
    expect(probe).toMatch(/measured here: fastest per image at batch \d+: [\d.]+ ms per image/);
    expect(/runs use it where a method's batch size is at its default$/.test(probe)).toBe(!probe.includes('in the time allowed'));
    await runAndWait(page, 'gradcam');
    const gpu = await resultMap(page);
    expect(gpu.layer).toBe(wasm.layer);
    const scale = Math.max(...wasm.map.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    let worst = 0;
    for (let i = 0; i < wasm.map.length; i++) worst = Math.max(worst, Math.abs(gpu.map[i] - wasm.map[i]));
    expect(worst / scale).toBeLessThan(1e-3);
    await page.selectOption('select[aria-label="Backend"]', 'wasm');
    await page.waitForFunction(() => document.querySelector('[data-testid="backend-badge"]')?.textContent === 'WASM', undefined, { timeout: 120_000 });
  });

  it('LIME and RISE on WebGPU compose their masked inputs on the GPU and give the WASM results', async () => {
    const page = dashboard.session.page;
    const read = () =>
      page.evaluate(() => {
        const r = (window as unknown as { glassbox: { getState(): { explanation: { result: { method: string; map: number[]; weights?: number[]; timings: { inputsOnGpu?: boolean } } } } } }).glassbox.getState().explanation.result;
        return { method: r.method, values: r.weights ?? r.map, onGpu: !!r.timings.inputsOnGpu };
      });
    const closeTo = (gpu: number[], wasm: number[]) => {
      expect(gpu.length).toBe(wasm.length);
      const scale = Math.max(...wasm.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      let worst = 0;
      for (let i = 0; i < wasm.length; i++) worst = Math.max(worst, Math.abs(gpu[i] - wasm[i]));
      expect(worst / scale).toBeLessThan(1e-3);
    };
    const runBoth = async () => {
      await page.selectOption('[data-testid="method-picker"]', 'lime');
      await page.fill('input[aria-label="Samples"]', '96');
      await runAndWait(page, 'lime');
      const lime = await read();
      expect(lime.method).toBe('lime');
      const limeGpuNote = await page.$('[data-testid="inputs-on-gpu"]');
      await page.selectOption('[data-testid="method-picker"]', 'rise');
      await page.fill('input[aria-label="Masks"]', '64');
      await runAndWait(page, 'rise');
      const rise = await read();
      expect(rise.method).toBe('rise');
      return { lime, rise, limeGpuNote: !!limeGpuNote, riseGpuNote: !!(await page.$('[data-testid="inputs-on-gpu"]')) };
    };
    await page.uncheck('input[aria-label="Faithfulness curves"]');
    const wasm = await runBoth();
    expect([wasm.lime.onGpu, wasm.rise.onGpu, wasm.limeGpuNote, wasm.riseGpuNote]).toEqual([false, false, false, false]);
    await page.selectOption('select[aria-label="Backend"]', 'webgpu');
    await page.waitForFunction(() => document.querySelector('[data-testid="backend-badge"]')?.textContent === 'WEBGPU', undefined, { timeout: 120_000 });
    await page.waitForFunction(() => !document.querySelector('[aria-label="predicting"]'));
    const gpu = await runBoth();
    expect([gpu.lime.onGpu, gpu.rise.onGpu, gpu.limeGpuNote, gpu.riseGpuNote]).toEqual([true, true, true, true]);
    expect(await page.textContent('[data-testid="inputs-on-gpu"]')).toBe(' · inputs composed on the GPU');
    closeTo(gpu.lime.values, wasm.lime.values);
    closeTo(gpu.rise.values, wasm.rise.values);
    expect(dashboard.session.consoleErrors).toEqual([]);
    await page.selectOption('select[aria-label="Backend"]', 'wasm');
    await page.waitForFunction(() => document.querySelector('[data-testid="backend-badge"]')?.textContent === 'WASM', undefined, { timeout: 120_000 });
    await page.check('input[aria-label="Faithfulness curves"]');
  });

  it('Integrated Gradients shows its completeness', async () => {
    const page = dashboard.session.page;
    await page.selectOption('[data-testid="method-picker"]', 'ig');
    await page.fill('input[aria-label="Steps"]', '16');
    await runAndWait(page, 'ig');
    expect(await page.textContent('[data-testid="explanation-meta"]')).toMatch(/completeness: Σ attributions .* \(error \d+\.\d+ %\)/);
    expect(dashboard.session.consoleErrors).toEqual([]);
  });

  it('two classes: the raw scale is shared between them, the normalised one is per map', async () => {
    const page = dashboard.session.page;
    await page.selectOption('[data-testid="method-picker"]', 'gradcam');
    await page.fill('input[aria-label="Top labels"]', '2');
    await runAndWait(page, 'gradcam');
    const rangeFor = async (cls: string) => {
      await page.selectOption('select[aria-label="Explained class"]', cls);
      return page.textContent('[data-testid="heatmap-scale"]');
    };
    await page.selectOption('select[aria-label="Scale"]', 'raw');
    expect(await rangeFor('1')).toBe(await rangeFor('0'));
    await page.selectOption('select[aria-label="Scale"]', 'normalised');
    expect(await rangeFor('1')).not.toBe(await rangeFor('0'));
    await page.fill('input[aria-label="Top labels"]', '1');
    expect(dashboard.session.consoleErrors).toEqual([]);
  });

  it.each([
    ['resnetish_fp16.onnx', /layer feat \(4×4\)/],
    ['tvit.onnx', /layer feat \(4×4\)/],
  ])('a real-world model shape, %s: Grad-CAM in the page uses the right layer and draws a non-empty map', async (file, layer) => {
    const page = dashboard.session.page;
    await dropFiles(page, [{ name: file, type: '', bytes: fs.readFileSync(path.join(ROOT, 'tests/fixtures/grad/realworld', file)) }]);
    await page.waitForFunction((n) => document.querySelector('[data-testid="model-panel"]')?.textContent?.includes(n), file, { timeout: 60_000 });
    await page.waitForFunction(() => !document.querySelector('[aria-label="predicting"]'));
    await page.selectOption('[data-testid="method-picker"]', 'gradcam');
    await page.waitForFunction(() => document.querySelector('[data-testid="layer-picker"]')?.textContent?.includes('feat'), undefined, { timeout: 60_000 });
    await runAndWait(page, 'gradcam');
    expect(await page.textContent('[data-testid="explanation-meta"]')).toMatch(layer);
    expect(await page.textContent('#result-h')).toMatch(/^Grad-CAM explanation · #\d+ /);
    const { map } = await resultMap(page);
    expect(Math.max(...map)).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="quality-notes"]').count()).toBe(0);
    expect(dashboard.session.consoleErrors).toEqual([]);
  });
});
