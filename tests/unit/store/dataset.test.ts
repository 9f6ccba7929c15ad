/**
 * Dataset mode in the store (over a fake worker): files are routed by name (images, masks matched to them, a CSV as
 * the targets, anything else left out); a run streams rows into the state with a summary computed from them; pause
 * holds the run between rows and resume lets it go on; cancel stops it, keeps the rows made so far and reports no
 * error; the summary equals summaryFromRows over the rows.
 */
import { describe, expect, it } from 'vitest';
import { summaryFromRows } from '../../../src/engine/evaluate/aggregate';
import { matchDataset } from '../../../src/store/slices/dataset';
import type { DatasetFile, DatasetJob, DatasetRow } from '../../../src/worker-api';
import type { Progress } from '../../../src/engine/explain/types';
import { GlassboxError } from '../../../src/engine/errors';
import { memoryHistory } from '../../../src/store/history-db';
import { page, settle } from '../../helpers/store-fakes';

const file = (name: string, text = 'x', webkitRelativePath = '') => Object.assign(new File([text], name), webkitRelativePath ? { webkitRelativePath } : {});

/** A worker fake: one row per image × method, each after the previous one was taken, honouring pause and cancel. */
function datasetWorker() {
  const flags = new Map<string, { aborted: boolean; paused: boolean }>();
  const seen: { job?: DatasetJob; files?: DatasetFile[] } = {};
  let rowsSent = 0;
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  return {
    seen,
    get rowsSent() {
      return rowsSent;
    },
    compute: {
      datasetRun: async (jobId: string, job: DatasetJob, files: DatasetFile[], onRow: (row: DatasetRow) => void, onProgress: (p: Progress) => void) => {
        const flag = { aborted: false, paused: false };
        flags.set(jobId, flag);
        seen.job = job;
        seen.files = files;
        let done = 0;
        const total = files.length * job.methods.length;
        for (const [i, f] of files.entries()) {
          for (const { method } of job.methods) {
            while (flag.paused && !flag.aborted) await wait(5);
            if (flag.aborted) throw new GlassboxError('CANCELLED', 'The evaluation was cancelled.');
            await wait(2);
            rowsSent++;
            onRow({ image: f.name, model: 'good.onnx', method, target: i % 3, label: `c${i % 3}`, predicted: i % 3, score: 0.5, pointing: i % 2 === 0, relevanceMass: i / 10, iou: 0.2, ms: 1, modelCalls: 1, seed: job.seed, thumb: { width: 1, height: 1, data: new Uint8ClampedArray(4) } });
            onProgress({ phase: f.name, done: ++done, total });
          }
        }
        return { images: files.length, rows: done };
      },
      datasetPause: async (jobId: string, paused: boolean) => {
        const flag = flags.get(jobId);
        if (flag) flag.paused = paused;
      },
      cancel: async (jobId: string) => {
        const flag = flags.get(jobId);
        if (flag) flag.aborted = true;
      },
    },
  };
}

