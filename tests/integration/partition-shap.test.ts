/**
 * Partition SHAP against ground truth: the map always adds up to f(image) − f(background) (whatever the budget);
 * on a model without interactions (linear, raw scores) a fully expanded tree gives the exact Shapley values per
 * pixel; a small budget refines where the model's weights are; one seed reproduces a result bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { createNodeRuntime } from '../../src/cli/ort-node';
import {
  buildPartitionTree,
  computeOwenValues,
  explainPartitionShap,
  PARTITION_SHAP_DEFAULTS,
  partitionEvaluationsNeeded,
  type PartitionShapParams,
} from '../../src/engine/explain/partition-shap';
import { hiddenImage, type HideSpec } from '../../src/engine/explain/hide';
import { PARTITION_SHAP_META } from '../../src/engine/explain/meta/partition-shap';
import { validateParams } from '../../src/engine/explain/schema';
import type { Explanation } from '../../src/engine/explain/types';
import { tensorLength, writeModelInput, type PreprocessConfig } from '../../src/engine/image/preprocess';
import { createRgbaImage, type RgbaImage } from '../../src/engine/image/types';
import { createRng } from '../../src/engine/math/rng';
import type { Model } from '../../src/engine/runtime/ort-runtime';
import { linearImageModel } from '../helpers/onnx-builder';

const runtime = createNodeRuntime(1);

interface LinearSetup {
  model: Model;
  image: RgbaImage;
  preprocess: PreprocessConfig;
  /** W[(c·H·W + pixel)·classes + k], on the tensor x = pixel / 255. */
  weights: Float32Array;
  bias: Float32Array;
  width: number;
  height: number;
  classes: number;
}

/** A random image and a linear model y = flatten(x)·W + b (NCHW, dynamic batch) with W[c, pixel, k] = weight(pixel x, y, c, k). */
async function linearSetup(width: number, height: number, classes: number, weight: (x: number, y: number, c: number, k: number) => number): Promise<LinearSetup> {
  const rng = createRng(7);
  const image = createRgbaImage(width, height);
  for (let i = 0; i < width * height; i++) image.data.set([20 + rng.int(215), 20 + rng.int(215), 20 + rng.int(215), 255], i * 4);
  const pixels = width * height;
  const weights = new Float32Array(3 * pixels * classes);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < pixels; i++) for (let k = 0; k < classes; k++) weights[(c * pixels + i) * classes + k] = weight(i % width, Math.floor(i / width), c, k);
  }
  const bias = Float32Array.from({ length: classes }, (_, k) => 0.1 * k - 0.2);
  const model = await runtime.loadModel(linearImageModel(3, height, width, weights, bias), { backend: 'wasm' });
  const preprocess: PreprocessConfig = {
    ...model.spec.suggestedPreprocess,
    width,
    height,
    resize: 'stretch',
    range: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
  };
  return { model, image, preprocess, weights, bias, width, height, classes };
}

/** Exact raw score of class k for an image (float64). */
function linearScore(s: LinearSetup, img: RgbaImage, k: number): number {
  const pixels = s.width * s.height;
  let y = s.bias[k];
  for (let c = 0; c < 3; c++) for (let i = 0; i < pixels; i++) y += s.weights[(c * pixels + i) * s.classes + k] * (img.data[i * 4 + c] / 255);
  return y;
}

/** Exact Shapley value of each pixel for class k on a linear model: Σ_c W[c, pixel, k]·(x − background). */
function linearShapley(s: LinearSetup, background: RgbaImage, k: number): Float64Array {
  const pixels = s.width * s.height;
  const out = new Float64Array(pixels);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < pixels; i++) out[i] += s.weights[(c * pixels + i) * s.classes + k] * ((s.image.data[i * 4 + c] - background.data[i * 4 + c]) / 255);
  }
  return out;
}

const sum = (v: ArrayLike<number>) => {
  let t = 0;
  for (let i = 0; i < v.length; i++) t += v[i];
  return t;
};

