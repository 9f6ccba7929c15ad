/** The store's behaviour with a fake compute worker: no browser, no onnxruntime. */
import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import { defaultPreprocess, type PreprocessConfig } from '../../../src/engine/image/preprocess';
import type { ClassifierSpec } from '../../../src/engine/runtime/classifier-spec';
import { createAppStore } from '../../../src/store/app-store';
import { UNUSED_COMPUTE } from '../../helpers/store-fakes';
import type { ComputeApi, CurvesJob, ExplainJob, LoadedModel, MethodSupport, PredictResult } from '../../../src/worker-api';
import { defaultsOf } from '../../../src/engine/explain/schema';
import { descriptorOf, METHOD_IDS } from '../../../src/engine/explain/registry';

function memoryStorage() {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k), data };
}

function fakeModel(name: string, classes = 3): LoadedModel {
  const spec = { inputName: 'x', inputDType: 'float32', inputShape: ['N', 3, 8, 8], layout: 'NCHW', layoutSource: 'graph', channels: 3, width: 8, height: 8, dynamicBatch: true, outputName: 'y', outputShape: ['N', classes], numClasses: classes, metadataLabels: undefined, suggestedPreprocess: defaultPreprocess(8, 8), preprocessSource: 'default', warnings: [] } as ClassifierSpec;
  return { name, sizeBytes: 10, fingerprint: `fp-${name}`, info: { irVersion: 8, opsets: [], producer: '', inputs: [], outputs: [], metadata: {}, nodeCount: 1, opTypeCounts: {}, usesFloat16: false }, spec, backend: 'wasm', loadMs: 1 };
}

/** A compute fake: models named bad* fail like the worker does; predict returns logits chosen by the test. */
function fakeCompute(logits: () => number[], delays: number[] = [], support?: MethodSupport) {
  const calls: { predict: PreprocessConfig[]; explain: ExplainJob[]; curves: CurvesJob[] } = { predict: [], explain: [], curves: [] };
  const cancels = new Map<string, { aborted: boolean }>();
  // what the worker holds (it stamps results with these, as the real one does)
  const current = { model: '', image: '' };
  const api: ComputeApi = {
    environment: async () => ({ webgpu: { available: false, shaderF16: false }, crossOriginIsolated: true, hardwareConcurrency: 2, wasmThreads: 2 }),
    loadModel: async (_bytes, name) => {
      if (name.startsWith('bad')) throw new GlassboxError('MODEL_UNREADABLE', 'This file is not a readable ONNX model: test.', 'hint');
      current.model = `fp-${name}`;
      return fakeModel(name);
    },
    switchBackend: async () => fakeModel('x'),
    decodeImage: async (_file, name) => ((current.image = `sha-${name}`), { name, sha256: `sha-${name}`, width: 2, height: 2, originalWidth: 2, originalHeight: 2, image: { width: 2, height: 2, data: new Uint8ClampedArray(16) } }),
    predict: async (config) => {
      calls.predict.push(config);
      const values = logits();
      const delay = delays.shift() ?? 0;
      if (delay) await new Promise((r) => setTimeout(r, delay));
      return { raw: Float32Array.from(values), modelInput: { width: 8, height: 8, data: new Uint8ClampedArray(256) }, dims: [1, 3, 8, 8], preprocessMs: 0, inferenceMs: 0 } satisfies PredictResult;
    },
    explain: async (jobId, job, onProgress) => {
      calls.explain.push(job);
      const stamp = { ...current }; // the worker binds a run to the model and image it started with
      const signal = { aborted: false };
      cancels.set(jobId, signal);
      for (let done = 100; done <= 300; done += 100) {
        await new Promise((r) => setTimeout(r, 5));
        if (signal.aborted) throw new GlassboxError('CANCELLED', 'The explanation was cancelled.');
        onProgress({ phase: 'sampling', done, total: 300 });
      }
      return { kind: 'superpixel-weights', method: job.method, target: job.targets[0], width: 8, height: 8, map: [], segments: [], segmentCount: 1, weights: [1], signed: true, classes: job.targets.map((target) => ({ target, map: [], weights: [1] })), params: {}, seed: job.seed, scoreSpace: 'probability', timings: { totalMs: 1, inferenceMs: 1, modelCalls: 3, samples: 300, batchSize: 100 }, provenance: { modelSha256: stamp.model, imageSha256: stamp.image, preprocess: job.preprocess } };
    },
    curves: async (jobId, job, onProgress) => {
      calls.curves.push(job);
      const signal = { aborted: false };
      cancels.set(jobId, signal);
      for (let done = 1; done <= 3; done++) {
        await new Promise((r) => setTimeout(r, 5));
        if (signal.aborted) throw new GlassboxError('CANCELLED', 'The explanation was cancelled.');
        onProgress({ phase: 'deletion and insertion', done, total: 3 });
      }
      const curve = { x: [0, 1], y: [1, 0], auc: 0.5 };
      return { deletion: curve, insertion: curve, target: job.target, steps: 1, timings: { totalMs: 1, modelCalls: 1 } };
    },
    cancel: async (jobId) => {
      const s = cancels.get(jobId);
      if (s) s.aborted = true;
    },
    ...UNUSED_COMPUTE,
    methodSupport: async () => support ?? ({
      catalog: { candidates: [{ name: 'relu4', opType: 'Relu', shape: ['N', 8, 4, 4], layout: 'spatial', gridHeight: 4, gridWidth: 4, channels: 8 }], suggested: 'relu4', reason: 'the last spatial feature map' },
      unsupportedOps: [],
      layerUnsupportedOps: { relu4: [] },
    }),
  };
  return { api, calls };
}

