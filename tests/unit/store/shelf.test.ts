/**
 * The model shelf's store slice (store/slices/shelf.ts) with a fake worker: the current model is the first row;
 * each added model is explained for the class of the same name, at its own index and with its own preprocessing;
 * a model without that name stops the run and asks the user, whose pick is then used; a cancel stops the grid at
 * the running cell; the grid is dropped when the image changes; a worker that forgot a model (restarted) gets it again.
 */
import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import type { Explanation, Progress } from '../../../src/engine/explain/types';
import { defaultPreprocess } from '../../../src/engine/image/preprocess';
import { createAppStore } from '../../../src/store/app-store';
import { CURRENT_ROW, shelfRows } from '../../../src/store/slices/shelf';
import type { ComputeApi, ExplainJob, ShelfModel } from '../../../src/worker-api';
import { assets, fakeCompute, fakeModel, settle, SIDE, storage } from '../../helpers/store-fakes';

/** Shelf models by file name: their labels (order differs from the current model's) and raw outputs. */
const MODELS: Record<string, { labels?: string[]; raw: number[]; side: number }> = {
  'reordered.onnx': { labels: ['square', 'star', 'circle'], raw: [3, 1, 0], side: 16 },
  'unlabelled.onnx': { labels: undefined, raw: [0, 0, 4], side: 24 },
};

function shelfCompute(options: { delayMs?: number } = {}) {
  const base = fakeCompute();
  const calls: { model: string; job: ExplainJob }[] = [];
  const flags = new Map<string, { aborted: boolean }>();
  const held = new Map<string, string>(); // worker id → file name
  let added = 0;
  let predicts = 0;
  const explainLike = async (jobId: string, model: string, job: ExplainJob, onProgress: (p: Progress) => void, side: number): Promise<Explanation> => {
    calls.push({ model, job });
    const flag = { aborted: false };
    flags.set(jobId, flag);
    onProgress({ phase: 'samples', done: 0, total: 1 });
    await new Promise((r) => setTimeout(r, options.delayMs ?? 0));
    if (flag.aborted) throw new GlassboxError('CANCELLED', 'Cancelled.');
    const map = Array.from({ length: side * side }, (_, i) => i / (side * side));
    const curve = { x: [0, 1], y: [1, 0], auc: 0.25 };
    return {
      kind: 'pixel-map', method: job.method, target: job.targets[0], width: side, height: side, map, classes: [{ target: job.targets[0], map }], signed: false, scoreSpace: 'probability',
      params: {}, seed: job.seed, timings: { totalMs: 5, inferenceMs: 4, modelCalls: 2, samples: 2, batchSize: 1 },
      metrics: { deletion: curve, insertion: { ...curve, auc: 0.75 }, target: job.targets[0], steps: 1, timings: { totalMs: 1, modelCalls: 1 } },
    } as Explanation;
  };
  const api: ComputeApi = {
    ...base,
    explain: (jobId, job, onProgress) => explainLike(jobId, CURRENT_ROW, job, onProgress, SIDE),
    cancel: async (jobId) => void (flags.get(jobId) && (flags.get(jobId)!.aborted = true)),
    shelfAdd: async (_bytes, name): Promise<ShelfModel> => {
      const id = `w-${++added}`;
      held.set(id, name);
      const m = fakeModel(name);
      const side = MODELS[name].side;
      return { ...m, id, paramCount: 1000 + side, labels: MODELS[name].labels, spec: { ...m.spec, width: side, height: side, suggestedPreprocess: defaultPreprocess(side, side) } };
    },
    shelfRemove: async (id) => void held.delete(id),
    shelfPredict: async (id, config) => {
      const name = held.get(id);
      if (!name) throw new GlassboxError('NO_MODEL', 'gone', undefined, `unknown shelf model ${id}`);
      predicts++;
      const n = config.width * config.height;
      return { raw: Float32Array.from(MODELS[name].raw), modelInput: { width: config.width, height: config.height, data: new Uint8ClampedArray(4 * n) }, dims: [1, 3, config.height, config.width], preprocessMs: 0, inferenceMs: 10 - predicts };
    },
    shelfExplain: async (jobId, id, job, onProgress) => {
      const name = held.get(id);
      if (!name) throw new GlassboxError('NO_MODEL', 'gone', undefined, `unknown shelf model ${id}`);
      return explainLike(jobId, name, job, onProgress, MODELS[name].side);
    },
  };
  return { api, calls, held, flags };
}

async function dashboard(options: { delayMs?: number } = {}) {
  const compute = shelfCompute(options);
  const store = createAppStore({ compute: () => compute.api, assets, storage: storage() });
  await store.getState().loadModel(new Uint8Array([1]), 'current.onnx');
  // the current model's classes, in its own order; the fake predicts [0, 2, 1]: top-1 is "star" (index 1)
  store.getState().loadLabels('circle\nstar\nsquare', 'labels.txt');
  await store.getState().loadImage(new Blob(['x']), 'star.png');
  store.getState().setShelfMethods(['lime', 'rise']);
  return { store, ...compute };
}

