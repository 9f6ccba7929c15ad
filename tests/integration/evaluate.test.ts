/**
 * Explanations evaluated over a dataset, on the demo models and images drawn as the demo's are (tools/demo-eval.ts):
 * the clean model's Grad-CAM points at the shapes, the shortcut model's at the watermark corner; the runner keeps
 * nothing per pixel; pause, cancel and shards behave; and the CLI's shards merge into exactly the single run.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchMasks, parseEvaluateArgs, parseTargets, summaryHtml } from '../../src/cli/evaluate';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { AGGREGATE_METRICS, summaryFromRows, type EvaluationRow } from '../../src/engine/evaluate/aggregate';
import { rowsFromCsv } from '../../src/engine/evaluate/csv';
import { evaluateDataset, type DatasetItem, type EvaluationModel } from '../../src/engine/evaluate/dataset';
import { METHOD_IDS } from '../../src/engine/explain/registry';
import { demoStyleImages, loadDemoModel, measureDemoStory, type DemoStyleImage } from '../../tools/demo-eval';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const run = promisify(execFile);
const runtime = createNodeRuntime(1);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ['src/cli/evaluate.ts', ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A forced garbage collection where V8 lets us have one (undefined otherwise). */
function collector(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

const item = (d: DemoStyleImage): DatasetItem => ({ name: d.name, image: d.image, mask: d.mask });

let shapes: EvaluationModel;
beforeAll(async () => {
  shapes = await loadDemoModel(runtime, 'shapes.onnx');
});
afterAll(async () => {
  await shapes.model.dispose();
  await shapes.gradients?.dispose();
});

describe('evaluateDataset on the demo', () => {
  it('streams 150 images through Grad-CAM: the clean model points at the shapes, rows are flat scalars, memory stays flat', async () => {
    const gc = collector();
    const heap: number[] = [];
    const rows: EvaluationRow[] = [];
    async function* images() {
      // one image alive at a time: drawn on demand, dropped after its rows
      for (const d of demoStyleImages(21, 150)) yield item(d);
    }
    const result = await evaluateDataset({
      items: images(),
      models: [shapes],
      methods: [{ method: 'gradcam' }],
      metrics: { localisation: true },
      seed: 0,
      onRow: (row) => {
        rows.push(row);
        if (rows.length === 50 || rows.length === 150) {
          gc?.();
          heap.push(process.memoryUsage().heapUsed);
        }
      },
    });
    expect(result).toMatchObject({ images: 150, rows: 150 });
    const keys = Object.keys(rows[0]).sort();
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(keys);
      for (const value of Object.values(row)) expect(['string', 'number', 'boolean', 'undefined']).toContain(typeof value);
    }
    // the runner's own aggregate: a fixed handful of numbers per row
    expect(result.aggregate.valueCount).toBe(150 * AGGREGATE_METRICS.length);
    const summary = result.aggregate.summary({ seed: 0 }).groups[0];
    expect(summary.metrics.pointing.n).toBe(150);
    expect(summary.metrics.pointing.mean!).toBeGreaterThanOrEqual(0.9);
    expect(summary.metrics.relevanceMass.mean!).toBeGreaterThan(0.2); // objects cover ~10 % of the image
    expect(summary.metrics.auc.mean!).toBeGreaterThan(0.85);
    if (gc) expect(Math.abs(heap[1] - heap[0]), `heap after 50 rows ${heap[0]}, after 150 ${heap[1]}`).toBeLessThan(4 * 1024 * 1024);
    else console.warn('[skip] no forced GC here: the heap bound is not checked (rows were checked flat).');
  });

  it('targets by label or index, pause between rows, cancel, and shards of an iterable in name order', async () => {
    const data = [...demoStyleImages(5, 8)];
    const rows: EvaluationRow[] = [];
    let pauses = 0;
    await evaluateDataset({
      items: data.map((d, i) => ({ ...item(d), target: i === 0 ? 'Square' : i === 1 ? 2 : undefined })),
      models: [shapes],
      methods: [{ method: 'gradcam' }, { method: 'gradcampp' }],
      metrics: { localisation: true },
      seed: 0,
      pause: async () => {
        pauses++;
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
      onRow: (row) => void rows.push(row),
    });
    expect(pauses).toBe(16);
    expect(rows.map((r) => `${r.image}/${r.method}`).slice(0, 4)).toEqual([`${data[0].name}/gradcam`, `${data[0].name}/gradcampp`, `${data[1].name}/gradcam`, `${data[1].name}/gradcampp`]);
    expect(rows[0]).toMatchObject({ target: 1, label: 'square' });
    expect(rows[2]).toMatchObject({ target: 2, label: 'triangle' });
    expect(rows[4].target).toBe(rows[4].predicted);

    const signal = { aborted: false };
    let made = 0;
    await expect(
      evaluateDataset({ items: data.map(item), models: [shapes], methods: [{ method: 'gradcam' }], metrics: { localisation: false }, seed: 0, signal, onRow: () => void (++made === 3 && (signal.aborted = true)) }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(made).toBe(3);

    const names: string[] = [];
    const shard = { index: 1, count: 3 };
    await evaluateDataset({ items: data.map(item), models: [shapes], methods: [{ method: 'gradcam' }], metrics: { localisation: false }, seed: 0, shard, onRow: (r) => void names.push(r.image) });
    expect(names).toEqual(data.map((d) => d.name).filter((_, i) => i % 3 === 1));
    await expect(
      evaluateDataset({ items: [...data].reverse().map(item), models: [shapes], methods: [{ method: 'gradcam' }], metrics: { localisation: false }, seed: 0, shard, onRow: () => {} }),
    ).rejects.toThrow(/name order/);
    await expect(
      evaluateDataset({ items: [{ ...item(data[0]), target: 'hexagon' }], models: [shapes], methods: [{ method: 'gradcam' }], metrics: { localisation: false }, seed: 0, onRow: () => {} }),
    ).rejects.toThrow(/"hexagon" .* is not a class of model shapes/);
  });

  it('the demo story: the shortcut model points at the watermark corner, not the object; the clean model at the shapes', async () => {
    const story = await measureDemoStory({ count: 120, seed: 7, runtime });
    expect(story.cleanAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(story.cleanPointing.mean!).toBeGreaterThanOrEqual(0.9);
    expect(story.shortcutCalledStar).toBeGreaterThanOrEqual(0.9);
    expect(story.shortcutPointingOnObject.mean!).toBeLessThanOrEqual(0.3);
    expect(story.shortcutMassOnObject.mean!).toBeLessThan(story.objectArea); // below chance
    expect(story.shortcutPointingOnCorner.mean!).toBeGreaterThanOrEqual(0.9);
    expect(story.shortcutMassOnCorner.mean!).toBeGreaterThan(4 * story.cornerArea);
    expect(story.shortcutMassOnWatermark.mean!).toBeGreaterThan(3 * story.watermarkArea);
  });

  it('the demo story at the issue’s bar with Grad-CAM itself at the 24×24 conv layer: clean ≥ 95 %, shortcut ≈ 0 % on the object, on the watermark', async () => {
    // measured (120 images, seed 7): clean 100 %; shortcut 3.3 % on the object, 98.9 % on the watermark box, 7× its area in mass
    const story = await measureDemoStory({ count: 120, seed: 7, runtime, method: { method: 'gradcam', layer: '/features/features.10/Conv_output_0' } });
    expect(story.cleanPointing.mean!).toBeGreaterThanOrEqual(0.95);
    expect(story.shortcutPointingOnObject.mean!).toBeLessThanOrEqual(0.05);
    expect(story.shortcutPointingOnWatermark.mean!).toBeGreaterThanOrEqual(0.9);
    expect(story.shortcutMassOnWatermark.mean!).toBeGreaterThan(5 * story.watermarkArea);
  });

  it('the demo story at the issue’s bar: Layer-CAM at the 24×24 layer — clean ≥ 95 %, shortcut ≈ 0 % on the object, on the watermark', async () => {
    // measured: clean 100 %, shortcut 0 % on the object and 100 % on the watermark box, 13.5× its area in mass
    // (plain Grad-CAM at the default 12×12 layer: 95 % and 13 %, the test above)
    const story = await measureDemoStory({ count: 120, seed: 7, runtime, method: { method: 'layercam', layer: '/features/features.9/Relu_output_0' } });
    expect(story.cleanPointing.mean!).toBeGreaterThanOrEqual(0.95);
    expect(story.shortcutPointingOnObject.mean!).toBeLessThanOrEqual(0.05);
    expect(story.shortcutPointingOnWatermark.mean!).toBeGreaterThanOrEqual(0.9);
    expect(story.shortcutMassOnWatermark.mean!).toBeGreaterThan(5 * story.watermarkArea);
  });
});

describe('npm run evaluate', () => {
  let dir: string;
  const demo = (file: string) => path.join(ROOT, 'public/demo', file);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-evaluate-'));
    fs.mkdirSync(path.join(dir, 'images'));
    fs.mkdirSync(path.join(dir, 'masks'));
    const data = [...demoStyleImages(3, 24)];
    for (const [i, d] of data.entries()) {
      await sharp(Buffer.from(d.image.data), { raw: { width: 96, height: 96, channels: 4 } }).png().toFile(path.join(dir, 'images', `${d.name}.png`));
      // the three accepted mask names: cat.png, cat_mask.png, cat-mask.png
      const maskName = [`${d.name}.png`, `${d.name}_mask.png`, `${d.name}-mask.png`][i % 3];
      await sharp(Buffer.from(Uint8Array.from(d.mask.data, (v) => v * 255)), { raw: { width: 96, height: 96, channels: 1 } }).png().toFile(path.join(dir, 'masks', maskName));
    }
    fs.writeFileSync(path.join(dir, 'targets.csv'), `image,target\n${data[0].name}.png,star\n${data[1].name},0\n`);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shards 0/2 and 1/2, merged, give the single run’s rows and summary exactly (time aside)', async () => {
    const common = ['--models', `${demo('shapes.onnx')},${demo('shortcut.onnx')}`, '--images', path.join(dir, 'images'), '--masks', path.join(dir, 'masks'), '--targets', path.join(dir, 'targets.csv'), '--methods', 'gradcam', '--seed', '3'];
    const csv = (name: string) => path.join(dir, name);
    const [single, s0, s1] = await Promise.all([
      cli([...common, '--out', csv('all.csv'), '--report', csv('all.html')]),
      cli([...common, '--out', csv('part-0.csv'), '--shard', '0/2']),
      cli([...common, '--out', csv('part-1.csv'), '--shard', '1/2']),
    ]);
    for (const r of [single, s0, s1]) expect(r.code, r.stderr).toBe(0);
    expect(single.stdout).toContain('48 rows (24 images × 2 models × 1 method)');
    expect(s0.stdout).toContain('24 rows (12 images of 24, shard 0/2');
    const merged = await cli(['merge', csv('part-1.csv'), csv('part-0.csv'), '--out', csv('merged.csv')]);
    expect(merged.code, merged.stderr).toBe(0);

    const withoutTime = (rows: EvaluationRow[]) => rows.map(({ ms: _ms, ...rest }) => rest);
    const singleRows = rowsFromCsv(fs.readFileSync(csv('all.csv'), 'utf8'));
    const mergedRows = rowsFromCsv(fs.readFileSync(csv('merged.csv'), 'utf8'));
    expect(singleRows).toHaveLength(48);
    expect(withoutTime(mergedRows)).toEqual(withoutTime(singleRows));
    // the printed summaries agree line for line, apart from the time rows
    const table = (out: string) => out.split('\n').filter((l) => /^(shapes|shortcut)\s/.test(l) && !l.includes('time (ms)'));
    expect(table(merged.stdout).length).toBe(2 * 5); // pointing, mass, rank, IoU, AUC per model
    expect(table(merged.stdout)).toEqual(table(single.stdout));
    // …and so do the summaries of the rows as read back, bit for bit
    const noTime = (rows: EvaluationRow[]) => summaryFromRows(rows.map((r) => ({ ...r, ms: 0 })), { seed: 3 });
    expect(noTime(mergedRows)).toEqual(noTime(singleRows));

    // targets by label and by index (file stem), top-1 elsewhere; every image found its mask
    const first = singleRows.filter((r) => r.image === singleRows[0].image);
    expect(first.map((r) => r.label)).toEqual(['star', 'star']);
    expect(singleRows.filter((r) => r.image.startsWith('0001-')).map((r) => r.target)).toEqual([0, 0]);
    expect(singleRows.every((r) => r.pointing !== undefined && r.auc !== undefined)).toBe(true);
    expect(singleRows.filter((r) => r.model === 'shapes').filter((r) => r.pointing).length).toBeGreaterThanOrEqual(20);

    const html = fs.readFileSync(csv('all.html'), 'utf8');
    expect(html).toContain('pointing accuracy');
    expect(html).toContain('Content-Security-Policy');
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
  });

  it('refuses bad arguments early with a clear message and exit code 2', async () => {
    const base = ['--models', demo('shapes.onnx'), '--images', demo('images'), '--out', path.join(dir, 'x.csv')];
    expect(() => parseEvaluateArgs([...base, '--methods', 'gradcam,lime2'])).toThrow('Unknown method "lime2"');
    try {
      parseEvaluateArgs([...base, '--methods', 'nope']);
    } catch (e) {
      expect((e as { hint: string }).hint).toBe(`Choose from: ${METHOD_IDS.join(', ')}.`);
    }
    expect(() => parseEvaluateArgs([...base, '--shard', '2/2'])).toThrow('0 ≤ I < N (got 2/2)');
    expect(() => parseEvaluateArgs([...base, '--shard', 'half'])).toThrow('--shard must be I/N');
    expect(() => parseEvaluateArgs([...base, '--metrics', 'pointing'])).toThrow(/need --masks/);
    expect(() => parseEvaluateArgs([...base, '--metrics', 'deletion,speed'])).toThrow('Unknown metric "speed"');
    expect(() => parseEvaluateArgs(['merge'])).toThrow(/merge needs the CSV files/);
    expect(parseEvaluateArgs(['merge', 'a.csv', 'b.csv'])).toEqual({ kind: 'merge', files: ['a.csv', 'b.csv'], out: undefined, report: undefined });
    expect(parseEvaluateArgs([...base, '--masks', 'm'])).toMatchObject({ kind: 'run', methods: ['gradcam'], metrics: ['pointing', 'mass', 'rank', 'iou', 'dice', 'auc'], seed: 0, threads: 1 });

    const missing = await cli(['--models', demo('shapes.onnx'), '--images', path.join(dir, 'no-such-folder'), '--out', path.join(dir, 'x.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error \[PARAM_INVALID\]: --images .*no-such-folder: there is no such folder\./);
    const unknown = await cli([...base, '--methods', 'gradcam,nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown method "nope"');
    expect(unknown.stderr).toContain(`hint: Choose from: ${METHOD_IDS.join(', ')}.`);
  });

  it('the HTML summary is self-contained and escapes names', () => {
    const rows: EvaluationRow[] = [{ image: 'a.png', model: '<m>', method: 'gradcam', target: 0, label: 'x', predicted: 0, score: 1, pointing: true, ms: 1, modelCalls: 2, seed: 0 }];
    const html = summaryHtml(summaryFromRows(rows, { seed: 0 }), 'r.csv', '2026-01-01');
    expect(html).toContain('&lt;m&gt;');
    expect(html).not.toContain('<m>');
    expect(html).not.toMatch(/<script|<link|https?:\/\//);
  });
});

describe('mask matching', () => {
  it('matches cat.png, cat_mask.png or cat-mask.png to cat.jpg; in the images’ own folder only the suffixed names', () => {
    expect([...matchMasks(['cat.jpg', 'dog.png', 'owl.png'], ['cat.png', 'dog_mask.png', 'x.png'])]).toEqual([['cat.jpg', 'cat.png'], ['dog.png', 'dog_mask.png']]);
    expect([...matchMasks(['cat.jpg', 'dog.png'], ['cat.jpg', 'cat-mask.png', 'dog.png'], true)]).toEqual([['cat.jpg', 'cat-mask.png']]);
  });

  it('reads targets.csv: an optional header, an index or a label (quoted when it holds a comma), blank targets skipped', () => {
    const targets = parseTargets('image,target\ncat.jpg,3\n"dog, big.png","tench, Tinca tinca"\nowl.png,\n', 'targets.csv');
    expect([...targets]).toEqual([['cat.jpg', 3], ['dog, big.png', 'tench, Tinca tinca']]);
    expect(() => parseTargets('cat.jpg\n', 'targets.csv')).toThrow('targets.csv, line 1: expected "image,target"');
  });
});
