/**
 * Occlusion against a torch replica of captum's Occlusion on the fixture nets (tools/make_grad_fixtures.py →
 * tests/fixtures/grad/methods.json): window positions (ceil rule, the last window cut at the edge), baselines (the
 * zero tensor, black), the mean score drop per element summed over channels. Plus its parameter checks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { descriptorOf, loadExplainer } from '../../src/engine/explain/registry';
import { defaultsOf } from '../../src/engine/explain/schema';
import { windowStarts } from '../../src/engine/explain/occlusion';
import type { Explanation, ExplainRequest } from '../../src/engine/explain/types';
import type { PreprocessConfig } from '../../src/engine/image/preprocess';
import type { RgbaImage } from '../../src/engine/image/types';
import type { Model } from '../../src/engine/runtime/ort-runtime';
import { relativeError } from '../helpers/compare';
import { runtime } from '../helpers/grad-check';
import { f32, GRAD_FIXTURES, methodRefs, refImage, refPreprocess } from '../helpers/method-fixtures';

const ref = methodRefs;
const image = refImage;
const preprocess = refPreprocess;
const channelSum = (t: Float32Array) => Float64Array.from({ length: 1024 }, (_, p) => t[p] + t[1024 + p] + t[2048 + p]);

const models: Model[] = [];
afterAll(async () => {
  for (const m of models) await m.dispose();
});
async function open(net: string) {
  const model = await runtime.loadModel(new Uint8Array(fs.readFileSync(path.join(GRAD_FIXTURES, `${net}.onnx`))), { backend: 'wasm' });
  models.push(model);
  const explainer = (await loadExplainer('occlusion')) as { explain: (r: ExplainRequest<unknown>) => Promise<Explanation> };
  const explain = (target: number, params: object, extra: object = {}) =>
    explainer.explain({ model, image, preprocess, targets: [target], params: { ...defaultsOf(descriptorOf('occlusion')), ...params }, seed: 0, ...extra });
  return { model, explain, net: ref.nets[net] };
}

describe('Occlusion equals captum Occlusion (torch replica)', () => {
  it.each(['resnetish', 'mobilenetish', 'vggish', 'vitish'])('%s: every listed window/stride/baseline', async (name) => {
    const { explain, net } = await open(name);
    for (const c of net.occlusion as { window: number; stride: number; baseline: 'zeros' | 'black'; attribution: string }[]) {
      const label = `${name} window ${c.window} stride ${c.stride} ${c.baseline}`;
      const expected = channelSum(f32(c.attribution));
      const e = await explain(net.target, { window: c.window, stride: c.stride, baseline: { mode: c.baseline }, batchSize: 7 });
      expect(e.kind, label).toBe('pixel-map');
      expect(e.signed).toBe(true);
      expect(e.scoreSpace).toBe('raw');
      const positions = windowStarts(32, c.window, c.stride).length ** 2;
      expect(e.timings.samples, label).toBe(1 + positions);
      expect(relativeError(e.map, expected), label).toBeLessThan(1e-3);
      // another class's drops are another map
      const wrong = await explain((net.target + 1) % 10, { window: c.window, stride: c.stride, baseline: { mode: c.baseline } });
      expect(relativeError(wrong.map, expected), label).toBeGreaterThan(0.02);
    }
  });

  it('the baseline matters: black instead of the zero tensor misses the reference', async () => {
    const { explain, net } = await open('resnetish');
    const black = net.occlusion.find((c: { baseline: string }) => c.baseline === 'black');
    const e = await explain(net.target, { window: black.window, stride: black.stride, baseline: { mode: 'zeros' } });
    expect(relativeError(e.map, channelSum(f32(black.attribution)))).toBeGreaterThan(0.02);
  });
});

describe('Occlusion windows and parameters', () => {
  it('positions follow captum: ceil((side − window) / stride) + 1, the last window may run past the edge', () => {
    expect(windowStarts(32, 6, 4)).toEqual([0, 4, 8, 12, 16, 20, 24, 28]);
    expect(windowStarts(32, 8, 8)).toEqual([0, 8, 16, 24]);
    expect(windowStarts(32, 32, 5)).toEqual([0]);
  });

  it('a window larger than the image, or a stride larger than the window, is refused; cancelling stops it', async () => {
    const { explain, net } = await open('resnetish');
    await expect(explain(net.target, { window: 33, stride: 4 })).rejects.toMatchObject({ code: 'PARAM_INVALID', message: expect.stringContaining('must fit') });
    await expect(explain(net.target, { window: 4, stride: 6 })).rejects.toMatchObject({ code: 'PARAM_INVALID', message: expect.stringContaining('stride') });
    await expect(explain(net.target, { window: 8, stride: 4, baseline: { mode: 'mean' } })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    const signal = { aborted: false };
    await expect(explain(net.target, { window: 4, stride: 2, batchSize: 8 }, { signal, onProgress: () => (signal.aborted = true) })).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
