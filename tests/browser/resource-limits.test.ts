/**
 * The page under heavy or incomplete inputs, on the production build: a compute worker that dies mid-run is
 * replaced (the model reloaded, image and history kept, the next run works); a model with external data loads when
 * its weights file comes with it and is refused by name when not; a 2 GB file dropped by mistake is refused at once
 * and the tab lives on; an image whose header claims too many pixels is refused before decoding.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, dropFiles, readTopK, ROOT, useDashboard } from './harness';

const EXTERNAL = path.join(ROOT, 'tests/fixtures/models/external');
const fixture = (name: string) => ({ name, type: '', bytes: fs.readFileSync(path.join(EXTERNAL, name)) });
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'public/demo/manifest.json'), 'utf8')) as { defaultModel: string };

type State = {
  model?: { name: string; fingerprint: string };
  history: { id: number }[];
  run?: { progress?: unknown };
  prediction?: { result: { raw: Float32Array } };
  messages: { code: string; message: string; context: string }[];
  predicting: boolean;
};
const state = (page: Page): Promise<Omit<State, 'prediction'> & { raw?: number[] }> =>
  page.evaluate(() => {
    const s = (window as unknown as { glassbox: { getState(): State } }).glassbox.getState();
    return { model: s.model, history: s.history.map((h) => ({ id: h.id })), run: s.run ? {} : undefined, raw: s.prediction ? Array.from(s.prediction.result.raw) : undefined, messages: s.messages, predicting: s.predicting };
  });

async function dismissAll(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('[data-testid="messages"] button[aria-label="Dismiss"]').forEach((b) => b.click()));
  await page.waitForFunction(() => !document.querySelector('[data-testid="messages"]'));
}

const messageText = (page: Page, code: string) => page.waitForSelector(`[data-testid="messages"] [data-code="${code}"] [data-testid="message-text"]`, { timeout: 60_000 }).then((e) => e.textContent());

/** Wait for a finished prediction of the model of this name, and return its raw scores. */
async function predictionOf(page: Page, name: string): Promise<number[]> {
  await page.waitForFunction((n) => {
    const s = (window as unknown as { glassbox: { getState(): State } }).glassbox.getState();
    return s.model?.name === n && !s.predicting && !!s.prediction;
  }, name, { timeout: 60_000 });
  return (await state(page)).raw!;
}