const assets = { json: async () => { throw new Error('no demo'); }, bytes: async () => new Uint8Array(), blob: async () => new Blob() };

async function ready(logits = () => [0, 2, 1]) {
  const storage = memoryStorage();
  const compute = fakeCompute(logits);
  const store = createAppStore({ compute: () => compute.api, assets, storage });
  await store.getState().loadModel(new Uint8Array([1]), 'good.onnx');
  await store.getState().loadImage(new Blob(['x']), 'cat.png');
  return { store, storage, compute };
}

describe('app store', () => {
  it('predicts once model and image are there, softmaxes logits, and targets the top class', async () => {
    const { store } = await ready();
    const p = store.getState().prediction!;
    expect(p.ranked.outputKind).toBe('logits');
    expect(p.ranked.top.map((t) => t.index)).toEqual([1, 2, 0]);
    expect(p.ranked.top[0].score).toBeCloseTo(Math.exp(2) / (1 + Math.exp(2) + Math.exp(1)), 6);
    expect(store.getState().target).toBe(1);
  });

  it('a model that fails to load leaves the previous one and its prediction in place, with a message', async () => {
    const { store } = await ready();
    const before = store.getState().prediction;
    await store.getState().loadModel(new Uint8Array([1]), 'bad.onnx');
    const s = store.getState();
    expect(s.model?.name).toBe('good.onnx');
    expect(s.modelStatus).toBe('ready');
    expect(s.prediction).toBe(before);
    expect(s.messages.at(-1)).toMatchObject({ code: 'MODEL_UNREADABLE', context: 'Loading model bad.onnx', hint: 'hint' });
  });

  it('preprocessing changes are remembered per model fingerprint and persisted; invalid ones are refused', async () => {
    const { store, storage, compute } = await ready();
    await store.getState().setPreprocess({ resize: 'stretch', channelOrder: 'BGR' });
    expect(compute.calls.predict.at(-1)).toMatchObject({ resize: 'stretch', channelOrder: 'BGR' });
    store.getState().flushSettings(); // writes are debounced; a page hide flushes them
    expect(JSON.parse(storage.data.get('glassbox.settings')!).state.savedPreprocess['fp-good.onnx']).toMatchObject({ resize: 'stretch', channelOrder: 'BGR' });

    await store.getState().setPreprocess({ std: [1, 0, 1] });
    expect(store.getState().preprocess?.std).not.toEqual([1, 0, 1]);
    expect(store.getState().messages.at(-1)?.code).toBe('PARAM_INVALID');

    // Another model starts from its own suggestion; coming back restores the saved settings.
    await store.getState().loadModel(new Uint8Array([1]), 'other.onnx');
    expect(store.getState().preprocess?.resize).toBe('crop');
    await store.getState().loadModel(new Uint8Array([1]), 'good.onnx');
    expect(store.getState().preprocess).toMatchObject({ resize: 'stretch', channelOrder: 'BGR' });

    // A fresh store on the same storage (a page reload) still knows them.
    store.getState().flushSettings();
    const again = createAppStore({ compute: () => compute.api, assets, storage });
    await again.getState().loadModel(new Uint8Array([1]), 'good.onnx');
    expect(again.getState().preprocess).toMatchObject({ resize: 'stretch', channelOrder: 'BGR' });
  });

  it('a labels file renames the classes; a file of the wrong length is not used and says why', async () => {
    const { store } = await ready();
    store.getState().loadLabels('ant\nbee\ncat\n', 'labels.txt');
    expect(store.getState().prediction!.ranked.top[0].label).toBe('bee');
    expect(store.getState().prediction!.labels.source).toBe('file');
    store.getState().loadLabels('["a","b"]', 'short.json');
    expect(store.getState().prediction!.labels.source).toBe('none');
    expect(store.getState().prediction!.labels.warning).toMatch(/list 2 classes but the model outputs 3/);
  });

  it('only the latest prediction lands when requests overlap', async () => {
    const storage = memoryStorage();
    let n = 0;
    const outputs = [[5, 0, 0], [0, 0, 5]];
    const compute = fakeCompute(() => outputs[n++ % 2], [0, 50, 0]); // loadImage, slow, fast
    const store = createAppStore({ compute: () => compute.api, assets, storage });
    await store.getState().loadModel(new Uint8Array([1]), 'good.onnx');
    await store.getState().loadImage(new Blob(['x']), 'a.png');
    // The first (slow) request answers class 0, the second (fast) class 2: the screen must show class 2.
    n = 0;
    const slow = store.getState().predict();
    const fast = store.getState().predict();
    await Promise.all([slow, fast]);
    expect(store.getState().prediction!.ranked.top[0].index).toBe(2);
    expect(store.getState().predicting).toBe(false);
  });

  it('an explanation uses the chosen target and the next ranked classes, reports progress, and only a finished run is shown', async () => {
    const { store, compute } = await ready();
    store.getState().setTarget(2);
    store.getState().setExplainSettings({ topLabels: 2, seed: 9 });
    const progress: number[] = [];
    const unsubscribe = store.subscribe((s) => s.run?.progress && progress.push(s.run.progress.done));
    const running = store.getState().runExplanation();
    expect(store.getState().run).toBeDefined();
    expect(store.getState().explanation).toBeUndefined(); // nothing partial is shown
    await running;
    unsubscribe();
    expect(compute.calls.explain.at(-1)).toMatchObject({ targets: [2, 1], seed: 9, method: 'lime' });
    expect(progress).toContain(200);
    expect(store.getState().run).toBeUndefined();
    expect(store.getState().explanation?.result.classes.map((c) => c.target)).toEqual([2, 1]);
  });

  it('the map so far stays on screen between the reports that bring one, and goes at a new phase', async () => {
    const { store, compute } = await ready();
    const explain = compute.api.explain;
    const map = { width: 2, height: 2, map: [0, 1, 2, 3] };
    // RISE sends its map only now and then: a report with one, one without, then the next phase
    compute.api.explain = async (jobId, job, onProgress) => {
      onProgress({ phase: 'masks', done: 32, total: 96, preview: map });
      onProgress({ phase: 'masks', done: 64, total: 96 });
      onProgress({ phase: 'curves', done: 1, total: 3 });
      return explain(jobId, job, () => undefined);
    };
    const seen: string[] = [];
    const unsubscribe = store.subscribe((s) => s.run?.progress && seen.push(`${s.run.progress.phase} ${s.run.progress.done}: ${s.run.progress.preview ? 'map' : 'none'}`));
    await store.getState().runExplanation();
    unsubscribe();
    expect(seen.slice(0, 3)).toEqual(['masks 32: map', 'masks 64: map', 'curves 1: none']);
  });

  it('cancelling keeps the earlier explanation and shows no error; invalid parameters never reach the worker', async () => {
    const { store, compute } = await ready();
    await store.getState().runExplanation();
    const first = store.getState().explanation;
    store.getState().setExplainSettings({ seed: 4 });
    const second = store.getState().runExplanation();
    await new Promise((r) => setTimeout(r, 7));
    await store.getState().cancelExplanation();
    await second;
    expect(store.getState().explanation).toBe(first);
    expect(store.getState().run).toBeUndefined();
    expect(store.getState().messages).toEqual([]);

    const before = compute.calls.explain.length;
    store.getState().setMethodParams('lime', { samples: 1 });
    await store.getState().runExplanation();
    expect(compute.calls.explain.length).toBe(before);
    expect(store.getState().messages.at(-1)).toMatchObject({ code: 'PARAM_INVALID', message: expect.stringContaining('samples') });
  });

  it('a comparison runs each method on one target with deletion/insertion curves, in order; cancel stops the rest', async () => {
    const { store, compute } = await ready();
    store.getState().setCompareMethods(['lime', 'kernelshap', 'gradcam']);
    await store.getState().runComparison();
    const jobs = compute.calls.explain.slice(-3);
    expect(jobs.map((j) => j.method)).toEqual(['lime', 'kernelshap', 'gradcam']);
    expect(jobs.every((j) => j.targets.length === 1 && j.targets[0] === 1 && j.metrics?.steps)).toBe(true);
    const c = store.getState().comparison!;
    expect(c.done).toBe(true);
    expect(c.entries.map((e) => e.method)).toEqual(['lime', 'kernelshap', 'gradcam']);
    expect(c.entries.every((e) => e.result)).toBe(true);
    expect(store.getState().run).toBeUndefined();

    const before = compute.calls.explain.length;
    const running = store.getState().runComparison();
    await new Promise((r) => setTimeout(r, 7));
    await store.getState().cancelExplanation();
    await running;
    expect(compute.calls.explain.length).toBe(before + 1); // the first was cancelled, the others never started
    expect(store.getState().comparison!.entries[0].error).toBe('cancelled');
    expect(store.getState().comparison!.entries[1].result).toBeUndefined();
    expect(store.getState().messages).toEqual([]);
  });

  it('the map is shown first; its deletion/insertion curves follow as their own job (cancelling them keeps the map); switched off they stay off after a reload', async () => {
    const { store, compute, storage } = await ready();
    const seen: string[] = [];
    const unsubscribe = store.subscribe((s) => {
      const phase = s.explanation ? (s.explanation.result.metrics ? 'map+curves' : 'map') : 'none';
      if (seen.at(-1) !== phase) seen.push(phase);
    });
    await store.getState().runExplanation();
    unsubscribe();
    expect(seen).toEqual(['none', 'map', 'map+curves']); // the map never waited for the curves
    expect(compute.calls.explain.at(-1)!.metrics).toBeUndefined();
    expect(compute.calls.curves.at(-1)).toMatchObject({ target: 1, params: { steps: 32 } });
    expect(store.getState().history[0].result.metrics).toBeDefined();

    // cancel the curves: the new map stays, without curves, and no error is shown
    const running = store.getState().runExplanation();
    while (store.getState().run?.kind !== 'curves') await new Promise((r) => setTimeout(r, 2));
    const map = store.getState().explanation;
    await store.getState().cancelExplanation();
    await running;
    expect(store.getState().explanation).toBe(map);
    expect(store.getState().explanation!.result.metrics).toBeUndefined();
    expect(store.getState().messages).toEqual([]);

    const before = compute.calls.curves.length;
    store.getState().setExplainSettings({ metrics: null });
    await store.getState().runExplanation();
    expect(compute.calls.curves.length).toBe(before);
    store.getState().flushSettings();
    const again = createAppStore({ compute: () => compute.api, assets, storage });
    expect(again.getState().explainSettings.metrics).toBeNull();
  });


  it('settings are written debounced: a run with many progress updates writes storage at most once, and only what changed', async () => {
    const storage = memoryStorage();
    const writes: string[] = [];
    const counting = { ...storage, setItem: (k: string, v: string) => (writes.push(v), storage.setItem(k, v)) };
    const compute = fakeCompute(() => [0, 2, 1]);
    const store = createAppStore({ compute: () => compute.api, assets, storage: counting, persistDelayMs: 20 });
    await store.getState().loadModel(new Uint8Array([1]), 'good.onnx');
    await store.getState().loadImage(new Blob(['x']), 'cat.png');
    await new Promise((r) => setTimeout(r, 40));
    const before = writes.length;
    let updates = 0;
    const unsubscribe = store.subscribe((s) => s.run?.progress && updates++);
    await store.getState().runExplanation(); // progress updates, a result, nothing persisted changes
    await new Promise((r) => setTimeout(r, 40));
    unsubscribe();
    expect(updates).toBeGreaterThanOrEqual(3);
    expect(writes.length).toBe(before);
    store.getState().setExplainSettings({ seed: 5 });
    store.getState().setExplainSettings({ seed: 6 });
    store.getState().setExplainSettings({ seed: 7 });
    expect(writes.length).toBe(before); // not yet: debounced
    await new Promise((r) => setTimeout(r, 40));
    expect(writes.length).toBe(before + 1);
    expect(JSON.parse(writes.at(-1)!).state.explainSettings.seed).toBe(7);
  });

  it('defaults come from the descriptors; settings saved by version 1 (parameters by family) are migrated; bad stored values fall back', () => {
    const fresh = createAppStore({ compute: () => fakeCompute(() => [1]).api, assets, storage: memoryStorage() });
    for (const id of METHOD_IDS) expect(fresh.getState().explainSettings.params[id], id).toEqual(defaultsOf(descriptorOf(id)));
    const storage = memoryStorage();
    const v1 = {
      method: 'ig', seed: 3, topLabels: 2, metrics: null,
      lime: { samples: 300, segmentation: { method: 'grid', nSegments: 9 }, hide: { mode: 'black' }, kernelWidth: 0.25, alpha: 1, batchSize: 32, scoreSpace: 'raw' },
      partitionshap: { maxEvals: 900, background: 'color', color: [1, 2, 3], blurSigma: 10, minBlock: 2, batchSize: 8, scoreSpace: 'probability' },
      ig: { steps: 20, baseline: 'blur', blurSigma: 7, rule: 'riemann_trapezoid', batchSize: 4 },
      cam: { batchSize: 12, layer: 'old' },
      rise: { masks: -5, grid: 8, p1: 0.5, batchSize: 32, scoreSpace: 'probability' },
    };
    storage.setItem('glassbox.settings', JSON.stringify({ state: { explainSettings: v1 }, version: 1 }));
    const s = createAppStore({ compute: () => fakeCompute(() => [1]).api, assets, storage }).getState().explainSettings;
    expect(s).toMatchObject({ method: 'ig', seed: 3, topLabels: 2, metrics: null });
    expect(s.params.lime).toMatchObject({ samples: 300, segmentation: { method: 'grid', nSegments: 9 }, hide: { mode: 'black' }, scoreSpace: 'raw' });
    expect(s.params.partitionshap).toMatchObject({ maxEvals: 900, background: { mode: 'color', color: [1, 2, 3] }, minBlock: 2 });
    expect(s.params.ig).toMatchObject({ steps: 20, baseline: { mode: 'blur', blurSigma: 7 }, rule: 'riemann_trapezoid', batchSize: 4 });
    expect(s.params.scorecam.batchSize).toBe(12);
    expect(s.params.rise.masks).toBe(defaultsOf(descriptorOf('rise')).masks); // -5 was never valid
  });

  it('a CAM on a layer the user picked runs when only the suggested layer is blocked, and is refused on a blocked layer', async () => {
    const layer = (name: string) => ({ name, opType: 'Relu', shape: ['N', 8, 4, 4], layout: 'spatial' as const, gridHeight: 4, gridWidth: 4, channels: 8 });
    const support: MethodSupport = { catalog: { candidates: [layer('early'), layer('late')], suggested: 'late', reason: '' }, unsupportedOps: [], layerUnsupportedOps: { early: [], late: ['TopK'] } };
    const compute = fakeCompute(() => [0, 2, 1], [], support);
    const store = createAppStore({ compute: () => compute.api, assets, storage: memoryStorage() });
    await store.getState().loadModel(new Uint8Array([1]), 'good.onnx');
    await store.getState().loadImage(new Blob(['x']), 'cat.png');
    await store.getState().refreshSupport();
    store.getState().setExplainSettings({ method: 'gradcam' });
    await store.getState().runExplanation();
    expect(store.getState().messages.at(-1)?.message).toMatch(/layer "late".*"TopK"/);
    const before = compute.calls.explain.length;
    store.getState().setExplainSettings({ layer: 'early' });
    await store.getState().runExplanation();
    expect(compute.calls.explain.length).toBe(before + 1);
    expect(compute.calls.explain.at(-1)!.params).toMatchObject({ layer: 'early' });
  });

  it('the target follows the new top-1 when the image or the model changes; a pinned class stays while the model has it', async () => {
    let logits = [0, 2, 1];
    const compute = fakeCompute(() => logits);
    const store = createAppStore({ compute: () => compute.api, assets, storage: memoryStorage() });
    // image first, then the model
    await store.getState().loadImage(new Blob(['x']), 'a.png');
    await store.getState().loadModel(new Uint8Array([1]), 'good.onnx');
    expect(store.getState().target).toBe(1);
    // a new image with another top-1: the target follows (it used to stay on the previous image's class)
    logits = [5, 0, 0];
    await store.getState().loadImage(new Blob(['y']), 'b.png');
    expect(store.getState().target).toBe(0);
    // pinned: it survives an image change
    store.getState().setTarget(2);
    expect(store.getState().pinned).toEqual({ index: 2, label: 'class 2' });
    logits = [0, 9, 0];
    await store.getState().loadImage(new Blob(['z']), 'c.png');
    expect(store.getState().target).toBe(2);
    store.getState().unpinTarget();
    expect(store.getState().target).toBe(1);
    // a pin on a class the new model names differently is dropped
    store.getState().setTarget(2);
    store.getState().loadLabels('ant\nbee\ncow\n', 'l.txt');
    await store.getState().loadModel(new Uint8Array([1]), 'other.onnx');
    expect(store.getState().pinned).toBeUndefined();
    expect(store.getState().target).toBe(1);
  });

  it('model and image at once, in either order of arrival: the target is the final top-1', async () => {
    for (const order of ['model-first', 'image-first']) {
      const compute = fakeCompute(() => [0, 0, 7]);
      const store = createAppStore({ compute: () => compute.api, assets, storage: memoryStorage() });
      const model = store.getState().loadModel(new Uint8Array([1]), 'good.onnx');
      const image = store.getState().loadImage(new Blob(['x']), 'a.png');
      await (order === 'model-first' ? model.then(() => image) : image.then(() => model));
      expect(store.getState().target, order).toBe(2);
    }
  });

  it('a result is drawn only over the inputs it was computed from: another image moves it to the history, and back it shows again', async () => {
    const { store } = await ready();
    await store.getState().runExplanation();
    const first = store.getState().explanation!;
    expect(first.inputs).toMatchObject({ modelSha256: 'fp-good.onnx', imageSha256: 'sha-cat.png' });
    await store.getState().loadImage(new Blob(['y']), 'dog.png');
    expect(store.getState().explanation).toBeUndefined();
    expect(store.getState().history.map((h) => h.id)).toEqual([first.id]);
    expect(store.getState().showHistoryEntry(first.id)).toBe(false); // other image: not over this one
    await store.getState().loadImage(new Blob(['x']), 'cat.png');
    expect(store.getState().showHistoryEntry(first.id)).toBe(true);
    expect(store.getState().explanation?.id).toBe(first.id);
    // a run whose image changes while it runs lands in the history only
    const running = store.getState().runExplanation();
    await store.getState().loadImage(new Blob(['y']), 'dog.png');
    await running;
    expect(store.getState().explanation).toBeUndefined();
    expect(store.getState().history).toHaveLength(2);
  });

  it('Run is refused while the engine restarts after a thread change', async () => {
    const { store, compute } = await ready();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slowEnv = compute.api.environment;
    compute.api.environment = async () => (await gate, slowEnv());
    const restarting = createAppStore({ compute: () => compute.api, restartCompute: () => undefined, assets, storage: memoryStorage() });
    await restarting.getState().loadModel(new Uint8Array([1]), 'good.onnx');
    await restarting.getState().loadImage(new Blob(['x']), 'cat.png');
    const change = restarting.getState().setRuntime({ threads: 1 });
    expect(restarting.getState().engine).toBe('restarting');
    const before = compute.calls.explain.length;
    await restarting.getState().runExplanation();
    expect(compute.calls.explain.length).toBe(before);
    expect(restarting.getState().messages.at(-1)?.message).toMatch(/restarting/);
    release();
    await change;
    expect(restarting.getState().engine).toBe('ready');
    void store;
  });
});
