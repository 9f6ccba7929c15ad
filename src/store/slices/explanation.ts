import { GlassboxError } from '../../engine/errors';
import type { Explanation } from '../../engine/explain/types';
import { sameInputs, screenInputs, type InputsKey } from '../inputs';
import type { ExplanationSlice, ExplanationState, GetState, SetState, Slice, SliceContext } from '../types';
import { checkMethod, jobFor, labelOf, targetsToExplain } from './job';

/** Finished results kept for the session's history strip. */
export const HISTORY_LIMIT = 24;

/** Key of the measured time per model row: the model and the backend it runs on. */
export const rowKey = (s: Pick<ReturnType<GetState>, 'model'>) => (s.model ? `${s.model.fingerprint}:${s.model.backend}` : '');

/** A finished result, bound to what produced it. */
export function toState(get: GetState, ctx: SliceContext, result: Explanation, fallback: InputsKey): ExplanationState {
  const { model, image, prediction } = get();
  const p = result.provenance;
  return {
    id: ctx.nextJobId(),
    result,
    inputs: p ? { modelSha256: p.modelSha256, imageSha256: p.imageSha256, preprocess: p.preprocess } : fallback,
    modelName: model?.name ?? '',
    imageName: image?.name ?? '',
    labels: result.classes.map((c) => labelOf(get, c.target)),
    targetScore: prediction?.ranked.probabilities[result.target] ?? NaN,
    scores: result.classes.map((c) => prediction?.ranked.probabilities[c.target] ?? NaN),
    baseImage: prediction!.result.modelInput,
    metrics: result.metrics,
    createdAt: Date.now(),
  };
}

/** Learn the model's time per input row from a finished run (a running mean, recent runs weigh more). */
export function learnRowTime(set: SetState, get: GetState, result: Explanation): void {
  const key = rowKey(get());
  if (!key || !result.timings.samples) return;
  const measured = result.timings.inferenceMs / result.timings.samples;
  const old = get().rowMs[key];
  set({ rowMs: { ...get().rowMs, [key]: old === undefined ? measured : 0.5 * old + 0.5 * measured } });
}

export function pushHistory(set: SetState, get: GetState, entry: ExplanationState): void {
  set({ history: [entry, ...get().history.filter((h) => h.id !== entry.id)].slice(0, HISTORY_LIMIT) });
}

/**
 * One explanation run: progress while it runs; the map is shown as soon as it exists (only when computed from the
 * inputs on screen), then its deletion/insertion curves run as their own cancellable job.
 */
export const createExplanationSlice: Slice<ExplanationSlice> = (set, get, ctx) => {
  const runCurves = async (entry: ExplanationState) => {
    const params = get().explainSettings.metrics;
    if (!params) return;
    const jobId = `job-${ctx.nextJobId()}`;
    set({ run: { jobId, kind: 'curves', method: entry.result.method, startedAt: Date.now() } });
    try {
      const metrics = await ctx.deps.compute().curves(jobId, { target: entry.result.target, map: entry.result.map, preprocess: entry.inputs.preprocess, params, seed: entry.result.seed }, (progress) => {
        if (get().run?.jobId === jobId) set({ run: { ...get().run!, progress } });
      });
      const withCurves = { ...entry, metrics, result: { ...entry.result, metrics } };
      set({ history: get().history.map((h) => (h.id === entry.id ? withCurves : h)) });
      if (get().explanation?.id === entry.id) set({ explanation: withCurves });
    } catch (e) {
      if ((e as GlassboxError).code !== 'CANCELLED') get().report(e, 'Computing deletion/insertion curves');
    } finally {
      if (get().run?.jobId === jobId) set({ run: undefined });
    }
  };

  return {
    viewClass: 0,
    history: [],
    rowMs: {},

    async runExplanation() {
      if (get().run) return;
      if (get().engine === 'restarting') {
        get().report(new GlassboxError('NO_MODEL', 'The engine is restarting with the new thread count; run again in a moment.'), 'Explaining');
        return;
      }
      if (get().predicting) await ctx.pendingPrediction; // the target must be the current image's
      const { model, image, preprocess, prediction, explainSettings } = get();
      const inputs = screenInputs(get());
      if (!model || !image || !preprocess || !prediction || !inputs) {
        get().report(new GlassboxError('NO_MODEL', 'Load a model and an image first.'), 'Explaining');
        return;
      }
      const method = explainSettings.method;
      try {
        checkMethod(get, method);
      } catch (e) {
        get().report(e, 'Explaining');
        return;
      }
      const targets = targetsToExplain(get, explainSettings.topLabels);
      const jobId = `job-${ctx.nextJobId()}`;
      set({ run: { jobId, kind: 'explain', method, startedAt: Date.now() } });
      let entry: ExplanationState | undefined;
      try {
        // the map first: the curves follow as their own job
        const result = await ctx.deps.compute().explain(jobId, { ...jobFor(get, method, targets), metrics: undefined }, (progress) => {
          if (get().run?.jobId === jobId) set({ run: { ...get().run!, progress } });
        });
        entry = toState(get, ctx, result, inputs);
        learnRowTime(set, get, result);
        pushHistory(set, get, entry);
        // only a finished run computed from the inputs on screen is drawn over the image
        if (sameInputs(entry.inputs, screenInputs(get()))) set({ explanation: entry, viewClass: 0, hoverFeature: undefined });
      } catch (e) {
        if ((e as GlassboxError).code !== 'CANCELLED') get().report(e, 'Explaining');
      } finally {
        if (get().run?.jobId === jobId) set({ run: undefined });
      }
      if (entry) await runCurves(entry);
    },

    async cancelExplanation() {
      const run = get().run;
      if (run) await ctx.deps.compute().cancel(run.jobId);
    },

    showHistoryEntry(id) {
      const entry = get().history.find((h) => h.id === id);
      if (!entry || !sameInputs(entry.inputs, screenInputs(get()))) return false;
      set({ explanation: entry, viewClass: 0, hoverFeature: undefined });
      return true;
    },

    inputsChanged() {
      const inputs = screenInputs(get());
      const { explanation, comparison } = get();
      if (explanation && !sameInputs(explanation.inputs, inputs)) set({ explanation: undefined, viewClass: 0, hoverFeature: undefined });
      if (comparison && !sameInputs(comparison.inputs, inputs)) set({ comparison: undefined });
    },

    setViewClass(viewClass) {
      set({ viewClass, hoverFeature: undefined });
    },

    setHoverFeature(hoverFeature) {
      if (get().hoverFeature !== hoverFeature) set({ hoverFeature });
    },
  };
};
