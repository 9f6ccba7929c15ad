/**
 * Errors a data scientist understands, through real drops on the production build: the first line says in plain
 * words what is wrong, the parser's text waits under a folded "details", a model of another framework gets its
 * export recipe, prose dropped as labels is refused — and the demo model keeps predicting after each.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ElementHandle, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, dropFiles, readTopK, ROOT, useDashboard } from './harness';
import { seededBytes } from '../corpus/generators';

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'public/demo/manifest.json'), 'utf8')) as {
  defaultModel: string;
  images: { file: string; label: string; classIndex: number }[];
};
const corpus = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/corpus/bad-inputs.json'), 'utf8')) as {
  labels: { file: string; text: string; message: string }[];
};
const notes = corpus.labels.find((l) => l.file === 'notes.txt')!;


async function dismissAll(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('[data-testid="messages"] button[aria-label="Dismiss"]').forEach((b) => b.click()));
  await page.waitForFunction(() => !document.querySelector('[data-testid="messages"]'));
}

async function dropAndReadMessage(page: Page, file: { name: string; type: string; bytes: Buffer }, code: string): Promise<ElementHandle<Element>> {
  await dismissAll(page);
  await dropFiles(page, [file]);
  return page.waitForSelector(`[data-testid="messages"] [data-code="${code}"]`);
}

const text = (el: ElementHandle<Element>, selector: string) => el.$eval(selector, (e) => e.textContent ?? '');

/** The demo model is still the loaded one and answers a newly dropped image with that image's class. */
async function expectDemoModelStillPredicts(page: Page): Promise<void> {
  expect(await page.textContent('[data-testid="model-name"]')).toContain(manifest.defaultModel);
  const current = (await readTopK(page))[0].index;
  const other = manifest.images.find((i) => i.classIndex !== current)!;
  await dropFiles(page, [{ name: path.basename(other.file), type: 'image/png', bytes: fs.readFileSync(path.join(ROOT, 'public/demo', other.file)) }]);
  await page.waitForFunction((index) => document.querySelector('[data-testid="topk"] tbody tr')?.getAttribute('data-class-index') === String(index), other.classIndex);
}

async function screenshotMessages(page: Page, name: string): Promise<void> {
  fs.mkdirSync(path.join(ROOT, 'scratch'), { recursive: true });
  for (const [width, height] of [[1280, 720], [1440, 900]]) {
    await page.setViewportSize({ width, height });
    await page.locator('[data-testid="messages"]').screenshot({ path: path.join(ROOT, 'scratch', `errors-${name}-${width}x${height}.png`) });
  }
}

describe.skipIf(!browserTestsRunnable())('errors in plain words, in Chromium', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('random bytes named model.onnx: a plain first line, the parser text folded under "details"', async () => {
    const page = dashboard.session.page;
    const message = await dropAndReadMessage(page, { name: 'model.onnx', type: '', bytes: seededBytes(4096, 1) }, 'MODEL_UNREADABLE');
    const first = await text(message, '[data-testid="message-text"]');
    expect(first).toBe('Loading model model.onnx failed. This file is not a readable ONNX model: it may be cut short, damaged, or saved in another format.');
    expect(first).not.toMatch(/wire type|offset|protobuf/i);
    const details = await message.$('details[data-testid="message-detail"]');
    expect(details).not.toBeNull();
    expect(await details!.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await details!.$eval('summary', (s) => s.textContent)).toBe('details');
    expect(await details!.$eval('pre', (p) => p.textContent)).toBe('The ONNX (protobuf) reader stopped: invalid wire type 4 at offset 1.');
    await details!.$eval('summary', (s) => (s as HTMLElement).click());
    await screenshotMessages(page, 'not-onnx');
    await expectDemoModelStillPredicts(page);
  });

  it('weights.pt: PyTorch export guidance, with a torch.onnx.export recipe at opset 17 and a dynamic batch', async () => {
    const page = dashboard.session.page;
    const message = await dropAndReadMessage(page, { name: 'weights.pt', type: 'application/octet-stream', bytes: seededBytes(256, 2) }, 'MODEL_NOT_ONNX');
    expect(await text(message, '[data-testid="message-text"]')).toBe(
      'Loading model weights.pt failed. weights.pt is a PyTorch checkpoint, not an ONNX model. Convert it to ONNX first, then open the .onnx file.',
    );
    const recipe = await text(message, '[data-testid="message-hint"] pre.recipe');
    expect(recipe).toContain('model.load_state_dict(torch.load("weights.pt", map_location="cpu"))');
    expect(recipe).toContain('torch.onnx.export(model, torch.randn(1, 3, 224, 224), "model.onnx", opset_version=17,');
    expect(recipe).toContain('dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}');
    await screenshotMessages(page, 'pytorch');
    await expectDemoModelStillPredicts(page);
  });

  it('model.h5: Keras export guidance through a SavedModel and tf2onnx', async () => {
    const page = dashboard.session.page;
    const message = await dropAndReadMessage(page, { name: 'model.h5', type: 'application/x-hdf5', bytes: seededBytes(256, 3) }, 'MODEL_NOT_ONNX');
    expect(await text(message, '[data-testid="message-text"]')).toBe(
      'Loading model model.h5 failed. model.h5 is a Keras model, not an ONNX model. Convert it to ONNX first, then open the .onnx file.',
    );
    const recipe = await text(message, '[data-testid="message-hint"] pre.recipe');
    expect(recipe).toContain('model = tf.keras.models.load_model("model.h5")');
    expect(recipe).toContain('$ python -m tf2onnx.convert --saved-model saved_model_dir --opset 17 --output model.onnx');
    await expectDemoModelStillPredicts(page);
  });

  it('notes.txt holding prose: refused as labels with a message, the table keeps its labels', async () => {
    const page = dashboard.session.page;
    const before = await readTopK(page);
    const labelsSource = await page.textContent('[data-testid="prediction-meta"]');
    // As many lines as the demo has classes: taken as labels, they would rename every row.
    expect(notes.text.trim().split('\n')).toHaveLength(4);
    const message = await dropAndReadMessage(page, { name: 'notes.txt', type: 'text/plain', bytes: Buffer.from(notes.text) }, 'LABELS_INVALID');
    expect(await text(message, '[data-testid="message-text"]')).toBe(`Loading labels notes.txt failed. ${notes.message}`);
    expect(await text(message, '[data-testid="message-detail"] pre')).toMatch(/^4 of 4 lines do not look like class names: line 1 has 14 words without a comma;[^\n]*\nGlassbox reads a \.txt as labels when/);
    await screenshotMessages(page, 'labels');
    expect(await readTopK(page)).toEqual(before);
    expect(await page.textContent('[data-testid="prediction-meta"]')).toBe(labelsSource);
    await expectDemoModelStillPredicts(page);
  });
});
