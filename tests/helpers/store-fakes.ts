/** A store over fake compute (no worker, no model): results carry real maps, stamped with the inputs the fake holds. */
import { defaultPreprocess } from '../../src/engine/image/preprocess';
import type { ClassifierSpec } from '../../src/engine/runtime/classifier-spec';
import type { Explanation } from '../../src/engine/explain/types';
import { createAppStore } from '../../src/store/app-store';
import type { HistoryStore } from '../../src/store/history-db';
import type { ComputeApi, ExplainJob, LoadedModel } from '../../src/worker-api';

export const SIDE = 32; // maps of 1024 values: long enough to be stored as typed arrays

export function fakeModel(name: string): LoadedModel {
  const spec = { inputName: 'x', inputDType: 'float32', inputShape: ['N', 3, SIDE, SIDE], layout: 'NCHW', layoutSource: 'graph', channels: 3, width: SIDE, height: SIDE, dynamicBatch: true, outputName: 'y', outputShape: ['N', 3], numClasses: 3, metadataLabels: undefined, suggestedPreprocess: defaultPreprocess(SIDE, SIDE), preprocessSource: 'default', warnings: [] } as ClassifierSpec;
  return { name, sizeBytes: 10, fingerprint: `fp-${name}`, info: { irVersion: 8, opsets: [], producer: '', inputs: [], outputs: [], metadata: {}, nodeCount: 1, opTypeCounts: {}, usesFloat16: false }, spec, backend: 'wasm', loadMs: 1 };
}

const unused = (what: string) => async (): Promise<never> => {
  throw new Error(`${what} is not part of this fake`);
};

/** The compute API's features a store test does not exercise: each throws (or does nothing) if it is reached. */
export const UNUSED_COMPUTE: Pick<ComputeApi, 'decodeMask' | 'shelfAdd' | 'shelfRemove' | 'shelfPredict' | 'shelfExplain' | 'stability' | 'sanityCheck' | 'datasetRun' | 'datasetPause' | 'probeBatch'> = {
  probeBatch: async () => undefined, // no measurement: runs keep their settings' batch sizes
  decodeMask: unused('masks'),
  shelfAdd: unused('the model shelf'),
  shelfRemove: async () => undefined,
  shelfPredict: unused('the model shelf'),
  shelfExplain: unused('the model shelf'),
  stability: unused('the stability view'),
  sanityCheck: unused('the sanity check'),
  datasetRun: unused('dataset mode'),
  datasetPause: async () => undefined,
};

/** A compute fake whose results carry real maps (a ramp) and superpixel ids, stamped with the inputs it holds. */
export function fakeCompute(mapOf?: (job: ExplainJob) => number[]): ComputeApi {
  const current = { model: '', image: '' };
  const n = SIDE * SIDE;
  return {
    environment: async () => ({ webgpu: { available: false, shaderF16: false }, crossOriginIsolated: true, hardwareConcurrency: 2, wasmThreads: 2 }),
    loadModel: async (_bytes, name) => ((current.model = `fp-${name}`), fakeModel(name)),
    switchBackend: async () => fakeModel('x'),
    decodeImage: async (_file, name) => ((current.image = `sha-${name}`), { name, sha256: `sha-${name}`, width: 2, height: 2, originalWidth: 2, originalHeight: 2, image: { width: 2, height: 2, data: new Uint8ClampedArray(16) } }),
    predict: async () => ({ raw: Float32Array.from([0, 2, 1]), modelInput: { width: SIDE, height: SIDE, data: Uint8ClampedArray.from({ length: 4 * n }, (_, i) => i % 251) }, dims: [1, 3, SIDE, SIDE], preprocessMs: 0, inferenceMs: 0 }),
    explain: async (_jobId, job) => {
      const map = mapOf?.(job) ?? Array.from({ length: n }, (_, i) => i / n - 0.25);
      const segments = Array.from({ length: n }, (_, i) => i % 7);
      return { kind: 'superpixel-weights', method: job.method, target: job.targets[0], width: SIDE, height: SIDE, map, segments, segmentCount: 7, weights: [1, 2, 3, 4, 5, 6, 7], signed: true, classes: job.targets.map((target) => ({ target, map, weights: [1] })), params: job.params as unknown as Explanation['params'], seed: job.seed, scoreSpace: 'probability', timings: { totalMs: 12, inferenceMs: 9, modelCalls: 3, samples: 300, batchSize: 100 }, provenance: { modelSha256: current.model, imageSha256: current.image, preprocess: job.preprocess }, quality: [{ id: 'poor-fit', level: 'warning', message: 'poor fit', value: 0.1, threshold: 0.3 }] };
    },
    curves: async (_jobId, job) => {
      const curve = { x: [0, 1], y: [1, 0], auc: 0.5 };
      return { deletion: curve, insertion: curve, target: job.target, steps: 1, timings: { totalMs: 1, modelCalls: 1 } };
    },
    cancel: async () => undefined,
    ...UNUSED_COMPUTE,
    methodSupport: async () => ({ catalog: { candidates: [], suggested: undefined, reason: '' }, unsupportedOps: [], layerUnsupportedOps: {} }) as unknown as Awaited<ReturnType<ComputeApi['methodSupport']>>,
  };
}

export const assets = { json: async () => { throw new Error('no demo'); }, bytes: async () => new Uint8Array(), blob: async () => new Blob() };
export const storage = () => ({ getItem: () => null, setItem: () => undefined, removeItem: () => undefined });
export const settle = () => new Promise((r) => setTimeout(r, 0));

/** A page: a store over a history store, its stored history loaded, the model and an image on screen. */
export async function page(historyStore: HistoryStore, options: { budget?: number; image?: string; mapOf?: (job: ExplainJob) => number[]; compute?: Partial<ComputeApi> } = {}) {
  const compute = { ...fakeCompute(options.mapOf), ...options.compute };
  const store = createAppStore({ compute: () => compute, assets, storage: storage(), historyStore, historyBudgetBytes: options.budget });
  await store.getState().loadHistory();
  await store.getState().loadModel(new Uint8Array([1]), 'good.onnx');
  await store.getState().loadImage(new Blob(['x']), options.image ?? 'cat.png');
  return store;
}

