/** History runs side by side, result files re-opened into the dashboard, and a re-run checked bit for bit. */
import { describe, expect, it } from 'vitest';
import { resultFile } from '../../../src/engine/export/result-json';
import type { ExplainJob } from '../../../src/worker-api';
import { memoryHistory } from '../../../src/store/history-db';
import type { ExplanationState } from '../../../src/store/app-store';
import { page, settle, SIDE } from '../../helpers/store-fakes';

const n = SIDE * SIDE;
/** A map that depends on the seed and the sample count, as a sampled method's does. */
const seeded = (job: ExplainJob) => Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * (job.seed + 1)) * ((job.params as { samples?: number }).samples ?? 1)));

const fileOf = (entry: ExplanationState) =>
  resultFile(entry.result, {
    glassbox: 'test',
    model: { name: entry.modelName, sha256: entry.inputs.modelSha256, inputs: [], outputs: [] },
    image: { name: entry.imageName, sha256: entry.inputs.imageSha256 },
    backend: 'wasm',
    threads: 1,
  });

async function limeRuns(samples: number[], mapOf = seeded) {
  const store = await page(memoryHistory(), { mapOf });
  store.getState().setExplainSettings({ method: 'lime' });
  for (const s of samples) {
    store.getState().setMethodParams('lime', { samples: s });
    await store.getState().runExplanation();
    await settle();
  }
  return store;
}

describe('comparing history runs', () => {
  it('seed 004: two LIME runs with different sample counts side by side, captioned by what differs, each over its own image', async () => {
    const store = await limeRuns([500, 800]);
    const [newer, older] = store.getState().history;
    store.getState().compareHistory([newer.id, older.id]);
    const c = store.getState().comparison!;
    expect(c.source).toBe('history');
    expect(c.entries.map((e) => e.historyId)).toEqual([older.id, newer.id]); // in the order they were run
    expect(c.entries.map((e) => e.caption)).toEqual(['LIME · Samples 500', 'LIME · Samples 800']);
    expect(c.entries[0].result).toBe(older.result);
    expect(c.entries[1].baseImage).toBe(newer.baseImage);
    expect(new Set(c.entries.map((e) => e.key)).size).toBe(2);
    // a history comparison stays when the screen's image changes (each run has its own image); a methods one does not
    await store.getState().loadImage(new Blob(['y']), 'dog.png');
    await settle();
    expect(store.getState().comparison?.source).toBe('history');
  });

  it('runs of different images are refused with a message, and fewer than two too', async () => {
    const store = await limeRuns([500]);
    await store.getState().loadImage(new Blob(['y']), 'dog.png');
    await store.getState().runExplanation();
    await settle();
    const ids = store.getState().history.map((h) => h.id);
    store.getState().compareHistory(ids);
    expect(store.getState().comparison).toBeUndefined();
    expect(store.getState().messages.at(-1)?.message).toMatch(/2 different images \(dog\.png, cat\.png\)/);
    store.getState().compareHistory(ids.slice(0, 1));
    expect(store.getState().messages.at(-1)?.message).toMatch(/two or more/);
  });
});