describe('model shelf slice', () => {
  it('lists the current model first, then added models with their own preprocessing, parameters and inference time', async () => {
    const { store } = await dashboard();
    await store.getState().addShelfModel(new Uint8Array([2]), 'reordered.onnx');
    const rows = shelfRows(store.getState());
    expect(rows.map((r) => [r.id, r.name, r.current])).toEqual([
      [CURRENT_ROW, 'current.onnx', true],
      ['model-1', 'reordered.onnx', false],
    ]);
    expect(rows[1].preprocess).toMatchObject({ width: 16, height: 16 });
    expect(rows[1].paramCount).toBe(1016);
    expect(rows[1].inferenceMs).toBe(9); // measured by the first prediction on add
  });

  it('explains the class of the same name in each model, at its own index, with its own preprocessing and curves', async () => {
    const { store, calls } = await dashboard();
    await store.getState().addShelfModel(new Uint8Array([2]), 'reordered.onnx');
    expect(store.getState().target).toBe(1);
    await store.getState().runShelfGrid();
    const grid = store.getState().shelfGrid!;
    expect(grid.done).toBe(true);
    expect(grid.label).toBe('star');
    expect(calls.map((c) => [c.model, c.job.method, c.job.targets, c.job.preprocess.width])).toEqual([
      [CURRENT_ROW, 'lime', [1], SIDE],
      [CURRENT_ROW, 'rise', [1], SIDE],
      ['reordered.onnx', 'lime', [1], 16],
      ['reordered.onnx', 'rise', [1], 16],
    ]);
    // "star" is index 1 in both here; the labels differ in order elsewhere: square is 2 in one, 0 in the other
    expect(grid.rows.map((r) => [r.target, r.how, r.targetLabel])).toEqual([
      [1, 'selected', 'star'],
      [1, 'exact', 'star'],
    ]);
    expect(calls.every((c) => c.job.metrics !== undefined)).toBe(true);
    const shelfRow = grid.rows[1];
    expect(shelfRow.prediction).toMatchObject({ index: 0, label: 'square' });
    expect(shelfRow.targetScore).toBeCloseTo(Math.exp(1) / (Math.exp(3) + Math.exp(1) + 1), 5);
    expect(shelfRow.modelInput?.width).toBe(16);
    expect(shelfRow.cells.map((c) => c.result?.width)).toEqual([16, 16]);
    expect(grid.rows[0].prediction).toMatchObject({ index: 1, label: 'star' });
    expect(store.getState().run).toBeUndefined();

    // another class picked on the dashboard: found by name at another index in each model
    store.getState().setTarget(2); // "square": 2 here, 0 in reordered.onnx
    calls.length = 0;
    await store.getState().runShelfGrid();
    expect(calls.map((c) => [c.model, c.job.targets[0]])).toEqual([
      [CURRENT_ROW, 2],
      [CURRENT_ROW, 2],
      ['reordered.onnx', 0],
      ['reordered.onnx', 0],
    ]);
  });

  it('asks the user when a model has no class of that name, then uses the class picked', async () => {
    const { store, calls } = await dashboard();
    await store.getState().addShelfModel(new Uint8Array([3]), 'unlabelled.onnx');
    await store.getState().runShelfGrid();
    expect(calls).toEqual([]);
    expect(store.getState().shelfGrid).toBeUndefined();
    const message = store.getState().messages.at(-1)!;
    expect(message.message).toMatch(/No class named “star” in unlabelled\.onnx/);
    expect(message.hint).toMatch(/Pick the class/);

    store.getState().setShelfTarget('model-1', 2);
    await store.getState().runShelfGrid();
    const row = store.getState().shelfGrid!.rows[1];
    expect([row.target, row.how, row.targetLabel]).toEqual([2, 'chosen', 'class 2']);
    expect(calls.filter((c) => c.model === 'unlabelled.onnx').map((c) => c.job.targets[0])).toEqual([2, 2]);
    // a pick holds for the class name it was made for: another class asks again
    store.getState().setTarget(0);
    calls.length = 0;
    await store.getState().runShelfGrid();
    expect(calls).toEqual([]);
  });

  it('a cancel stops the grid at the running cell: no later cell runs', async () => {
    const { store, calls } = await dashboard({ delayMs: 20 });
    await store.getState().addShelfModel(new Uint8Array([2]), 'reordered.onnx');
    const running = store.getState().runShelfGrid();
    await settle();
    expect(store.getState().run?.kind).toBe('shelf');
    expect(store.getState().shelfGrid?.step).toMatchObject({ index: 0, count: 4 });
    await store.getState().cancelExplanation();
    await running;
    const grid = store.getState().shelfGrid!;
    expect(calls).toHaveLength(1);
    expect(grid.done).toBe(true);
    expect(grid.rows[0].cells.map((c) => c.error)).toEqual(['cancelled', undefined]);
    expect(grid.rows[1].cells.every((c) => !c.result)).toBe(true);
    expect(store.getState().run).toBeUndefined();
  });

  it('drops the grid when the image changes, and removing a model removes its row', async () => {
    const { store, held } = await dashboard();
    await store.getState().addShelfModel(new Uint8Array([2]), 'reordered.onnx');
    await store.getState().runShelfGrid();
    await store.getState().removeShelfModel('model-1');
    expect(held.size).toBe(0); // its sessions are gone from the worker
    expect(store.getState().shelfGrid!.rows.map((r) => r.id)).toEqual([CURRENT_ROW]);
    await store.getState().loadImage(new Blob(['y']), 'circle.png');
    expect(store.getState().shelfGrid).toBeUndefined();
  });

  it('gives a restarted worker (which forgot the model) its file again', async () => {
    const { store, held, calls } = await dashboard();
    await store.getState().addShelfModel(new Uint8Array([2]), 'reordered.onnx');
    held.clear();
    await store.getState().runShelfGrid();
    expect(calls.filter((c) => c.model === 'reordered.onnx')).toHaveLength(2);
    expect(store.getState().shelfGrid!.rows[1].error).toBeUndefined();
  });
});
