/**
 * KernelSHAP against exact Shapley values, on a generated model with interactions between superpixels:
 * a white image on a grid of cells, black background, and f = Σ w_i p_i + Σ_{i<j} v_ij p_i p_j + u·p_a p_b p_c
 * where p_i is cell i's presence (its mean pixel, exactly 0 or 1). Exact Shapley values: w_i, plus half of
 * each pair term and a third of the triple term for each player in it.
 */
import { describe, expect, it } from 'vitest';
import { exactShapley, explainKernelShap, KERNEL_SHAP_DEFAULTS, planCoalitions, type KernelShapParams } from '../../src/engine/explain/kernel-shap';
import { createRgbaImage } from '../../src/engine/image/types';
import { createRng } from '../../src/engine/math/rng';
import { buildModel, runtime } from '../helpers/grad-check';

const CELL = 3;

async function interactionModel(grid: number) {
  const m = grid * grid, size = grid * CELL;
  const rng = createRng(5);
  const w = Array.from({ length: m }, () => Math.round((rng.float() * 2 - 1) * 100) / 100);
  // pair terms on a few pairs, and one triple term
  const pairs: [number, number, number][] = [[0, 1, 0.8], [2, m - 1, -0.6], [3, 5, 0.5], [1, m - 2, 0.7]];
  const triple = { ids: [0, 4, m - 1], u: 0.9 };
  const V = new Float32Array(m * m);
  for (const [i, j, v] of pairs) V[i * m + j] = v;
  const cls = (i: number, c: number) => c === 0 ? w[i] : 0.1;
  const W = Float32Array.from({ length: m * 2 }, (_, k) => cls(Math.floor(k / 2), k % 2));
  const pick = (ids: number[]) => Float32Array.from({ length: m * 3 }, (_, k) => (ids[k % 3] === Math.floor(k / 3) ? 1 : 0));
  const bytes = buildModel({
    inputs: [{ name: 'image', dims: ['N' as unknown as number, 3, size, size] }],
    constants: [
      { name: 'cellw', dims: [1, 3, CELL, CELL], values: new Float32Array(3 * CELL * CELL).fill(1 / (3 * CELL * CELL)) },
      { name: 'shape', dims: [2], values: [-1, m] },
      { name: 'W', dims: [m, 2], values: W },
      { name: 'V', dims: [m, m], values: V },
      { name: 'T', dims: [m, 3], values: pick(triple.ids) },
      { name: 'u', dims: [1], values: Float32Array.of(triple.u) },
      { name: 'axes', dims: [1], values: [1] },
    ],
    nodes: [
      { op: 'Conv', inputs: ['image', 'cellw'], outputs: ['cells'], attrs: { strides: [CELL, CELL], kernel_shape: [CELL, CELL] } },
      { op: 'Reshape', inputs: ['cells', 'shape'], outputs: ['p'] },
      { op: 'MatMul', inputs: ['p', 'W'], outputs: ['lin'] },
      { op: 'MatMul', inputs: ['p', 'V'], outputs: ['pv'] },
      { op: 'Mul', inputs: ['pv', 'p'], outputs: ['pvp'] },
      { op: 'ReduceSum', inputs: ['pvp', 'axes'], outputs: ['quad'], attrs: { keepdims: 1 } },
      { op: 'MatMul', inputs: ['p', 'T'], outputs: ['three'] },
      { op: 'ReduceProd', inputs: ['three'], outputs: ['prod'], attrs: { axes: [1], keepdims: 1 } },
      { op: 'Mul', inputs: ['prod', 'u'], outputs: ['tri'] },
      { op: 'Add', inputs: ['lin', 'quad'], outputs: ['lq'] },
      { op: 'Add', inputs: ['lq', 'tri'], outputs: ['scores'] },
    ],
    output: 'scores',
  });
  const model = await runtime.loadModel(bytes, { backend: 'wasm' });
  const image = createRgbaImage(size, size);
  image.data.fill(255);
  const exact = w.slice();
  for (const [i, j, v] of pairs) (exact[i] += v / 2), (exact[j] += v / 2);
  for (const i of triple.ids) exact[i] += triple.u / 3;
  const preprocess = { ...model.spec.suggestedPreprocess, width: size, height: size, resize: 'stretch' as const, range: 1 as const, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
  // the whole budget (stableAt 0): these check the estimator at a budget; anytime stops are anytime-*.test.ts's
  const params: KernelShapParams = { ...KERNEL_SHAP_DEFAULTS, segmentation: { method: 'grid', nSegments: m }, background: { mode: 'black' }, scoreSpace: 'raw', stableAt: 0 };
  const f = w.reduce((a, b) => a + b, 0) + pairs.reduce((a, [, , v]) => a + v, 0) + triple.u;
  return { model, image, preprocess, params, exact, f, m, w };
}

describe('KernelSHAP', () => {
  it('exact enumeration (9 superpixels): the Shapley values of the interaction model, adding up to f(x) − f(∅)', async () => {
    const { model, image, preprocess, params, exact, f } = await interactionModel(3);
    const e = await explainKernelShap({ model, image, preprocess, targets: [0], params, seed: 0 });
    expect(e.params.exact).toBe(true);
    expect(e.timings.samples).toBe(512);
    e.weights!.forEach((v, i) => expect(v).toBeCloseTo(exact[i], 5));
    expect(e.additivity!.output).toBeCloseTo(f, 5);
    expect(e.additivity!.baseValue).toBeCloseTo(0, 6);
    expect(e.additivity!.sum).toBeCloseTo(e.additivity!.output - e.additivity!.baseValue, 6);
    expect(e).toMatchObject({ kind: 'superpixel-weights', method: 'kernelshap', signed: true, segmentCount: 9 });
  });

  it('sampling (16 superpixels, 6000 of 65536 coalitions): within 1 % of the exact values; additivity to float precision', async () => {
    const { model, image, preprocess, params, exact, m, w } = await interactionModel(4);
    expect(m).toBe(16);
    const e = await explainKernelShap({ model, image, preprocess, targets: [0, 1], params: { ...params, exactUpTo: 0, samples: 6000 }, seed: 3 });
    expect(e.params.exact).toBe(false);
    expect(e.timings.samples).toBe(2 + 6000);
    const scale = Math.max(...exact.map(Math.abs));
    e.weights!.forEach((v, i) => expect(Math.abs(v - exact[i]), `player ${i}`).toBeLessThan(0.01 * scale));
    for (const c of e.classes) {
      const sum = c.weights!.reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - (c.modelPrediction! - c.intercept!))).toBeLessThan(1e-9 * Math.max(1, Math.abs(sum)));
    }
    // class 1 = 0.1 per cell present plus the same pair and triple terms
    const exact1 = exact.map((v, i) => v - w[i] + 0.1);
    e.classes[1].weights!.forEach((v, i) => expect(Math.abs(v - exact1[i]), `class 1, player ${i}`).toBeLessThan(0.01 * scale));
  });

  it('the same seed repeats, another seed samples differently; cancellation and bad parameters', async () => {
    const { model, image, preprocess, params } = await interactionModel(4);
    const p = { ...params, exactUpTo: 0, samples: 300 };
    const a = await explainKernelShap({ model, image, preprocess, targets: [0], params: p, seed: 1 });
    const b = await explainKernelShap({ model, image, preprocess, targets: [0], params: p, seed: 1 });
    const c = await explainKernelShap({ model, image, preprocess, targets: [0], params: p, seed: 2 });
    expect(b.weights).toEqual(a.weights);
    expect(c.weights).not.toEqual(a.weights);
    const signal = { aborted: false };
    await expect(explainKernelShap({ model, image, preprocess, targets: [0], params: p, seed: 1, signal, onProgress: () => (signal.aborted = true) })).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(explainKernelShap({ model, image, preprocess, targets: [0], params: { ...p, samples: 1 }, seed: 1 })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    await expect(explainKernelShap({ model, image, preprocess, targets: [0], params: { ...p, exactUpTo: 40 }, seed: 1 })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
  });
});

describe('KernelSHAP pieces', () => {
  it('the coalition plan enumerates small and large sizes in complementary pairs and spends the budget exactly', () => {
    const plan = planCoalitions(10, 200, createRng(1));
    expect(plan.masks.length).toBe(200);
    // sizes 1 and 9 (20 coalitions) are enumerated completely; the budget does not cover sizes 2 and 8 (90),
    // which are sampled with the others; every coalition comes with its complement
    const sizes = plan.masks.map((z) => z.reduce((a, b) => a + b, 0));
    expect(sizes.filter((s) => s === 1).length).toBe(10);
    expect(sizes.filter((s) => s === 9).length).toBe(10);
    expect(sizes.slice(20).every((s) => s >= 2 && s <= 8)).toBe(true);
    for (let i = 0; i < 200; ) {
      // sizes up to 4 are drawn with their complement; size 5 (= M/2) is its own complement's size, drawn alone
      if (sizes[i] === 5) {
        i++;
        continue;
      }
      if (i + 1 < 200) expect(Array.from(plan.masks[i + 1])).toEqual(Array.from(plan.masks[i]).map((v) => 1 - v));
      i += 2;
    }
    // a bigger budget covers sizes 1, 2, 8 and 9 completely
    const big = planCoalitions(10, 2000, createRng(1)).masks.map((z) => z.reduce((a, b) => a + b, 0));
    expect(big.slice(0, 110).filter((s) => s === 2 || s === 8).length).toBe(90);
    // the weights form the Shapley kernel's distribution over sizes: they sum to 1
    expect(plan.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });

  it('exactShapley: symmetric players share, a dummy gets 0, efficiency holds (a 3-player glove game)', () => {
    // v(S) = 1 when S holds player 0 (left glove) and one of players 1, 2 (right gloves)
    const v = Float64Array.from({ length: 8 }, (_, s) => ((s & 1) && (s & 6) ? 1 : 0));
    const phi = exactShapley(v, 3);
    expect(phi[0]).toBeCloseTo(2 / 3, 12);
    expect(phi[1]).toBeCloseTo(1 / 6, 12);
    expect(phi[2]).toBeCloseTo(1 / 6, 12);
  });
});