describe('dataset mode in the store', () => {
  it('routes files by name: images, masks (suffix or masks/ folder) matched to them, a CSV as targets, others left out', async () => {
    const store = await page(memoryHistory());
    await store.getState().addDatasetFiles([
      file('cat.png'),
      file('cat_mask.png'),
      file('dog.jpg'),
      file('dog.png', 'm', 'set/masks/dog.png'),
      file('owl.webp'),
      file('ghost-mask.png'),
      file('targets.csv', 'image,target\ncat.png,1\ndog,tabby\n'),
      file('notes.txt'),
    ]);
    const d = store.getState().dataset!;
    expect(d.files.map((f) => [f.name, f.maskName])).toEqual([['cat.png', 'cat_mask.png'], ['dog.jpg', 'dog.png'], ['owl.webp', undefined]]);
    expect(d.unmatchedMasks).toEqual(['ghost-mask.png']);
    expect(d.ignored).toEqual(['notes.txt']);
    expect(d).toMatchObject({ targetsName: 'targets.csv', targetsCount: 2 });
    // added later: a mask for an image already there is matched; an image of the same name replaces the old one
    await store.getState().addDatasetFiles([file('owl-mask.png'), file('cat.png', 'new')]);
    const again = store.getState().dataset!;
    expect(again.files.map((f) => f.maskName)).toEqual(['cat_mask.png', 'dog.png', 'owl-mask.png']);
    expect(await again.files[0].image.text()).toBe('new');
    store.getState().clearDataset();
    expect(store.getState().dataset).toBeUndefined();
  });

  it('matchDataset: the masks no image claims are listed, images come in name order', () => {
    const b = new Blob(['x']);
    const m = matchDataset([{ name: 'b.png', file: b }, { name: 'a.png', file: b }], [{ name: 'a-mask.png', file: b }, { name: 'z.png', file: b }]);
    expect(m.files.map((f) => [f.name, f.maskName])).toEqual([['a.png', 'a-mask.png'], ['b.png', undefined]]);
    expect(m.unmatchedMasks).toEqual(['z.png']);
  });

  it('a bad targets CSV is reported and the earlier targets stay', async () => {
    const store = await page(memoryHistory());
    await store.getState().addDatasetFiles([file('a.png'), file('t.csv', 'a.png,3\n')]);
    await store.getState().addDatasetFiles([file('bad.csv', 'only-one-column\n')]);
    expect(store.getState().dataset).toMatchObject({ targetsName: 't.csv', targetsCount: 1 });
    expect(store.getState().messages.at(-1)?.message).toContain('bad.csv, line 1: expected "image,target"');
  });

  it('runs in the worker: rows stream in, the job carries methods, targets and masks, the summary is summaryFromRows of the rows', async () => {
    const worker = datasetWorker();
    const store = await page(memoryHistory(), { compute: worker.compute });
    await store.getState().addDatasetFiles([file('a.png'), file('a_mask.png'), file('b.png'), file('targets.csv', 'a.png,2\n')]);
    store.getState().setDatasetMethods(['lime', 'rise']);
    await store.getState().runDataset();
    const d = store.getState().dataset!;
    expect(store.getState().messages).toEqual([]);
    expect(worker.seen.job).toMatchObject({ methods: [{ method: 'lime' }, { method: 'rise' }], metrics: { localisation: true }, targetsCsv: 'a.png,2\n', targetsName: 'targets.csv' });
    expect(worker.seen.files!.map((f) => [f.name, f.maskName])).toEqual([['a.png', 'a_mask.png'], ['b.png', undefined]]);
    expect(d).toMatchObject({ done: true, running: false, paused: false, methods: ['lime', 'rise'] });
    expect(d.rows.map((r) => `${r.image}/${r.method}`)).toEqual(['a.png/lime', 'a.png/rise', 'b.png/lime', 'b.png/rise']);
    expect(d.rows[0].thumb).toBeDefined();
    expect(d.summary).toEqual(summaryFromRows(d.rows, { seed: d.seed! }));
    expect(store.getState().run).toBeUndefined();
  });

  it('with models on the shelf, the job carries them (worker id, own preprocessing and labels)', async () => {
    const worker = datasetWorker();
    const store = await page(memoryHistory(), { compute: worker.compute });
    const preprocess = { ...store.getState().preprocess!, width: 64, height: 64 };
    store.setState({ shelfJobModels: () => [{ workerId: 'shelf-1', name: 'other.onnx', preprocess, labels: ['x', 'y', 'z'] }] });
    await store.getState().addDatasetFiles([file('a.png')]);
    store.getState().setDatasetMethods(['lime']);
    await store.getState().runDataset();
    expect(worker.seen.job!.shelf).toEqual([{ workerId: 'shelf-1', name: 'other.onnx', preprocess, labels: ['x', 'y', 'z'] }]);
    expect(store.getState().dataset!.modelName).toBe('good.onnx, other.onnx');
  });

  it('pause holds the run between rows, resume lets it finish', async () => {
    const worker = datasetWorker();
    const store = await page(memoryHistory(), { compute: worker.compute });
    await store.getState().addDatasetFiles(['a', 'b', 'c', 'd', 'e'].map((n) => file(`${n}.png`)));
    store.getState().setDatasetMethods(['lime']); // the fake model has no gradients for the default Grad-CAM
    const running = store.getState().runDataset();
    while (store.getState().dataset!.rows.length < 1) await settle();
    await store.getState().pauseDataset(true);
    expect(store.getState().dataset!.paused).toBe(true);
    expect(store.getState().run?.kind).toBe('dataset');
    const atPause = worker.rowsSent;
    await new Promise((r) => setTimeout(r, 60));
    expect(worker.rowsSent).toBeLessThanOrEqual(atPause + 1); // at most the row already under way
    const held = store.getState().dataset!.rows.length;
    await new Promise((r) => setTimeout(r, 40));
    expect(store.getState().dataset!.rows.length).toBe(held);
    // the summary is brought up to date when the run is paused
    expect(store.getState().dataset!.summary).toBeDefined();
    await store.getState().pauseDataset(false);
    await running;
    expect(store.getState().dataset).toMatchObject({ done: true, paused: false });
    expect(store.getState().dataset!.rows).toHaveLength(5);
  });

  it('cancel stops the run (also while paused), keeps the finished rows and reports no error', async () => {
    const worker = datasetWorker();
    const store = await page(memoryHistory(), { compute: worker.compute });
    await store.getState().addDatasetFiles(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => file(`${n}.png`)));
    store.getState().setDatasetMethods(['lime']);
    const running = store.getState().runDataset();
    while (store.getState().dataset!.rows.length < 2) await settle();
    await store.getState().pauseDataset(true);
    await store.getState().cancelExplanation();
    await running;
    const d = store.getState().dataset!;
    expect(d.rows.length).toBeGreaterThanOrEqual(2);
    expect(d.rows.length).toBeLessThan(6);
    expect(d).toMatchObject({ done: false, cancelled: true, running: false, paused: false });
    expect(d.error).toBeUndefined();
    expect(store.getState().messages).toEqual([]);
    expect(store.getState().run).toBeUndefined();
    expect(d.summary).toEqual(summaryFromRows(d.rows, { seed: d.seed! }));
  });

  it('refuses to run without images or methods, with a message', async () => {
    const store = await page(memoryHistory(), { compute: datasetWorker().compute });
    await store.getState().runDataset();
    expect(store.getState().messages.at(-1)?.message).toBe('The dataset has no images.');
    await store.getState().addDatasetFiles([file('a.png')]);
    store.getState().setDatasetMethods([]);
    await store.getState().runDataset();
    expect(store.getState().messages.at(-1)?.message).toContain('Pick at least one method');
    expect(store.getState().dataset!.rows).toEqual([]);
  });
});
