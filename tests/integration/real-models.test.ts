/**
 * The real ImageNet classifiers in ../shared/models give the top-1 classes that models/README.md lists, through
 * the same engine code the worker runs (decode → preprocess → onnxruntime-web wasm). Skipped, saying so, when
 * ../shared/models is absent.
 */
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/cli/decode-image';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { preprocessImage, type PreprocessConfig } from '../../src/engine/image/preprocess';
import { resolveLabels } from '../../src/engine/labels/labels';
import { rankScores } from '../../src/engine/predict/scores';
import type { Model } from '../../src/engine/runtime/ort-runtime';
import { sharedModelsAvailable, sharedPath } from '../helpers/shared-models';

const available = sharedModelsAvailable();

async function top5(model: Model, image: string, resize: PreprocessConfig['resize']) {
  const decoded = await decodeImageFile(new Uint8Array(fs.readFileSync(sharedPath('images', image))), image);
  const { tensor, dims } = preprocessImage(decoded, { ...model.spec.suggestedPreprocess, resize });
  const raw = await model.run(tensor, dims);
  return rankScores(raw, resolveLabels(1000, {}).labels, 5, model.spec.outputKind).top.map((t) => t.index);
}

describe.skipIf(!available).each([
  ['squeezenet1.1-fp32.onnx'],
  ['mobilenetv2-12-int8.onnx'],
])('%s on the four reference photos', (file) => {
  let model: Model;
  beforeAll(async () => {
    model = await createNodeRuntime(1).loadModel(new Uint8Array(fs.readFileSync(sharedPath(file))), { backend: 'wasm' });
  });

  for (const resize of ['crop', 'stretch'] as const) {
    it(`${resize}: cat, espresso, Labrador and Grace Hopper's tie/uniform as in models/README.md`, async () => {
      const chelsea = await top5(model, 'chelsea.png', resize);
      expect(chelsea[0]).toBeGreaterThanOrEqual(281);
      expect(chelsea[0]).toBeLessThanOrEqual(285);
      expect((await top5(model, 'coffee.png', resize))[0]).toBe(967);
      expect((await top5(model, 'labrador.jpg', resize))[0]).toBe(208);
      const hopper = await top5(model, 'grace_hopper.jpg', resize);
      expect(hopper).toContain(457);
      expect(hopper).toContain(652);
    });
  }
});

describe.skipIf(!available)('metadata read from the real models', () => {
  it('squeezenet: old IR whose initializers are also graph inputs loads with one real input, BGR 0–255, final Softmax', async () => {
    const model = await createNodeRuntime(1).loadModel(new Uint8Array(fs.readFileSync(sharedPath('squeezenet1.1-fp32.onnx'))), { backend: 'wasm' });
    expect(model.info.irVersion).toBe(3);
    expect(model.info.inputs.map((i) => i.name)).toEqual(['data_0']);
    // the file fixes the batch to 1; Glassbox rewrites it (checked numerically) so explanations batch
    expect(model.spec).toMatchObject({ inputName: 'data_0', layout: 'NCHW', dynamicBatch: true, inputShape: ['N', 3, 224, 224], numClasses: 1000, outputKind: 'probabilities', width: 224, height: 224 });
    expect(model.spec.batchRewrite!.relativeError).toBeLessThan(1e-5);
    expect(model.spec.suggestedPreprocess).toMatchObject({ channelOrder: 'BGR', range: 255, mean: [0, 0, 0], std: [1, 1, 1] });
    await model.dispose();
  });

  it('mobilenetv2 int8: dynamic batch, logits, ImageNet normalisation; a batch of 2 equals two single runs', async () => {
    const model = await createNodeRuntime(1).loadModel(new Uint8Array(fs.readFileSync(sharedPath('mobilenetv2-12-int8.onnx'))), { backend: 'wasm' });
    expect(model.spec).toMatchObject({ dynamicBatch: true, numClasses: 1000, layout: 'NCHW' });
    expect(model.spec.outputKind).toBeUndefined();
    const decoded = await decodeImageFile(new Uint8Array(fs.readFileSync(sharedPath('images', 'coffee.png'))));
    const { tensor } = preprocessImage(decoded, model.spec.suggestedPreprocess);
    const pair = new Float32Array(tensor.length * 2);
    pair.set(tensor, 0);
    pair.set(tensor.map((v) => -v), tensor.length);
    const batched = await model.run(pair, [2, 3, 224, 224]);
    const first = await model.run(tensor, [1, 3, 224, 224]);
    const second = await model.run(pair.subarray(tensor.length), [1, 3, 224, 224]);
    expect(Array.from(batched.subarray(0, 1000))).toEqual(Array.from(first));
    expect(Array.from(batched.subarray(1000))).toEqual(Array.from(second));
    await model.dispose();
  });
});
