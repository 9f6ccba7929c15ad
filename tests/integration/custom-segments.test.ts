/**
 * Custom regions on a real model: the labels an internal segmentation produced, given back as 'custom', give
 * exactly the same LIME coefficients and KernelSHAP values (same seed), bit for bit — the custom path changes where
 * the features come from, nothing else; the result names the file and the region count instead of copying labels.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/cli/decode-image';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { explainKernelShap, KERNEL_SHAP_DEFAULTS, type KernelShapParams } from '../../src/engine/explain/kernel-shap';
import { explainLime, LIME_DEFAULTS, type LimeParams } from '../../src/engine/explain/lime';
import type { SegmentationSpec } from '../../src/engine/explain/segmentation';
import type { SuperpixelExplanation } from '../../src/engine/explain/types';
import { resizeForModel } from '../../src/engine/image/preprocess';

const runtime = createNodeRuntime(1);
const DEMO = path.resolve(import.meta.dirname, '../../public/demo');

async function setup() {
  const model = await runtime.loadModel(new Uint8Array(fs.readFileSync(path.join(DEMO, 'shapes.onnx'))), { backend: 'wasm' });
  const preprocess = model.spec.suggestedPreprocess;
  const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(path.join(DEMO, 'images/star-1.png')))), preprocess);
  return { model, preprocess, image };
}

/** Bit-level identity of two weight vectors (toEqual would let −0 and 0 pass as one). */
const bits = (v: ArrayLike<number>) => Array.from(new Uint8Array(Float64Array.from(v).buffer));

function expectSameWeights(internal: SuperpixelExplanation, custom: SuperpixelExplanation) {
  expect(custom.segments).toEqual(internal.segments);
  expect(custom.segmentCount).toBe(internal.segmentCount);
  expect(custom.classes.length).toBe(internal.classes.length);
  custom.classes.forEach((c, j) => {
    expect(bits(c.weights!)).toEqual(bits(internal.classes[j].weights!));
    expect(c.intercept).toBe(internal.classes[j].intercept);
    expect(c.map).toEqual(internal.classes[j].map);
  });
}

describe('custom regions reproduce the internal segmentation exactly', () => {
  it('LIME: SLIC segments given back as custom labels give the same coefficients, bit for bit', async () => {
    const { model, preprocess, image } = await setup();
    const params: LimeParams = { ...LIME_DEFAULTS, samples: 150, segmentation: { method: 'slic', nSegments: 25 }, scoreSpace: 'raw', batchSize: 50 };
    const internal = await explainLime({ model, image, preprocess, targets: [3, 0], params, seed: 7 });
    const segmentation: SegmentationSpec = { method: 'custom', labels: internal.segments!, name: 'slic.npy' };
    const custom = await explainLime({ model, image, preprocess, targets: [3, 0], params: { ...params, segmentation }, seed: 7 });
    expectSameWeights(internal, custom);
    expect(custom.stability).toEqual(internal.stability);
    expect(custom.params.segmentation).toEqual({ method: 'custom', name: 'slic.npy', regions: internal.segmentCount });
  });

  it('LIME: ids given in another numbering (gaps, shifted) are compacted in order and give the same coefficients', async () => {
    const { model, preprocess, image } = await setup();
    const params: LimeParams = { ...LIME_DEFAULTS, samples: 100, segmentation: { method: 'grid', nSegments: 16 }, batchSize: 50 };
    const internal = await explainLime({ model, image, preprocess, targets: [3], params, seed: 2 });
    const spaced = internal.segments!.map((s) => 10 + 3 * s);
    const custom = await explainLime({ model, image, preprocess, targets: [3], params: { ...params, segmentation: { method: 'custom', labels: spaced } }, seed: 2 });
    expectSameWeights(internal, custom);
  });

  it('KernelSHAP: exact (few regions) and sampled (many) values are the same as with the internal segmentation', async () => {
    const { model, preprocess, image } = await setup();
    const cases: KernelShapParams[] = [
      { ...KERNEL_SHAP_DEFAULTS, segmentation: { method: 'grid', nSegments: 9 }, batchSize: 64 },
      { ...KERNEL_SHAP_DEFAULTS, samples: 200, segmentation: { method: 'slic', nSegments: 30 }, batchSize: 64 },
    ];
    for (const params of cases) {
      const internal = await explainKernelShap({ model, image, preprocess, targets: [3], params, seed: 4 });
      const custom = await explainKernelShap({ model, image, preprocess, targets: [3], params: { ...params, segmentation: { method: 'custom', labels: internal.segments! } }, seed: 4 });
      expectSameWeights(internal, custom);
      expect(custom.params.exact).toBe(internal.params.exact);
      expect(custom.additivity).toEqual(internal.additivity);
    }
  });

  it('labels of another size than the model input are placed with the run preprocessing; bad labels are refused', async () => {
    const { model, preprocess, image } = await setup();
    const w = preprocess.width, h = preprocess.height;
    // left half / right half at twice the model input: the same two regions as at the model input, under stretch
    const big = Array.from({ length: 4 * w * h }, (_, i) => ((i % (2 * w)) < w ? 0 : 1));
    const small = Array.from({ length: w * h }, (_, i) => ((i % w) < w / 2 ? 0 : 1));
    const stretch = { ...preprocess, resize: 'stretch' as const };
    const params: LimeParams = { ...LIME_DEFAULTS, samples: 20, batchSize: 20 };
    const a = await explainLime({ model, image, preprocess: stretch, targets: [3], params: { ...params, segmentation: { method: 'custom', labels: big, width: 2 * w, height: 2 * h } }, seed: 1 });
    const b = await explainLime({ model, image, preprocess: stretch, targets: [3], params: { ...params, segmentation: { method: 'custom', labels: small } }, seed: 1 });
    expect(a.segments).toEqual(small);
    expect(bits(a.weights!)).toEqual(bits(b.weights!));
    await expect(explainLime({ model, image, preprocess, targets: [3], params: { ...params, segmentation: { method: 'custom', labels: [0, 1] } }, seed: 1 })).rejects.toMatchObject({
      code: 'PARAM_INVALID',
      message: `LIME: segmentation custom regions: 2 labels do not cover the ${w}×${h} label image (${w * h} pixels).`,
    });
    await expect(explainKernelShap({ model, image, preprocess, targets: [3], params: { ...KERNEL_SHAP_DEFAULTS, segmentation: { method: 'custom' } }, seed: 1 })).rejects.toThrow(/no labels loaded/);
  });
});