/** Σ map = f(image) − f(background) for every class, to `rel` of the difference (or 1e-7 absolute when it is tiny). */
function expectAdditive(e: Explanation, rel = 1e-5) {
  const { baseValue, output, sum: reported } = e.additivity!;
  expect(reported).toBeCloseTo(sum(e.map), 9);
  expect(e.classes[0].modelPrediction).toBe(output);
  const delta = output - baseValue;
  expect(Math.abs(reported - delta)).toBeLessThanOrEqual(Math.max(rel * Math.abs(delta), 1e-7));
}

const distinct = (v: number[]) => new Set(v).size;
/** The fully hidden image the parameters ask for. */
const partitionBackground = (image: RgbaImage, p: PartitionShapParams): RgbaImage => hiddenImage(image, p.background)!;
/** A flat image of one colour. */
const flat = (width: number, height: number, rgb: [number, number, number]) => {
  const img = createRgbaImage(width, height);
  for (let i = 0; i < width * height; i++) img.data.set([...rgb, 255], i * 4);
  return img;
};
const params = (p: Partial<PartitionShapParams>): PartitionShapParams => ({ ...PARTITION_SHAP_DEFAULTS, ...p });
const randomWeight = (seed: number) => {
  const rng = createRng(seed);
  return () => rng.normal() * 0.05;
};

describe('Partition SHAP additivity (any budget)', () => {
  it('Σ map = f(image) − f(background) with a budget far below full expansion, raw scores and probabilities', async () => {
    const s = await linearSetup(12, 10, 3, randomWeight(1));
    const needed = partitionEvaluationsNeeded(buildPartitionTree(12, 10)) + 2;
    expect(needed).toBeGreaterThan(5000);
    for (const scoreSpace of ['raw', 'probability'] as const) {
      for (const mode of ['blur', 'black', 'color'] as const) {
        const background: HideSpec = { mode, color: [200, 30, 90], blurSigma: 2 };
        const e = await explainPartitionShap({
          model: s.model, image: s.image, preprocess: s.preprocess, targets: [1], seed: 3,
          params: params({ maxEvals: 100, background, scoreSpace, batchSize: 8 }),
        });
        expectAdditive(e);
        // The budget ran out: internal nodes kept credit that is spread over their pixels (blocks of equal value).
        expect(distinct(e.map)).toBeLessThan(e.map.length / 2);
        expect(e.timings.samples).toBeLessThanOrEqual(100);
        expect(e.timings.samples).toBeGreaterThan(90);
        expect(e.timings.modelCalls).toBe(1 + Math.ceil((e.timings.samples - 2) / 8));
        expect(e).toMatchObject({ kind: 'pixel-map', method: 'partitionshap', target: 1, width: 12, height: 10, signed: true, scoreSpace, seed: 3 });
        expect(Math.max(...e.normalisedMap!.map(Math.abs))).toBeCloseTo(1, 12);
        // f(image) and f(background) are the model's own scores
        const bg = partitionBackground(s.image, params({ background }));
        if (scoreSpace === 'raw') {
          expect(e.additivity!.output).toBeCloseTo(linearScore(s, s.image, 1), 4);
          expect(e.additivity!.baseValue).toBeCloseTo(linearScore(s, bg, 1), 4);
        } else {
          expect(e.additivity!.output).toBeGreaterThan(0);
          expect(e.additivity!.output).toBeLessThan(1);
        }
      }
    }
  });
});

