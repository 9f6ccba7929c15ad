/**
 * Deletion/insertion curves on a model whose evidence is known: a linear model whose class-0 logit only looks at
 * the left half of the image. A map pointing there must score a lower deletion AUC and a higher insertion AUC
 * than the reversed map and than a random pixel order; the curves start and end where they must.
 */
import { describe, expect, it } from 'vitest';
import { faithfulness, FAITHFULNESS_DEFAULTS, randomPixelOrder, rankPixels, trapezoidAuc } from '../../src/engine/explain/faithfulness';
import { tensorDims, tensorLength, writeModelInput } from '../../src/engine/image/preprocess';
import { createRgbaImage } from '../../src/engine/image/types';
import { createReuseCache } from '../../src/engine/explain/reuse';
import { createRng } from '../../src/engine/math/rng';
import { softmax } from '../../src/engine/predict/scores';
import { runtime } from '../helpers/grad-check';
import { linearImageModel } from '../helpers/onnx-builder';

const W = 12, H = 10;

async function leftHalfModel() {
  const rng = createRng(3);
  const weights = new Float32Array(3 * H * W * 2);
  for (let c = 0; c < 3; c++) for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) weights[((c * H + y) * W + x) * 2] = x < W / 2 ? 0.03 : 0;
  const model = await runtime.loadModel(linearImageModel(3, H, W, weights, Float32Array.of(0, 1.5)), { backend: 'wasm' });
  const image = createRgbaImage(W, H);
  for (let i = 0; i < W * H; i++) image.data.set([100 + rng.int(150), 100 + rng.int(150), 100 + rng.int(150), 255], i * 4);
  const preprocess = { ...model.spec.suggestedPreprocess, width: W, height: H, resize: 'stretch' as const, range: 1 as const, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
  // the true map: each pixel's contribution to the class-0 logit
  const truth = Array.from({ length: W * H }, (_, i) => (i % W < W / 2 ? 0.03 * (image.data[i * 4] + image.data[i * 4 + 1] + image.data[i * 4 + 2]) / 255 : 0));
  return { model, image, preprocess, truth };
}

