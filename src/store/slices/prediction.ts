import { validatePreprocess, type PreprocessConfig } from '../../engine/image/preprocess';
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
  /** Model+backend keys with one prediction done: their next ones are warm and may teach the time per row. */
  const warm = new Set<string>();
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
      get().inputsChanged();
      await get().predict();
    },

    async resetPreprocess() {
      const { model } = get();
      if (!model) return;
      const saved = { ...get().savedPreprocess };
      delete saved[model.fingerprint];
      set({ preprocess: model.spec.suggestedPreprocess, savedPreprocess: saved });
      get().inputsChanged();
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

    setTarget(index) {
      const label = get().prediction?.labels.labels[index] ?? `class ${index}`;
      set({ target: index, pinned: { index, label } });
    },

    unpinTarget() {
      set({ pinned: undefined, target: get().prediction?.ranked.top[0]?.index });
    },

    predict() {
      const { model, image, preprocess } = get();
      if (!model || !image || !preprocess) return Promise.resolve();
      const mine = ++generation;
      const pending = predictOnce(mine, model, preprocess);
      ctx.pendingPrediction = pending;
      return pending;
    },
  };

  async function predictOnce(mine: number, model: LoadedModel, preprocess: PreprocessConfig): Promise<void> {
    set({ predicting: true });
    try {
      const result = await ctx.deps.compute().predict(preprocess);
      if (mine !== generation) return; // a newer request superseded this one
      const prediction = relabel(get, result, get().model ?? model);
      // The target follows the new top-1 whenever the model or the image changes, unless a class is pinned; a pin
      // survives only while the model has that class (same index, same name).
      let pinned = get().pinned;
      if (pinned && !(pinned.index < prediction.ranked.probabilities.length && (prediction.labels.labels[pinned.index] ?? `class ${pinned.index}`) === pinned.label)) pinned = undefined;
      set({ prediction, pinned, target: pinned ? pinned.index : prediction.ranked.top[0]?.index });
      // the fastest single-image inference seen on this model and backend, from the second prediction on: the
      // first run of a session carries its warm-up (on the demo model 100× a warm run on a busy machine), and an
      // estimate built on it read "~10 min" for a two-second LIME run
      const key = `${model.fingerprint}:${model.backend}:predict`;
      if (warm.has(key)) {
        const best = get().rowMs[key];
        if (best === undefined || result.inferenceMs < best) set({ rowMs: { ...get().rowMs, [key]: result.inferenceMs } });
      }
      warm.add(key);
      get().inputsChanged();
    } catch (e) {
      if (mine === generation) get().report(e, 'Predicting');
    } finally {
      if (mine === generation) set({ predicting: false });
    }
  }
};
