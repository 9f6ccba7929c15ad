/**
 * Anytime runs continued from the result view, and curves computed later: a run that stopped once stable goes on to
 * its whole budget with the same seed, classes and parameters (the worker reuses the rows it evaluated); one not
 * stable within its budget runs with 4× the budget, within the parameter's range; a result without deletion/insertion
 * curves gets them on demand. Each is refused when the screen shows other inputs than the result's own.
 */
import { describe, expect, it } from 'vitest';
import type { AnytimeRecord } from '../../../src/engine/explain/anytime';
import { FAITHFULNESS_DEFAULTS } from '../../../src/engine/explain/faithfulness-params';
import type { Explanation } from '../../../src/engine/explain/types';
import { memoryHistory } from '../../../src/store/history-db';
import { continuation } from '../../../src/store/slices/explanation';
import type { CurvesJob, ExplainJob } from '../../../src/worker-api';
import { fakeCompute, page, settle } from '../../helpers/store-fakes';

type Params = Record<string, unknown>;
const paramsOf = (job: ExplainJob) => job.params as unknown as Params;

/**
 * A worker whose anytime runs stop once stable at half their budget (stableAt > 0, `stops`), or run it all without
 * becoming stable; a run with stableAt 0 reports the rows an earlier run evaluated as reused.
 */
async function anytimePage(options: { stops?: boolean } = {}) {
  const base = fakeCompute();
  const jobs: ExplainJob[] = [];
  const curves: CurvesJob[] = [];
  let evaluated = 0;
  const store = await page(memoryHistory(), {
    compute: {
      ...base,
      explain: async (jobId, job, onProgress) => {
        jobs.push(job);
        const result = await base.explain(jobId, job, onProgress);
        const p = paramsOf(job);
        const budget = (p.samples ?? p.masks) as number;
        const stableAt = p.stableAt as number;
        const stoppedAt = stableAt > 0 && options.stops !== false ? budget / 2 : undefined;
        const samples = stoppedAt ?? budget;
        const anytime: AnytimeRecord | undefined =
          stableAt > 0 ? { target: stableAt, curve: [{ samples: 100, agreement: 0.7 }, { samples: samples, agreement: stoppedAt ? 0.96 : 0.8 }], ...(stoppedAt ? { stoppedAt } : {}) } : undefined;
        const reusedRows = Math.min(evaluated, samples);
        evaluated = Math.max(evaluated, samples);
        return { ...result, timings: { ...result.timings, samples, reusedRows }, ...(anytime ? { stability: { splitHalf: 0.9, anytime } } : {}) } as Explanation;
      },
      curves: async (jobId, job, onProgress) => (curves.push(job), base.curves(jobId, job, onProgress)),
    },
  });
  store.getState().setExplainSettings({ method: 'lime', seed: 7, topLabels: 2 });
  store.getState().setMethodParams('lime', { samples: 3000, stableAt: 0.9 });
  return { store, jobs, curves };
}

