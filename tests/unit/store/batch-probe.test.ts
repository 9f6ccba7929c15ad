/**
 * The probed batch size in the store (issue 14.3): measured after a model loads on WebGPU (not on WASM); a method
 * whose batch size is at its default runs at the probed batch, one the user set keeps theirs; a probe made for
 * another model or backend is not used; the Explain panel says which batch runs use.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { memoryHistory } from '../../../src/store/history-db';
import { StoreContext } from '../../../src/ui/store-context';
import { ExplainPanel } from '../../../src/ui/explain/ExplainPanel';
import { describeProbe } from '../../../src/ui/model/describe-probe';
import type { BatchProbe, ExplainJob } from '../../../src/worker-api';
import { fakeCompute, page, settle } from '../../helpers/store-fakes';

const PROBE: BatchProbe = { best: 8, perImageMs: { 1: 12, 2: 7, 4: 4.1, 8: 3, 16: 3.05 }, stoppedBy: 'flat' };

async function probedPage(probe: BatchProbe | null = PROBE, backend: 'wasm' | 'webgpu' = 'webgpu') {
  const base = fakeCompute();
  const jobs: ExplainJob[] = [];
  const probes: number[][] = [];
  const store = await page(memoryHistory(), {
    compute: {
      loadModel: async (bytes, name, choice) => ({ ...(await base.loadModel(bytes, name, choice)), backend }),
      probeBatch: async (rowDims) => (probes.push(rowDims), probe ?? undefined),
      explain: async (jobId, job, onProgress) => (jobs.push(job), base.explain(jobId, job, onProgress)),
    },
  });
  await settle();
  await settle();
  return { store, jobs, probes };
}

describe('the probed batch size', () => {
  it('is measured after the model loads, on one row of the model input', async () => {
    const { store, probes } = await probedPage();
    expect(probes).toEqual([[1, 3, 32, 32]]); // the fake model's 32×32 input
    expect(store.getState().batchProbe).toMatchObject({ best: 8, key: 'fp-good.onnx:webgpu' });
  });

  it('a batch size at its default runs at the probed batch; one the user set is kept', async () => {
    const { store, jobs } = await probedPage();
    await store.getState().runExplanation();
    expect((jobs[0].params as { batchSize: number }).batchSize).toBe(8);
    store.getState().setMethodParams('lime', { batchSize: 4 });
    await store.getState().runExplanation();
    expect((jobs[1].params as { batchSize: number }).batchSize).toBe(4);
  });

  it('on WASM no probe runs (the worker is not held after a load) and runs keep their settings', async () => {
    const { store, jobs, probes } = await probedPage(PROBE, 'wasm');
    expect(probes).toEqual([]);
    expect(store.getState().batchProbe).toBeUndefined();
    await store.getState().runExplanation();
    expect((jobs[0].params as { batchSize: number }).batchSize).toBe(32);
  });

  it('a probe that ran out of time (a software adapter: batch 1 only) is shown but not applied', async () => {
    const slow: BatchProbe = { best: 1, perImageMs: { 1: 250 }, stoppedBy: 'budget' };
    const { store, jobs } = await probedPage(slow);
    await store.getState().runExplanation();
    expect((jobs[0].params as { batchSize: number }).batchSize).toBe(32);
    expect(describeProbe(slow)).toBe('fastest per image at batch 1: 250 ms per image (measured up to batch 1 in the time allowed)');
  });

  it('a probe of another backend is not used', async () => {
    const { store, jobs } = await probedPage();
    store.setState({ batchProbe: { ...PROBE, key: 'fp-good.onnx:wasm' } });
    await store.getState().runExplanation();
    expect((jobs[0].params as { batchSize: number }).batchSize).toBe(32);
  });

  it('without a measurement (a fixed-batch model, a failed probe) nothing changes', async () => {
    const { store, jobs } = await probedPage(null);
    expect(store.getState().batchProbe).toBeUndefined();
    await store.getState().runExplanation();
    expect((jobs[0].params as { batchSize: number }).batchSize).toBe(32);
  });

  it('the Explain panel says which batch runs use, and counts the calls at it', async () => {
    const { store } = await probedPage();
    store.getState().setMethodParams('lime', { samples: 1000 });
    const html = renderToStaticMarkup(createElement(StoreContext.Provider, { value: { ...store, getInitialState: store.getState } }, createElement(ExplainPanel)));
    expect(html).toMatch(/data-testid="auto-batch"[^>]*>Batch size 32 is the default: runs use 8, the batch this model was measured fastest at per image on WEBGPU/);
    expect(html).toMatch(/Run LIME · ≤ 125 model calls/);
  });

  it('describes the probe in words', () => {
    expect(describeProbe(PROBE)).toBe('fastest per image at batch 8: 3.0 ms per image (batch 1: 12 ms, 4.0× slower)');
    expect(describeProbe({ best: 1, perImageMs: { 1: 30, 2: 31 }, stoppedBy: 'flat' })).toBe('fastest per image at batch 1: 30 ms per image');
  });
});