describe('re-opening result files', () => {
  it('a file computed from the inputs on screen opens as the shown result, in the history, with the screen’s image', async () => {
    const store = await limeRuns([500]);
    const [run] = store.getState().history;
    const file = fileOf(run);
    store.getState().openResults([{ file }], 'cat-lime.json');
    const shown = store.getState().explanation!;
    expect(shown.id).not.toBe(run.id);
    expect(shown.openedFrom).toBe('cat-lime.json');
    expect(shown.result.map).toEqual(run.result.map);
    expect(shown.baseImage).toBe(store.getState().prediction!.result.modelInput);
    expect(shown.imageMissing).toBeUndefined();
    expect(store.getState().history[0].id).toBe(shown.id);
    expect(store.getState().historyNotice).toMatch(/shown over the image/);
  });

  it('a file of another image waits over grey, then takes its image when that image is loaded', async () => {
    const store = await limeRuns([500]);
    const [run] = store.getState().history;
    await store.getState().loadImage(new Blob(['y']), 'dog.png');
    await settle();
    store.getState().openResults([{ file: fileOf(run) }], 'cat-lime.json');
    expect(store.getState().explanation).toBeUndefined(); // never drawn over dog.png
    const opened = store.getState().history[0];
    expect(opened.imageMissing).toBe(true);
    expect(new Set(opened.baseImage.data.filter((_, i) => i % 4 !== 3))).toEqual(new Set([160]));
    expect(store.getState().historyNotice).toMatch(/load those/);
    await store.getState().loadImage(new Blob(['x']), 'cat.png');
    await settle();
    expect(store.getState().showHistoryEntry(opened.id)).toBe(true);
    expect(store.getState().explanation!.baseImage).toBe(store.getState().prediction!.result.modelInput);
    expect(store.getState().history.find((h) => h.id === opened.id)!.imageMissing).toBeUndefined();
  });

  it('a re-run with the same seed is identical bit for bit; a file whose map was changed is caught', async () => {
    const store = await limeRuns([500]);
    const [run] = store.getState().history;
    store.getState().openResults([{ file: fileOf(run) }], 'a.json');
    const opened = store.getState().explanation!;
    await store.getState().rerunResult(opened.id);
    const checked = store.getState().explanation!;
    expect(checked.rerun).toEqual({ identical: true, values: n, differing: 0, maxAbsDiff: 0 });
    expect(store.getState().history.find((h) => h.id === opened.id)!.rerun?.identical).toBe(true);
    expect(store.getState().history).toHaveLength(3); // the run, the opened file, the re-run

    const tampered = fileOf(run);
    tampered.map = tampered.map.slice();
    tampered.map[7] += 1e-3;
    tampered.classes = [{ ...tampered.classes[0], map: tampered.map }];
    store.getState().openResults([{ file: tampered }], 'b.json');
    const b = store.getState().explanation!;
    await store.getState().rerunResult(b.id);
    expect(store.getState().explanation!.rerun).toMatchObject({ identical: false, differing: 1 });
    expect(store.getState().explanation!.rerun!.maxAbsDiff).toBeCloseTo(1e-3, 4); // float32 spacing near 500 is 3e-5

    // another seed in the file: every value moves
    const otherSeed = { ...fileOf(run), seed: 3 };
    store.getState().openResults([{ file: otherSeed }], 'c.json');
    await store.getState().rerunResult(store.getState().explanation!.id);
    expect(store.getState().explanation!.rerun!.identical).toBe(false);
  });

  it('a re-run is refused with a message when the screen shows other inputs', async () => {
    const store = await limeRuns([500]);
    const [run] = store.getState().history;
    await store.getState().loadImage(new Blob(['y']), 'dog.png');
    await settle();
    await store.getState().rerunResult(run.id);
    expect(store.getState().messages.at(-1)?.message).toMatch(/computed from good\.onnx on cat\.png/);
    expect(store.getState().history.find((h) => h.id === run.id)!.rerun).toBeUndefined();
  });

  it('a custom-regions result re-runs with the regions it used (its params carry no labels; its segments are them)', async () => {
    const jobs: ExplainJob[] = [];
    const store = await limeRuns([500], (job) => (jobs.push(job), seeded(job)));
    const [run] = store.getState().history;
    const file = fileOf(run);
    (file.params as unknown as Record<string, unknown>).segmentation = { method: 'custom', name: 'organs.npy', regions: 7 };
    store.getState().openResults([{ file }], 'custom.json');
    await store.getState().rerunResult(store.getState().explanation!.id);
    const sent = (jobs.at(-1)!.params as unknown as { segmentation: { method: string; labels: ArrayLike<number>; width: number; height: number } }).segmentation;
    expect(sent).toMatchObject({ method: 'custom', name: 'organs.npy', width: SIDE, height: SIDE });
    expect(Array.from(sent.labels)).toEqual((run.result as { segments: number[] }).segments);
    expect(store.getState().explanation!.rerun?.identical).toBe(true);
  });
});
