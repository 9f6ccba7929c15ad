import type { DemoManifest } from '../demo';
import type { RuntimeSlice, Slice } from '../types';

/** The compute backend and thread count, the environment the worker reports, and start-up with the demo and the stored history. */
export const createRuntimeSlice: Slice<RuntimeSlice> = (set, get, ctx) => ({
  runtime: { backend: 'auto', threads: 0 },
  engine: 'ready',

  async init() {
    const envPromise = ctx.deps.compute().environment().then((env) => set({ env }), (e) => get().report(e, 'Starting the compute worker'));
    const historyPromise = get().loadHistory(); // never rejects: a failing store leaves the history in memory
    try {
      const demo = await ctx.deps.assets.json<DemoManifest>('demo/manifest.json');
      set({ demo });
      await Promise.all([get().loadDemoModel(demo.defaultModel), get().loadDemoImage(demo.defaultImage)]);
    } catch (e) {
      get().report(e, 'Loading the demo');
    }
    await Promise.all([envPromise, historyPromise]);
  },

  async setRuntime(patch) {
    const previous = get().runtime;
    const runtime = { ...previous, ...patch };
    set({ runtime });
    const { deps } = ctx;
    try {
      if (runtime.threads !== previous.threads && deps.restartCompute) {
        // The WASM thread pool is fixed when onnxruntime starts: a new worker, then reload what we had.
        // Run stays disabled until the new worker holds the model and the image again.
        set({ engine: 'restarting' });
        try {
          deps.restartCompute(runtime.threads);
          set({ env: await deps.compute().environment() });
          if (ctx.lastModel) {
            const model = await deps.compute().loadModel(ctx.lastModel.bytes, ctx.lastModel.name, runtime.backend, ctx.lastModel.externalData);
            set({ model });
          }
          if (ctx.lastImage) await deps.compute().decodeImage(ctx.lastImage.file, ctx.lastImage.name);
        } finally {
          set({ engine: 'ready' });
        }
      } else if (runtime.backend !== previous.backend && get().model) {
        set({ model: await deps.compute().switchBackend(runtime.backend) });
      }
      await get().predict();
      void get().probeBatch(); // another backend runs fastest at another batch
    } catch (e) {
      get().report(e, 'Changing the backend');
    }
  },
});
