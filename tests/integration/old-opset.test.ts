/**
 * Models at an opset older than onnxruntime implements some operators at (BatchNormalization-6, which
 * onnxruntime-web has no kernel for): upgraded to opset 17 in memory on load, with a warning, and computing
 * what the same graph computes at opset 17 — instead of "uses an operator Glassbox cannot run: BatchNormalization".
 */
import { describe, expect, it } from 'vitest';
import { onnx } from '../../src/engine/onnx/proto';
import { buildModel, runtime } from '../helpers/grad-check';
import { maxAbsDiff } from '../helpers/compare';

function bnModel(opset: number): Uint8Array {
  const bytes = buildModel({
    inputs: [{ name: 'x', dims: [1, 3, 4, 4] }],
    constants: [
      { name: 'w', dims: [4, 3, 1, 1], values: Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1)) },
      { name: 's', dims: [4], values: Float32Array.of(1, 2, 0.5, 1.5) },
      { name: 'b', dims: [4], values: Float32Array.of(0.1, -0.2, 0.3, 0) },
      { name: 'm', dims: [4], values: Float32Array.of(0, 0.5, -0.5, 1) },
      { name: 'v', dims: [4], values: Float32Array.of(1, 2, 0.5, 4) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
      { op: 'BatchNormalization', inputs: ['c', 's', 'b', 'm', 'v'], outputs: ['bn'], attrs: opset < 7 ? { is_test: 1, epsilon: 1e-5 } : { epsilon: 1e-5 }, floats: ['epsilon'] },
      { op: 'GlobalAveragePool', inputs: ['bn'], outputs: ['g'] },
      { op: 'Flatten', inputs: ['g'], outputs: ['y'] },
    ],
    output: 'y',
    opset,
  });
  const model = onnx.ModelProto.decode(bytes);
  model.irVersion = 3;
  model.graph!.output = [onnx.ValueInfoProto.create({ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } } })];
  return onnx.ModelProto.encode(model).finish();
}

describe('old-opset models', () => {
  it('a BatchNormalization-6 model loads (upgraded in memory, with a warning) and scores like its opset-17 twin', async () => {
    const x = Float32Array.from({ length: 48 }, (_, i) => Math.cos(i * 0.3));
    const old = await runtime.loadModel(bnModel(6), { backend: 'wasm' });
    expect(old.spec.warnings.join(' ')).toMatch(/uses ONNX opset 6, older than onnxruntime-web runs "BatchNormalization" at; Glassbox upgraded it to opset 17/);
    const twin = await runtime.loadModel(bnModel(17), { backend: 'wasm' });
    expect(twin.spec.warnings.join(' ')).not.toMatch(/upgraded/);
    const a = await old.run(x, [1, 3, 4, 4]);
    const b = await twin.run(x, [1, 3, 4, 4]);
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-6);
    await old.dispose();
    await twin.dispose();
  });
});
