/**
 * Re-initialising weights for the cascading randomisation test (onnx/randomise.ts): which tensors count as a layer's
 * weights and in what order, that randomising the top k layers rewrites exactly their tensors (every other tensor
 * byte for byte as it was), that the new values are seeded, nested from one step to the next, He-scaled, and keep
 * each tensor's shape and data type (float16 stays float16).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../../src/engine/math/float16';
import { GraphEditor, int64Tensor, tensorValues } from '../../../src/engine/onnx/graph-edit';
import { onnx } from '../../../src/engine/onnx/proto';
import { parameterLayers, randomiseCascade, randomiseLayers } from '../../../src/engine/onnx/randomise';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/grad');
const fixture = (net: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, `${net}.onnx`)));

/** Every initializer's encoded bytes, by name. */
function tensorBytes(model: Uint8Array): Map<string, Buffer> {
  const g = GraphEditor.fromBytes(model).graph;
  return new Map((g.initializer ?? []).map((t) => [t.name ?? '', Buffer.from(onnx.TensorProto.encode(t).finish())]));
}

function initializers(model: Uint8Array): Map<string, onnx.ITensorProto> {
  return new Map((GraphEditor.fromBytes(model).graph.initializer ?? []).map((t) => [t.name ?? '', t]));
}

const FLOAT16 = 10;
const fp16 = (name: string, dims: number[], values: number[], asInt32 = false): onnx.ITensorProto => {
  const bits = float32ToFloat16Bits(Float32Array.from(values));
  // ONNX allows both storage forms for float16: raw bytes, or one uint16 per int32_data entry
  return asInt32 ? { name, dims, dataType: FLOAT16, int32Data: Array.from(bits) } : { name, dims, dataType: FLOAT16, rawData: new Uint8Array(bits.buffer) };
};

/** A float16 net: Conv → Relu → BatchNorm → Reshape (int64 target) → MatMul → Add(bias) → Mul(by a constant). */
function tinyFp16Model(): Uint8Array {
  const seq = (n: number, scale: number) => Array.from({ length: n }, (_, i) => ((i % 7) - 3) * scale);
  const t = (name: string, dims: number[], elem = FLOAT16) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: elem, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const graph = onnx.GraphProto.create({
    name: 'tiny16',
    node: [
      { opType: 'Conv', input: ['x', 'conv.w', 'conv.b'], output: ['c'], name: 'conv', attribute: [{ name: 'pads', type: 7, ints: [1, 1, 1, 1] }] },
      { opType: 'Relu', input: ['c'], output: ['r'], name: 'relu' },
      { opType: 'BatchNormalization', input: ['r', 'bn.scale', 'bn.bias', 'bn.mean', 'bn.var'], output: ['n'], name: 'bn' },
      { opType: 'Reshape', input: ['n', 'shape'], output: ['flat'], name: 'reshape' },
      { opType: 'MatMul', input: ['flat', 'fc.w'], output: ['m'], name: 'fc' },
      { opType: 'Add', input: ['fc.b', 'm'], output: ['a'], name: 'fc_bias' },
      { opType: 'Mul', input: ['a', 'temperature'], output: ['y'], name: 'scale' },
    ].map((n) => onnx.NodeProto.create(n)),
    initializer: [
      fp16('conv.w', [4, 3, 3, 3], seq(108, 0.01), true),
      fp16('conv.b', [4], seq(4, 0.1)),
      fp16('bn.scale', [4], seq(4, 0.2)),
      fp16('bn.bias', [4], seq(4, 0.3)),
      fp16('bn.mean', [4], seq(4, 0.05)),
      fp16('bn.var', [4], [1, 2, 3, 4]),
      int64Tensor('shape', [2], [1, -1]),
      fp16('fc.w', [256, 5], seq(1280, 0.02)),
      fp16('fc.b', [5], seq(5, 0.1)),
      fp16('temperature', [1], [0.5]),
    ],
    input: [t('x', [1, 3, 8, 8])],
    output: [t('y', [1, 5])],
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph })).finish();
}

