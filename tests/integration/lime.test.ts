/**
 * LIME against ground truth: on a model whose score is an exact linear function of which superpixels are
 * present, LIME recovers the per-superpixel contributions; one seed reproduces a result bit for bit; on the
 * demo models the strongest superpixels lie on the object (clean model) or on the watermark (shortcut model).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/cli/decode-image';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { GlassboxError } from '../../src/engine/errors';
import { explainLime, LIME_DEFAULTS, limeKernel, type LimeParams } from '../../src/engine/explain/lime';
import { segmentImage } from '../../src/engine/explain/segmentation';
import { resizeForModel } from '../../src/engine/image/preprocess';
import { createRgbaImage } from '../../src/engine/image/types';
import { createRng } from '../../src/engine/math/rng';
import { gridSegmentation } from '../../src/engine/segment/grid';
import type { DemoManifest } from '../../src/store/demo';
import { linearImageModel } from '../helpers/onnx-builder';
import { sharedModelsAvailable, sharedPath } from '../helpers/shared-models';

const runtime = createNodeRuntime(1);
const SIZE = 12;

/** A 12×12 random image and a model whose score 0 is Σ_s w_s · mean(x in cell s) over a 3×3 grid. */
async function linearSetup() {
  const rng = createRng(11);
  const image = createRgbaImage(SIZE, SIZE);
  for (let i = 0; i < SIZE * SIZE; i++) image.data.set([30 + rng.int(200), 30 + rng.int(200), 30 + rng.int(200), 255], i * 4);
  const seg = gridSegmentation(SIZE, SIZE, 9);
  expect(seg.count).toBe(9);
  const cellWeight = [3, -2, 1.5, 0.5, -0.75, 2.25, -1.25, 0.25, 1];
  const size = new Array(9).fill(0);
  for (const l of seg.labels) size[l]++;
  const features = 3 * SIZE * SIZE;
  const weights = new Float32Array(features * 2);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < SIZE * SIZE; i++) {
      const s = seg.labels[i];
      weights[(c * SIZE * SIZE + i) * 2] = cellWeight[s] / (3 * size[s]);
      weights[(c * SIZE * SIZE + i) * 2 + 1] = 0.01;
    }
  }
  const model = await runtime.loadModel(linearImageModel(3, SIZE, SIZE, weights, Float32Array.from([0.5, 0])), { backend: 'wasm' });
  // The true contribution of each cell when present: w_s × its mean normalised value (pixels / 255, black fill = 0).
  const truth = cellWeight.map((w, s) => {
    let sum = 0;
    for (let i = 0; i < SIZE * SIZE; i++) if (seg.labels[i] === s) for (let c = 0; c < 3; c++) sum += image.data[i * 4 + c] / 255;
    return (w * sum) / (3 * size[s]);
  });
  const preprocess = { ...model.spec.suggestedPreprocess, resize: 'stretch' as const, range: 1 as const, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
  // the whole budget (stableAt 0): these check the estimator at a budget; anytime stops are anytime-*.test.ts's
  const params: LimeParams = { ...LIME_DEFAULTS, samples: 1000, segmentation: { method: 'grid', nSegments: 9 }, hide: { mode: 'black' }, scoreSpace: 'raw', batchSize: 50, stableAt: 0 };
  return { model, image, preprocess, params, truth };
}

const rank = (v: number[]) => v.map((x, i) => [x, i]).sort((a, b) => b[0] - a[0]).map((p) => p[1]);

