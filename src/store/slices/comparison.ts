import { GlassboxError, serializeError } from '../../engine/errors';
import { FAITHFULNESS_DEFAULTS } from '../../engine/explain/faithfulness-params';
import type { ComparisonEntry, ComparisonSlice, Slice } from '../types';
import { reportProgress } from '../run-progress';
import { screenInputs } from '../inputs';
import { runCaptions } from '../../engine/explain/run-diff';
import { learnRowTime, toState } from './explanation';
import { checkMethod, jobFor, labelOf, targetsToExplain } from './job';

/** Several methods on one image and target, one after another, each with its deletion/insertion curves. */
export const createComparisonSlice: Slice<ComparisonSlice> = (set, get, ctx) => ({
  async runComparison() {
    const { model, image, preprocess, prediction, run, compareMethods } = get();
    if (run) return;
    if (get().engine === 'restarting') return;
    if (!model || !image || !preprocess || !prediction) {
      get().report(new GlassboxError('NO_MODEL', 'Load a model and an image first.'), 'Comparing');
      return;
    }
    if (!compareMethods.length) {
      get().report(new GlassboxError('PARAM_INVALID', 'Pick at least one method to compare.'), 'Comparing');
      return;
    }
    try {
      for (const m of compareMethods) checkMethod(get, m);
    } catch (e) {
      get().report(e, 'Comparing');
      return;
    }
    if (get().predicting) await ctx.pendingPrediction;
    const inputs = screenInputs(get());
    if (!inputs) return;
    // the same classes for every method (Top labels: a row per class), and the curves of each map
    const targets = targetsToExplain(get, get().explainSettings.topLabels);
    const [target] = targets;
    const entries: ComparisonEntry[] = compareMethods.map((method) => ({ key: method, method }));
    const comparisonId = ctx.nextJobId();
    set({ comparison: { id: comparisonId, targets, labels: targets.map((t) => labelOf(get, t)), target, label: labelOf(get, target), inputs, modelName: model.name, imageName: image.name, entries, done: false, source: 'methods' } });
    for (let i = 0; i < entries.length; i++) {
      const jobId = `job-${ctx.nextJobId()}`;
      const method = entries[i].method;
      set({ run: { jobId, kind: 'compare', method, startedAt: Date.now(), step: { index: i, count: entries.length } } });
      let cancelled = false;
      try {
        const job = { ...jobFor(get, method, targets), metrics: get().explainSettings.metrics ?? FAITHFULNESS_DEFAULTS };
        const result = await ctx.deps.compute().explain(jobId, job, (progress) => {
          reportProgress(set, get, jobId, progress);
        });
        entries[i] = { key: method, method, result };
        learnRowTime(set, get, result);
        get().keepInHistory(toState(get, ctx, result, inputs));
      } catch (e) {
        cancelled = (e as GlassboxError).code === 'CANCELLED';
        entries[i] = { key: method, method, error: cancelled ? 'cancelled' : serializeError(e).message };
      }
      if (get().comparison?.id === comparisonId) set({ comparison: { ...get().comparison!, entries: [...entries] } });
      if (cancelled) break;
    }
    if (get().comparison?.id === comparisonId) set({ comparison: { ...get().comparison!, done: true } });
    set({ run: undefined });
  },

  compareHistory(ids) {
    const picked = ids.map((id) => get().history.find((h) => h.id === id)).filter((h) => h !== undefined);
    if (picked.length < 2) {
      get().report(new GlassboxError('PARAM_INVALID', 'Pick two or more results from the history to compare.'), 'Comparing results');
      return;
    }
    const images = new Set(picked.map((h) => h.inputs.imageSha256));
    if (images.size > 1) {
      const names = [...new Set(picked.map((h) => h.imageName))];
      get().report(
        new GlassboxError('PARAM_INVALID', `These results were computed from ${images.size} different images (${names.join(', ')}); side by side they would mislead.`, 'Pick results of one image.'),
        'Comparing results',
      );
      return;
    }
    // oldest first, as they were run
    picked.sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
    const captions = runCaptions(picked.map((h) => ({ ...h.result, targetLabel: h.labels[0], modelName: h.modelName, modelSha256: h.inputs.modelSha256 })));
    const [first] = picked;
    const entries: ComparisonEntry[] = picked.map((h, i) => ({
      key: `run-${h.id}`,
      method: h.result.method,
      result: h.result,
      caption: captions[i],
      label: h.labels[0],
      modelName: h.modelName,
      baseImage: h.baseImage,
      historyId: h.id,
    }));
    const sameModel = new Set(picked.map((h) => h.inputs.modelSha256)).size === 1;
    set({
      comparison: {
        id: ctx.nextJobId(),
        targets: [first.result.target],
        labels: [first.labels[0]],
        target: first.result.target,
        label: first.labels[0],
        inputs: first.inputs,
        modelName: sameModel ? first.modelName : `${new Set(picked.map((h) => h.inputs.modelSha256)).size} models`,
        imageName: first.imageName,
        entries,
        done: true,
        source: 'history',
      },
    });
  },

  closeComparison() {
    set({ comparison: undefined });
  },
});
