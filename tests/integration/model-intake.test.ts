/**
 * Model intake on tiny generated models (tests/fixtures/models, made by tools/make_fixtures.py): layout,
 * input size, dynamic batch, probability outputs, labels from metadata and old-IR files are read correctly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { preprocessImage } from '../../src/engine/image/preprocess';
import { createRgbaImage } from '../../src/engine/image/types';
import { resolveLabels } from '../../src/engine/labels/labels';
import { rankScores } from '../../src/engine/predict/scores';

const ROOT = path.resolve(import.meta.dirname, '../..');
const runtime = createNodeRuntime(1);
const load = (name: string) => runtime.loadModel(new Uint8Array(fs.readFileSync(path.join(ROOT, 'tests/fixtures/models', name))), { backend: 'wasm' });

describe('layout, size and batch detection', () => {
  it('NCHW with a symbolic batch: dynamic batch, 8×8, logits', async () => {
    const m = await load('tiny_nchw_dynamic.onnx');
    expect(m.spec).toMatchObject({ layout: 'NCHW', layoutSource: 'graph', channels: 3, width: 8, height: 8, dynamicBatch: true, numClasses: 5 });
    expect(m.spec.outputKind).toBeUndefined();
    expect(m.spec.suggestedPreprocess).toMatchObject({ width: 8, height: 8, layout: 'NCHW' });
  });

  it('fixed batch of 1 kept as it is (batchRewrite: false): not dynamic, and a batch of 3 still runs (image by image)', async () => {
    const m = await runtime.loadModel(new Uint8Array(fs.readFileSync(path.join(ROOT, 'tests/fixtures/models/tiny_nchw_fixed.onnx'))), { backend: 'wasm', batchRewrite: false });
    expect(m.spec.dynamicBatch).toBe(false);
    const one = new Float32Array(3 * 8 * 8).map((_, i) => Math.sin(i));
    const three = new Float32Array(one.length * 3);
    three.set(one, 0);
    three.set(one, one.length);
    three.set(one.map((v) => v * 2), one.length * 2);
    const out = await m.run(three, [3, 3, 8, 8]);
    const single = await m.run(one, [1, 3, 8, 8]);
    expect(out.length).toBe(15);
    expect(Array.from(out.subarray(0, 5))).toEqual(Array.from(single));
    expect(Array.from(out.subarray(5, 10))).toEqual(Array.from(single));
    expect(Array.from(out.subarray(10))).not.toEqual(Array.from(single));
  });

  it('Keras/tf2onnx NHWC (Transpose after the input) with a final Softmax', async () => {
    const m = await load('tiny_nhwc.onnx');
    expect(m.spec).toMatchObject({ layout: 'NHWC', layoutSource: 'graph', channels: 3, width: 8, height: 8, outputKind: 'probabilities' });
    expect(m.spec.suggestedPreprocess.layout).toBe('NHWC');
  });

  it('4-D softmax output [1,5,1,1] is read as 5 class probabilities', async () => {
    const m = await load('tiny_softmax_4d.onnx');
    expect(m.spec).toMatchObject({ numClasses: 5, outputKind: 'probabilities' });
    const img = createRgbaImage(8, 8);
    img.data.fill(128);
    const { tensor, dims } = preprocessImage(img, m.spec.suggestedPreprocess);
    const raw = await m.run(tensor, dims);
    expect(raw.length).toBe(5);
    const ranked = rankScores(raw, resolveLabels(5, {}).labels, 5, m.spec.outputKind);
    expect(ranked.top.map((t) => t.score)).toEqual(ranked.top.map((t) => t.raw)); // not softmaxed twice
  });

  it('old IR (v3) listing initializers as graph inputs loads with its single real input', async () => {
    const m = await load('tiny_old_ir_initializers_as_inputs.onnx');
    expect(m.info.irVersion).toBe(3);
    expect(m.info.inputs).toHaveLength(1);
    expect(m.spec.inputName).toBe(m.info.inputs[0].name);
  });

  it('dynamic height and width: no fixed size, the user picks one and it runs', async () => {
    const m = await load('tiny_dynamic_hw.onnx');
    expect(m.spec.width).toBeUndefined();
    expect(m.spec.height).toBeUndefined();
    const img = createRgbaImage(40, 30);
    img.data.fill(90);
    const { tensor, dims } = preprocessImage(img, { ...m.spec.suggestedPreprocess, width: 32, height: 16, resize: 'stretch' });
    expect(dims).toEqual([1, 3, 16, 32]);
    expect((await m.run(tensor, dims)).length).toBe(5);
  });
});

describe('float16 models', () => {
  it('take float16 input: inputs are converted, outputs read back, and agree with the float32 model', async () => {
    const half = await load('tiny_fp16.onnx');
    const full = await load('tiny_nchw_dynamic.onnx');
    expect(half.spec.inputDType).toBe('float16');
    expect(half.info.usesFloat16).toBe(true); // the worker keeps such models off GPUs without shader-f16
    expect(full.info.usesFloat16).toBe(false);
    const input = new Float32Array(2 * 3 * 8 * 8).map((_, i) => Math.cos(i * 0.37));
    const a = await half.run(input, [2, 3, 8, 8]);
    const b = await full.run(input, [2, 3, 8, 8]);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(10);
    for (let i = 0; i < 10; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(0.02 * Math.max(1, Math.abs(b[i])));
  });
});

describe('labels', () => {
  it('labels stored in metadata_props are used', async () => {
    const m = await load('tiny_labels_metadata.onnx');
    expect(m.spec.metadataLabels).toEqual(['zero', 'one', 'two', 'three', 'four']);
    expect(resolveLabels(5, { metadata: m.spec.metadataLabels })).toMatchObject({ source: 'model metadata', labels: ['zero', 'one', 'two', 'three', 'four'] });
  });

  it('a 1001-class output gets background + ImageNet', async () => {
    const m = await load('tiny_1001.onnx');
    expect(m.spec.numClasses).toBe(1001);
    expect(resolveLabels(1001, {}).labels[286]).toBe('Egyptian cat');
  });
});

describe('the preprocessing → inference path is exact', () => {
  it('a linear model sees exactly the normalised pixels: y0 = Σx, y1 = x[0,0,0,0]', async () => {
    const m = await load('tiny_identity_linear.onnx');
    const img = createRgbaImage(4, 4);
    for (let i = 0; i < 16; i++) img.data.set([i * 10, 255 - i * 5, 7 * i, 255], i * 4);
    const cfg = { ...m.spec.suggestedPreprocess, resize: 'stretch' as const, range: 1 as const, mean: [0.5, 0.25, 0] as [number, number, number], std: [0.5, 0.5, 2] as [number, number, number], channelOrder: 'RGB' as const };
    const { tensor, dims } = preprocessImage(img, cfg);
    const y = await m.run(tensor, dims);
    let sum = 0;
    for (let i = 0; i < 16; i++) {
      sum += (i * 10 / 255 - 0.5) / 0.5 + ((255 - i * 5) / 255 - 0.25) / 0.5 + (7 * i / 255) / 2;
    }
    expect(y[0]).toBeCloseTo(sum, 4);
    expect(y[1]).toBeCloseTo((0 / 255 - 0.5) / 0.5, 6);
    // BGR puts blue first: x[0,0,0,0] is then pixel 0's blue, (0/255 − 0)/2 = 0 — and the mean/std follow their channel.
    const bgr = preprocessImage(img, { ...cfg, channelOrder: 'BGR' });
    expect((await m.run(bgr.tensor, bgr.dims))[1]).toBeCloseTo(0, 6);
    expect((await m.run(bgr.tensor, bgr.dims))[0]).toBeCloseTo(sum, 4);
  });
});
