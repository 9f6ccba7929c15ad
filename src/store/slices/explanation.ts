import { GlassboxError } from '../../engine/errors';
import type { ExplanationSlice, Slice } from '../types';
import { checkMethod, jobFor, labelOf, targetsToExplain } from './job';

/** One explanation run: progress while it runs, and only a finished run becomes the shown result. */
export const createExplanationSlice: Slice<ExplanationSlice> = (set, get, ctx) => ({
  viewClass: 0,

  async runExplanation() {
    const { model, image, preprocess, prediction, explainSettings, run } = get();
    if (run) return;
    if (!model || !image || !preprocess || !prediction) {
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
    set({ run: { jobId, method, startedAt: Date.now() } });
    try {
      const result = await ctx.deps.compute().explain(jobId, jobFor(get, method, targets), (progress) => {
        if (get().run?.jobId === jobId) set({ run: { ...get().run!, progress } });
      });
      set({ explanation: { result, modelName: model.name, imageName: image.name, labels: targets.map((t) => labelOf(get, t)) }, viewClass: 0, hoverFeature: undefined });
    } catch (e) {
      if ((e as GlassboxError).code !== 'CANCELLED') get().report(e, 'Explaining');
    } finally {
      if (get().run?.jobId === jobId) set({ run: undefined });
    }
  },

  async cancelExplanation() {
    const run = get().run;
    if (run) await ctx.deps.compute().cancel(run.jobId);
  },

  setViewClass(viewClass) {
    set({ viewClass, hoverFeature: undefined });
  },

  setHoverFeature(hoverFeature) {
    if (get().hoverFeature !== hoverFeature) set({ hoverFeature });
  },
});
