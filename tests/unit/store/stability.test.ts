/**
 * The store's stability slice with a fake worker: a run sends the Explain button's method, parameters, seed and
 * selected class with k; it shows as a 'stability' run with progress; the result is bound to the inputs it was
 * computed from and dropped when they change; a cancel keeps no statistics; a k outside 2 … 20 never reaches the
 * worker and says why.
 */
import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import { stabilityStats } from '../../../src/engine/explain/stability';
import type { Explanation, Progress } from '../../../src/engine/explain/types';
import { defaultPreprocess } from '../../../src/engine/image/preprocess';
import type { ClassifierSpec } from '../../../src/engine/runtime/classifier-spec';
import { createAppStore } from '../../../src/store/app-store';
import { UNUSED_COMPUTE } from '../../helpers/store-fakes';
import type { ComputeApi, ExplainJob, LoadedModel, StabilityRun } from '../../../src/worker-api';

const storage = () => {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
};

function fakeModel(name: string): LoadedModel {
  const spec = { inputName: 'x', inputDType: 'float32', inputShape: ['N', 3, 8, 8], layout: 'NCHW', layoutSource: 'graph', channels: 3, width: 8, height: 8, dynamicBatch: true, outputName: 'y', outputShape: ['N', 3], numClasses: 3, metadataLabels: undefined, suggestedPreprocess: defaultPreprocess(8, 8), preprocessSource: 'default', warnings: [] } as ClassifierSpec;
  return { name, sizeBytes: 10, fingerprint: `fp-${name}`, info: { irVersion: 8, opsets: [], producer: '', inputs: [], outputs: [], metadata: {}, nodeCount: 1, opTypeCounts: {}, usesFloat16: false }, spec, backend: 'wasm', loadMs: 1 };
}

/** A worker whose k runs give 8×8 maps (pixel 0 depends on the seed), with progress and a cancel flag. */
function fakeCompute() {
  const calls: { job: ExplainJob; k: number }[] = [];
  const cancels = new Map<string, { aborted: boolean }>();
  const current = { model: '', image: '' };
  const api: ComputeApi = {
    environment: async () => ({ webgpu: { available: false, shaderF16: false }, crossOriginIsolated: true, hardwareConcurrency: 2, wasmThreads: 1 }),
    loadModel: async (_b, name) => ((current.model = `fp-${name}`), fakeModel(name)),
    switchBackend: async () => fakeModel('x'),
    decodeImage: async (_f, name) => ((current.image = `sha-${name}`), { name, sha256: `sha-${name}`, width: 2, height: 2, originalWidth: 2, originalHeight: 2, image: { width: 2, height: 2, data: new Uint8ClampedArray(16) } }),
    predict: async () => ({ raw: Float32Array.from([0, 2, 1]), modelInput: { width: 8, height: 8, data: new Uint8ClampedArray(256) }, dims: [1, 3, 8, 8], preprocessMs: 0, inferenceMs: 0 }),
    explain: async () => {
      throw new Error('not used');
    },
    curves: async () => {
      throw new Error('not used');
    },
    cancel: async (jobId) => void (cancels.get(jobId) && (cancels.get(jobId)!.aborted = true)),
    ...UNUSED_COMPUTE,
    methodSupport: async () => ({ catalog: { candidates: [], reason: 'none' }, unsupportedOps: [], layerUnsupportedOps: {} }),
    stability: async (jobId, job, k, onProgress: (p: Progress) => void): Promise<StabilityRun> => {
      calls.push({ job, k });
      const signal = { aborted: false };
      cancels.set(jobId, signal);
      const stamp = { ...current };
      const results: Explanation[] = [];
      for (let i = 0; i < k; i++) {
        await new Promise((r) => setTimeout(r, 5));
        if (signal.aborted) throw new GlassboxError('CANCELLED', 'The stability run was cancelled.');
        onProgress({ phase: `seed ${job.seed + i}`, done: i + 1, total: k });
        const map = Array.from({ length: 64 }, (_, p) => p + (p === 0 ? i : 0));
        results.push({ kind: 'pixel-map', method: job.method, target: job.targets[0], width: 8, height: 8, map, classes: [{ target: job.targets[0], map }], signed: false, units: 'things', scoreSpace: 'raw', params: {}, seed: job.seed + i, timings: { totalMs: 1, inferenceMs: 1, modelCalls: 2, samples: 10, batchSize: 10 }, provenance: { modelSha256: stamp.model, imageSha256: stamp.image, preprocess: job.preprocess } });
      }
      return { method: job.method, seeds: results.map((r) => r.seed), results, stats: stabilityStats(results.map((r) => r.map)), totalMs: 5 };
    },
  };
  return { api, calls };
}

