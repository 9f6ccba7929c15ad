/**
 * The store's sanity-check slice with a fake worker: a run sends the picked methods the model supports (each with the
 * Explain button's parameters), the seed, the selected class and the steps; it shows as a 'sanity' run with
 * progress; the result is bound to the inputs it was computed from and dropped when they change; a cancel keeps no
 * result and no message; steps outside 2 … 16 and no runnable method never reach the worker and say why.
 */
import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import { SANITY_MAX_STEPS, SANITY_INSENSITIVE_RHO } from '../../../src/engine/explain/sanity';
import type { Progress } from '../../../src/engine/explain/types';
import { createAppStore } from '../../../src/store/app-store';
import { SANITY_DEFAULT_METHODS, SANITY_STEPS_MAX } from '../../../src/store/slices/sanity';
import type { ComputeApi, SanityJob, SanityRun } from '../../../src/worker-api';
import { assets, fakeCompute, SIDE, storage } from '../../helpers/store-fakes';

/** The shared fake (no feature-map layers: CAMs are unavailable) with a sanity check that reports each step. */
function sanityCompute() {
  const calls: SanityJob[] = [];
  const cancels = new Map<string, { aborted: boolean }>();
  const base = fakeCompute();
  const api: ComputeApi = {
    ...base,
    cancel: async (jobId) => void (cancels.get(jobId) && (cancels.get(jobId)!.aborted = true)),
    sanityCheck: async (jobId, job, onProgress: (p: Progress) => void): Promise<SanityRun> => {
      calls.push(job);
      const signal = { aborted: false };
      cancels.set(jobId, signal);
      const layers = [{ name: 'fc', opType: 'Gemm' }, { name: 'conv2', opType: 'Conv' }, { name: 'conv1', opType: 'Conv' }];
      const steps = job.steps ?? 3;
      const total = (steps + 1) * job.methods.length;
      for (let done = 1; done <= total; done++) {
        await new Promise((r) => setTimeout(r, 3));
        if (signal.aborted) throw new GlassboxError('CANCELLED', 'The sanity check was cancelled.');
        onProgress({ phase: `step ${done}`, done, total });
      }
      const map = () => Float32Array.from({ length: SIDE * SIDE }, (_, i) => i);
      return {
        layers,
        seed: job.seed,
        target: job.target,
        totalMs: 9,
        methods: job.methods.map((m, j) => ({
          method: m.method,
          params: m.params,
          original: map(),
          steps: layers.slice(0, steps).map((l, s) => ({ layer: l.name, upTo: s + 1, spearman: 0.5, spearmanAbs: j === 0 ? 0.1 : 0.9, ssim: 0.4, map: map() })),
          verdict: { insensitive: j !== 0, level: j !== 0 ? 'insensitive' : 'sensitive', judged: true, reason: 'r', upTo: 2, spearmanAbs: j === 0 ? 0.1 : 0.9, threshold: SANITY_INSENSITIVE_RHO },
        })),
      };
    },
  };
  return { api, calls };
}

async function ready() {
  const compute = sanityCompute();
  const store = createAppStore({ compute: () => compute.api, assets, storage: storage() });
  await store.getState().loadModel(new Uint8Array([1]), 'good.onnx');
  await store.getState().loadImage(new Blob(['x']), 'cat.png');
  return { store, compute };
}

describe('the sanity-check slice', () => {
  it('keeps the engine’s step cap', () => {
    expect(SANITY_STEPS_MAX).toBe(SANITY_MAX_STEPS);
  });

  it('sends the supported methods with their current parameters, the seed, the selected class and the steps; binds the result to its inputs', async () => {
    const { store, compute } = await ready();
    expect(store.getState().sanityMethods).toEqual(SANITY_DEFAULT_METHODS);
    store.getState().setExplainSettings({ seed: 11 });
    store.getState().setMethodParams('saliency', { batchSize: 7 } as never);
    store.getState().setTarget(2);
    const kinds: string[] = [];
    const unsubscribe = store.subscribe((s) => s.run && kinds.push(`${s.run.kind}:${s.run.progress?.done ?? 0}`));
    await store.getState().runSanityCheck(3);
    unsubscribe();
    expect(store.getState().messages).toEqual([]);
    expect(compute.calls).toHaveLength(1);
    const job = compute.calls[0];
    // Grad-CAM needs a feature map this fake model lacks: it is left out, the others keep their order
    expect(job.methods.map((m) => m.method)).toEqual(['saliency', 'guidedbackprop']);
    expect(job).toMatchObject({ target: 2, seed: 11, steps: 3, preprocess: { width: SIDE, height: SIDE } });
    expect(job.methods[0].params).toMatchObject({ batchSize: 7 });
    expect(kinds).toContain('sanity:8');
    const s = store.getState();
    expect(s.run).toBeUndefined();
    expect(s.sanitySteps).toBe(3);
    expect(s.sanity).toMatchObject({ target: 2, label: 'class 2', methods: ['saliency', 'guidedbackprop'], steps: 3, seed: 11, done: true, imageName: 'cat.png', modelName: 'good.onnx', inputs: { modelSha256: 'fp-good.onnx', imageSha256: 'sha-cat.png' } });
    expect(s.sanity!.error).toBeUndefined();
    expect(s.sanity!.result!.methods.map((m) => m.verdict.insensitive)).toEqual([false, true]);

    // a new preprocessing of the same image keeps nothing computed from the old one
    await store.getState().loadImage(new Blob(['x']), 'cat.png');
    expect(store.getState().sanity).toBeDefined();
    await store.getState().loadImage(new Blob(['y']), 'dog.png');
    expect(store.getState().sanity).toBeUndefined();
  });

  it('a cancel ends the run without a result and without a message', async () => {
    const { store } = await ready();
    const running = store.getState().runSanityCheck(6);
    await new Promise((r) => setTimeout(r, 8));
    expect(store.getState().run?.kind).toBe('sanity');
    expect(store.getState().sanity?.done).toBe(false);
    await store.getState().cancelExplanation();
    await running;
    expect(store.getState().run).toBeUndefined();
    expect(store.getState().sanity).toMatchObject({ done: true, error: 'cancelled' });
    expect(store.getState().sanity!.result).toBeUndefined();
    expect(store.getState().messages).toEqual([]);
  });

  it('steps outside 2 … 16, or no method the model can run, never reach the worker and say why', async () => {
    const { store, compute } = await ready();
    for (const steps of [1, 17, 2.5]) await store.getState().runSanityCheck(steps);
    store.getState().setSanityMethods(['gradcam']);
    await store.getState().runSanityCheck(4);
    expect(compute.calls).toHaveLength(0);
    expect(store.getState().messages.map((m) => m.message)).toEqual([
      ...[1, 17, 2.5].map((k) => `The number of randomisation steps must be a whole number from 2 to 16 (got ${k}).`),
      'Pick at least one method this model can run for the sanity check.',
    ]);
    expect(store.getState().sanity).toBeUndefined();
  });
});
