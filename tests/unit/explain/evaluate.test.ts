/**
 * The one batched-evaluation loop: rows go to the model in batches its batch capability allows, in order, each
 * call counted and timed; progress reports the rows done (with an ETA); a cancel between batches stops the loop
 * with CANCELLED before the next model call.
 */
import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import { batchCapacity, createStats, evaluateRows, forEachBatch, timedCall, type ModelEvaluation } from '../../../src/engine/explain/evaluate';
import { createProgressTracker } from '../../../src/engine/explain/progress';
import type { Progress } from '../../../src/engine/explain/types';
import type { PreprocessConfig } from '../../../src/engine/image/preprocess';
import type { ClassifierSpec } from '../../../src/engine/runtime/classifier-spec';
import type { Model } from '../../../src/engine/runtime/ort-runtime';

const preprocess: PreprocessConfig = {
  width: 2,
  height: 2,
  resize: 'stretch',
  cropFraction: 1,
  range: 1,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  channelOrder: 'RGB',
  layout: 'NCHW',
  channels: 3,
};
const PER_IMAGE = 12;

/** A fake model that records each call; its two scores per image are the image's first value and its sum. */
function fakeModel(dynamicBatch: boolean) {
  const calls: { dims: number[]; firstValues: number[] }[] = [];
  const model: Model = {
    info: {} as Model['info'],
    spec: { dynamicBatch, numClasses: 2 } as ClassifierSpec,
    backend: 'wasm',
    dispose: () => Promise.resolve(),
    run: async (input, dims) => {
      const n = dims[0];
      expect(input.length).toBe(n * PER_IMAGE);
      const out = new Float32Array(2 * n);
      const firstValues: number[] = [];
      for (let b = 0; b < n; b++) {
        const image = input.subarray(b * PER_IMAGE, (b + 1) * PER_IMAGE);
        firstValues.push(image[0]);
        out[2 * b] = image[0];
        out[2 * b + 1] = image.reduce((a, v) => a + v, 0);
      }
      calls.push({ dims: Array.from(dims), firstValues });
      return out;
    },
  };
  return { model, calls };
}

/** Row r is the image filled with r + 1. */
const writeRow = (row: number, out: Float32Array, offset: number) => out.fill(row + 1, offset, offset + PER_IMAGE);

async function evaluate(dynamicBatch: boolean, total: number, batchSize: number, extra: Partial<ModelEvaluation> = {}) {
  const { model, calls } = fakeModel(dynamicBatch);
  const stats = createStats();
  const progress: Progress[] = [];
  const consumed: { row: number; scores: number[] }[] = [];
  await evaluateRows(
    { model, preprocess, batchSize, stats, phase: 'testing', onProgress: (p) => progress.push(p), ...extra },
    total,
    writeRow,
    (row, scores) => consumed.push({ row, scores: Array.from(scores) }),
  );
  return { calls, stats, progress, consumed };
}

describe('batchCapacity: the one batch-size rule', () => {
  it('as many rows as asked (at most the rows there are, at least 1) with a dynamic batch, else one at a time', () => {
    expect(batchCapacity(true, 32)).toBe(32);
    expect(batchCapacity(true, 32, 10)).toBe(10);
    expect(batchCapacity(true, 0, 10)).toBe(1);
    expect(batchCapacity(false, 32, 10)).toBe(1);
  });
});