describe('Partition SHAP on a model without interactions', () => {
  it('fully expanded, the per-pixel map is the exact Shapley value Σ_c W·(x − background)', async () => {
    const s = await linearSetup(8, 8, 2, randomWeight(2));
    const needed = partitionEvaluationsNeeded(buildPartitionTree(8, 8)) + 2;
    for (const mode of ['black', 'blur'] as const) {
      const p = params({ maxEvals: needed, background: { mode, blurSigma: 1.5 }, scoreSpace: 'raw', batchSize: 64 });
      const e = await explainPartitionShap({ model: s.model, image: s.image, preprocess: s.preprocess, targets: [0], params: p, seed: 1 });
      expect(e.timings.samples).toBe(needed);
      const truth = linearShapley(s, partitionBackground(s.image, p), 0);
      const scale = Math.max(...truth.map(Math.abs));
      e.map.forEach((v, i) => expect(Math.abs(v - truth[i]), `pixel ${i}`).toBeLessThan(1e-4 * Math.max(1, scale)));
      expectAdditive(e);
    }
  });

  it('with minBlock 2, each 2×2 block carries the Shapley value of its pixels together, spread evenly', async () => {
    const s = await linearSetup(8, 8, 2, randomWeight(3));
    const needed = partitionEvaluationsNeeded(buildPartitionTree(8, 8, 2)) + 2;
    expect(needed).toBe(2 + 2 * (1 + 4 + 16 + 64)); // 16 leaves: depths 0..3 expanded 4^d times
    const p = params({ maxEvals: 10_000, background: { mode: 'black' }, minBlock: 2, scoreSpace: 'raw' });
    const e = await explainPartitionShap({ model: s.model, image: s.image, preprocess: s.preprocess, targets: [0], params: p, seed: 1 });
    expect(e.timings.samples).toBe(needed);
    const truth = linearShapley(s, partitionBackground(s.image, p), 0);
    for (let by = 0; by < 8; by += 2) {
      for (let bx = 0; bx < 8; bx += 2) {
        const px = [by * 8 + bx, by * 8 + bx + 1, (by + 1) * 8 + bx, (by + 1) * 8 + bx + 1];
        const block = px.reduce((a, i) => a + truth[i], 0);
        for (const i of px) expect(e.map[i]).toBeCloseTo(block / 4, 5);
      }
    }
  });
});

describe('Partition SHAP with a small budget', () => {
  it('is piecewise constant yet additive, and its blocks are finer where the weights are', async () => {
    // All the weight in the top-left 4×4 corner of a 16×16 image; a faint weight elsewhere.
    const s = await linearSetup(16, 16, 2, (x, y) => (x < 4 && y < 4 ? 0.5 : 0.002));
    const preprocess = s.preprocess;
    const original = new Float32Array(tensorLength(preprocess));
    const hidden = new Float32Array(tensorLength(preprocess));
    const p = params({ maxEvals: 800, background: { mode: 'black' }, scoreSpace: 'raw', batchSize: 8 });
    writeModelInput(s.image, preprocess, original);
    writeModelInput(partitionBackground(s.image, p), preprocess, hidden);
    const r = await computeOwenValues({ model: s.model, original, hidden, preprocess, targets: [0], ...p, rng: createRng(1) });
    const corner: number[] = [], rest: number[] = [];
    r.resolution.forEach((size, i) => ((i % 16 < 4 && Math.floor(i / 16) < 4) ? corner : rest).push(size));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    // the corner got down to single pixels; the rest stayed in big blocks
    // 800 evaluations take the corner down to pairs of pixels (single pixels there need ~2700); the rest keeps
    // blocks of 16–32 pixels: refinement goes where |Δ|·weight is large
    expect(r.evaluations).toBe(800);
    expect(Math.max(...corner)).toBeLessThanOrEqual(2);
    expect(Math.min(...rest)).toBeGreaterThanOrEqual(16);
    expect(mean(rest)).toBeGreaterThan(8 * mean(corner));

    const e = await explainPartitionShap({ model: s.model, image: s.image, preprocess, targets: [0], params: p, seed: 1 });
    expect(e.map).toEqual(Array.from(r.maps[0]));
    expectAdditive(e);
    const cornerMap = e.map.filter((_, i) => i % 16 < 4 && Math.floor(i / 16) < 4);
    const restMap = e.map.filter((_, i) => !(i % 16 < 4 && Math.floor(i / 16) < 4));
    expect(distinct(cornerMap)).toBeGreaterThanOrEqual(8);
    expect(distinct(restMap)).toBeLessThan(restMap.length / 8);
    // every node overlapping the corner was expanded, so the corner holds exactly its Shapley total
    const truth = linearShapley(s, partitionBackground(s.image, p), 0);
    const cornerTruth = Array.from(truth).filter((_, i) => i % 16 < 4 && Math.floor(i / 16) < 4);
    expect(sum(cornerMap)).toBeCloseTo(sum(cornerTruth), 4);
  });

  it('an NHWC model gets the same masked images as an NCHW one (same seed, same map)', async () => {
    const s = await linearSetup(12, 10, 2, randomWeight(4));
    const { width, height } = s;
    // The same linear model behind an NHWC input: transpose each image back to NCHW before running it.
    const nhwc: Model = {
      info: s.model.info,
      backend: s.model.backend,
      spec: { ...s.model.spec, layout: 'NHWC' },
      dispose: () => Promise.resolve(),
      run: (input, dims) => {
        const n = dims[0], plane = width * height, chw = new Float32Array(input.length);
        for (let b = 0; b < n; b++) for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) chw[b * 3 * plane + c * plane + i] = input[b * 3 * plane + i * 3 + c];
        return s.model.run(chw, [n, 3, height, width]);
      },
    };
    const p = params({ maxEvals: 150, background: { mode: 'blur', blurSigma: 2 }, batchSize: 16 });
    const a = await explainPartitionShap({ model: s.model, image: s.image, preprocess: s.preprocess, targets: [1], params: p, seed: 9 });
    const b = await explainPartitionShap({ model: nhwc, image: s.image, preprocess: { ...s.preprocess, layout: 'NHWC' }, targets: [1], params: p, seed: 9 });
    expect(b.map).toEqual(a.map);
  });
});

