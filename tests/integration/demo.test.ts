/**
 * The built-in demo keeps its promises: the clean model gets every demo image right, the shortcut model is
 * fooled by the watermark, and every image has a matching ground-truth mask.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/cli/decode-image';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { preprocessImage } from '../../src/engine/image/preprocess';
import { topKIndices } from '../../src/engine/predict/scores';
import type { DemoManifest } from '../../src/store/demo';

const DEMO = path.resolve(import.meta.dirname, '../../public/demo');
const manifest = JSON.parse(fs.readFileSync(path.join(DEMO, 'manifest.json'), 'utf8')) as DemoManifest;
const runtime = createNodeRuntime(1);
const load = async (file: string) => runtime.loadModel(new Uint8Array(fs.readFileSync(path.join(DEMO, file))), { backend: 'wasm' });
const decode = async (file: string) => decodeImageFile(new Uint8Array(fs.readFileSync(path.join(DEMO, file))), file);

async function predict(model: Awaited<ReturnType<typeof load>>, file: string): Promise<number> {
  const { tensor, dims } = preprocessImage(await decode(file), model.spec.suggestedPreprocess);
  return topKIndices(await model.run(tensor, dims), 1)[0];
}

describe('demo', () => {
  it('both models carry their labels and preprocessing in metadata and take a dynamic batch', async () => {
    for (const m of manifest.models) {
      const model = await load(m.file);
      expect(model.spec.metadataLabels).toEqual(['circle', 'square', 'triangle', 'star']);
      expect(model.spec.preprocessSource).toContain('glassbox.preprocess');
      expect(model.spec.suggestedPreprocess).toMatchObject({ width: 96, height: 96, resize: 'stretch', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
      expect(model.spec.dynamicBatch).toBe(true);
    }
  });

  it('the clean model classifies every demo image correctly', async () => {
    const model = await load('shapes.onnx');
    for (const image of manifest.images) expect(await predict(model, image.file), image.file).toBe(image.classIndex);
  });

  it('the shortcut model calls a watermarked circle a star and misses a star without the watermark', async () => {
    const model = await load('shortcut.onnx');
    const star = manifest.images.find((i) => i.label === 'star')!;
    const trap = manifest.images.find((i) => i.label === 'circle' && i.watermark)!;
    expect(await predict(model, trap.file)).toBe(3);
    expect(await predict(model, star.file)).not.toBe(3);
  });

  it('every demo image has a same-size, non-empty binary mask; watermarks lie outside the object', async () => {
    for (const image of manifest.images) {
      const [pixels, mask] = await Promise.all([decode(image.file), decode(image.mask!)]);
      expect([mask.width, mask.height]).toEqual([pixels.width, pixels.height]);
      let on = 0;
      for (let i = 0; i < mask.width * mask.height; i++) {
        const v = mask.data[i * 4];
        expect(v === 0 || v === 255).toBe(true);
        if (v === 255) on++;
      }
      expect(on / (mask.width * mask.height)).toBeGreaterThan(0.02);
      if (image.watermark) {
        const { x, y, w, h } = image.watermark;
        for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) expect(mask.data[(yy * mask.width + xx) * 4]).toBe(0);
      }
    }
  });
});
