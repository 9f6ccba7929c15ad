import { GlassboxError, serializeError } from '../../engine/errors';
import { FAITHFULNESS_DEFAULTS } from '../../engine/explain/faithfulness-params';
import type { ComparisonEntry, ComparisonSlice, Slice } from '../types';
import { checkMethod, jobFor, labelOf, targetsToExplain } from './job';

/** Several methods on one image and target, one after another, each with its deletion/insertion curves. */
export const createComparisonSlice: Slice<ComparisonSlice> = (set, get, ctx) => ({
  async runComparison() {
    const { model, image, preprocess, prediction, run, compareMethods } = get();
    if (run) return;
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
    // one target for every method, and the curves for each map
    const [target] = targetsToExplain(get, 1);
    const entries: ComparisonEntry[] = compareMethods.map((method) => ({ method }));
    const comparisonId = ctx.nextJobId();
    set({ comparison: { id: comparisonId, target, label: labelOf(get, target), modelName: model.name, imageName: image.name, entries, done: false } });
    for (let i = 0; i < entries.length; i++) {
      const jobId = `job-${ctx.nextJobId()}`;
      const method = entries[i].method;
      set({ run: { jobId, method, startedAt: Date.now(), step: { index: i, count: entries.length } } });
      let cancelled = false;
      try {
        const job = { ...jobFor(get, method, [target]), metrics: get().explainSettings.metrics ?? FAITHFULNESS_DEFAULTS };
        const result = await ctx.deps.compute().explain(jobId, job, (progress) => {
          if (get().run?.jobId === jobId) set({ run: { ...get().run!, progress } });
        });
        entries[i] = { method, result };
      } catch (e) {
        cancelled = (e as GlassboxError).code === 'CANCELLED';
        entries[i] = { method, error: cancelled ? 'cancelled' : serializeError(e).message };
      }
      if (get().comparison?.id === comparisonId) set({ comparison: { ...get().comparison!, entries: [...entries] } });
      if (cancelled) break;
    }
    if (get().comparison?.id === comparisonId) set({ comparison: { ...get().comparison!, done: true } });
    set({ run: undefined });
  },
});