describe('evaluateRows', () => {
  it('a dynamic-batch model gets batches of batchSize (the last one shorter), rows in order, each row its own scores', async () => {
    const { calls, stats, consumed } = await evaluate(true, 10, 4);
    expect(calls.map((c) => c.dims)).toEqual([[4, 3, 2, 2], [4, 3, 2, 2], [2, 3, 2, 2]]);
    expect(calls.flatMap((c) => c.firstValues)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(consumed.map((c) => c.row)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    consumed.forEach(({ row, scores }) => expect(scores).toEqual([row + 1, (row + 1) * PER_IMAGE]));
    expect(stats).toMatchObject({ modelCalls: 3, rows: 10, batchSize: 4 });
    expect(stats.inferenceMs).toBeGreaterThanOrEqual(0);
  });

  it('a fixed-batch model gets one row per call, whatever batchSize says', async () => {
    const { calls, stats, consumed } = await evaluate(false, 5, 32);
    expect(calls.map((c) => c.dims[0])).toEqual([1, 1, 1, 1, 1]);
    expect(consumed.map((c) => c.row)).toEqual([0, 1, 2, 3, 4]);
    expect(stats).toMatchObject({ modelCalls: 5, rows: 5, batchSize: 1 });
  });

  it('fewer rows than batchSize: one call with all of them', async () => {
    const { calls, stats } = await evaluate(true, 3, 32);
    expect(calls.map((c) => c.dims[0])).toEqual([3]);
    expect(stats.batchSize).toBe(3);
  });

  it('reports progress after each batch: phase, rows done of the total, an ETA that reaches 0; extra fields merged', async () => {
    const { progress } = await evaluate(true, 10, 4, { progressExtra: (done) => (done === 10 ? { preview: { width: 1, height: 1, map: [done] } } : undefined) });
    expect(progress.map((p) => [p.phase, p.done, p.total])).toEqual([['testing', 4, 10], ['testing', 8, 10], ['testing', 10, 10]]);
    expect(progress.every((p) => p.etaMs !== undefined && p.etaMs >= 0)).toBe(true);
    expect(progress[2].etaMs).toBe(0);
    expect(progress.map((p) => p.preview?.map)).toEqual([undefined, undefined, [10]]);
  });

  it('a cancel between batches rejects with CANCELLED before the next model call', async () => {
    const { model, calls } = fakeModel(true);
    const signal = { aborted: false };
    const consumed: number[] = [];
    const run = evaluateRows(
      { model, preprocess, batchSize: 4, stats: createStats(), phase: 'testing', signal, onProgress: (p) => p.done >= 4 && (signal.aborted = true) },
      10,
      writeRow,
      (row) => consumed.push(row),
    );
    await expect(run).rejects.toBeInstanceOf(GlassboxError);
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(calls.length).toBe(1);
    expect(consumed).toEqual([0, 1, 2, 3]);

    // cancelled before it starts: no call at all
    const idle = fakeModel(true);
    await expect(
      evaluateRows({ model: idle.model, preprocess, batchSize: 4, stats: createStats(), phase: 'testing', signal: { aborted: true } }, 10, writeRow, () => {}),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(idle.calls.length).toBe(0);
  });
});

describe('forEachBatch and timedCall', () => {
  it('timedCall counts calls and rows into the stats and keeps the largest batch', async () => {
    const stats = createStats();
    expect(await timedCall(stats, 3, async () => 'a')).toBe('a');
    await timedCall(stats, 7, async () => 'b');
    await timedCall(stats, 2, async () => 'c');
    expect(stats).toMatchObject({ modelCalls: 3, rows: 12, batchSize: 7 });
  });

  it('loops that are stretches of one phase share its tracker: done counts on across them', async () => {
    const seen: Progress[] = [];
    const tracker = createProgressTracker('rounds', 9, (p) => seen.push(p));
    const ranges: [number, number][] = [];
    await forEachBatch(5, { phase: 'rounds', capacity: 2, within: { tracker, done: 0 } }, async (start, n) => void ranges.push([start, n]));
    await forEachBatch(4, { phase: 'rounds', capacity: 2, within: { tracker, done: 5 } }, async (start, n) => void ranges.push([start, n]));
    expect(ranges).toEqual([[0, 2], [2, 2], [4, 1], [0, 2], [2, 2]]);
    expect(seen.map((p) => [p.done, p.total])).toEqual([[2, 9], [4, 9], [5, 9], [7, 9], [9, 9]]);
  });
});
