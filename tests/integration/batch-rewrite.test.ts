/**
 * Batch any model (issue 14.2): a file that fixes its batch to 1 is rewritten to a symbolic batch on load, and the
 * rewrite is kept only when a batch equals single runs; Reshape targets that hard-code the batch are fixed; a model
 * that hides the batch elsewhere keeps its fixed batch with a warning; gradients batch the same way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGradientSource } from '../../src/engine/grad/gradient-model';
import { rewriteFixedBatch } from '../../src/engine/onnx/batch-rewrite';
import { buildModel, runtime } from '../helpers/grad-check';
import { relativeError } from '../helpers/compare';
import { sharedModelsAvailable, sharedPath } from '../helpers/shared-models';

const ROOT = path.resolve(import.meta.dirname, '../..');
const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join(ROOT, 'tests/fixtures/models', name)));
const wave = (n: number, phase = 0) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + phase));

async function rowsEqualSingles(model: Awaited<ReturnType<typeof runtime.loadModel>>, perImageDims: number[], rows: number) {
  const per = perImageDims.reduce((a, b) => a * b, 1);
  const x = new Float32Array(per * rows);
  for (let r = 0; r < rows; r++) x.set(wave(per, r), r * per);
  const batched = await model.run(x, [rows, ...perImageDims]);
  const singles: number[] = [];
  for (let r = 0; r < rows; r++) singles.push(...(await model.run(x.subarray(r * per, (r + 1) * per), [1, ...perImageDims])));
  return relativeError(batched, Float32Array.from(singles));
}

/** Conv → Relu → GAP → Reshape([1, 4]) → MatMul: the Reshape hard-codes the batch. */
const reshapeModel = (target: number[], extra: Partial<Parameters<typeof buildModel>[0]> = {}) =>
  buildModel({
    inputs: [{ name: 'x', dims: [1, 3, 6, 6] }],
    constants: [
      { name: 'w', dims: [4, 3, 3, 3], values: wave(108, 1) },
      { name: 'shape', dims: [target.length], values: target },
      { name: 'fc', dims: [4, 5], values: wave(20, 2) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
      { op: 'Relu', inputs: ['c'], outputs: ['r'] },
      { op: 'GlobalAveragePool', inputs: ['r'], outputs: ['g'] },
      { op: 'Reshape', inputs: ['g', 'shape'], outputs: ['flat'] },
      { op: 'MatMul', inputs: ['flat', 'fc'], outputs: ['y'] },
    ],
    output: 'y',
    ...extra,
  });

describe('fixed-batch models are batched', () => {
  it('tiny_nchw_fixed: loads with a symbolic batch, and a batch of 3 equals three single runs', async () => {
    const m = await runtime.loadModel(fixture('tiny_nchw_fixed.onnx'), { backend: 'wasm' });
    expect(m.spec).toMatchObject({ dynamicBatch: true, inputShape: ['N', 3, 8, 8] });
    expect(m.spec.batchRewrite!.relativeError).toBeLessThanOrEqual(1e-5);
    expect(await rowsEqualSingles(m, [3, 8, 8], 3)).toBeLessThan(1e-5);
    await m.dispose();
  });

  it('a Reshape to [1, 4] is rewritten to copy the batch ([0, 4]); with allowzero to [-1, 4]', async () => {
    const plain = rewriteFixedBatch(reshapeModel([1, 4]))!;
    expect(plain.reshapes).toHaveLength(1);
    const m = await runtime.loadModel(reshapeModel([1, 4]), { backend: 'wasm' });
    expect(m.spec.dynamicBatch).toBe(true);
    expect(m.spec.batchRewrite!.reshapes).toBe(1);
    expect(await rowsEqualSingles(m, [3, 6, 6], 4)).toBeLessThan(1e-5);
    await m.dispose();
  });

  it('a model that hides the batch where the rewrite cannot see it keeps its fixed batch, with a warning saying why', async () => {
    // Reshape to a computed [1, 4] (Concat of constants): left alone by the rewrite, so a batch of 2 cannot reshape
    const bytes = buildModel({
      inputs: [{ name: 'x', dims: [1, 3, 6, 6] }],
      constants: [
        { name: 'w', dims: [4, 3, 3, 3], values: wave(108, 1) },
        { name: 'one', dims: [1], values: [1] },
        { name: 'four', dims: [1], values: [4] },
        { name: 'fc', dims: [4, 5], values: wave(20, 2) },
      ],
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
        { op: 'GlobalAveragePool', inputs: ['c'], outputs: ['g'] },
        { op: 'Concat', inputs: ['one', 'four'], outputs: ['shape'], attrs: { axis: 0 } },
        { op: 'Reshape', inputs: ['g', 'shape'], outputs: ['flat'] },
        { op: 'MatMul', inputs: ['flat', 'fc'], outputs: ['y'] },
      ],
      output: 'y',
    });
    const m = await runtime.loadModel(bytes, { backend: 'wasm' });
    expect(m.spec.dynamicBatch).toBe(false);
    expect(m.spec.batchRewrite).toBeUndefined();
    expect(m.spec.warnings.join(' ')).toMatch(/fixes its batch to 1, and the graph rewritten for any batch failed on a batch of two .*so every image is one model call/);
    expect(await rowsEqualSingles(m, [3, 6, 6], 2)).toBe(0);
    await m.dispose();
  });

  it('gradients of a fixed-batch model batch too: a batch of 3 gives each row its single-run gradient', async () => {
    const source = createGradientSource(runtime, fixture('tiny_nchw_fixed.onnx'), 'wasm');
    const gm = await source.gradients({ input: true });
    const per = 3 * 8 * 8;
    const x = new Float32Array(per * 3);
    for (let r = 0; r < 3; r++) x.set(wave(per, r), r * per);
    const seed = new Float32Array(3 * gm.classes);
    [1, 3, 4].forEach((t, r) => (seed[r * gm.classes + t] = 1));
    const all = await gm.run(x, [3, 3, 8, 8], seed);
    for (let r = 0; r < 3; r++) {
      const one = await gm.run(x.subarray(r * per, (r + 1) * per), [1, 3, 8, 8], seed.subarray(r * gm.classes, (r + 1) * gm.classes));
      expect(relativeError(all.gradInput!.data.subarray(r * per, (r + 1) * per), one.gradInput!.data)).toBeLessThan(1e-5);
    }
    await source.dispose();
  });
});

describe.runIf(sharedModelsAvailable())('the ONNX-zoo SqueezeNet 1.1 (fixed batch of 1, ../shared/models)', () => {
  it('is batched after load and a batch of 4 equals four single runs', async () => {
    const m = await runtime.loadModel(new Uint8Array(fs.readFileSync(sharedPath('squeezenet1.1-fp32.onnx'))), { backend: 'wasm' });
    expect(m.spec.dynamicBatch).toBe(true);
    expect(await rowsEqualSingles(m, [3, 224, 224], 4)).toBeLessThan(1e-5);
    await m.dispose();
  });
});