describe('Partition SHAP reproducibility, cancellation and parameters', () => {
  it('the same seed gives a bit-identical map', async () => {
    // A uniform image and uniform weights: many equal priorities, so the seeded tie-breaking decides the order.
    const s = await linearSetup(12, 10, 2, () => 0.01);
    s.image.data.fill(180);
    const p = params({ maxEvals: 90, background: { mode: 'black' }, scoreSpace: 'probability', batchSize: 4 });
    const run = (seed: number) => explainPartitionShap({ model: s.model, image: s.image, preprocess: s.preprocess, targets: [0], params: p, seed });
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    expect(b.map).toEqual(a.map);
    expect(c.map).not.toEqual(a.map);
    expectAdditive(a);
    expectAdditive(c);
  });

  it('cancellation stops between model calls with CANCELLED; impossible parameters are refused', async () => {
    const s = await linearSetup(8, 8, 2, randomWeight(5));
    const signal = { aborted: false };
    const seen: number[] = [];
    const run = explainPartitionShap({
      model: s.model, image: s.image, preprocess: s.preprocess, targets: [0], seed: 1, signal,
      params: params({ maxEvals: 2000, batchSize: 4 }),
      onProgress: (pr) => {
        seen.push(pr.done);
        expect(pr.total).toBe(2000);
        if (pr.done >= 20) signal.aborted = true;
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(Math.max(...seen)).toBeLessThan(30);
    const bad = async (p: Partial<PartitionShapParams>, targets = [0]) =>
      expect(explainPartitionShap({ model: s.model, image: s.image, preprocess: s.preprocess, targets, params: params(p), seed: 1 })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    await bad({ maxEvals: 0 });
    await bad({ maxEvals: 2.5 });
    await bad({ minBlock: 0 });
    await bad({ batchSize: 0 });
    await bad({ background: { mode: 'inpaint' } as never });
    await bad({ background: { mode: 'color', color: [0, 300, 0] } });
    await bad({ background: { mode: 'blur', blurSigma: -1 } });
    await bad({ scoreSpace: 'logits' as never });
    await bad({}, [7]);
    const validate = (p: PartitionShapParams, context: { width: number; height: number }) => validateParams(PARTITION_SHAP_META, p, context);
    expect(() => validate({ ...PARTITION_SHAP_DEFAULTS, maxEvals: 0 }, { width: 8, height: 8 })).toThrow(/maxEvals/);
    expect(() => validate({ ...PARTITION_SHAP_DEFAULTS, minBlock: 0 }, { width: 8, height: 8 })).toThrow(/minBlock/);
    expect(() => validate({ ...PARTITION_SHAP_DEFAULTS, background: { mode: 'x' } as never }, { width: 8, height: 8 })).toThrow(/background/);
    validate(PARTITION_SHAP_DEFAULTS, { width: 224, height: 224 });
  });
});

describe('Partition SHAP for several targets from the same model calls', () => {
  it('each class map adds up to its own f(image) − f(background)', async () => {
    const s = await linearSetup(12, 10, 4, randomWeight(6));
    const p = params({ maxEvals: 200, background: { mode: 'blur', blurSigma: 3 }, batchSize: 16 });
    const e = await explainPartitionShap({ model: s.model, image: s.image, preprocess: s.preprocess, targets: [2, 0, 3], params: p, seed: 2 });
    expect(e.classes.map((c) => c.target)).toEqual([2, 0, 3]);
    expect(e.map).toBe(e.classes[0].map);
    const bg = partitionBackground(s.image, p);
    // probabilities of the image and of the background, computed here from the exact linear scores
    const softmax = (img: RgbaImage) => {
      const z = Array.from({ length: 4 }, (_, k) => linearScore(s, img, k));
      const m = Math.max(...z);
      const ex = z.map((v) => Math.exp(v - m));
      const total = ex.reduce((a, b) => a + b, 0);
      return ex.map((v) => v / total);
    };
    const [fx, fb] = [softmax(s.image), softmax(bg)];
    for (const c of e.classes) {
      expect(c.modelPrediction!).toBeCloseTo(fx[c.target], 5);
      expect(Math.abs(sum(c.map) - (fx[c.target] - fb[c.target]))).toBeLessThan(1e-5 * Math.max(Math.abs(fx[c.target] - fb[c.target]), 1e-3));
    }
    expectAdditive(e);
  });

  it('fully expanded on raw scores, every class map equals the single-target run (and the exact Shapley values)', async () => {
    const s = await linearSetup(8, 8, 3, randomWeight(7));
    const p = params({ maxEvals: partitionEvaluationsNeeded(buildPartitionTree(8, 8)) + 2, background: { mode: 'black' }, scoreSpace: 'raw', batchSize: 128 });
    const both = await explainPartitionShap({ model: s.model, image: s.image, preprocess: s.preprocess, targets: [1, 2], params: p, seed: 4 });
    const single = await explainPartitionShap({ model: s.model, image: s.image, preprocess: s.preprocess, targets: [2], params: p, seed: 4 });
    expect(both.timings.modelCalls).toBe(single.timings.modelCalls);
    both.classes[1].map.forEach((v, i) => expect(v).toBeCloseTo(single.map[i], 6));
    const truth = linearShapley(s, partitionBackground(s.image, p), 1);
    both.classes[0].map.forEach((v, i) => expect(v).toBeCloseTo(truth[i], 4));
  });
});

describe('Partition SHAP background (hide.ts)', () => {
  it("black, a colour without a value (grey 128) and the default blur hide the image as the old background did; 'zeros' is black without normalisation", async () => {
    const s = await linearSetup(8, 8, 2, randomWeight(8));
    const needed = partitionEvaluationsNeeded(buildPartitionTree(8, 8)) + 2;
    const run = (background: HideSpec) =>
      explainPartitionShap({ model: s.model, image: s.image, preprocess: s.preprocess, targets: [1], params: params({ maxEvals: needed, background, scoreSpace: 'raw', batchSize: 64 }), seed: 1 });
    const cases: [HideSpec, RgbaImage][] = [
      [{ mode: 'black' }, flat(8, 8, [0, 0, 0])],
      [{ mode: 'color' }, flat(8, 8, [128, 128, 128])],
      [{ mode: 'grey' }, flat(8, 8, [128, 128, 128])],
      [{ mode: 'color', color: [200, 30, 90] }, flat(8, 8, [200, 30, 90])],
    ];
    for (const [background, image] of cases) {
      const e = await run(background);
      // the base value is the model's score of that image, and the map its exact Shapley values against it
      expect(e.additivity!.baseValue, background.mode).toBeCloseTo(linearScore(s, image, 1), 4);
      const truth = linearShapley(s, image, 1);
      e.map.forEach((v, i) => expect(Math.abs(v - truth[i]), `${background.mode}, pixel ${i}`).toBeLessThan(1e-4));
    }
    // with no normalisation the zero tensor is the black image
    expect((await run({ mode: 'zeros' })).map).toEqual((await run({ mode: 'black' })).map);
    // a blur without a sigma takes the descriptor's (10 px), as the old default did
    expect((await run({ mode: 'blur' })).map).toEqual((await run({ mode: 'blur', blurSigma: 10 })).map);
    expect((await run({ mode: 'blur' })).map).not.toEqual((await run({ mode: 'blur', blurSigma: 5 })).map);
  });
});