describe('parameterLayers', () => {
  it('lists the weight-bearing layers from the output back to the input, each with the tensors it owns', () => {
    const layers = parameterLayers(fixture('vggish'));
    expect(layers.map((l) => [l.opType, l.initializers.map((i) => i.name)])).toEqual([
      ['Gemm', ['fc2.weight', 'fc2.bias']],
      ['Gemm', ['fc1.weight', 'fc1.bias']],
      ['Conv', ['conv3.weight', 'conv3.bias']],
      ['ConvTranspose', ['up.weight', 'up.bias']],
      ['Conv', ['conv2.weight', 'conv2.bias']],
      ['BatchNormalization', ['bn.weight', 'bn.bias']], // running mean and variance are statistics, not weights
      ['Conv', ['conv1.weight', 'conv1.bias']],
    ]);
    // fan-in as torch computes it: conv1 is 3→8 3×3, fc2 is Linear(32 → 10) exported with transB = 1
    expect(layers.at(-1)!.fanIn).toBe(27);
    expect(layers[0].fanIn).toBe(32);
  });

  it('takes MatMul + Add as one Linear layer and leaves embeddings and shape constants alone (vitish, tiny fp16 net)', () => {
    const vit = parameterLayers(fixture('vitish'));
    const owned = vit.flatMap((l) => l.initializers.map((i) => i.name));
    expect(vit.find((l) => l.name === '/attn/qkv/MatMul')!.initializers.map((i) => i.name)).toEqual(['onnx::MatMul_130', 'attn.qkv.bias']);
    expect(vit.map((l) => l.opType)).toEqual(['Gemm', 'LayerNormalization', 'MatMul', 'MatMul', 'LayerNormalization', 'MatMul', 'MatMul', 'LayerNormalization', 'Conv']);
    expect(owned).not.toContain('cls_token');
    expect(owned).not.toContain('pos_embed');

    const tiny = parameterLayers(tinyFp16Model());
    expect(tiny.map((l) => [l.name, l.initializers.map((i) => `${i.name}:${i.role}`)])).toEqual([
      ['fc', ['fc.w:weight', 'fc.b:bias']],
      ['bn', ['bn.scale:scale', 'bn.bias:bias']],
      ['conv', ['conv.w:weight', 'conv.b:bias']],
    ]);
  });
});