async function runMethod(page: Page, method: string): Promise<void> {
  await page.selectOption('[data-testid="method-picker"]', method);
  await page.waitForFunction(() => !(document.querySelector('[data-testid="run-explain"]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 60_000 });
  await page.click('[data-testid="run-explain"]');
}

async function waitRunDone(page: Page, historyBefore: number): Promise<void> {
  await page.waitForFunction((n) => {
    const s = (window as unknown as { glassbox: { getState(): State } }).glassbox.getState();
    return s.history.length > n && !s.run;
  }, historyBefore, { timeout: 120_000 });
}

/** The compute worker (not one of onnxruntime's thread workers) ends itself, as a worker out of memory ends. */
async function killComputeWorker(page: Page): Promise<void> {
  const workers = [];
  for (const w of page.workers()) {
    const name = w.url().includes('compute.worker') ? await w.evaluate(() => self.name).catch(() => 'gone') : 'other';
    if (name !== 'em-pthread' && name !== 'gone' && name !== 'other') workers.push(w);
  }
  expect(workers).toHaveLength(1);
  await workers[0].evaluate(() => void setTimeout(() => self.close(), 0));
}

describe.skipIf(!browserTestsRunnable())('resources: a dying worker, external data, huge files', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('the compute worker killed mid-run: a message, the model still there, history kept, the next run works', async () => {
    const page = dashboard.session.page;
    await runMethod(page, 'gradcam');
    await waitRunDone(page, 0);
    const before = await state(page);
    expect(before.history.length).toBeGreaterThan(0);

    await runMethod(page, 'rise');
    await page.waitForFunction(() => !!(window as unknown as { glassbox: { getState(): State } }).glassbox.getState().run);
    await killComputeWorker(page);

    const text = await messageText(page, 'INFERENCE_FAILED');
    expect(text).toBe('Explaining failed. The computation ran out of memory and was restarted; the model was reloaded. Your image and history are kept.');
    await page.waitForFunction(() => !(window as unknown as { glassbox: { getState(): State } }).glassbox.getState().run);
    expect(await page.textContent('[data-testid="model-name"]')).toContain(manifest.defaultModel);
    const after = await state(page);
    expect(after.history.map((h) => h.id)).toEqual(before.history.map((h) => h.id));

    // a new worker holds the model and the image: a run works
    await dismissAll(page);
    await runMethod(page, 'gradcam');
    await waitRunDone(page, after.history.length);
    expect((await state(page)).messages).toEqual([]);
    expect(dashboard.session.consoleErrors.filter((e) => !/ran out of memory/.test(e))).toEqual([]);
  });

  it('the compute worker dying while idle: the same message, and the next run works', async () => {
    const page = dashboard.session.page;
    await dismissAll(page);
    const before = await state(page);
    await killComputeWorker(page);
    expect(await messageText(page, 'INFERENCE_FAILED')).toBe('Computing failed. The computation ran out of memory and was restarted; the model was reloaded. Your image and history are kept.');
    await dismissAll(page);
    await runMethod(page, 'gradcam');
    await waitRunDone(page, before.history.length);
    expect((await state(page)).messages).toEqual([]);
  });

  it('a model with external data: dropped with its weights file it predicts what its inline twin predicts', async () => {
    const page = dashboard.session.page;
    await dropFiles(page, [fixture('tiny_external_inline.onnx')]);
    const inline = await predictionOf(page, 'tiny_external_inline.onnx');
    await dropFiles(page, [fixture('tiny_external.onnx'), fixture('tiny_external.onnx.data')]);
    const external = await predictionOf(page, 'tiny_external.onnx');
    expect(external).toHaveLength(5);
    expect(external).toEqual(inline);
    expect(await page.textContent('[data-testid="model-name"]')).toContain('tiny_external.onnx');
    expect((await state(page)).messages).toEqual([]);
  });

  it('picked together in "Open ONNX…" (multiple selection), the two files load too', async () => {
    const page = dashboard.session.page;
    await dropFiles(page, [fixture('tiny_external_inline.onnx')]);
    await predictionOf(page, 'tiny_external_inline.onnx');
    await page.setInputFiles('[data-testid="model-input"]', [path.join(EXTERNAL, 'tiny_external.onnx'), path.join(EXTERNAL, 'tiny_external.onnx.data')]);
    await predictionOf(page, 'tiny_external.onnx');
  });

  it('only the .onnx dropped: a message naming the weights file; the loaded model stays', async () => {
    const page = dashboard.session.page;
    await dropFiles(page, [fixture('tiny_external_inline.onnx')]);
    await predictionOf(page, 'tiny_external_inline.onnx');
    await dismissAll(page);
    await dropFiles(page, [fixture('tiny_external.onnx')]);
    expect(await messageText(page, 'MODEL_LOAD_FAILED')).toBe('Loading model tiny_external.onnx failed. This model keeps its weights in "tiny_external.onnx.data"; drop it together with the .onnx.');
    expect(await page.textContent('[data-testid="model-name"]')).toContain('tiny_external_inline.onnx');
    await dismissAll(page);
  });

  it('a 2 GB file dropped by mistake is refused at once, unread; the tab stays alive and "Load anyway" is offered', async () => {
    const page = dashboard.session.page;
    const took = await page.evaluate(() => {
      // 32 references to one 64 MB blob: a 2 GB file without 2 GB of memory
      const chunk = new Blob([new Uint8Array(64 * 1024 * 1024)]);
      const huge = new File(Array.from({ length: 32 }, () => chunk), 'huge.onnx');
      const dt = new DataTransfer();
      dt.items.add(huge);
      const t0 = performance.now();
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      return new Promise<number>((done) => {
        const poll = () => (document.querySelector('[data-testid="oversize-model"]') ? done(performance.now() - t0) : setTimeout(poll, 5));
        poll();
      });
    });
    expect(took).toBeLessThan(1000);
    expect(await messageText(page, 'MODEL_UNREADABLE')).toBe('Loading model huge.onnx failed. huge.onnx is 2048 MB, over the 1024 MB model limit of this page.');
    expect(await page.textContent('[data-testid="oversize-model"]')).toMatch(/^huge\.onnx is 2048(\.0)? MB, over the 1024 MB this page loads without asking/);
    expect(await page.isVisible('[data-testid="load-anyway"]')).toBe(true);
    expect(await page.evaluate(() => 6 * 7)).toBe(42);
    expect(await page.textContent('[data-testid="model-name"]')).toContain('tiny_external_inline.onnx');
    await page.click('[data-testid="oversize-model"] button:has-text("Cancel")');
    await page.waitForSelector('[data-testid="oversize-model"]', { state: 'detached' });
    await dismissAll(page);
  });

  it('images over the pixel budget (from the header) or the byte limit are refused before decoding', async () => {
    const page = dashboard.session.page;
    const png = Buffer.from(fs.readFileSync(path.join(ROOT, 'tests/fixtures/images/gradient_4x3.png')));
    png.writeUInt32BE(20000, 16);
    png.writeUInt32BE(15000, 20);
    await dropFiles(page, [{ name: 'huge.png', type: 'image/png', bytes: png }]);
    expect(await messageText(page, 'IMAGE_UNSUPPORTED')).toBe('Loading image huge.png failed. huge.png is 20000×15000 pixels (300 megapixels), over the 100-megapixel limit.');
    await dismissAll(page);
    await page.evaluate(() => {
      const chunk = new Blob([new Uint8Array(64 * 1024 * 1024)]);
      const dt = new DataTransfer();
      dt.items.add(new File(Array.from({ length: 8 }, () => chunk), 'scan.png', { type: 'image/png' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    expect(await messageText(page, 'IMAGE_UNSUPPORTED')).toBe('Loading image scan.png failed. scan.png is 512 MB, over the 256 MB image limit.');
    await dismissAll(page);
    // the page still predicts on its image
    expect((await readTopK(page)).length).toBeGreaterThan(0);
  });
});