async function ready() {
  const compute = fakeCompute();
  const store = createAppStore({ compute: () => compute.api, assets: { json: async () => ({}) as never, bytes: async () => new Uint8Array(), blob: async () => new Blob() }, storage: storage() });
  await store.getState().loadModel(new Uint8Array([1]), 'good.onnx');
  await store.getState().loadImage(new Blob(['x']), 'cat.png');
  return { store, compute };
}

describe('the stability slice', () => {
  it('sends the Explain button’s method, parameters, seed and selected class with k; binds the result to its inputs', async () => {
    const { store, compute } = await ready();
    store.getState().setExplainSettings({ method: 'rise', seed: 7 });
    store.getState().setMethodParams('rise', { masks: 123 });
    const kinds: string[] = [];
    const unsubscribe = store.subscribe((s) => s.run && kinds.push(`${s.run.kind}:${s.run.progress?.done ?? 0}`));
    await store.getState().runStability(3);
    unsubscribe();
    expect(store.getState().messages).toEqual([]);
    expect(compute.calls).toHaveLength(1);
    const { job, k } = compute.calls[0];
    expect(k).toBe(3);
    expect(job).toMatchObject({ method: 'rise', seed: 7, targets: [1], metrics: undefined });
    expect((job.params as { masks: number }).masks).toBe(123);
    expect(kinds).toContain('stability:3');
    const s = store.getState();
    expect(s.run).toBeUndefined();
    expect(s.stabilityK).toBe(3);
    expect(s.stability).toMatchObject({ method: 'rise', seeds: [7, 8, 9], k: 3, target: 1, done: true, imageName: 'cat.png', modelName: 'good.onnx', inputs: { modelSha256: 'fp-good.onnx', imageSha256: 'sha-cat.png' }, modelCalls: 6 });
    expect(s.stability!.maps).toHaveLength(3);
    expect(s.stability!.look).toMatchObject({ kind: 'pixel-map', signed: false, units: 'things', width: 8, height: 8 });
    expect(s.stability!.stats!.std[0]).toBeCloseTo(1, 6);
    expect(s.stability!.stats!.std[1]).toBe(0);

    // another image: the result no longer matches the screen and is dropped
    await store.getState().loadImage(new Blob(['y']), 'dog.png');
    expect(store.getState().stability).toBeUndefined();
  });

  it('a cancel ends the run without statistics and says it was cancelled', async () => {
    const { store } = await ready();
    store.getState().setExplainSettings({ method: 'rise' });
    const running = store.getState().runStability(5);
    await new Promise((r) => setTimeout(r, 7));
    expect(store.getState().run?.kind).toBe('stability');
    await store.getState().cancelExplanation();
    await running;
    expect(store.getState().stability).toMatchObject({ done: true, error: 'cancelled' });
    expect(store.getState().stability!.stats).toBeUndefined();
    expect(store.getState().messages).toEqual([]);
  });

  it('a k outside 2 … 20 never reaches the worker and says why', async () => {
    const { store, compute } = await ready();
    for (const k of [1, 21, 3.5]) await store.getState().runStability(k);
    expect(compute.calls).toHaveLength(0);
    expect(store.getState().messages.map((m) => m.message)).toEqual([1, 21, 3.5].map((k) => `The number of seeds must be a whole number from 2 to 20 (got ${k}).`));
    expect(store.getState().stability).toBeUndefined();
  });
});