describe('randomiseCascade', () => {
  it.each(['resnetish', 'vggish', 'vitish'])('%s: randomising the top k layers rewrites exactly their tensors; every other tensor is byte-identical', (net) => {
    const bytes = fixture(net);
    const layers = parameterLayers(bytes);
    const before = tensorBytes(bytes);
    const shapes = initializers(bytes);
    for (const k of [0, 1, 3, layers.length]) {
      const out = randomiseCascade(bytes, k, 42);
      const after = tensorBytes(out);
      const changed = [...before.keys()].filter((name) => !before.get(name)!.equals(after.get(name)!)).sort();
      expect(changed, `k = ${k}`).toEqual(layers.slice(0, k).flatMap((l) => l.initializers.map((i) => i.name)).sort());
      for (const [name, t] of initializers(out)) {
        expect(t.dims!.map(Number), name).toEqual(shapes.get(name)!.dims!.map(Number));
        expect(t.dataType, name).toBe(shapes.get(name)!.dataType);
      }
      // the graph itself is unchanged
      const nodes = (m: Uint8Array) => Buffer.from(onnx.GraphProto.encode(onnx.GraphProto.create({ node: GraphEditor.fromBytes(m).nodes })).finish());
      expect(nodes(out).equals(nodes(bytes))).toBe(true);
    }
  });

  it('is seeded: the same seed gives the same bytes, another seed other weights', () => {
    const bytes = fixture('resnetish');
    const a = randomiseCascade(bytes, 4, 7);
    expect(Buffer.from(randomiseCascade(bytes, 4, 7)).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(randomiseCascade(bytes, 4, 8)).equals(Buffer.from(a))).toBe(false);
  });

  it('is nested: step k + 1 keeps the k layers step k randomised, and adds one', () => {
    const bytes = fixture('vggish');
    const layers = parameterLayers(bytes);
    const two = tensorBytes(randomiseCascade(bytes, 2, 3));
    const three = tensorBytes(randomiseCascade(bytes, 3, 3));
    for (const name of layers.slice(0, 2).flatMap((l) => l.initializers.map((i) => i.name))) expect(three.get(name)!.equals(two.get(name)!), name).toBe(true);
    for (const i of layers[2].initializers) expect(three.get(i.name)!.equals(two.get(i.name)!), i.name).toBe(false);
    // randomising one layer alone draws the same values as the cascade does for it
    const alone = tensorBytes(randomiseLayers(bytes, [2], 3));
    for (const i of layers[2].initializers) expect(alone.get(i.name)!.equals(three.get(i.name)!), i.name).toBe(true);
  });

  it('draws weights He-normal N(0, 2/fan_in) and biases U(±1/√fan_in)', () => {
    const bytes = fixture('vggish');
    const fc1 = parameterLayers(bytes)[1]; // Linear 1024 → 32: 32 768 weights
    const t = initializers(randomiseCascade(bytes, 2, 5));
    const w = tensorValues(t.get('fc1.weight')!) as Float32Array;
    let sum = 0, sq = 0;
    for (const v of w) (sum += v), (sq += v * v);
    const mean = sum / w.length, std = Math.sqrt(sq / w.length - mean * mean);
    expect(fc1.fanIn).toBe(1024);
    expect(Math.abs(mean)).toBeLessThan(0.05 * Math.sqrt(2 / 1024));
    expect(std / Math.sqrt(2 / 1024)).toBeCloseTo(1, 1);
    const b = tensorValues(t.get('fc1.bias')!) as Float32Array;
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(1024));
    expect(new Set(b).size).toBe(b.length);
  });

  it('keeps float16 weights float16 (whatever their storage form), resets BatchNorm to scale 1 / bias 0, leaves its statistics', () => {
    const bytes = tinyFp16Model();
    const before = initializers(bytes);
    const after = initializers(randomiseCascade(bytes, 3, 1));
    for (const name of ['conv.w', 'conv.b', 'fc.w', 'fc.b', 'bn.scale', 'bn.bias']) {
      const t = after.get(name)!;
      expect(t.dataType, name).toBe(FLOAT16);
      expect(t.dims!.map(Number), name).toEqual(before.get(name)!.dims!.map(Number));
      const n = t.dims!.map(Number).reduce((a, b) => a * b, 1);
      expect(t.rawData!.length, name).toBe(2 * n);
      expect(t.int32Data ?? [], name).toEqual([]);
    }
    const values = (name: string) => float16BitsToFloat32(new Uint16Array(Uint8Array.from(after.get(name)!.rawData!).buffer));
    const convW = values('conv.w');
    expect(convW.every(Number.isFinite)).toBe(true);
    const std = Math.sqrt(convW.reduce((s, v) => s + v * v, 0) / convW.length);
    expect(std).toBeGreaterThan(0.5 * Math.sqrt(2 / 27));
    expect(std).toBeLessThan(1.5 * Math.sqrt(2 / 27));
    expect(Array.from(values('bn.scale'))).toEqual([1, 1, 1, 1]);
    expect(Array.from(values('bn.bias'))).toEqual([0, 0, 0, 0]);
    for (const name of ['bn.mean', 'bn.var', 'shape', 'temperature']) {
      expect(Buffer.from(onnx.TensorProto.encode(after.get(name)!).finish()).equals(Buffer.from(onnx.TensorProto.encode(before.get(name)!).finish())), name).toBe(true);
    }
  });

  it('refuses a step count the model does not have', () => {
    const bytes = fixture('resnetish');
    expect(() => randomiseCascade(bytes, 8, 1)).toThrow(/7 parameter layers/);
    expect(() => randomiseCascade(bytes, -1, 1)).toThrow(/Cannot randomise/);
    expect(() => randomiseLayers(bytes, [7], 1)).toThrow(/no parameter layer 7/);
  });
});
