/** The results history behind a history store: kept across reloads, bounded by a budget, in memory when storage fails. */
import { describe, expect, it } from 'vitest';
import { defaultPreprocess } from '../../../src/engine/image/preprocess';
import type { ClassifierSpec } from '../../../src/engine/runtime/classifier-spec';
import { createAppStore } from '../../../src/store/app-store';
import { historyEntryBytes, memoryHistory, type HistoryStore } from '../../../src/store/history-db';
import type { ComputeApi, LoadedModel } from '../../../src/worker-api';

const SIDE = 32; // maps of 1024 values: long enough to be stored as typed arrays

function fakeModel(name: string): LoadedModel {
  const spec = { inputName: 'x', inputDType: 'float32', inputShape: ['N', 3, SIDE, SIDE], layout: 'NCHW', layoutSource: 'graph', channels: 3, width: SIDE, height: SIDE, dynamicBatch: true, outputName: 'y', outputShape: ['N', 3], numClasses: 3, metadataLabels: undefined, suggestedPreprocess: defaultPreprocess(SIDE, SIDE), preprocessSource: 'default', warnings: [] } as ClassifierSpec;
  return { name, sizeBytes: 10, fingerprint: `fp-${name}`, info: { irVersion: 8, opsets: [], producer: '', inputs: [], outputs: [], metadata: {}, nodeCount: 1, opTypeCounts: {}, usesFloat16: false }, spec, backend: 'wasm', loadMs: 1 };
}

/** A compute fake whose results carry real maps (a ramp) and superpixel ids, stamped with the inputs it holds. */
function fakeCompute(): ComputeApi {
  const current = { model: '', image: '' };
  const n = SIDE * SIDE;
  return {
    environment: async () => ({ webgpu: { available: false, shaderF16: false }, crossOriginIsolated: true, hardwareConcurrency: 2, wasmThreads: 2 }),
    loadModel: async (_bytes, name) => ((current.model = `fp-${name}`), fakeModel(name)),
    switchBackend: async () => fakeModel('x'),
    decodeImage: async (_file, name) => ((current.image = `sha-${name}`), { name, sha256: `sha-${name}`, width: 2, height: 2, originalWidth: 2, originalHeight: 2, image: { width: 2, height: 2, data: new Uint8ClampedArray(16) } }),
    predict: async () => ({ raw: Float32Array.from([0, 2, 1]), modelInput: { width: SIDE, height: SIDE, data: Uint8ClampedArray.from({ length: 4 * n }, (_, i) => i % 251) }, dims: [1, 3, SIDE, SIDE], preprocessMs: 0, inferenceMs: 0 }),
    explain: async (_jobId, job) => {
      const map = Array.from({ length: n }, (_, i) => i / n - 0.25);
      const segments = Array.from({ length: n }, (_, i) => i % 7);
      return { kind: 'superpixel-weights', method: job.method, target: job.targets[0], width: SIDE, height: SIDE, map, segments, segmentCount: 7, weights: [1, 2, 3, 4, 5, 6, 7], signed: true, classes: job.targets.map((target) => ({ target, map, weights: [1] })), params: { samples: 300 }, seed: job.seed, scoreSpace: 'probability', timings: { totalMs: 12, inferenceMs: 9, modelCalls: 3, samples: 300, batchSize: 100 }, provenance: { modelSha256: current.model, imageSha256: current.image, preprocess: job.preprocess }, quality: [{ id: 'poor-fit', level: 'warning', message: 'poor fit', value: 0.1, threshold: 0.3 }] };
    },
    curves: async (_jobId, job) => {
      const curve = { x: [0, 1], y: [1, 0], auc: 0.5 };
      return { deletion: curve, insertion: curve, target: job.target, steps: 1, timings: { totalMs: 1, modelCalls: 1 } };
    },
    cancel: async () => undefined,
    methodSupport: async () => ({ catalog: { candidates: [], suggested: undefined, reason: '' }, unsupportedOps: [], layerUnsupportedOps: {} }) as unknown as Awaited<ReturnType<ComputeApi['methodSupport']>>,
  };
}

const assets = { json: async () => { throw new Error('no demo'); }, bytes: async () => new Uint8Array(), blob: async () => new Blob() };
const storage = () => ({ getItem: () => null, setItem: () => undefined, removeItem: () => undefined });
const settle = () => new Promise((r) => setTimeout(r, 0));

/** A page: a store over a history store, its stored history loaded, the model and an image on screen. */
async function page(historyStore: HistoryStore, options: { budget?: number; image?: string } = {}) {
  const compute = fakeCompute();
  const store = createAppStore({ compute: () => compute, assets, storage: storage(), historyStore, historyBudgetBytes: options.budget });
  await store.getState().loadHistory();
  await store.getState().loadModel(new Uint8Array([1]), 'good.onnx');
  await store.getState().loadImage(new Blob(['x']), options.image ?? 'cat.png');
  return store;
}

