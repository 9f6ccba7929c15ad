/**
 * RISE against ground truth: on a model whose score is linear in the pixels, the RISE map follows each pixel's true
 * contribution; one seed reproduces a map bit for bit; progress carries a refined map (the last one the result);
 * cancellation stops it; p1 'auto' picks and reports a p; several classes come from the same model calls; the
 * masked tensor is right for NHWC and one-channel models; impossible parameters are refused.
 *
 * Why the map follows the contribution: with f(I⊙M) = b + Σ_p a_p·M_p (a_p = Σ_c W[c,p]·x[c,p]),
 * E[f·M_q] = b·p1 + Σ_p a_p·E[M_p·M_q] = const + Σ_p a_p·Cov(M_p, M_q) + p1²·Σ_p a_p, and Cov(M_p, M_q) is a
 * smoothing kernel about one grid cell wide (largest at p = q, ∝ p1(1 − p1)). So the map is the contribution
 * blurred over about a cell plus a constant: a contribution made of blobs wider than a cell correlates closely.
 */
import { describe, expect, it } from 'vitest';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { GlassboxError } from '../../src/engine/errors';
import { runCost } from '../../src/engine/explain/cost';
import { RISE_META } from '../../src/engine/explain/meta/rise';
import { explainRise, RISE_AUTO_P1, RISE_DEFAULTS, validateRiseParams, type RiseParams } from '../../src/engine/explain/rise';
import type { Progress } from '../../src/engine/explain/types';
import type { PreprocessConfig } from '../../src/engine/image/preprocess';
import { createRgbaImage } from '../../src/engine/image/types';
import { onnx } from '../../src/engine/onnx/proto';
import { softmax } from '../../src/engine/predict/scores';
import type { Model } from '../../src/engine/runtime/ort-runtime';
import { linearImageModel } from '../helpers/onnx-builder';

const runtime = createNodeRuntime(1);
const SIZE = 16;
const PIXELS = SIZE * SIZE;
const CLASSES = 3;

const blob = (x: number, y: number, cx: number, cy: number, sigma: number) => Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * sigma * sigma));

/** Per-pixel weight of each class (shared by the channels): class 0 a positive blob top-left and a negative one
 *  bottom-right, class 1 positive top-right and negative bottom-left, class 2 a small constant (the image's overall brightness). */
const pixelWeight = (k: number, x: number, y: number) =>
  k === 0 ? 2 * blob(x, y, 4, 4, 2.5) - 1.5 * blob(x, y, 11, 11, 2.5) : k === 1 ? 1.5 * blob(x, y, 11, 4, 3) - blob(x, y, 4, 12, 2.5) : 0.01;
const BIAS = Float32Array.from([0.5, 0, 0.2]);

/** A smooth colour image (values 30–255). */
function testImage() {
  const image = createRgbaImage(SIZE, SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) image.data.set([100 + 9 * x, 230 - 8 * y, 60 + 5 * (x + y), 255], (y * SIZE + x) * 4);
  }
  return image;
}

/** Pixels / 255, no mean or std, as the model's input. */
const plainPreprocess = (model: Model): PreprocessConfig => ({
  ...model.spec.suggestedPreprocess,
  resize: 'stretch',
  range: 1,
  mean: [0, 0, 0],
  std: [1, 1, 1],
});

/** The same graph as linearImageModel, for an NHWC input [N, H, W, C] (weights indexed in that layout). */
function linearNhwcModel(channels: number, height: number, width: number, weights: Float32Array, bias: Float32Array): Uint8Array {
  const tensor = (name: string, dims: number[], values: Float32Array) =>
    onnx.TensorProto.create({ name, dims, dataType: 1, rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) });
  const valueInfo = (name: string, dims: (number | string)[]) =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } });
  const graph = onnx.GraphProto.create({
    name: 'linear-nhwc',
    node: [
      onnx.NodeProto.create({ opType: 'Flatten', input: ['image'], output: ['flat'], attribute: [{ name: 'axis', type: 2, i: 1 }] }),
      onnx.NodeProto.create({ opType: 'MatMul', input: ['flat', 'W'], output: ['xw'] }),
      onnx.NodeProto.create({ opType: 'Add', input: ['xw', 'b'], output: ['scores'] }),
    ],
    initializer: [tensor('W', [channels * height * width, bias.length], weights), tensor('b', [bias.length], bias)],
    input: [valueInfo('image', ['N', height, width, channels])],
    output: [valueInfo('scores', ['N', bias.length])],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, producerName: 'glassbox-tests', opsetImport: [{ domain: '', version: 17 }], graph })).finish();
}

