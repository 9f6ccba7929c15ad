/**
 * A model's parameter count (onnx/param-count.ts): the element counts of its initializers, dense and sparse, inside
 * subgraphs too; a file that is not ONNX gets the same readable refusal as everywhere else.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parameterCount, parameterCountOfBytes } from '../../../src/engine/onnx/param-count';
import { onnx } from '../../../src/engine/onnx/proto';
import { linearImageModel } from '../../helpers/onnx-builder';

const DEMO = path.resolve(import.meta.dirname, '../../../public/demo');

describe('parameterCount', () => {
  it('counts every weight of a linear model: C·H·W·classes + classes', () => {
    const bytes = linearImageModel(3, 4, 5, new Float32Array(60 * 2), new Float32Array(2));
    expect(parameterCountOfBytes(bytes)).toBe(60 * 2 + 2);
  });

  it('counts sparse initializers by their stored values and initializers inside subgraphs', () => {
    const dense = (name: string, dims: number[]) => ({ name, dims, dataType: 1 });
    const body = onnx.GraphProto.create({ name: 'then', initializer: [dense('c', [2, 3])] });
    const graph = onnx.GraphProto.create({
      name: 'g',
      initializer: [dense('w', [4, 5]), dense('scalar', [])],
      sparseInitializer: [{ values: dense('sv', [7]), indices: { name: 'si', dims: [7], dataType: 7 }, dims: [100, 100] }],
      node: [onnx.NodeProto.create({ opType: 'If', input: ['cond'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g: body }] })],
    });
    // 4·5 + 1 (a scalar is one value) + 7 stored values + 2·3 in the branch
    expect(parameterCount(onnx.ModelProto.create({ irVersion: 8, graph }))).toBe(20 + 1 + 7 + 6);
  });

  it('gives the demo models a plausible count: the same network twice, near the 72 564 of its PyTorch summary', () => {
    const shapes = parameterCountOfBytes(new Uint8Array(fs.readFileSync(path.join(DEMO, 'shapes.onnx'))));
    const shortcut = parameterCountOfBytes(new Uint8Array(fs.readFileSync(path.join(DEMO, 'shortcut.onnx'))));
    expect(shapes).toBe(shortcut);
    // the ONNX export folds batch norm into the convolutions (fewer tensors, the same network)
    expect(shapes).toBeGreaterThan(70_000);
    expect(shapes).toBeLessThanOrEqual(72_564);
  });

  it('refuses a file that is not ONNX with the readable error', () => {
    expect(() => parameterCountOfBytes(new Uint8Array(0))).toThrow(/empty/);
  });
});
