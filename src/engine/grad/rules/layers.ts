/** Backward rules of layers: Gemm, MatMul, Conv, ConvTranspose, pooling, normalisation. */
import { intsAttr, makeAttr, numAttr } from '../../onnx/graph-edit';
import type { RuleContext } from '../context';

type Rules = Record<string, (c: RuleContext) => void>;

interface ConvGeometry {
  kernel: number[];
  strides: number[];
  pads: number[];
  dilations: number[];
}

function geometry(c: RuleContext, kernel: number[]): ConvGeometry {
  const r = kernel.length;
  const autoPad = c.node.attribute?.find((a) => a.name === 'auto_pad');
  if (autoPad && String.fromCharCode(...(autoPad.s ?? [])) !== 'NOTSET') throw c.unsupported('auto_pad must be made explicit first');
  return {
    kernel,
    strides: intsAttr(c.node, 'strides', undefined) ?? new Array(r).fill(1),
    pads: intsAttr(c.node, 'pads', undefined) ?? new Array(2 * r).fill(0),
    dilations: intsAttr(c.node, 'dilations', undefined) ?? new Array(r).fill(1),
  };
}

/** Conv's kernel size from its attribute or its weight's shape. */
function convKernel(c: RuleContext): number[] {
  const k = intsAttr(c.node, 'kernel_shape', undefined);
  if (k) return k;
  const w = c.shape(c.x(1));
  if (!w || w.slice(2).some((d) => typeof d !== 'number')) throw c.unsupported('the kernel size is unknown');
  return w.slice(2) as number[];
}

/**
 * The transposed convolution that spreads a gradient at `dy` (shaped like the forward output) back over the
 * input: output_padding makes its output exactly the input's size, `(H_in + pads − d(k−1) − 1) mod s`.
 */
function transposeBack(c: RuleContext, dy: string, weight: string, g: ConvGeometry, group: number, input: string): string {
  const r = g.kernel.length;
  const outputPadding: number[] = [];
  for (let d = 0; d < r; d++) {
    const size = c.dim(input, 2 + d);
    outputPadding.push((size + g.pads[d] + g.pads[d + r] - g.dilations[d] * (g.kernel[d] - 1) - 1) % g.strides[d]);
  }
  return c.op1('ConvTranspose', [dy, weight], [
    makeAttr('kernel_shape', g.kernel),
    makeAttr('strides', g.strides),
    makeAttr('pads', g.pads),
    makeAttr('dilations', g.dilations),
    makeAttr('group', group),
    makeAttr('output_padding', outputPadding),
  ]);
}