describe('LIME on a model that is linear in superpixel presence', () => {
  it('recovers every superpixel weight within 2 % of the largest and their exact ranking', async () => {
    const { model, image, preprocess, params, truth } = await linearSetup();
    const e = await explainLime({ model, image, preprocess, targets: [0], params, seed: 1 });
    const scale = Math.max(...truth.map(Math.abs));
    e.weights!.forEach((w, s) => expect(Math.abs(w - truth[s])).toBeLessThan(0.02 * scale));
    expect(rank(e.weights!)).toEqual(rank(truth));
    expect(e.classes[0].score).toBeGreaterThan(0.999);
    // The surrogate at "all present" equals the model's score of the original image.
    // (the ridge penalty shrinks a little: within 1 %)
    expect(Math.abs(e.classes[0].localPrediction! - e.classes[0].modelPrediction!)).toBeLessThan(0.01 * Math.abs(e.classes[0].modelPrediction!));
    expect(e.classes[0].modelPrediction!).toBeCloseTo(0.5 + truth.reduce((a, b) => a + b, 0), 4);
    // Per-pixel map: each pixel carries its superpixel's weight.
    expect(e.map[0]).toBe(e.weights![e.segments![0]]);
    expect(e.timings).toMatchObject({ samples: 1000, batchSize: 50, modelCalls: 20 });
    expect(e).toMatchObject({ kind: 'superpixel-weights', method: 'lime', signed: true, segmentCount: 9 });
  });

  it('explains several classes from the same model calls', async () => {
    const { model, image, preprocess, params } = await linearSetup();
    const e = await explainLime({ model, image, preprocess, targets: [0, 1], params, seed: 1 });
    expect(e.classes.map((c) => c.target)).toEqual([0, 1]);
    expect(e.timings.modelCalls).toBe(20);
    // Class 1 is 0.01 × (sum of all inputs): every cell's weight is positive and about its share of the sum.
    expect(e.classes[1].weights!.every((w) => w > 0)).toBe(true);
  });

  it('the same seed gives a bit-identical result; another seed gives other samples', async () => {
    const { model, image, preprocess, params } = await linearSetup();
    const noisy = { ...params, samples: 60, scoreSpace: 'probability' as const };
    const a = await explainLime({ model, image, preprocess, targets: [0], params: noisy, seed: 5 });
    const b = await explainLime({ model, image, preprocess, targets: [0], params: noisy, seed: 5 });
    const c = await explainLime({ model, image, preprocess, targets: [0], params: noisy, seed: 6 });
    expect(b.weights).toEqual(a.weights);
    expect(b.map).toEqual(a.map);
    expect(c.weights).not.toEqual(a.weights);
  });

  it("quickshift's tie-breaking takes the run's seed (one seed controls everything)", async () => {
    const { model, preprocess, params } = await linearSetup();
    // flat halves: the seed decides the quickshift segments
    const image = createRgbaImage(SIZE, SIZE);
    for (let i = 0; i < SIZE * SIZE; i++) image.data.set(i % SIZE < SIZE / 2 ? [200, 40, 40, 255] : [40, 40, 200, 255], i * 4);
    const segmentation = { method: 'quickshift', kernelSize: 1, maxDist: 4, ratio: 0.5 } as const;
    const run = (seed: number) => explainLime({ model, image, preprocess, targets: [0], params: { ...params, samples: 20, segmentation }, seed });
    const [a, b] = [await run(1), await run(2)];
    expect(a.segments).toEqual(Array.from(segmentImage(image, segmentation, 1).labels));
    expect(b.segments).toEqual(Array.from(segmentImage(image, segmentation, 2).labels));
    expect(b.segments).not.toEqual(a.segments);
  });

  it('cancellation stops between batches with CANCELLED; absurd parameters are refused', async () => {
    const { model, image, preprocess, params } = await linearSetup();
    const signal = { aborted: false };
    const seen: number[] = [];
    const run = explainLime({ model, image, preprocess, targets: [0], params, seed: 1, signal, onProgress: (p) => { seen.push(p.done); if (p.done >= 100) signal.aborted = true; } });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(Math.max(...seen)).toBeLessThan(1000);
    await expect(explainLime({ model, image, preprocess, targets: [0], params: { ...params, samples: 1 }, seed: 1 })).rejects.toBeInstanceOf(GlassboxError);
    await expect(explainLime({ model, image, preprocess, targets: [7], params, seed: 1 })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    await expect(explainLime({ model, image, preprocess, targets: [0], params: { ...params, kernelWidth: 0 }, seed: 1 })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
  });

  it("lime's kernel: all present weighs 1, fewer present weigh less, an empty coalition uses distance 1", () => {
    expect(limeKernel(10, 10, 0.25)).toBe(1);
    expect(limeKernel(5, 10, 0.25)).toBeCloseTo(Math.sqrt(Math.exp(-((1 - Math.sqrt(0.5)) ** 2) / 0.0625)), 12);
    expect(limeKernel(0, 10, 0.25)).toBeCloseTo(Math.sqrt(Math.exp(-16)), 12);
  });
});

describe('LIME on the demo models (ground-truth masks)', () => {
  const DEMO = path.resolve(import.meta.dirname, '../../public/demo');
  const manifest = JSON.parse(fs.readFileSync(path.join(DEMO, 'manifest.json'), 'utf8')) as DemoManifest;
  const decode = async (file: string) => decodeImageFile(new Uint8Array(fs.readFileSync(path.join(DEMO, file))));

  async function topSuperpixelOverlap(modelFile: string, imageFile: string, target: number, region: (x: number, y: number) => boolean) {
    const model = await runtime.loadModel(new Uint8Array(fs.readFileSync(path.join(DEMO, modelFile))), { backend: 'wasm' });
    const image = resizeForModel(await decode(imageFile), model.spec.suggestedPreprocess);
    const e = await explainLime({ model, image, preprocess: model.spec.suggestedPreprocess, targets: [target], params: { ...LIME_DEFAULTS, samples: 400 }, seed: 3 });
    const best = rank(e.weights!)[0];
    let both = 0, inBest = 0, inRegion = 0;
    for (let i = 0; i < e.segments!.length; i++) {
      const inside = region(i % e.width, Math.floor(i / e.width));
      if (e.segments![i] === best) inBest++;
      if (inside) inRegion++;
      if (inside && e.segments![i] === best) both++;
    }
    // precision: share of the superpixel on the region; recall: share of the region the superpixel covers
    return { precision: both / inBest, recall: both / inRegion };
  }

  it('clean model: on every star the strongest superpixel touches the star and star superpixels outweigh the background', async () => {
    // Raw logits: the clean model is so sure of its stars that softmax probabilities barely move when parts are hidden.
    const model = await runtime.loadModel(new Uint8Array(fs.readFileSync(path.join(DEMO, 'shapes.onnx'))), { backend: 'wasm' });
    for (const entry of manifest.images.filter((i) => i.label === 'star')) {
      const mask = await decode(entry.mask!);
      const image = resizeForModel(await decode(entry.file), model.spec.suggestedPreprocess);
      const e = await explainLime({ model, image, preprocess: model.spec.suggestedPreprocess, targets: [3], params: { ...LIME_DEFAULTS, samples: 400, scoreSpace: 'raw' }, seed: 3 });
      const weights = e.weights!;
      // share of each superpixel's pixels on the star: ≥ 5 % counts as on it (a superpixel holding only a tip is mostly
      // background, and the tips are what tell a star from the other shapes)
      const onStar = new Float64Array(weights.length), size = new Float64Array(weights.length);
      for (let i = 0; i < e.segments!.length; i++) {
        size[e.segments![i]]++;
        if (mask.data[i * 4] > 127) onStar[e.segments![i]]++;
      }
      const share = (s: number) => onStar[s] / size[s];
      expect(share(rank(weights)[0]), entry.file).toBeGreaterThan(0.05);
      const mean = (ids: number[]) => ids.reduce((a, s) => a + weights[s], 0) / ids.length;
      const star = mean([...weights.keys()].filter((s) => share(s) >= 0.05));
      const background = mean([...weights.keys()].filter((s) => share(s) === 0));
      expect(star, entry.file).toBeGreaterThan(0);
      expect(star, entry.file).toBeGreaterThan(10 * Math.abs(background));
    }
    await model.dispose();
  });

  it('shortcut model: the strongest superpixel for "star" on the watermarked circle covers the watermark', async () => {
    const trap = manifest.images.find((i) => i.label === 'circle' && i.watermark)!;
    const { x, y, w, h } = trap.watermark!;
    const { recall } = await topSuperpixelOverlap('shortcut.onnx', trap.file, 3, (px, py) => px >= x && px < x + w && py >= y && py < y + h);
    expect(recall).toBeGreaterThan(0.5);
  });
});

describe.skipIf(!sharedModelsAvailable())('LIME on squeezenet1.1 and the cat photo', () => {
  it('the four strongest superpixels for "Egyptian cat" lie on the cat, not on the background strip', async () => {
    const model = await runtime.loadModel(new Uint8Array(fs.readFileSync(sharedPath('squeezenet1.1-fp32.onnx'))), { backend: 'wasm' });
    // Stretch keeps the whole photo: the cat fills the left ~80 %, the wall and cloth the right-hand strip.
    const cfg = { ...model.spec.suggestedPreprocess, resize: 'stretch' as const };
    const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(sharedPath('images/chelsea.png')))), cfg);
    const e = await explainLime({
      model, image, preprocess: cfg, targets: [285], seed: 1,
      params: { ...LIME_DEFAULTS, samples: 300, segmentation: { method: 'slic', nSegments: 30, compactness: 10, sigma: 1 } },
    });
    const top = new Set(rank(e.weights!).slice(0, 4));
    let onCat = 0, total = 0, sx = 0, sy = 0, n0 = 0;
    const best = rank(e.weights!)[0];
    for (let i = 0; i < e.segments!.length; i++) {
      const x = i % e.width, y = Math.floor(i / e.width);
      if (top.has(e.segments![i])) {
        total++;
        if (x < 0.8 * e.width) onCat++;
      }
      if (e.segments![i] === best) {
        sx += x;
        sy += y;
        n0++;
      }
    }
    expect(onCat / total).toBeGreaterThan(0.9);
    // The strongest one sits in the face (eyes, nose, forehead), not at the image border.
    expect(sx / n0 / e.width).toBeGreaterThan(0.15);
    expect(sx / n0 / e.width).toBeLessThan(0.75);
    expect(sy / n0 / e.height).toBeGreaterThan(0.15);
    await model.dispose();
  });
});
