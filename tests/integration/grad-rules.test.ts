/**
 * Every backward rule against central finite differences, on tiny random graphs run in onnxruntime-web (Node).
 * Each case differentiates Σ seed⊙Y (random seed) with respect to every float input.
 */
import { describe, expect, it } from 'vitest';
import { DIFFERENTIABLE_OPS } from '../../src/engine/grad/rules';
import { createRng } from '../../src/engine/math/rng';
import { gradCheck, type GradCase } from '../helpers/grad-check';

const rng = createRng(11);
const randn = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (rng.float() * 2 - 1) * scale);
/** n distinct values, well apart (for max-based ops: no near-ties), shuffled. */
function distinct(n: number): Float32Array {
  const v = Float32Array.from({ length: n }, (_, i) => (i - n / 2) * 0.05);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.float() * (i + 1));
    [v[i], v[j]] = [v[j], v[i]];
  }
  return v;
}
/** values in ±range that stay ≥ margin away from every kink */
function avoiding(n: number, range: number, kinks: number[], margin = 0.05): Float32Array {
  return Float32Array.from({ length: n }, () => {
    for (;;) {
      const v = (rng.float() * 2 - 1) * range;
      if (kinks.every((k) => Math.abs(v - k) > margin)) return v;
    }
  });
}
const unary = (op: string, dims: number[], extra: Partial<GradCase> & { attrs?: Record<string, number | number[] | string>; floats?: string[] } = {}): GradCase => ({
  inputs: [{ name: 'x', dims, values: extra.inputs?.[0]?.values }],
  nodes: [{ op, inputs: ['x'], outputs: ['y'], attrs: extra.attrs, floats: extra.floats }],
  output: 'y',
  awayFromZero: extra.awayFromZero,
  opset: extra.opset,
});
const x = (values: Float32Array) => ({ inputs: [{ name: 'x', dims: [], values }] });

