/**
 * The dashboard in Debian's Chromium, served from the production build: demo prediction on first load, a
 * model and photo dropped through a real drop event, a broken model refused while the old one keeps working,
 * and not one request leaving the page's origin.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedModelsAvailable, sharedPath } from '../helpers/shared-models';
import { browserTestsRunnable, dropFiles, launchBrowser, openPage, readTopK, ROOT, startServer, type RecordedPage } from './harness';

const runnable = browserTestsRunnable();
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'public/demo/manifest.json'), 'utf8')) as {
  defaultModel: string;
  defaultImage: string;
  images: { file: string; label: string; classIndex: number }[];
};
const fixture = (...p: string[]) => path.join(ROOT, 'tests/fixtures', ...p);

describe.skipIf(!runnable)('dashboard in Chromium', () => {
  let server: PreviewServer;
  let url: string;
  let browser: Browser;
  let session: RecordedPage;

  beforeAll(async () => {
    ({ server, url } = await startServer({ isolationHeaders: true }));
    browser = await launchBrowser();
    session = await openPage(browser, url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens on the demo model and image with its prediction, no user action', async () => {
    const top = await readTopK(session.page);
    const expected = manifest.images.find((i) => i.file === manifest.defaultImage)!;
    expect(top[0]).toEqual({ index: expected.classIndex, label: expected.label });
    expect(await session.page.textContent('[data-testid="model-name"]')).toContain(manifest.defaultModel);
    // Runs in the worker on WASM with threads, because the server sends COOP/COEP.
    expect(await session.page.textContent('[data-testid="backend-badge"]')).toBe('WASM');
    expect(await session.page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    expect(await session.page.textContent('[data-testid="threads-badge"]')).toMatch(/^[1-9]\d* threads?$/);
  });

  it('a broken model dropped on the page shows its message, and the previous model still predicts', async () => {
    await dropFiles(session.page, [{ name: 'bad_truncated.onnx', type: '', bytes: fs.readFileSync(fixture('models/bad_truncated.onnx')) }]);
    const message = await session.page.waitForSelector('[data-testid="messages"] [data-code]');
    expect(await message.getAttribute('data-code')).toBe('MODEL_UNREADABLE');
    expect(await message.$eval('[data-testid="message-text"]', (el) => el.textContent)).toBe(
      'Loading model bad_truncated.onnx failed. This file is not a readable ONNX model: it may be cut short, damaged, or saved in another format.',
    );
    expect(await session.page.textContent('[data-testid="model-name"]')).toContain(manifest.defaultModel);
    // The old model answers a new image.
    const other = manifest.images.find((i) => i.classIndex !== manifest.images.find((d) => d.file === manifest.defaultImage)!.classIndex)!;
    await dropFiles(session.page, [{ name: path.basename(other.file), type: 'image/png', bytes: fs.readFileSync(path.join(ROOT, 'public/demo', other.file)) }]);
    await session.page.waitForFunction((index) => document.querySelector('[data-testid="topk"] tbody tr')?.getAttribute('data-class-index') === String(index), other.classIndex);
  });

  it('switching to WebGPU (software adapter here) runs the same model and gives the same top class', async () => {
    const page = session.page;
    const before = await readTopK(page);
    await page.selectOption('select[aria-label="Backend"]', 'webgpu');
    await page.waitForFunction(() => document.querySelector('[data-testid="backend-badge"]')?.textContent === 'WEBGPU', undefined, { timeout: 120_000 });
    await page.waitForFunction(() => !document.querySelector('[aria-label="predicting"]'));
    expect((await readTopK(page))[0]).toEqual(before[0]);
    await page.selectOption('select[aria-label="Backend"]', 'wasm');
    await page.waitForFunction(() => document.querySelector('[data-testid="backend-badge"]')?.textContent === 'WASM');
  });

  it('changing the thread count restarts the worker with that many WASM threads and keeps model and image', async () => {
    const page = session.page;
    const before = await readTopK(page);
    await page.selectOption('select[aria-label="Threads"]', '1');
    await page.waitForFunction(() => document.querySelector('[data-testid="threads-badge"]')?.textContent === '1 thread');
    await page.waitForFunction(() => !document.querySelector('[aria-label="predicting"]'));
    expect((await readTopK(page))[0]).toEqual(before[0]);
    await page.selectOption('select[aria-label="Threads"]', '2');
    await page.waitForFunction(() => document.querySelector('[data-testid="threads-badge"]')?.textContent === '2 threads');
  });

  it('an fp16 model asked to run on a GPU without shader-f16 falls back to WASM and says why', async () => {
    const page = session.page;
    await page.selectOption('select[aria-label="Backend"]', 'webgpu');
    await page.waitForFunction(() => document.querySelector('[data-testid="backend-badge"]')?.textContent === 'WEBGPU', undefined, { timeout: 120_000 });
    const gpuHasF16 = await page.evaluate(async () => Boolean((await (navigator as unknown as { gpu: { requestAdapter(): Promise<{ features: Set<string> } | null> } }).gpu.requestAdapter())?.features.has('shader-f16')));
    await dropFiles(page, [{ name: 'tiny_fp16.onnx', type: '', bytes: fs.readFileSync(fixture('models/tiny_fp16.onnx')) }]);
    await page.waitForFunction(() => document.querySelector('[data-testid="model-name"]')?.textContent?.includes('tiny_fp16.onnx'));
    if (gpuHasF16) {
      expect(await page.textContent('[data-testid="backend-badge"]')).toBe('WEBGPU');
    } else {
      expect(await page.textContent('[data-testid="backend-badge"]')).toBe('WASM');
      expect(await page.getAttribute('[data-testid="backend-badge"]', 'title')).toMatch(/shader-f16/);
    }
    await page.selectOption('select[aria-label="Backend"]', 'wasm');
    await page.click('.demo-row button:first-of-type');
    await page.waitForFunction((name) => document.querySelector('[data-testid="model-name"]')?.textContent?.includes(name), manifest.defaultModel);
  });

  it('a pasted image is decoded and predicted', async () => {
    const page = session.page;
    const current = (await readTopK(page))[0].index;
    const demoImage = manifest.images.find((i) => i.classIndex !== current)!;
    const base64 = fs.readFileSync(path.join(ROOT, 'public/demo', demoImage.file)).toString('base64');
    await page.evaluate((b64) => {
      const bin = atob(b64);
      const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
      window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt }));
    }, base64);
    await page.waitForFunction((index) => document.querySelector('[data-testid="topk"] tbody tr')?.getAttribute('data-class-index') === String(index), demoImage.classIndex);
  });

  it('clicking a row makes that class the explanation target; a labels file renames the classes', async () => {
    const page = session.page;
    await page.click('[data-testid="topk"] tbody tr:nth-child(2)');
    const second = await page.getAttribute('[data-testid="topk"] tbody tr:nth-child(2)', 'data-class-index');
    expect(await page.getAttribute('[data-testid="topk"] tbody tr:nth-child(2)', 'aria-selected')).toBe('true');
    expect(await page.textContent('[data-testid="prediction-meta"]')).toContain(`explaining class #${second}`);
    await page.setInputFiles('[data-testid="labels-input"]', { name: 'names.txt', mimeType: 'text/plain', buffer: Buffer.from('zero\none\ntwo\nthree\n') });
    await page.waitForFunction(() => document.querySelector('[data-testid="prediction-meta"]')?.textContent?.includes('Labels: file'));
    const top = await readTopK(page);
    expect(top[0].label).toBe(['zero', 'one', 'two', 'three'][top[0].index]);
  });

  it('preprocessing changes are remembered for the model across a reload', async () => {
    const page = session.page;
    await page.click('[data-testid="preprocess-toggle"]'); // the settings open under the one-line summary
    await page.selectOption('select[aria-label="Channel order"]', 'BGR');
    await page.waitForFunction(() => document.querySelector('[data-testid="pipeline"]')?.textContent?.includes('reorder channels to BGR'));
    await page.reload();
    await readTopK(page);
    expect(await page.inputValue('select[aria-label="Channel order"]')).toBe('BGR');
    await page.click('[data-testid="preprocess-panel"] header button'); // Reset
    await page.waitForFunction(() => (document.querySelector('select[aria-label="Channel order"]') as HTMLSelectElement).value === 'RGB');
  });

  it.skipIf(!sharedModelsAvailable())('squeezenet1.1 and the cat photo dropped together give a cat class', async () => {
    await dropFiles(session.page, [
      { name: 'squeezenet1.1-fp32.onnx', type: '', bytes: fs.readFileSync(sharedPath('squeezenet1.1-fp32.onnx')) },
      { name: 'chelsea.png', type: 'image/png', bytes: fs.readFileSync(sharedPath('images/chelsea.png')) },
    ]);
    await session.page.waitForFunction(() => document.querySelector('[data-testid="model-name"]')?.textContent?.includes('squeezenet'));
    await session.page.waitForFunction(() => document.querySelector('[data-testid="image-caption"]')?.textContent?.includes('chelsea.png'));
    await session.page.waitForFunction(() => {
      const i = Number(document.querySelector('[data-testid="topk"] tbody tr')?.getAttribute('data-class-index'));
      return i >= 281 && i <= 285;
    });
    const top = await readTopK(session.page);
    expect(top[0].index).toBeGreaterThanOrEqual(281);
    expect(top[0].index).toBeLessThanOrEqual(285);
  });

  it('made no request outside the page origin and logged no errors', () => {
    const origin = new URL(url).origin;
    const foreign = session.requests.filter((r) => !r.startsWith(origin) && !r.startsWith('blob:') && !r.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(session.requests.length).toBeGreaterThan(5);
    expect(session.consoleErrors).toEqual([]);
  });
});