export const LAYER_RULES: Rules = {
  Gemm(c) {
    const dy = c.dy()!;
    const alpha = numAttr(c.node, 'alpha', 1), beta = numAttr(c.node, 'beta', 1);
    const transA = numAttr(c.node, 'transA', 0), transB = numAttr(c.node, 'transB', 0);
    if (c.needs(0)) {
      // dA' = α·dY·B'ᵀ, with B'ᵀ = B when transB else Bᵀ; dA = dA'ᵀ when transA
      const dA = c.op1('Gemm', [dy, c.x(1)], [makeAttr('alpha', alpha, true), makeAttr('transB', transB ? 0 : 1)]);
      c.set(0, transA ? c.transpose(dA, [1, 0]) : dA);
    }
    if (c.needs(1)) {
      const dB = c.op1('Gemm', [c.x(0), dy], [makeAttr('alpha', alpha, true), makeAttr('transA', transA ? 0 : 1)]);
      c.set(1, transB ? c.transpose(dB, [1, 0]) : dB);
    }
    if (c.x(2) && c.needs(2)) c.set(2, c.unbroadcast(beta === 1 ? dy : c.mul(dy, c.scalar(beta)), c.x(2), c.y()));
  },
  MatMul(c) {
    const dy = c.dy()!;
    const ra = c.rank(c.x(0)), rb = c.rank(c.x(1));
    if (ra < 2 || rb < 2) throw c.unsupported('1-D operands are not supported');
    const swapLast = (r: number) => [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
    if (c.needs(0)) c.set(0, c.unbroadcast(c.op1('MatMul', [dy, c.transpose(c.x(1), swapLast(rb))]), c.x(0), c.y()));
    if (c.needs(1)) c.set(1, c.unbroadcast(c.op1('MatMul', [c.transpose(c.x(0), swapLast(ra)), dy]), c.x(1), c.y()));
  },
  Conv(c) {
    if (!c.needs(0)) return;
    if (c.needs(1)) throw c.unsupported('gradients with respect to computed weights are not supported');
    const g = geometry(c, convKernel(c));
    c.set(0, transposeBack(c, c.dy()!, c.x(1), g, numAttr(c.node, 'group', 1), c.x(0)));
  },
  ConvTranspose(c) {
    if (!c.needs(0)) return;
    if (c.needs(1)) throw c.unsupported('gradients with respect to computed weights are not supported');
    if (intsAttr(c.node, 'output_shape', undefined)) throw c.unsupported('output_shape is not supported; use pads');
    const g = geometry(c, convKernel(c));
    // The adjoint of a transposed convolution is the convolution with the same weight and geometry.
    c.set(0, c.op1('Conv', [c.dy()!, c.x(1)], [
      makeAttr('kernel_shape', g.kernel),
      makeAttr('strides', g.strides),
      makeAttr('pads', g.pads),
      makeAttr('dilations', g.dilations),
      makeAttr('group', numAttr(c.node, 'group', 1)),
    ]));
  },
  GlobalAveragePool(c) {
    if (!c.needs(0)) return;
    const shape = c.shape(c.x())!;
    let area = 1;
    for (let d = 2; d < shape.length; d++) area *= c.dim(c.x(), d);
    c.set(0, c.op1('Expand', [c.mul(c.dy()!, c.scalar(1 / area)), c.shapeOf(c.x())]));
  },
  GlobalMaxPool(c) {
    if (!c.needs(0)) return;
    const selected = c.op1('Equal', [c.x(), c.y()]);
    c.set(0, c.where(selected, c.op1('Expand', [c.dy()!, c.shapeOf(c.x())])));
  },
  AveragePool(c) {
    if (!c.needs(0)) return;
    const kernel = intsAttr(c.node, 'kernel_shape', undefined)!;
    const g = geometry(c, kernel);
    const channels = c.dim(c.x(), 1);
    const area = kernel.reduce((a, b) => a * b, 1);
    // Spread each output's gradient evenly over its window: a grouped ConvTranspose with a ones kernel.
    const ones = c.g.constFloat(new Float32Array(channels * area).fill(1), [channels, 1, ...kernel], 'ones');
    let dy = c.dy()!;
    const includePad = numAttr(c.node, 'count_include_pad', 0);
    const padded = g.pads.some((p) => p > 0) || numAttr(c.node, 'ceil_mode', 0) === 1;
    if (includePad || !padded) dy = c.mul(dy, c.scalar(1 / area));
    else {
      // each window's divisor = its count of real (unpadded) pixels = AveragePool(ones, count_include_pad=1)·area
      // with out-of-range ceil_mode cells excluded, which AveragePool(ones) with count_include_pad=0 can't tell us
      const onesLike = c.op1('ConstantOfShape', [c.shapeOf(c.x())], [{ name: 'value', type: 4, t: { dims: [1], dataType: 1, floatData: [1] } }]);
      const padMask = c.op1('Pad', [onesLike, c.ints([0, 0, ...g.pads.slice(0, kernel.length), 0, 0, ...g.pads.slice(kernel.length)])]);
      const counts = c.op1('AveragePool', [padMask], [makeAttr('kernel_shape', kernel), makeAttr('strides', g.strides), makeAttr('ceil_mode', numAttr(c.node, 'ceil_mode', 0))]);
      dy = c.div(dy, c.mul(counts, c.scalar(area)));
    }
    c.set(0, transposeBack(c, dy, ones, g, channels, c.x()));
  },
  MaxPool(c) {
    if (!c.needs(0)) return;
    if (numAttr(c.node, 'storage_order', 0) !== 0) throw c.unsupported('storage_order 1 is not supported');
    // Ask the forward node for its argmax indices (flat over N·C·H·W) and scatter-add the gradient there
    // (windows may overlap, so 'add'). No WebGPU kernel returns Indices: that node runs on the CPU.
    let indices = c.node.output?.[1];
    if (!indices) {
      indices = c.g.fresh('maxpool_indices');
      c.node.output = [c.y(), indices];
    }
    c.forceCpu(c.node);
    const flatShape = c.ints([-1]);
    const zeros = c.op1('ConstantOfShape', [c.op1('Reshape', [c.op1('Size', [c.x()]), c.ints([1])])], [{ name: 'value', type: 4, t: { dims: [1], dataType: 1, floatData: [0] } }]);
    const scattered = c.op1('ScatterElements', [zeros, c.op1('Reshape', [indices, flatShape]), c.op1('Reshape', [c.dy()!, flatShape])], [makeAttr('axis', 0), makeAttr('reduction', 'add')]);
    c.set(0, c.reshapeLike(scattered, c.x()));
  },
  BatchNormalization(c) {
    if (!c.needs(0)) return;
    if ((c.node.output ?? []).filter(Boolean).length > 1 || numAttr(c.node, 'training_mode', 0)) throw c.unsupported('only inference-mode batch normalisation is supported');
    const eps = numAttr(c.node, 'epsilon', 1e-5);
    const r = c.rank(c.x());
    // dY · scale / √(var + ε), per channel
    const factor = c.div(c.x(1), c.op1('Sqrt', [c.add(c.x(4), c.scalar(eps))]));
    const perChannel = c.op1('Reshape', [factor, c.ints([-1, ...new Array(r - 2).fill(1)])]);
    c.set(0, c.mul(c.dy()!, perChannel));
  },
  InstanceNormalization(c) {
    normalisationBackward(c, Array.from({ length: c.rank(c.x()) - 2 }, (_, i) => i + 2), c.x(1), c.x(2), numAttr(c.node, 'epsilon', 1e-5), true);
  },
  LayerNormalization(c) {
    const r = c.rank(c.x());
    let axis = numAttr(c.node, 'axis', -1);
    if (axis < 0) axis += r;
    normalisationBackward(c, Array.from({ length: r - axis }, (_, i) => axis + i), c.x(1), c.x(2), numAttr(c.node, 'epsilon', 1e-5), false);
  },
  ReduceMean(c) {
    reduceBackward(c, true);
  },
  ReduceSum(c) {
    reduceBackward(c, false);
  },
};

/**
 * Normalisation over `axes` followed by an affine scale: dX = (1/σ)·(g − mean(g) − x̂·mean(g·x̂)) with
 * g = dY·scale (scale per channel for InstanceNorm, over the normalised axes for LayerNorm).
 */
function normalisationBackward(c: RuleContext, axes: number[], scale: string, _bias: string, eps: number, perChannel: boolean): void {
  if (!c.needs(0)) return;
  const x = c.x();
  const mean = c.reduceMean(x, axes);
  const centred = c.sub(x, mean);
  const variance = c.reduceMean(c.mul(centred, centred), axes);
  const inv = c.op1('Reciprocal', [c.op1('Sqrt', [c.add(variance, c.scalar(eps))])]);
  const xhat = c.mul(centred, inv);
  const s = perChannel ? c.op1('Reshape', [scale, c.ints([-1, ...new Array(c.rank(x) - 2).fill(1)])]) : scale;
  const g = c.mul(c.dy()!, s);
  const dx = c.mul(inv, c.sub(c.sub(g, c.reduceMean(g, axes)), c.mul(xhat, c.reduceMean(c.mul(g, xhat), axes))));
  c.set(0, dx);
}

function reduceBackward(c: RuleContext, mean: boolean): void {
  if (!c.needs(0)) return;
  const x = c.x();
  const r = c.rank(x);
  let axes = intsAttr(c.node, 'axes', undefined);
  if (!axes && c.x(1)) {
    const v = c.g.constantValue(c.x(1));
    if (!v) throw c.unsupported('the reduced axes are computed at run time');
    axes = Array.from(v, Number);
  }
  if (!axes || !axes.length) {
    if (numAttr(c.node, 'noop_with_empty_axes', 0)) return c.set(0, c.dy()!);
    axes = Array.from({ length: r }, (_, i) => i);
  }
  axes = axes.map((a) => (a < 0 ? a + r : a)).sort((a, b) => a - b);
  let dy = c.dy()!;
  if (!numAttr(c.node, 'keepdims', 1)) dy = c.unsqueeze(dy, axes);
  if (mean) {
    let count = 1;
    for (const a of axes) count *= c.dim(x, a);
    dy = c.mul(dy, c.scalar(1 / count));
  }
  c.set(0, c.op1('Expand', [dy, c.shapeOf(x)]));
}