const CASES: Record<string, GradCase> = {
  'Add (broadcast both ways)': {
    inputs: [{ name: 'a', dims: [2, 3, 4] }, { name: 'b', dims: [3, 1] }],
    nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['y'] }],
    output: 'y',
  },
  'Sum (three inputs, broadcast)': {
    inputs: [{ name: 'a', dims: [2, 3] }, { name: 'b', dims: [3] }, { name: 'c', dims: [2, 1] }],
    nodes: [{ op: 'Sum', inputs: ['a', 'b', 'c'], outputs: ['y'] }],
    output: 'y',
  },
  'Sub (broadcast)': { inputs: [{ name: 'a', dims: [2, 1, 4] }, { name: 'b', dims: [3, 4] }], nodes: [{ op: 'Sub', inputs: ['a', 'b'], outputs: ['y'] }], output: 'y' },
  'Mul (broadcast)': { inputs: [{ name: 'a', dims: [2, 3, 4] }, { name: 'b', dims: [1, 3, 1] }], nodes: [{ op: 'Mul', inputs: ['a', 'b'], outputs: ['y'] }], output: 'y' },
  'Div (broadcast)': { inputs: [{ name: 'a', dims: [2, 3] }, { name: 'b', dims: [3], values: Float32Array.of(0.7, -1.2, 1.5) }], nodes: [{ op: 'Div', inputs: ['a', 'b'], outputs: ['y'] }], output: 'y' },
  'Pow (constant exponent)': {
    inputs: [{ name: 'x', dims: [2, 3] }],
    constants: [{ name: 'p', dims: [], values: Float32Array.of(3) }],
    nodes: [{ op: 'Pow', inputs: ['x', 'p'], outputs: ['y'] }],
    output: 'y',
  },
  Sqrt: unary('Sqrt', [2, 3], x(Float32Array.from({ length: 6 }, (_, i) => 0.3 + i * 0.25))),
  Reciprocal: unary('Reciprocal', [2, 3], x(Float32Array.from({ length: 6 }, (_, i) => 0.5 + i * 0.3))),
  Exp: unary('Exp', [2, 3]),
  Log: unary('Log', [2, 3], x(Float32Array.from({ length: 6 }, (_, i) => 0.4 + i * 0.3))),
  Abs: unary('Abs', [2, 3], { awayFromZero: 0.1 }),
  Neg: unary('Neg', [4]),
  Tanh: unary('Tanh', [2, 3]),
  Sigmoid: unary('Sigmoid', [2, 3]),
  Softplus: unary('Softplus', [2, 3]),
  Erf: unary('Erf', [2, 3]),
  Relu: unary('Relu', [2, 3, 2], { awayFromZero: 0.05 }),
  LeakyRelu: unary('LeakyRelu', [2, 5], { awayFromZero: 0.05, attrs: { alpha: 0.1 }, floats: ['alpha'] }),
  Elu: unary('Elu', [2, 5], { awayFromZero: 0.05, attrs: { alpha: 0.7 }, floats: ['alpha'] }),
  PRelu: {
    inputs: [{ name: 'x', dims: [2, 3, 2, 2] }],
    constants: [{ name: 'slope', dims: [3, 1, 1], values: Float32Array.of(0.1, 0.2, 0.3) }],
    nodes: [{ op: 'PRelu', inputs: ['x', 'slope'], outputs: ['y'] }],
    output: 'y',
    awayFromZero: 0.05,
  },
  'Clip (min and max inputs, ReLU6-like)': {
    inputs: [{ name: 'x', dims: [3, 4], values: avoiding(12, 1, [-0.3, 0.4]) }],
    constants: [{ name: 'lo', dims: [], values: Float32Array.of(-0.3) }, { name: 'hi', dims: [], values: Float32Array.of(0.4) }],
    nodes: [{ op: 'Clip', inputs: ['x', 'lo', 'hi'], outputs: ['y'] }],
    output: 'y',
  },
  'HardSigmoid (alpha 1/6 as PyTorch exports)': unary('HardSigmoid', [3, 4], { ...x(avoiding(12, 4.5, [-3, 3])), attrs: { alpha: 1 / 6, beta: 0.5 }, floats: ['alpha', 'beta'] }),
  HardSwish: unary('HardSwish', [3, 4], x(avoiding(12, 4.5, [-3, 3]))),
  'Gelu (opset 20, erf)': unary('Gelu', [2, 4], { opset: 20 }),
  'Gelu (opset 20, tanh)': unary('Gelu', [2, 4], { opset: 20, attrs: { approximate: 'tanh' } }),
  'Softmax (last axis, 3-D)': unary('Softmax', [2, 3, 4], { attrs: { axis: -1 } }),
  'Softmax (axis 1)': unary('Softmax', [2, 5, 2], { attrs: { axis: 1 } }),
  LogSoftmax: unary('LogSoftmax', [2, 5], { attrs: { axis: 1 } }),
  'Gemm (transB, bias)': {
    inputs: [{ name: 'a', dims: [2, 4] }, { name: 'b', dims: [3, 4] }],
    constants: [{ name: 'c', dims: [3], values: randn(3) }],
    nodes: [{ op: 'Gemm', inputs: ['a', 'b', 'c'], outputs: ['y'], attrs: { transB: 1, alpha: 0.7, beta: 1.3 }, floats: ['alpha', 'beta'] }],
    output: 'y',
  },
  'Gemm (transA)': {
    inputs: [{ name: 'a', dims: [4, 2] }, { name: 'b', dims: [4, 3] }],
    nodes: [{ op: 'Gemm', inputs: ['a', 'b'], outputs: ['y'], attrs: { transA: 1 } }],
    output: 'y',
  },
  'MatMul (batched, broadcast weight)': {
    inputs: [{ name: 'a', dims: [2, 3, 4] }, { name: 'b', dims: [4, 5] }],
    nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] }],
    output: 'y',
  },
  'MatMul (both batched, attention-like)': {
    inputs: [{ name: 'a', dims: [2, 2, 3, 4] }, { name: 'b', dims: [2, 2, 4, 3] }],
    nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] }],
    output: 'y',
  },
  'Conv (groups 2, stride 2, dilation 2, asymmetric pads)': {
    inputs: [{ name: 'x', dims: [1, 4, 9, 8] }],
    constants: [{ name: 'w', dims: [6, 2, 3, 3], values: randn(108) }, { name: 'bias', dims: [6], values: randn(6) }],
    nodes: [{ op: 'Conv', inputs: ['x', 'w', 'bias'], outputs: ['y'], attrs: { group: 2, strides: [2, 2], dilations: [2, 1], pads: [1, 0, 2, 1], kernel_shape: [3, 3] } }],
    output: 'y',
  },
  'Conv (depthwise, stride 2 on an even size)': {
    inputs: [{ name: 'x', dims: [2, 3, 8, 8] }],
    constants: [{ name: 'w', dims: [3, 1, 3, 3], values: randn(27) }],
    nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] } }],
    output: 'y',
  },
  'ConvTranspose (stride 2, output_padding 1, groups 2)': {
    inputs: [{ name: 'x', dims: [1, 4, 4, 5] }],
    constants: [{ name: 'w', dims: [4, 3, 3, 3], values: randn(108) }],
    nodes: [{ op: 'ConvTranspose', inputs: ['x', 'w'], outputs: ['y'], attrs: { group: 2, strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1], kernel_shape: [3, 3] } }],
    output: 'y',
  },
  'MaxPool (3×3 stride 2 pad 1, overlapping windows)': unary('MaxPool', [1, 2, 7, 7], { ...x(distinct(98)), attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } }),
  'MaxPool (ceil_mode)': unary('MaxPool', [2, 1, 6, 6], { ...x(distinct(72)), attrs: { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 } }),
  'AveragePool (count_include_pad 0)': unary('AveragePool', [1, 2, 7, 6], { attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } }),
  'AveragePool (count_include_pad 1)': unary('AveragePool', [1, 2, 7, 6], { attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 } }),
  'AveragePool (2×2 stride 2)': unary('AveragePool', [2, 3, 4, 6], { attrs: { kernel_shape: [2, 2], strides: [2, 2] } }),
  GlobalAveragePool: unary('GlobalAveragePool', [2, 3, 4, 5]),
  GlobalMaxPool: unary('GlobalMaxPool', [2, 3, 3, 3], x(distinct(54))),
  'BatchNormalization (inference)': {
    inputs: [{ name: 'x', dims: [2, 3, 2, 2] }],
    constants: [
      { name: 'scale', dims: [3], values: Float32Array.of(1.5, -0.5, 0.8) },
      { name: 'bias', dims: [3], values: randn(3) },
      { name: 'mean', dims: [3], values: randn(3) },
      { name: 'var', dims: [3], values: Float32Array.of(0.5, 2, 1.1) },
    ],
    nodes: [{ op: 'BatchNormalization', inputs: ['x', 'scale', 'bias', 'mean', 'var'], outputs: ['y'], attrs: { epsilon: 1e-3 }, floats: ['epsilon'] }],
    output: 'y',
  },
  'LayerNormalization (last axis)': {
    inputs: [{ name: 'x', dims: [2, 3, 5] }],
    constants: [{ name: 'scale', dims: [5], values: randn(5) }, { name: 'bias', dims: [5], values: randn(5) }],
    nodes: [{ op: 'LayerNormalization', inputs: ['x', 'scale', 'bias'], outputs: ['y'], attrs: { axis: -1, epsilon: 1e-5 }, floats: ['epsilon'] }],
    output: 'y',
  },
  InstanceNormalization: {
    inputs: [{ name: 'x', dims: [2, 2, 3, 3] }],
    constants: [{ name: 'scale', dims: [2], values: Float32Array.of(0.9, -1.3) }, { name: 'bias', dims: [2], values: randn(2) }],
    nodes: [{ op: 'InstanceNormalization', inputs: ['x', 'scale', 'bias'], outputs: ['y'] }],
    output: 'y',
  },
  'ReduceMean (axes attribute, keepdims 0)': unary('ReduceMean', [2, 3, 4], { attrs: { axes: [1], keepdims: 0 } }),
  'ReduceMean (opset 18, axes input)': {
    inputs: [{ name: 'x', dims: [2, 3, 4] }],
    constants: [{ name: 'axes', dims: [2], values: [0, 2] }],
    nodes: [{ op: 'ReduceMean', inputs: ['x', 'axes'], outputs: ['y'] }],
    output: 'y',
    opset: 18,
  },
  'ReduceSum (axes input)': {
    inputs: [{ name: 'x', dims: [2, 3, 4] }],
    constants: [{ name: 'axes', dims: [1], values: [-1] }],
    nodes: [{ op: 'ReduceSum', inputs: ['x', 'axes'], outputs: ['y'], attrs: { keepdims: 0 } }],
    output: 'y',
  },
  'Concat (axis 1, both inputs)': {
    inputs: [{ name: 'a', dims: [2, 2, 3] }, { name: 'b', dims: [2, 3, 3] }],
    nodes: [{ op: 'Concat', inputs: ['a', 'b'], outputs: ['y'], attrs: { axis: 1 } }],
    output: 'y',
  },
  'Split (then Concat in reverse)': {
    inputs: [{ name: 'x', dims: [2, 5] }],
    constants: [{ name: 'sizes', dims: [2], values: [2, 3] }],
    nodes: [
      { op: 'Split', inputs: ['x', 'sizes'], outputs: ['p', 'q'], attrs: { axis: 1 } },
      { op: 'Concat', inputs: ['q', 'p'], outputs: ['y'], attrs: { axis: 1 } },
    ],
    output: 'y',
  },
  'Split (one part unused)': {
    inputs: [{ name: 'x', dims: [2, 5] }],
    constants: [{ name: 'sizes', dims: [2], values: [2, 3] }],
    nodes: [
      { op: 'Split', inputs: ['x', 'sizes'], outputs: ['p', 'q'], attrs: { axis: 1 } },
      { op: 'Exp', inputs: ['q'], outputs: ['y'] },
    ],
    output: 'y',
  },
  'Reshape, Transpose, Flatten, Unsqueeze, Squeeze chain': {
    inputs: [{ name: 'x', dims: [2, 3, 4] }],
    constants: [{ name: 'shape', dims: [3], values: [2, 4, 3] }, { name: 'ax', dims: [1], values: [1] }],
    nodes: [
      { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'] },
      { op: 'Transpose', inputs: ['r'], outputs: ['t'], attrs: { perm: [2, 0, 1] } },
      { op: 'Unsqueeze', inputs: ['t', 'ax'], outputs: ['u'] },
      { op: 'Squeeze', inputs: ['u', 'ax'], outputs: ['s'] },
      { op: 'Sin', inputs: ['s'], outputs: ['unused'] },
      { op: 'Flatten', inputs: ['s'], outputs: ['y'], attrs: { axis: 1 } },
    ],
    output: 'y',
  },
  Expand: {
    inputs: [{ name: 'x', dims: [3, 1] }],
    constants: [{ name: 'shape', dims: [3], values: [2, 3, 4] }],
    nodes: [{ op: 'Expand', inputs: ['x', 'shape'], outputs: ['y'] }],
    output: 'y',
  },
  Tile: {
    inputs: [{ name: 'x', dims: [2, 3] }],
    constants: [{ name: 'reps', dims: [2], values: [2, 3] }],
    nodes: [{ op: 'Tile', inputs: ['x', 'reps'], outputs: ['y'] }],
    output: 'y',
  },
  'Slice (negative start, two axes)': {
    inputs: [{ name: 'x', dims: [2, 5, 6] }],
    constants: [{ name: 'st', dims: [2], values: [1, -4] }, { name: 'en', dims: [2], values: [4, 100] }, { name: 'ax', dims: [2], values: [1, 2] }],
    nodes: [{ op: 'Slice', inputs: ['x', 'st', 'en', 'ax'], outputs: ['y'] }],
    output: 'y',
  },
  'Gather (scalar index: the CLS token)': {
    inputs: [{ name: 'x', dims: [2, 5, 3] }],
    constants: [{ name: 'i', dims: [], values: [0] }],
    nodes: [{ op: 'Gather', inputs: ['x', 'i'], outputs: ['y'], attrs: { axis: 1 } }],
    output: 'y',
  },
  'Gather (repeated 1-D indices)': {
    inputs: [{ name: 'x', dims: [4, 3] }],
    constants: [{ name: 'i', dims: [3], values: [2, 0, 2] }],
    nodes: [{ op: 'Gather', inputs: ['x', 'i'], outputs: ['y'], attrs: { axis: 0 } }],
    output: 'y',
  },
  'Pad (constant)': {
    inputs: [{ name: 'x', dims: [1, 2, 3, 3] }],
    constants: [{ name: 'pads', dims: [8], values: [0, 0, 1, 2, 0, 0, 2, 0] }],
    nodes: [{ op: 'Pad', inputs: ['x', 'pads'], outputs: ['y'] }],
    output: 'y',
  },
  'Resize (linear ×2, half_pixel)': {
    inputs: [{ name: 'x', dims: [1, 2, 3, 4] }],
    constants: [{ name: 'scales', dims: [4], values: Float32Array.of(1, 1, 2, 2) }],
    nodes: [{ op: 'Resize', inputs: ['x', '', 'scales'], outputs: ['y'], attrs: { mode: 'linear' } }],
    output: 'y',
  },
  'Resize (nearest ×2, asymmetric floor)': {
    inputs: [{ name: 'x', dims: [1, 1, 3, 3] }],
    constants: [{ name: 'scales', dims: [4], values: Float32Array.of(1, 1, 2, 2) }],
    nodes: [{ op: 'Resize', inputs: ['x', '', 'scales'], outputs: ['y'], attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } }],
    output: 'y',
  },
  'Where and Max/Min': {
    inputs: [{ name: 'a', dims: [2, 4], values: distinct(8) }, { name: 'b', dims: [2, 4], values: distinct(8).map((v) => v + 0.012) }],
    nodes: [
      { op: 'Max', inputs: ['a', 'b'], outputs: ['m'] },
      { op: 'Min', inputs: ['a', 'b'], outputs: ['n'] },
      { op: 'Greater', inputs: ['a', 'b'], outputs: ['gt'] },
      { op: 'Where', inputs: ['gt', 'm', 'n'], outputs: ['w'] },
      { op: 'Mul', inputs: ['w', 'm'], outputs: ['y'] },
    ],
    output: 'y',
  },
  'Identity, Dropout and Cast': {
    inputs: [{ name: 'x', dims: [2, 3] }],
    nodes: [
      { op: 'Identity', inputs: ['x'], outputs: ['i'] },
      { op: 'Dropout', inputs: ['i'], outputs: ['d'] },
      { op: 'Cast', inputs: ['d'], outputs: ['c'], attrs: { to: 1 } },
      { op: 'Mul', inputs: ['c', 'x'], outputs: ['y'] },
    ],
    output: 'y',
  },
  'a tensor used twice (gradients add up)': {
    inputs: [{ name: 'x', dims: [3, 2] }],
    nodes: [
      { op: 'Tanh', inputs: ['x'], outputs: ['t'] },
      { op: 'Mul', inputs: ['t', 'x'], outputs: ['m'] },
      { op: 'Add', inputs: ['m', 't'], outputs: ['y'] },
    ],
    output: 'y',
  },
};

describe('backward rules match central finite differences', () => {
  it.each(Object.entries(CASES))('%s', async (_name, c) => {
    const r = await gradCheck(c);
    expect(r.maxAbsGrad).toBeGreaterThan(1e-3); // the case really depends on its inputs
    expect(r.maxAbsError).toBeLessThan(2e-3 + 1e-2 * r.maxAbsGrad);
  });

  it('every op with a rule is covered by a case above', () => {
    const covered = new Set(Object.values(CASES).flatMap((c) => c.nodes.map((n) => n.op)));
    const piecewiseConstant = ['Floor', 'Ceil', 'Round', 'Sign'];
    const uncovered = DIFFERENTIABLE_OPS.filter((op) => !covered.has(op) && !piecewiseConstant.includes(op) && op !== 'Upsample');
    expect(uncovered).toEqual([]);
  });
});