describe('continuing an anytime run', () => {
  it('a run that stopped once stable continues to its whole budget: stableAt 0, its own seed, classes and params, not fresh, shown', async () => {
    const { store, jobs } = await anytimePage();
    await store.getState().runExplanation();
    await settle();
    const stopped = store.getState().explanation!;
    expect(stopped.result.stability?.anytime?.stoppedAt).toBe(1500);
    expect(continuation(stopped.result)?.label).toBe('Continue to 3000 samples');
    // the settings change meanwhile: the continuation is the result's own run, not the form's
    store.getState().setExplainSettings({ seed: 99, topLabels: 1 });
    store.getState().setMethodParams('lime', { samples: 50 });

    await store.getState().continueRun(stopped.id);
    await settle();
    const sent = jobs.at(-1)!;
    expect(sent.method).toBe('lime');
    expect(sent.seed).toBe(7);
    expect(sent.targets).toEqual(stopped.result.classes.map((c) => c.target));
    expect(sent.fresh).toBeFalsy();
    expect(sent.preprocess).toEqual(stopped.inputs.preprocess);
    expect(paramsOf(sent)).toEqual({ ...(stopped.result.params as Params), stableAt: 0 });
    // its stability is still checked against the stopped run's target, so its curve goes on
    expect(sent.continuesAnytime).toEqual({ target: stopped.result.stability!.anytime!.target, stoppedAt: 1500 });
    const shown = store.getState().explanation!;
    expect(shown.id).not.toBe(stopped.id);
    expect(shown.result.timings).toMatchObject({ samples: 3000, reusedRows: 1500 });
    expect(store.getState().history.map((h) => h.id)).toEqual([shown.id, stopped.id]);
    expect(store.getState().run).toBeUndefined();
    // its curves follow, as after any run with curves on
    expect(shown.result.metrics).toBeDefined();
  });

  it('is refused with a message when the screen shows other inputs, and nothing runs', async () => {
    const { store, jobs } = await anytimePage();
    await store.getState().runExplanation();
    await settle();
    const stopped = store.getState().explanation!;
    await store.getState().loadImage(new Blob(['y']), 'dog.png');
    await settle();
    const sentBefore = jobs.length;
    await store.getState().continueRun(stopped.id);
    expect(jobs).toHaveLength(sentBefore);
    expect(store.getState().messages.at(-1)).toMatchObject({ context: 'Continuing a run' });
    expect(store.getState().messages.at(-1)?.message).toMatch(/computed from good\.onnx on cat\.png/);
  });

  it('a run not stable within its budget continues with 4× the samples, keeping its stableAt; capped at the descriptor’s max', async () => {
    const { store, jobs } = await anytimePage({ stops: false });
    await store.getState().runExplanation();
    await settle();
    const unsettled = store.getState().explanation!;
    expect(unsettled.result.stability?.anytime?.stoppedAt).toBeUndefined();
    expect(continuation(unsettled.result)).toMatchObject({ kind: 'more', label: 'Continue with 4× the samples' });
    await store.getState().continueRun(unsettled.id);
    await settle();
    expect(paramsOf(jobs.at(-1)!)).toMatchObject({ samples: 12_000, stableAt: 0.9 });
    expect(jobs.at(-1)!.seed).toBe(7);

    // LIME's samples go up to 200 000: 4 × 60 000 is capped there, and at the top there is nothing to continue
    const big = { ...unsettled.result, params: { ...unsettled.result.params, samples: 60_000 } } as Explanation;
    expect(continuation(big)?.params).toMatchObject({ samples: 200_000 });
    expect(continuation({ ...big, params: { ...big.params, samples: 200_000 } } as Explanation)).toBeUndefined();
  });

  it('RISE continues its masks; KernelSHAP’s auto budget continues to "the full budget" or 4× shap’s 2M + 2048', () => {
    const anytime = (stoppedAt?: number): NonNullable<Explanation['stability']> => ({ splitHalf: 0.9, anytime: { target: 0.95, curve: [{ samples: 200, agreement: 0.9 }], ...(stoppedAt ? { stoppedAt } : {}) } });
    const timings = { totalMs: 1, inferenceMs: 1, modelCalls: 1, samples: 200, batchSize: 1 };
    const rise = { kind: 'pixel-map', method: 'rise', target: 0, width: 2, height: 2, map: [0, 0, 0, 0], classes: [], signed: false, params: { masks: 2000, stableAt: 0.95 }, seed: 0, scoreSpace: 'probability', timings } as unknown as Explanation;
    expect(continuation({ ...rise, stability: anytime(600) })).toMatchObject({ label: 'Continue to 2000 masks', params: { masks: 2000, stableAt: 0 } });
    expect(continuation({ ...rise, stability: anytime() })).toMatchObject({ label: 'Continue with 4× the masks', params: { masks: 8000, stableAt: 0.95 } });

    const shap = { kind: 'superpixel-weights', method: 'kernelshap', segmentCount: 40, segments: [], weights: [], target: 0, width: 2, height: 2, map: [0, 0, 0, 0], classes: [], signed: true, params: { samples: 'auto', stableAt: 0.95, exact: false, evaluations: 200 }, seed: 0, scoreSpace: 'probability', timings } as unknown as Explanation;
    expect(continuation({ ...shap, stability: anytime(200) })).toMatchObject({ label: 'Continue to the full budget', params: { samples: 'auto', stableAt: 0 } });
    expect(continuation({ ...shap, stability: anytime() })?.params).toMatchObject({ samples: 4 * (2 * 40 + 2048) });
    // nothing sampled (exact values): nothing to continue
    expect(continuation({ ...shap, stability: { splitHalf: 1, anytime: { target: 0.95, curve: [], note: 'exact' } } })).toBeUndefined();
    expect(continuation(shap)).toBeUndefined();
  });
});

describe('computing curves later', () => {
  it('a result without curves gets them: compute().curves with the default parameters, attached in the history and on screen', async () => {
    const { store, curves } = await anytimePage();
    store.getState().setExplainSettings({ metrics: null });
    await store.getState().runExplanation();
    await settle();
    const bare = store.getState().explanation!;
    expect(bare.result.metrics).toBeUndefined();
    expect(curves).toHaveLength(0);

    await store.getState().computeCurves(bare.id);
    expect(curves).toHaveLength(1);
    expect(curves[0]).toMatchObject({ target: bare.result.target, params: FAITHFULNESS_DEFAULTS, seed: 7, preprocess: bare.inputs.preprocess });
    expect(curves[0].map).toBe(bare.result.map);
    expect(store.getState().explanation!.id).toBe(bare.id);
    expect(store.getState().explanation!.result.metrics?.deletion.auc).toBe(0.5);
    expect(store.getState().history.find((h) => h.id === bare.id)!.result.metrics).toBeDefined();
    expect(store.getState().run).toBeUndefined();
  });

  it('uses the settings’ curve parameters when curves are on, and is refused over other inputs', async () => {
    const { store, curves } = await anytimePage();
    store.getState().setExplainSettings({ metrics: null });
    await store.getState().runExplanation();
    await settle();
    const bare = store.getState().explanation!;
    store.getState().setExplainSettings({ metrics: { ...FAITHFULNESS_DEFAULTS, steps: 8 } });
    await store.getState().computeCurves(bare.id);
    expect(curves.at(-1)!.params.steps).toBe(8);

    store.getState().deleteHistoryEntry(bare.id);
    await store.getState().runExplanation(); // curves on: this one comes with them
    await settle();
    const other = { ...store.getState().explanation!, id: 999, result: { ...store.getState().explanation!.result, metrics: undefined } };
    store.getState().keepInHistory(other);
    await store.getState().loadImage(new Blob(['y']), 'dog.png');
    await settle();
    const before = curves.length;
    await store.getState().computeCurves(other.id);
    expect(curves).toHaveLength(before);
    expect(store.getState().messages.at(-1)?.context).toBe('Computing deletion/insertion curves');
  });
});
