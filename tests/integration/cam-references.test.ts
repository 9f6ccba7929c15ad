/**
 * Score-CAM, Ablation-CAM and Guided Backprop against torch replicas of the reference libraries on the fixture nets
 * (tools/make_grad_fixtures.py → tests/fixtures/grad/methods.json): pytorch-grad-cam's ScoreCAM and AblationCAM
 * (raw CAM at the layer) and captum's GuidedBackprop. Each check also runs a wrong variant (another target, the
 * unguided gradient) and requires it to miss the reference by far more than the tolerance, so a match means
 * something.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGradientSource, type GradientSource } from '../../src/engine/grad/gradient-model';
import { descriptorOf, loadExplainer, type MethodId } from '../../src/engine/explain/registry';
import { defaultsOf } from '../../src/engine/explain/schema';
import type { CamExplanation, Explanation, ExplainRequest } from '../../src/engine/explain/types';
import { tensorDims, writeModelInput, type PreprocessConfig } from '../../src/engine/image/preprocess';
import type { RgbaImage } from '../../src/engine/image/types';
import type { Model } from '../../src/engine/runtime/ort-runtime';
import { relativeError } from '../helpers/compare';
import { runtime } from '../helpers/grad-check';
import { f32, GRAD_FIXTURES, methodRefs, refImage, refPreprocess } from '../helpers/method-fixtures';

const ref = methodRefs;
const image = refImage;
const preprocess = refPreprocess;
/** [C, H, W] → [H, W] by summing the channels (how a pixel map is made from captum's attribution). */
const channelSum = (t: Float32Array, area: number) => Float64Array.from({ length: area }, (_, p) => t[p] + t[area + p] + t[2 * area + p]);

const TOLERANCE = 1e-3;
/** A wrong variant must be at least this far off (20× the tolerance; the generator prints each gap, ≥ 0.02). */
const WRONG = 20 * TOLERANCE;

const opened: { model: Model; gradients: GradientSource }[] = [];
async function open(net: string) {
  const bytes = new Uint8Array(fs.readFileSync(path.join(GRAD_FIXTURES, `${net}.onnx`)));
  const model = await runtime.loadModel(bytes, { backend: 'wasm' });
  const gradients = createGradientSource(runtime, bytes, 'wasm');
  opened.push({ model, gradients });
  const explain = async (method: MethodId, target: number, params: object = {}): Promise<Explanation> => {
    const explainer = (await loadExplainer(method)) as { explain: (r: ExplainRequest<unknown>) => Promise<Explanation> };
    return explainer.explain({ model, image, preprocess, targets: [target], params: { ...defaultsOf(descriptorOf(method)), ...params }, seed: 0, gradients });
  };
  return { model, gradients, explain, net: ref.nets[net] };
}
const asCam = (e: Explanation): CamExplanation => {
  expect(e.kind).toBe('cam');
  return e as CamExplanation;
};

afterAll(async () => {
  for (const { model, gradients } of opened) {
    await gradients.dispose();
    await model.dispose();
  }
});

describe('the fixture image reaches the nets as in torch', () => {
  it.each(['resnetish', 'mobilenetish', 'vggish', 'vitish'])('%s: logits of the preprocessed image equal torch’s', async (name) => {
    const { model, net } = await open(name);
    const x = new Float32Array(3 * 32 * 32);
    writeModelInput(image, preprocess, x);
    expect(relativeError(await model.run(x, tensorDims(preprocess, 1)), f32(net.logits))).toBeLessThan(1e-5);
  });
});

describe('Score-CAM equals pytorch-grad-cam ScoreCAM (torch replica)', () => {
  it.each(['resnetish', 'mobilenetish', 'vggish', 'vitish'])('%s: raw CAM at the layer', async (name) => {
    const { explain, net } = await open(name);
    const e = asCam(await explain('scorecam', net.target, { layer: net.layer, batchSize: 16 }));
    expect([e.camHeight, e.camWidth]).toEqual(net.scorecam.cam_shape);
    expect(e.scoreSpace).toBe('raw');
    expect(relativeError(e.cam, f32(net.scorecam.cam))).toBeLessThan(TOLERANCE);
    // another target gives another CAM, well outside the tolerance
    const wrong = asCam(await explain('scorecam', (net.target + 1) % 10, { layer: net.layer, batchSize: 16 }));
    expect(relativeError(wrong.cam, f32(net.scorecam.cam))).toBeGreaterThan(WRONG);
  });

  it('the batch size changes nothing (one model call per masked input, or all at once)', async () => {
    const { explain, net } = await open('resnetish');
    const one = asCam(await explain('scorecam', net.target, { layer: net.layer, batchSize: 1 }));
    const all = asCam(await explain('scorecam', net.target, { layer: net.layer, batchSize: 64 }));
    expect(one.timings.modelCalls).toBe(1 + 32);
    expect(all.timings.modelCalls).toBe(1 + 1);
    expect(relativeError(one.cam, all.cam)).toBeLessThan(1e-5);
  });
});

describe('Ablation-CAM equals pytorch-grad-cam AblationCAM (torch replica, channels zeroed)', () => {
  it.each(['resnetish', 'mobilenetish', 'vggish'])('%s: raw CAM at the layer', async (name) => {
    const { explain, net } = await open(name);
    const e = asCam(await explain('ablationcam', net.target, { layer: net.layer, batchSize: 16 }));
    expect([e.camHeight, e.camWidth]).toEqual(net.ablationcam.cam_shape);
    expect(relativeError(e.cam, f32(net.ablationcam.cam))).toBeLessThan(TOLERANCE);
    const wrong = asCam(await explain('ablationcam', (net.target + 1) % 10, { layer: net.layer, batchSize: 16 }));
    expect(relativeError(wrong.cam, f32(net.ablationcam.cam))).toBeGreaterThan(WRONG);
  });

  it('vitish: the part after norm1 also reads the residual stream, so ablating norm1 alone is refused with the reason', async () => {
    const { explain, net } = await open('vitish');
    await expect(explain('ablationcam', net.target, { layer: net.layer })).rejects.toMatchObject({ code: 'PARAM_INVALID', message: expect.stringContaining('computed before it') });
  });
});

describe('Guided Backprop equals captum GuidedBackprop (guided rule on ReLU)', () => {
  it.each(['resnetish', 'mobilenetish'])('%s: channel-summed input attribution', async (name) => {
    const { explain, gradients, net } = await open(name);
    const expected = channelSum(f32(net.guidedbackprop), 32 * 32);
    const e = await explain('guidedbackprop', net.target);
    expect(e.kind).toBe('pixel-map');
    expect(e.signed).toBe(true);
    expect(relativeError(e.map, expected)).toBeLessThan(TOLERANCE);
    // the plain (unguided) gradient of the same score is not it
    const plain = await gradients.gradients({ input: true });
    const seed = new Float32Array(plain.classes);
    seed[net.target] = 1;
    const x = new Float32Array(3 * 32 * 32);
    writeModelInput(image, preprocess, x);
    const out = await plain.run(x, tensorDims(preprocess, 1), seed);
    expect(relativeError(channelSum(out.gradInput!.data, 32 * 32), expected)).toBeGreaterThan(WRONG);
    const wrong = await explain('guidedbackprop', (net.target + 1) % 10);
    expect(relativeError(wrong.map, expected)).toBeGreaterThan(WRONG);
  });
});