/** A 16×16 colour image and a model whose 3 scores are linear in the pixels; `truth[k][p]` = Σ_c W[c,p,k]·x[c,p]. */
async function linearSetup(layout: 'NCHW' | 'NHWC' = 'NCHW') {
  const image = testImage();
  const weights = new Float32Array(3 * PIXELS * CLASSES);
  const truth = Array.from({ length: CLASSES }, () => new Array<number>(PIXELS).fill(0));
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < PIXELS; p++) {
      const x = p % SIZE, y = Math.floor(p / SIZE);
      const feature = layout === 'NCHW' ? c * PIXELS + p : p * 3 + c;
      for (let k = 0; k < CLASSES; k++) {
        const w = pixelWeight(k, x, y) / 3;
        weights[feature * CLASSES + k] = w;
        truth[k][p] += w * (image.data[p * 4 + c] / 255);
      }
    }
  }
  const bytes = layout === 'NCHW' ? linearImageModel(3, SIZE, SIZE, weights, BIAS) : linearNhwcModel(3, SIZE, SIZE, weights, BIAS);
  const model = await runtime.loadModel(bytes, { backend: 'wasm' });
  expect(model.spec.layout).toBe(layout);
  const preprocess = plainPreprocess(model);
  // the whole budget (stableAt 0): these check the estimator at a budget; anytime stops are anytime-*.test.ts's
  const params: RiseParams = { ...RISE_DEFAULTS, masks: 3000, grid: 6, p1: 0.5, batchSize: 32, scoreSpace: 'raw', stableAt: 0 };
  return { model, image, preprocess, params, truth };
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** The same model, slower: each call waits `ms` first (to see the preview throttle at work). */
const slowed = (model: Model, ms: number): Model => ({
  info: model.info,
  spec: model.spec,
  backend: model.backend,
  dispose: () => model.dispose(),
  run: async (input, dims) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return model.run(input, dims);
  },
});