describe('results history', () => {
  it('a finished run survives a reload: the same entry (typed maps, image, curves, quality), ids stay unique', async () => {
    const db = memoryHistory();
    const first = await page(db);
    await first.getState().runExplanation();
    await settle();
    const before = first.getState().history[0];
    expect(before.result.metrics).toBeDefined();
    expect(first.getState().historyStorage).toBe('saved');
    // stored compactly: maps as Float32Array, superpixel ids as Int32Array, the image as its bytes
    const row = db.rows.get(before.id) as { result: { map: unknown; segments: unknown }; baseImage: { data: unknown } };
    expect(row.result.map).toBeInstanceOf(Float32Array);
    expect(row.result.segments).toBeInstanceOf(Int32Array);
    expect(row.baseImage.data).toBeInstanceOf(Uint8ClampedArray);

    const reloaded = await page(db);
    const [after] = reloaded.getState().history;
    expect(after.id).toBe(before.id);
    expect(after.inputs).toEqual(before.inputs);
    expect((after.result as { segments?: number[] }).segments).toEqual((before.result as { segments?: number[] }).segments);
    expect(after.result.map).toEqual(before.result.map.map((v) => Math.fround(v)));
    expect(Array.from(after.baseImage.data)).toEqual(Array.from(before.baseImage.data));
    expect({ ...after, result: undefined, baseImage: undefined }).toEqual({ ...before, result: undefined, baseImage: undefined });
    expect(after.result.quality).toEqual(before.result.quality);
    expect(after.result.timings).toEqual(before.result.timings);
    // re-opened over the inputs it was computed from
    expect(reloaded.getState().showHistoryEntry(after.id)).toBe(true);
    expect(reloaded.getState().explanation?.id).toBe(after.id);
    // a new run gets an id above every stored one
    await reloaded.getState().runExplanation();
    await settle();
    const ids = reloaded.getState().history.map((h) => h.id);
    expect(new Set(ids).size).toBe(2);
    expect(ids[0]).toBeGreaterThan(before.id);
    expect(db.rows.size).toBe(2);
  });

  it('not over another image: after a reload with another image on screen it does not open as the result', async () => {
    const db = memoryHistory();
    const first = await page(db);
    await first.getState().runExplanation();
    await settle();
    const other = await page(db, { image: 'dog.png' });
    const [entry] = other.getState().history;
    expect(other.getState().showHistoryEntry(entry.id)).toBe(false);
    expect(other.getState().explanation).toBeUndefined();
  });

  it('delete, pin and clear all reach the stored history', async () => {
    const db = memoryHistory();
    const store = await page(db);
    for (let i = 0; i < 3; i++) await store.getState().runExplanation();
    await settle();
    const [a, b, c] = store.getState().history.map((h) => h.id);
    store.getState().deleteHistoryEntry(b);
    store.getState().pinHistoryEntry(c, true);
    await settle();
    expect([...db.rows.keys()].sort()).toEqual([a, c].sort());
    const reloaded = await page(db);
    expect(reloaded.getState().history.map((h) => [h.id, !!h.pinned])).toEqual([[a, false], [c, true]]);
    reloaded.getState().clearHistory();
    await settle();
    expect(reloaded.getState().history).toEqual([]);
    expect(db.rows.size).toBe(0);
  });

  it('under a small budget the oldest unpinned results go first, pinned ones stay, and the user is told', async () => {
    const db = memoryHistory();
    const probe = await page(memoryHistory());
    await probe.getState().runExplanation();
    await settle();
    const size = historyEntryBytes(probe.getState().history[0]);
    expect(size).toBeGreaterThan(4 * SIDE * SIDE * 4); // the image and the maps at least

    const store = await page(db, { budget: Math.floor(3.5 * size) });
    await store.getState().runExplanation();
    await settle();
    const oldest = store.getState().history[0].id;
    store.getState().pinHistoryEntry(oldest, true);
    for (let i = 0; i < 3; i++) await store.getState().runExplanation();
    await settle();
    const ids = store.getState().history.map((h) => h.id);
    expect(ids).toHaveLength(3);
    expect(ids).toContain(oldest); // pinned: kept although the oldest
    expect(store.getState().historyNotice).toMatch(/oldest result was removed from the history to keep it under/);
    expect([...db.rows.keys()].sort()).toEqual([...ids].sort());
    // the newest result is never evicted, even when pinned ones fill the budget
    for (const id of ids) store.getState().pinHistoryEntry(id, true);
    await store.getState().runExplanation();
    await settle();
    expect(store.getState().history).toHaveLength(4);
    expect(store.getState().history[0].id).toBe(store.getState().explanation!.id);
  });

  it('a store that cannot open (private mode) or is full keeps the history in memory with one notice; the current result stays', async () => {
    const blocked: HistoryStore = { load: () => Promise.reject(new Error('blocked')), put: () => Promise.reject(new Error('unused')), delete: async () => undefined, clear: async () => undefined };
    const store = await page(blocked);
    expect(store.getState().historyStorage).toBe('memory');
    expect(store.getState().historyNotice).toMatch(/kept in this page only.*\(blocked\)/);
    await store.getState().runExplanation();
    expect(store.getState().explanation).toBeDefined();
    expect(store.getState().history).toHaveLength(1);
    expect(store.getState().messages).toEqual([]);

    let puts = 0;
    const full = memoryHistory();
    full.put = () => (puts++, Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError')));
    const quota = await page(full);
    expect(quota.getState().historyStorage).toBe('saved');
    await quota.getState().runExplanation();
    await settle();
    const shown = quota.getState().explanation;
    expect(shown?.result.metrics).toBeDefined(); // the curves still arrived
    expect(quota.getState().history.map((h) => h.id)).toEqual([shown!.id]);
    expect(quota.getState().historyStorage).toBe('memory');
    expect(quota.getState().historyNotice).toMatch(/quota has been exceeded/);
    const notices: (string | undefined)[] = [];
    quota.subscribe((s) => notices.push(s.historyNotice));
    quota.getState().dismissHistoryNotice();
    await quota.getState().runExplanation();
    await settle();
    expect(puts).toBe(1); // no more writes once in memory
    expect(notices.every((n) => n === undefined)).toBe(true); // told once
    expect(quota.getState().history).toHaveLength(2);
  });
});
