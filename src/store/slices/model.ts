import { GlassboxError } from '../../engine/errors';
import { tensorDims } from '../../engine/image/preprocess';
import { PAGE_LIMITS } from '../../worker-api';
import { rowKey } from './job';
import type { ModelSlice, Slice } from '../types';

const MB = 1024 * 1024;

function oversizeError(name: string, sizeBytes: number, withData: boolean): GlassboxError {
  return new GlassboxError(
    'MODEL_UNREADABLE',
    `${name}${withData ? ' with the files given beside it' : ''} is ${(sizeBytes / MB).toFixed(0)} MB, over the ${PAGE_LIMITS.modelMb} MB model limit of this page.`,
    'A model this large can exhaust the tab\'s memory. If it is the right file, press "Load anyway" in the Model panel.',
  );
}

/** The loaded model (a failed load keeps the previous one) and what it offers the gradient methods. */
export const createModelSlice: Slice<ModelSlice> = (set, get, ctx) => {
  /** The files behind `oversizeModel` (big, not rendered). */
  let oversize: { file: File; companions: File[] } | undefined;

  return {
    modelStatus: 'idle',

    async loadModel(bytes, name, externalData) {
      set({ modelStatus: 'loading' });
      try {
        const model = await ctx.deps.compute().loadModel(bytes, name, get().runtime.backend, externalData);
        ctx.lastModel = { bytes, name, externalData };
        const saved = get().savedPreprocess[model.fingerprint];
        const preprocess = saved ?? model.spec.suggestedPreprocess;
        // a layer name belongs to one model
        set({ model, modelStatus: 'ready', preprocess, prediction: undefined, target: undefined, support: undefined, explainSettings: { ...get().explainSettings, layer: undefined } });
        get().inputsChanged();
        await get().predict();
        void get().refreshSupport().then(() => get().probeBatch());
      } catch (e) {
        // The worker keeps the previous model; so does the UI.
        set({ modelStatus: get().model ? 'ready' : 'error' });
        get().report(e, `Loading model ${name}`);
      }
    },

    async openModelFiles(file, companions = [], options = {}) {
      // sizes first: a 2 GB file dropped by mistake is refused before a byte of it is read
      const total = file.size + companions.reduce((n, f) => n + f.size, 0);
      if (!options.force && total > PAGE_LIMITS.modelMb * MB) {
        oversize = { file, companions };
        set({ oversizeModel: { name: file.name, sizeBytes: total, limitMb: PAGE_LIMITS.modelMb } });
        get().report(oversizeError(file.name, total, total > file.size), `Loading model ${file.name}`);
        return;
      }
      if (get().oversizeModel?.name === file.name) get().dismissOversizeModel();
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await file.arrayBuffer());
      } catch (e) {
        get().report(e, `Loading model ${file.name}`);
        return;
      }
      // the worker reads a companion only if the model names it as its weights file
      await get().loadModel(bytes, file.name, companions.length ? companions.map((f) => ({ name: f.name, file: f })) : undefined);
    },

    async loadOversizeModel() {
      const pending = oversize;
      get().dismissOversizeModel();
      if (pending) await get().openModelFiles(pending.file, pending.companions, { force: true });
    },

    dismissOversizeModel() {
      oversize = undefined;
      if (get().oversizeModel) set({ oversizeModel: undefined });
    },

    async loadDemoModel(file) {
      try {
        const bytes = await ctx.deps.assets.bytes(`demo/${file}`);
        await get().loadModel(bytes, file);
      } catch (e) {
        get().report(e, `Loading demo model ${file}`);
      }
    },

    async probeBatch() {
      const { model, preprocess } = get();
      set({ batchProbe: undefined });
      // WebGPU only: there the best batch varies most (device, driver, memory) and matters most; on WASM the
      // defaults (32) are within a few per cent of the best measured (README, Performance), and the probe would hold
      // the worker for up to 2 s after every load for nothing a run would use
      if (!model || !preprocess || !model.spec.dynamicBatch || model.backend !== 'webgpu') return;
      try {
        const probe = await ctx.deps.compute().probeBatch(tensorDims(preprocess, 1));
        if (probe && get().model === model) set({ batchProbe: { ...probe, key: rowKey(get()) } });
      } catch {
        // no measurement: runs keep the batch sizes of their settings
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
  };
};
