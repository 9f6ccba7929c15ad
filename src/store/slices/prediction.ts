import { validatePreprocess } from '../../engine/image/preprocess';
import { parseLabels, resolveLabels } from '../../engine/labels/labels';
import { rankScores } from '../../engine/predict/scores';
import type { LoadedModel, PredictResult } from '../../worker-api';
import type { GetState, PredictionSlice, PredictionState, Slice } from '../types';

function relabel(get: GetState, result: PredictResult, model: LoadedModel): PredictionState {
  const numClasses = result.raw.length / result.dims[0];
  const labels = resolveLabels(numClasses, { file: get().userLabels?.labels, metadata: model.spec.metadataLabels });
  const ranked = rankScores(result.raw, labels.labels, Math.max(get().topK, 1), model.spec.outputKind);
  return { result, ranked, labels };
}

/** Preprocessing, labels, the prediction and the chosen target class. */
export const createPredictionSlice: Slice<PredictionSlice> = (set, get, ctx) => {
  let generation = 0;
  const refresh = () => {
    const { prediction, model } = get();
    if (prediction && model) set({ prediction: relabel(get, prediction.result, model) });
  };
  return {
    predicting: false,
    showRaw: false,

    async setPreprocess(patch) {
      const { model, preprocess } = get();
      if (!model || !preprocess) return;
      const next = { ...preprocess, ...patch };
      try {
        validatePreprocess(next);
      } catch (e) {
        get().report(e, 'Changing preprocessing');
        return;
      }
      set({ preprocess: next, savedPreprocess: { ...get().savedPreprocess, [model.fingerprint]: next } });
      await get().predict();
    },

    async resetPreprocess() {
      const { model } = get();
      if (!model) return;
      const saved = { ...get().savedPreprocess };
      delete saved[model.fingerprint];
      set({ preprocess: model.spec.suggestedPreprocess, savedPreprocess: saved });
      await get().predict();
    },

    loadLabels(text, name) {
      try {
        const labels = parseLabels(text, name);
        set({ userLabels: { name, labels } });
        refresh();
      } catch (e) {
        get().report(e, `Loading labels ${name}`);
      }
    },

    clearLabels() {
      set({ userLabels: undefined });
      refresh();
    },

    setTopK(k) {
      if (!Number.isInteger(k) || k < 1) return;
      set({ topK: k });
      refresh();
    },

    setShowRaw(showRaw) {
      set({ showRaw });
    },

    setTarget(target) {
      set({ target });
    },

    async predict() {
      const { model, image, preprocess } = get();
      if (!model || !image || !preprocess) return;
      const mine = ++generation;
      set({ predicting: true });
      try {
        const result = await ctx.deps.compute().predict(preprocess);
        if (mine !== generation) return; // a newer request superseded this one
        const prediction = relabel(get, result, get().model ?? model);
        const target = get().target;
        const keepTarget = target !== undefined && target < prediction.ranked.probabilities.length;
        set({ prediction, target: keepTarget ? target : prediction.ranked.top[0]?.index });
      } catch (e) {
        if (mine === generation) get().report(e, 'Predicting');
      } finally {
        if (mine === generation) set({ predicting: false });
      }
    },
  };
};