describe('deletion and insertion', () => {
  it('the true map deletes faster and inserts faster than the reversed map; curves start and end at the right scores', async () => {
    const { model, image, preprocess, truth } = await leftHalfModel();
    // black for both substrates: this linear model cannot tell a blurred image from a sharp one
    const params = { ...FAITHFULNESS_DEFAULTS, steps: 20, batchSize: 8, insertionSubstrate: 'black' as const };
    const good = await faithfulness({ model, image, preprocess, target: 0, map: truth, params });
    const bad = await faithfulness({ model, image, preprocess, target: 0, map: truth.map((v) => -v), params });
    expect(good.deletion.auc).toBeLessThan(bad.deletion.auc - 0.05);
    expect(good.insertion.auc).toBeGreaterThan(bad.insertion.auc + 0.05);
    // deletion starts at the image's probability and ends at the black image's; x runs 0 → 1
    const t = new Float32Array(tensorLength(preprocess));
    writeModelInput(image, preprocess, t);
    const p = softmax(await model.run(t, tensorDims(preprocess, 1)))[0];
    expect(good.deletion.y[0]).toBeCloseTo(p, 5);
    expect(good.insertion.y[20]).toBeCloseTo(p, 5);
    expect(good.deletion.y[20]).toBeCloseTo(softmax([0, 1.5])[0], 5);
    expect(good.insertion.y[0]).toBeCloseTo(softmax([0, 1.5])[0], 5);
    expect(good.deletion.x[0]).toBe(0);
    expect(good.deletion.x[20]).toBe(1);
    expect(good.deletion.y).toHaveLength(21);
    // in batches of 8: the rows no map decides (2 × 19 random-order inner steps, the full substrate, the insertion
    // substrate, the image) in 6 calls, then the map's 2 × 19 inner steps in 5
    expect(good.timings.modelCalls).toBe(11);
  });

  it('the random pixel order is the baseline: the true map deletes faster and inserts faster than it; it is seeded and shares the end points', async () => {
    const { model, image, preprocess, truth } = await leftHalfModel();
    const params = { ...FAITHFULNESS_DEFAULTS, steps: 20, batchSize: 16, insertionSubstrate: 'black' as const };
    const m = await faithfulness({ model, image, preprocess, target: 0, map: truth, params });
    const random = m.random!;
    expect(m.deletion.auc).toBeLessThan(random.deletion.auc - 0.1);
    expect(m.insertion.auc).toBeGreaterThan(random.insertion.auc + 0.1);
    // same steps, same first and last images
    expect(random.deletion.x).toEqual(m.deletion.x);
    expect(random.deletion.y[0]).toBe(m.deletion.y[0]);
    expect(random.deletion.y[20]).toBe(m.deletion.y[20]);
    expect(random.insertion.y[0]).toBe(m.insertion.y[0]);
    // the baseline does not depend on the map, only on the seed
    const other = await faithfulness({ model, image, preprocess, target: 0, map: truth.map((v) => -v), params });
    expect(other.random!.deletion.y).toEqual(random.deletion.y);
    const reseeded = await faithfulness({ model, image, preprocess, target: 0, map: truth, params, randomSeed: 7 });
    expect(reseeded.random!.deletion.y).not.toEqual(random.deletion.y);
  });

  it('with a reuse cache, a second map of the same model and image pays only for its own 2(n − 1) steps, with the same curves', async () => {
    const { model, image, preprocess, truth } = await leftHalfModel();
    const params = { ...FAITHFULNESS_DEFAULTS, steps: 20, batchSize: 8, insertionSubstrate: 'black' as const };
    const reuse = createReuseCache();
    const inputs = { modelSha256: 'left-half', imageSha256: 'noise' };
    const reversed = truth.map((v) => -v);
    await faithfulness({ model, image, preprocess, target: 0, map: truth, params, inputs, reuse });
    const second = await faithfulness({ model, image, preprocess, target: 0, map: reversed, params, inputs, reuse });
    const alone = await faithfulness({ model, image, preprocess, target: 0, map: reversed, params });
    expect(second.timings).toMatchObject({ modelCalls: 5, reusedRows: 41 });
    expect(second.deletion.y).toEqual(alone.deletion.y);
    expect(second.insertion.y).toEqual(alone.insertion.y);
    expect(second.random!.deletion.y).toEqual(alone.random!.deletion.y);
    // another target of the same rows: the stored rows are raw outputs, every class is in them
    const other = await faithfulness({ model, image, preprocess, target: 1, map: reversed, params, inputs, reuse });
    expect(other.timings.modelCalls).toBe(5);
    // other settings are other rows
    const moreSteps = await faithfulness({ model, image, preprocess, target: 0, map: reversed, params: { ...params, steps: 10 }, inputs, reuse });
    expect(moreSteps.timings.reusedRows).toBeUndefined();
  });

  it('insertion starts from the blurred image by default', async () => {
    const { model, image, preprocess, truth } = await leftHalfModel();
    const m = await faithfulness({ model, image, preprocess, target: 0, map: truth, params: { ...FAITHFULNESS_DEFAULTS, steps: 4 } });
    const { gaussianBlur } = await import('../../src/engine/image/blur');
    const t = new Float32Array(tensorLength(preprocess));
    writeModelInput(gaussianBlur(image, 5), preprocess, t);
    expect(m.insertion.y[0]).toBeCloseTo(softmax(await model.run(t, tensorDims(preprocess, 1)))[0], 5);
  });

  it('cancels between batches; a map of the wrong size is refused', async () => {
    const { model, image, preprocess, truth } = await leftHalfModel();
    const signal = { aborted: false };
    await expect(faithfulness({ model, image, preprocess, target: 0, map: truth, params: { ...FAITHFULNESS_DEFAULTS, batchSize: 4 }, signal, onProgress: () => (signal.aborted = true) })).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(faithfulness({ model, image, preprocess, target: 0, map: [1, 2, 3], params: FAITHFULNESS_DEFAULTS })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
  });

  it('helpers: the random order is a seeded permutation of every pixel', () => {
    const order = randomPixelOrder(120, 3);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(Array.from(randomPixelOrder(120, 3))).toEqual(Array.from(order));
    expect(Array.from(order)).not.toEqual(Array.from({ length: 120 }, (_, i) => i));
  });

  it('helpers: ranking puts the largest first (ties by index) and the trapezoid AUC of a straight line is its mean', () => {
    expect(Array.from(rankPixels([0.1, 0.5, 0.5, -1]))).toEqual([1, 2, 0, 3]);
    expect(trapezoidAuc([1, 0.5, 0])).toBeCloseTo(0.5, 12);
    expect(trapezoidAuc([0, 1, 1, 1, 1])).toBeCloseTo(0.875, 12);
  });
});
