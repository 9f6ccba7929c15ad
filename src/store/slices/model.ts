import type { ModelSlice, Slice } from '../types';

/** The loaded model (a failed load keeps the previous one) and what it offers the gradient methods. */
export const createModelSlice: Slice<ModelSlice> = (set, get, ctx) => ({
  modelStatus: 'idle',

  async loadModel(bytes, name) {
    set({ modelStatus: 'loading' });
    try {
      const model = await ctx.deps.compute().loadModel(bytes, name, get().runtime.backend);
      ctx.lastModel = { bytes, name };
      const saved = get().savedPreprocess[model.fingerprint];
      const preprocess = saved ?? model.spec.suggestedPreprocess;
      // a layer name belongs to one model
      set({ model, modelStatus: 'ready', preprocess, prediction: undefined, target: undefined, support: undefined, explainSettings: { ...get().explainSettings, layer: undefined } });
      get().inputsChanged();
      await get().predict();
      void get().refreshSupport();
    } catch (e) {
      // The worker keeps the previous model; so does the UI.
      set({ modelStatus: get().model ? 'ready' : 'error' });
      get().report(e, `Loading model ${name}`);
    }
  },

  async loadDemoModel(file) {
    try {
      const bytes = await ctx.deps.assets.bytes(`demo/${file}`);
      await get().loadModel(bytes, file);
    } catch (e) {
      get().report(e, `Loading demo model ${file}`);
    }
  },

  async refreshSupport() {
    const model = get().model;
    try {
      const support = await ctx.deps.compute().methodSupport();
      if (get().model === model) set({ support });
    } catch (e) {
      get().report(e, 'Preparing gradients');
    }
  },
});
