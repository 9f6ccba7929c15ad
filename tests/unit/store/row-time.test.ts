/**
 * The Run button's estimate learns the model's time per input row from finished runs — only from runs of the plain
 * model: a gradient run's row is a forward and a backward pass, and learning from it made the next estimates
 * several times too high (a Grad-CAM on a freshly loaded ResNet showed "~16 s" for one call).
 */
import { describe, expect, it } from 'vitest';
import { memoryHistory } from '../../../src/store/history-db';
import { fakeCompute, page, settle } from '../../helpers/store-fakes';

describe('learning the time per row', () => {
  it('LIME teaches it (inference ÷ samples); Grad-CAM and Saliency leave it alone', async () => {
    const base = fakeCompute();
    const store = await page(memoryHistory(), {
      compute: {
        ...base,
        // gradient runs report what a forward + backward pass costs: 900 ms for their one row
        explain: async (jobId, job, onProgress) => {
          const result = await base.explain(jobId, job, onProgress);
          return job.method === 'lime' ? result : { ...result, timings: { ...result.timings, inferenceMs: 900, samples: 1 } };
        },
        methodSupport: async () => ({
          catalog: { candidates: [{ name: 'relu4', opType: 'Relu', shape: ['N', 8, 4, 4], layout: 'spatial', gridHeight: 4, gridWidth: 4, channels: 8 }], suggested: 'relu4', reason: 'the last spatial feature map' },
          unsupportedOps: [],
          layerUnsupportedOps: { relu4: [] },
        }),
      },
    });
    const key = () => Object.keys(store.getState().rowMs).find((k) => !k.endsWith(':predict'));
    store.getState().setExplainSettings({ method: 'lime' });
    await store.getState().runExplanation();
    await settle();
    const learnt = store.getState().rowMs[key()!];
    expect(learnt).toBeCloseTo(9 / 300, 6); // the fake worker reports 9 ms of inference for 300 samples
    for (const method of ['gradcam', 'saliency'] as const) {
      store.getState().setExplainSettings({ method });
      await store.getState().runExplanation();
      await settle();
      expect(store.getState().explanation?.result.method).toBe(method);
      expect(store.getState().rowMs[key()!]).toBe(learnt);
    }
  });

  it('predictions teach it from the second on: the first run of a session carries its warm-up', async () => {
    const base = fakeCompute();
    const times = [600, 4, 6];
    const store = await page(memoryHistory(), { compute: { ...base, predict: async (config) => ({ ...(await base.predict(config)), inferenceMs: times.shift()! }) } });
    const predictKey = () => Object.keys(store.getState().rowMs).find((k) => k.endsWith(':predict'));
    expect(predictKey()).toBeUndefined(); // the first prediction (600 ms of warm-up) taught nothing
    await store.getState().loadImage(new Blob(['y']), 'dog.png');
    await settle();
    expect(store.getState().rowMs[predictKey()!]).toBe(4);
    await store.getState().loadImage(new Blob(['z']), 'bird.png');
    await settle();
    expect(store.getState().rowMs[predictKey()!]).toBe(4); // the fastest warm one
  });
});