describe('RISE on a model that is linear in the pixels', () => {
  it('the map follows each pixel’s true contribution Σ_c W·x (Pearson r > 0.9); examples are the first masks with their scores', async () => {
    const { model, image, preprocess, params, truth } = await linearSetup();
    const e = await explainRise({ model, image, preprocess, targets: [0], params, seed: 1 });
    expect([e.kind, e.method, e.width, e.height, e.signed, e.scoreSpace]).toEqual(['pixel-map', 'rise', SIZE, SIZE, false, 'raw']);
    expect(e.map.length).toBe(PIXELS);
    // r ≈ 0.975 here (0.95 with a 5×5 grid, which blurs more; 0.99 with 8×8 at this N)
    expect(pearson(e.map, truth[0])).toBeGreaterThan(0.9);
    // the strongest pixel sits in the positive blob, the weakest in the negative one
    const argmax = e.map.indexOf(Math.max(...e.map)), argmin = e.map.indexOf(Math.min(...e.map));
    expect(Math.hypot((argmax % SIZE) - 4, Math.floor(argmax / SIZE) - 4)).toBeLessThan(3.5);
    expect(Math.hypot((argmin % SIZE) - 11, Math.floor(argmin / SIZE) - 11)).toBeLessThan(3.5);
    // min-max normalised copy
    expect(Math.min(...e.normalisedMap!)).toBe(0);
    expect(Math.max(...e.normalisedMap!)).toBe(1);
    // the unmasked image's score is b + Σ contribution
    expect(e.classes[0].modelPrediction!).toBeCloseTo(0.5 + truth[0].reduce((a, b) => a + b, 0), 4);
    // four example masks, each with the score of the image it masked: b + Σ_p a_p·M_p
    expect(e.examples!.length).toBe(4);
    for (const ex of e.examples!) {
      expect(ex.mask.length).toBe(PIXELS);
      expect(ex.mask.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(ex.score).toBeCloseTo(0.5 + ex.mask.reduce((s, m, p) => s + m * truth[0][p], 0), 4);
    }
    // one unmasked call plus ⌈3000 / 32⌉ batches
    expect(e.timings).toMatchObject({ modelCalls: 1 + 94, samples: 1 + 3000, batchSize: 32 });
    // the cost shown before the click is the calls the run makes
    expect(runCost(RISE_META, e.params as unknown as RiseParams, { width: e.width, height: e.height, targets: 1, dynamicBatch: model.spec.dynamicBatch }).calls).toBe(e.timings.modelCalls);
    expect(e.params).toMatchObject({ p1: 0.5, p1Chosen: 0.5, masks: 3000, grid: 6 });
  });

  it('the same seed gives a bit-identical map; another seed another map', async () => {
    const { model, image, preprocess, params } = await linearSetup();
    const small = { ...params, masks: 200 };
    const a = await explainRise({ model, image, preprocess, targets: [0], params: small, seed: 5 });
    const b = await explainRise({ model, image, preprocess, targets: [0], params: small, seed: 5 });
    const c = await explainRise({ model, image, preprocess, targets: [0], params: small, seed: 6 });
    expect(b.map).toEqual(a.map);
    expect(b.examples).toEqual(a.examples);
    expect(c.map).not.toEqual(a.map);
  });

  it('several classes come from the same model calls, each equal to its own run; probabilities are softmaxed logits', async () => {
    const { model, image, preprocess, params, truth } = await linearSetup();
    const all = await explainRise({ model, image, preprocess, targets: [0, 1, 2], params, seed: 3 });
    const only1 = await explainRise({ model, image, preprocess, targets: [1], params, seed: 3 });
    expect(all.classes.map((c) => c.target)).toEqual([0, 1, 2]);
    expect(all.timings.modelCalls).toBe(only1.timings.modelCalls);
    expect(all.map).toBe(all.classes[0].map);
    expect(all.classes[1].map).toEqual(only1.map);
    expect(pearson(all.classes[1].map, truth[1])).toBeGreaterThan(0.9);
    // the same masks; the examples' scores are the first target's
    expect(all.examples!.map((x) => x.mask)).toEqual(only1.examples!.map((x) => x.mask));
    for (const ex of all.examples!) expect(ex.score).toBeCloseTo(0.5 + ex.mask.reduce((s, m, p) => s + m * truth[0][p], 0), 4);

    // In probability space (the default) the model's logits are softmaxed before weighting.
    const prob = await explainRise({ model, image, preprocess, targets: [0, 1], params: { ...params, masks: 64, scoreSpace: 'probability' }, seed: 3 });
    const logits = [0, 1, 2].map((k) => BIAS[k] + truth[k].reduce((a, b) => a + b, 0));
    const p = softmax(logits);
    expect(prob.scoreSpace).toBe('probability');
    expect(prob.classes[0].modelPrediction!).toBeCloseTo(p[0], 4);
    expect(prob.classes[1].modelPrediction!).toBeCloseTo(p[1], 4);
    for (const ex of prob.examples!) expect(ex.score).toBeGreaterThan(0);
    for (const ex of prob.examples!) expect(ex.score).toBeLessThan(1);
  });

  it('progress carries the map so far at most every ~300 ms and with the last batch; the last preview is the result', async () => {
    const { model, image, preprocess, params } = await linearSetup();
    // Fast batches: 63 batches, far fewer previews.
    const seen: Progress[] = [];
    const e = await explainRise({ model, image, preprocess, targets: [0], params: { ...params, masks: 2000 }, seed: 2, onProgress: (p) => seen.push(p) });
    const masks = seen.filter((p) => p.phase === 'masks');
    expect(masks.length).toBe(63);
    expect(masks.every((p) => p.total === 2000)).toBe(true);
    expect(masks[masks.length - 1].done).toBe(2000);
    const previews = masks.filter((p) => p.preview);
    expect(previews.length).toBeGreaterThanOrEqual(1);
    expect(previews.length).toBeLessThan(masks.length / 4);
    const last = masks[masks.length - 1].preview!;
    expect(last).toBeDefined();
    expect([last.width, last.height]).toEqual([SIZE, SIZE]);
    expect(last.map).toEqual(e.map);

    // Slow batches (40 ms each): previews come about every 300 ms, not with every batch, and the map sharpens.
    const times: number[] = [];
    const slow: Progress[] = [];
    const s = await explainRise({
      model: slowed(model, 40), image, preprocess, targets: [0], params: { ...params, masks: 32 * 24 }, seed: 2,
      onProgress: (p) => {
        if (p.preview) times.push(performance.now());
        slow.push(p);
      },
    });
    const slowPreviews = slow.filter((p) => p.preview);
    expect(slowPreviews.length).toBeGreaterThanOrEqual(2);
    expect(slowPreviews.length).toBeLessThan(24 / 3);
    for (let i = 1; i < times.length - 1; i++) expect(times[i] - times[i - 1]).toBeGreaterThan(250);
    expect(slowPreviews[slowPreviews.length - 1].preview!.map).toEqual(s.map);
    expect(slowPreviews[0].preview!.map).not.toEqual(s.map);
  });

  it('cancellation rejects with CANCELLED before the next model call', async () => {
    const { model, image, preprocess, params } = await linearSetup();
    const signal = { aborted: false };
    const done: number[] = [];
    let calls = 0;
    const counted: Model = { ...slowed(model, 0), run: (x, d) => (calls++, model.run(x, d)) };
    const run = explainRise({
      model: counted, image, preprocess, targets: [0], params, seed: 1, signal,
      onProgress: (p) => {
        done.push(p.done);
        if (p.done >= 256) signal.aborted = true;
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(Math.max(...done)).toBe(256);
    expect(calls).toBe(1 + 256 / 32);
  });

  it("p1 'auto' tries 0.1 … 0.9 with a few masks each, keeps the widest spread of scores and reports it", async () => {
    const { model, image, preprocess, params } = await linearSetup();
    const seen: Progress[] = [];
    const auto = { ...params, masks: 500, p1: 'auto' as const, autoMasks: 64 };
    const e = await explainRise({ model, image, preprocess, targets: [0], params: auto, seed: 4, onProgress: (p) => seen.push(p) });
    const chosen = e.params.p1Chosen as number;
    expect(RISE_AUTO_P1).toContain(chosen);
    const search = e.params.p1Search as { p: number[]; std: number[]; masks: number };
    expect(search.p).toEqual(RISE_AUTO_P1);
    expect(search.std.length).toBe(9);
    expect(search.std[search.p.indexOf(chosen)]).toBe(Math.max(...search.std));
    // For a linear score Var f = p1(1 − p1)·const exactly (E[f | shift] does not depend on the shift): the spread
    // peaks at 0.5, and 64 masks per candidate land within 0.2 of it (32 sometimes pick 0.8).
    expect(chosen).toBeGreaterThanOrEqual(0.3);
    expect(chosen).toBeLessThanOrEqual(0.7);
    // the search counts in the timings but not in N: 1 + 9 × ⌈64 / 32⌉ + ⌈500 / 32⌉ calls
    expect(e.timings).toMatchObject({ modelCalls: 1 + 9 * 2 + 16, samples: 1 + 9 * 64 + 500 });
    expect(runCost(RISE_META, auto, { width: e.width, height: e.height, targets: 1, dynamicBatch: model.spec.dynamicBatch }).calls).toBe(e.timings.modelCalls);
    expect(search.masks).toBe(64);
    expect(seen.some((p) => p.phase === 'choosing p1')).toBe(true);
    expect(seen.filter((p) => p.phase === 'masks').every((p) => p.total === 500)).toBe(true);
    // the main masks come from the seed alone: the same map as asking for that p1
    const fixed = await explainRise({ model, image, preprocess, targets: [0], params: { ...auto, p1: chosen }, seed: 4 });
    expect(e.map).toEqual(fixed.map);
  });

  it('impossible parameters and targets are refused with PARAM_INVALID, naming the parameter', async () => {
    const { model, image, preprocess, params } = await linearSetup();
    const refuse = (p: Partial<RiseParams>, pattern: RegExp) => {
      let error: unknown;
      try {
        validateRiseParams({ ...params, ...p }, { width: SIZE, height: SIZE });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GlassboxError);
      expect((error as GlassboxError).code).toBe('PARAM_INVALID');
      expect((error as GlassboxError).message).toMatch(pattern);
    };
    refuse({ masks: 0 }, /RISE: masks must/);
    refuse({ masks: 100_001 }, /RISE: masks must/);
    refuse({ masks: 2.5 }, /RISE: masks must/);
    refuse({ grid: 1 }, /RISE: grid .*from 2/);
    refuse({ grid: SIZE + 1 }, /grid size must be at most 16/);
    refuse({ p1: 0 }, /p1/);
    refuse({ p1: 1 }, /p1/);
    refuse({ p1: Number.NaN }, /p1/);
    refuse({ p1: 'sometimes' as unknown as number }, /p1/);
    refuse({ batchSize: 0 }, /batch size/);
    refuse({ batchSize: 2000 }, /batch size/);
    refuse({ scoreSpace: 'logit' as 'raw' }, /scoreSpace/);
    refuse({ hide: { mode: 'mean' } }, /hide/);
    refuse({ p1: 'auto', autoMasks: 1 }, /"auto"/);
    expect(() => validateRiseParams(params, { width: SIZE, height: SIZE })).not.toThrow();
    expect(() => validateRiseParams({ ...RISE_DEFAULTS }, { width: 224, height: 224 })).not.toThrow();
    await expect(explainRise({ model, image, preprocess, targets: [0], params: { ...params, grid: 40 }, seed: 1 })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    await expect(explainRise({ model, image, preprocess, targets: [3], params, seed: 1 })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    await expect(explainRise({ model, image, preprocess, targets: [], params, seed: 1 })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
  });
});

describe('RISE masks the tensor in the model’s own layout', () => {
  it('an NHWC model computing the same function gives the same map as the NCHW one', async () => {
    const nchw = await linearSetup('NCHW');
    const nhwc = await linearSetup('NHWC');
    const params = { ...nchw.params, masks: 300 };
    const a = await explainRise({ model: nchw.model, image: nchw.image, preprocess: nchw.preprocess, targets: [0, 1], params, seed: 8 });
    const b = await explainRise({ model: nhwc.model, image: nhwc.image, preprocess: nhwc.preprocess, targets: [0, 1], params, seed: 8 });
    for (let j = 0; j < 2; j++) {
      const scale = Math.max(...a.classes[j].map.map(Math.abs));
      a.classes[j].map.forEach((v, i) => expect(Math.abs(v - b.classes[j].map[i])).toBeLessThan(1e-4 * scale));
    }
  });

  it('a one-channel model sees the masked luma and the map follows its contribution', async () => {
    const image = testImage();
    const weights = new Float32Array(PIXELS * 2); // [pixel, class]: class 0 the blobs, class 1 a constant
    const truth = new Array<number>(PIXELS);
    for (let p = 0; p < PIXELS; p++) {
      const w = pixelWeight(0, p % SIZE, Math.floor(p / SIZE));
      weights[p * 2] = w;
      weights[p * 2 + 1] = 0.01;
      const d = image.data;
      truth[p] = (w * (0.299 * d[p * 4] + 0.587 * d[p * 4 + 1] + 0.114 * d[p * 4 + 2])) / 255;
    }
    const model = await runtime.loadModel(linearImageModel(1, SIZE, SIZE, weights, Float32Array.from([0.25, 0])), { backend: 'wasm' });
    expect(model.spec.channels).toBe(1);
    const preprocess = plainPreprocess(model);
    const e = await explainRise({ model, image, preprocess, targets: [0], params: { ...RISE_DEFAULTS, masks: 3000, grid: 6, scoreSpace: 'raw' }, seed: 1 });
    expect(e.examples![0].score).toBeCloseTo(0.25 + e.examples![0].mask.reduce((s, m, p) => s + m * truth[p], 0), 4);
    expect(pearson(e.map, truth)).toBeGreaterThan(0.9);
  });
});

describe('RISE: what dropped cells show', () => {
  it("a masked image is x·M + h·(1 − M) in the normalised tensor: 'zeros' (the default) multiplies by the mask, 'black' differs under ImageNet normalisation", async () => {
    const { model, image, params } = await linearSetup();
    const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
    const imagenet: PreprocessConfig = { ...plainPreprocess(model), mean: mean as PreprocessConfig['mean'], std: std as PreprocessConfig['std'] };
    expect(RISE_DEFAULTS.hide).toEqual({ mode: 'zeros' });
    const run = (preprocess: PreprocessConfig, hide: RiseParams['hide']) => explainRise({ model, image, preprocess, targets: [0], params: { ...params, masks: 64, hide }, seed: 7 });
    /** The linear model's class-0 score of x·M + h·(1 − M), x and h normalised (h: the hidden pixel's value per channel). */
    const score = (mask: number[], hidden: (c: number) => number) => {
      let y = BIAS[0];
      for (let c = 0; c < 3; c++) {
        for (let p = 0; p < PIXELS; p++) {
          const x = (image.data[p * 4 + c] / 255 - mean[c]) / std[c];
          y += (pixelWeight(0, p % SIZE, Math.floor(p / SIZE)) / 3) * (x * mask[p] + hidden(c) * (1 - mask[p]));
        }
      }
      return y;
    };
    const zeros = await run(imagenet, { mode: 'zeros' });
    const black = await run(imagenet, { mode: 'black' });
    // the same masks, other images: the setting reaches the tensor
    expect(black.examples!.map((x) => x.mask)).toEqual(zeros.examples!.map((x) => x.mask));
    expect(black.map).not.toEqual(zeros.map);
    for (const ex of zeros.examples!) expect(ex.score).toBeCloseTo(score(ex.mask, () => 0), 3);
    for (const ex of black.examples!) expect(ex.score).toBeCloseTo(score(ex.mask, (c) => -mean[c] / std[c]), 3);
    // without normalisation black is the zero tensor: the very same map
    const plain = plainPreprocess(model);
    expect((await run(plain, { mode: 'black' })).map).toEqual((await run(plain, { mode: 'zeros' })).map);
  });
});
