/**
 * upgradeOpset: an old model rewritten to opset 17 (or 18) computes the same outputs as the original, checked by
 * running both in onnxruntime-web (Node, WASM) on random inputs — tiny one-op models built here for every
 * rewritten op, and SqueezeNet 1.1 (opset 7) when ../shared/models is present. Models older than opset 7, which
 * onnxruntime cannot run, are checked against values computed here. Unconvertible models are refused by name.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../helpers/compare';
import { decodeImageFile } from '../../src/cli/decode-image';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { GlassboxError } from '../../src/engine/errors';
import { defaultPreprocess, preprocessImage } from '../../src/engine/image/preprocess';
import { createRng } from '../../src/engine/math/rng';
import { GraphEditor, makeAttr, valueInfo, type AttrValue } from '../../src/engine/onnx/graph-edit';
import { upgradeOpset } from '../../src/engine/onnx/opset-upgrade';
import { onnx } from '../../src/engine/onnx/proto';
import { sharedModelsAvailable, sharedPath } from '../helpers/shared-models';

const runtime = createNodeRuntime(1);
const rng = createRng(17);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.float() * 2 - 1);
const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

interface OpNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue | onnx.IGraphProto>;
  /** attribute names to encode as FLOAT(S) */
  floats?: string[];
  /** attributes as written, for values makeAttr cannot express */
  raw?: onnx.IAttributeProto[];
}
interface Case {
  opset: number;
  /** Random float inputs; `declared: false` leaves the shape out of the file (the upgrade then cannot see it). */
  inputs: { name: string; dims: number[]; declared?: boolean }[];
  constants?: { name: string; dims: number[]; values: Float32Array | number[] }[];
  nodes: OpNode[];
  outputs: string[];
}

/** The IR version an exporter of that era would write; IR 3 files list initializers as inputs too. */
const irFor = (opset: number) => (opset <= 8 ? 3 : opset === 9 ? 4 : opset === 10 ? 5 : opset === 11 ? 6 : 7);

function toNodes(nodes: OpNode[]): onnx.INodeProto[] {
  return nodes.map((n) =>
    onnx.NodeProto.create({
      opType: n.op,
      input: n.inputs,
      output: n.outputs,
      name: `${n.op}_${n.outputs[0]}`,
      attribute: Object.entries(n.attrs ?? {}).map(([k, v]) =>
        typeof v === 'object' && !Array.isArray(v) && !(v instanceof Float32Array)
          ? { name: k, type: onnx.AttributeProto.AttributeType.GRAPH, g: v }
          : makeAttr(k, v as AttrValue, n.floats?.includes(k)),
      ).concat(n.raw ?? []),
    }),
  );
}

function initializer(t: { name: string; dims: number[]; values: Float32Array | number[] }): onnx.ITensorProto {
  return t.values instanceof Float32Array
    ? { name: t.name, dims: t.dims, dataType: 1, rawData: new Uint8Array(t.values.buffer.slice(0)) }
    : { name: t.name, dims: t.dims, dataType: 7, int64Data: t.values };
}

function buildModel(c: Case): Uint8Array {
  const ir = irFor(c.opset);
  const inits = (c.constants ?? []).map(initializer);
  const graph = onnx.GraphProto.create({
    name: 'case',
    node: toNodes(c.nodes),
    initializer: inits,
    input: [
      ...c.inputs.map((i) => (i.declared === false ? onnx.ValueInfoProto.create({ name: i.name, type: { tensorType: { elemType: 1 } } }) : valueInfo(i.name, i.dims))),
      ...(ir < 4 ? (c.constants ?? []).map((t) => valueInfo(t.name, t.dims, t.values instanceof Float32Array ? 1 : 7)) : []),
    ],
    output: c.outputs.map((o) => onnx.ValueInfoProto.create({ name: o })),
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: ir, producerName: 'glassbox-tests', opsetImport: [{ domain: '', version: c.opset }], graph })).finish();
}

type Feeds = Record<string, { data: Float32Array; dims: number[] }>;

async function run(bytes: Uint8Array, feeds: Feeds): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const session = await runtime.createSession(bytes, { backend: 'wasm' });
  try {
    return await session.run(feeds);
  } finally {
    await session.dispose();
  }
}


/** Run the model, upgrade it, run it again: same outputs (and shapes) to within float rounding. */
async function expectSameAfterUpgrade(c: Case, target = 17) {
  const bytes = buildModel(c);
  const feeds: Feeds = Object.fromEntries(c.inputs.map((i) => [i.name, { data: randn(size(i.dims)), dims: i.dims }]));
  const before = await run(bytes, feeds);
  const editor = GraphEditor.fromBytes(bytes);
  const result = upgradeOpset(editor, target);
  expect(result.from).toBe(c.opset);
  expect(result.to).toBe(target);
  expect(editor.opsetVersion('')).toBe(target);
  expect(Number(editor.model.irVersion)).toBeGreaterThanOrEqual(target >= 15 ? 8 : 7);
  const upgraded = editor.encode();
  const after = await run(upgraded, feeds);
  for (const o of c.outputs) {
    expect(after[o].dims, o).toEqual(before[o].dims);
    expect(maxAbsDiff(after[o].data, before[o].data), o).toBeLessThan(1e-5);
  }
  return { result, editor: GraphEditor.fromBytes(upgraded), before, after };
}

/** One node reading `x` (dims) and writing `y` (or `outputs`). */
const one = (op: string, opset: number, dims: number[], attrs: OpNode['attrs'] = {}, extra: { floats?: string[]; outputs?: string[] } = {}): Case => ({
  opset,
  inputs: [{ name: 'x', dims }],
  nodes: [{ op, inputs: ['x'], outputs: extra.outputs ?? ['y'], attrs, floats: extra.floats }],
  outputs: extra.outputs ?? ['y'],
});

const opsIn = (e: GraphEditor) => e.nodes.map((n) => n.opType);

describe('upgradeOpset: each rewritten op computes the same after the upgrade to opset 17', () => {
  it('Softmax-7 at axis 1 of a 4-D input with trailing dims > 1 (the 2-D coercion matters) → Flatten/Softmax/Reshape', async () => {
    const { result, editor } = await expectSameAfterUpgrade(one('Softmax', 7, [2, 3, 4, 5], { axis: 1 }));
    expect(opsIn(editor)).toEqual(['Shape', 'Flatten', 'Softmax', 'Reshape']);
    expect(result.rewritten.join('\n')).toMatch(/Softmax/);
  });

  it('LogSoftmax-7 at axis 2 and Hardmax-11 at axis 1 (default axis) of inputs with trailing dims > 1', async () => {
    await expectSameAfterUpgrade(one('LogSoftmax', 7, [2, 3, 4, 5], { axis: 2 }));
    await expectSameAfterUpgrade(one('Hardmax', 11, [2, 3, 4], {}));
  });

  it('Softmax-7 with the default axis on an input whose shape the file does not declare', async () => {
    await expectSameAfterUpgrade({ opset: 7, inputs: [{ name: 'x', dims: [2, 3, 4], declared: false }], nodes: [{ op: 'Softmax', inputs: ['x'], outputs: ['y'] }], outputs: ['y'] });
  });

  it('Softmax-9 at axis 1 of [1,5,1,1] (SqueezeNet style) keeps one node with its axis made explicit', async () => {
    const { editor } = await expectSameAfterUpgrade(one('Softmax', 9, [1, 5, 1, 1]));
    expect(opsIn(editor)).toEqual(['Softmax']);
  });

  it('Unsqueeze-7 and Squeeze-11: axes attribute → input (negative axes included)', async () => {
    const { editor } = await expectSameAfterUpgrade(one('Unsqueeze', 7, [2, 3, 4], { axes: [0, 3] }));
    expect(editor.nodes[0].input).toHaveLength(2);
    await expectSameAfterUpgrade(one('Squeeze', 11, [2, 1, 3, 1], { axes: [1, -1] }));
    await expectSameAfterUpgrade(one('Squeeze', 7, [2, 1, 3, 1]));
  });

  it('Split-7 with sizes and Split-12 without (equal parts)', async () => {
    await expectSameAfterUpgrade(one('Split', 7, [2, 5, 3], { axis: 1, split: [2, 3] }, { outputs: ['a', 'b'] }));
    await expectSameAfterUpgrade(one('Split', 12, [2, 6, 3], { axis: -2 }, { outputs: ['a', 'b', 'c'] }));
  });

  it('ReduceSum-7 and -11: axes attribute → input, keepdims 0 and 1; ReduceMean keeps its attribute below 18', async () => {
    await expectSameAfterUpgrade(one('ReduceSum', 7, [2, 3, 4, 5], { axes: [1, 3], keepdims: 0 }));
    await expectSameAfterUpgrade(one('ReduceSum', 11, [2, 3, 4, 5], { axes: [-1] }));
    await expectSameAfterUpgrade(one('ReduceSum', 7, [2, 3, 4], { keepdims: 0 }));
    const { editor } = await expectSameAfterUpgrade(one('ReduceMean', 7, [2, 3, 4], { axes: [1] }));
    expect(editor.nodes[0].attribute?.map((a) => a.name)).toContain('axes');
  });

  it('Slice-7/9: starts/ends/axes with negatives, an end past the dim and INT64_MAX → inputs; without axes too', async () => {
    await expectSameAfterUpgrade(one('Slice', 7, [2, 4, 5, 6], { starts: [1, -4], ends: [-1, 1000], axes: [1, 3] }));
    await expectSameAfterUpgrade(one('Slice', 9, [4, 5], { starts: [1, 0], ends: [3, -2] }));
    // PyTorch's "to the end": INT64_MAX, which decodes as the double 2^63 and must not wrap to INT64_MIN.
    const toEnd = one('Slice', 9, [4, 5], { starts: [1], axes: [1] });
    const int64Max = { low: -1, high: 0x7fffffff, unsigned: false } as unknown as number;
    toEnd.nodes[0].raw = [{ name: 'ends', type: onnx.AttributeProto.AttributeType.INTS, ints: [int64Max] }];
    expect((await expectSameAfterUpgrade(toEnd)).after.y.dims).toEqual([4, 4]);
  });

  it('Pad-7: pads and a non-zero value → inputs (constant), reflect and edge keep their mode', async () => {
    await expectSameAfterUpgrade(one('Pad', 7, [1, 2, 3, 4], { pads: [0, 0, 1, 2, 0, 0, 2, 1], value: 1.5 }, { floats: ['value'] }));
    await expectSameAfterUpgrade(one('Pad', 10, [1, 2, 3, 4], { pads: [0, 0, 1, 2, 0, 0, 2, 1], mode: 'reflect' }));
    await expectSameAfterUpgrade(one('Pad', 7, [1, 2, 3, 4], { pads: [0, 1, 0, 2, 0, 0, 3, 1], mode: 'edge' }));
  });

  it('Clip-7: min and max attributes → inputs; only max; neither', async () => {
    await expectSameAfterUpgrade(one('Clip', 7, [3, 4], { min: -0.3, max: 0.5 }, { floats: ['min', 'max'] }));
    const { editor } = await expectSameAfterUpgrade(one('Clip', 9, [3, 4], { max: 0.2 }, { floats: ['max'] }));
    expect(editor.nodes.at(-1)?.input?.[1]).toBe('');
    await expectSameAfterUpgrade(one('Clip', 10, [3, 4]));
  });

  it('Dropout-7 (unused mask) and Dropout-10 → Identity', async () => {
    const { editor } = await expectSameAfterUpgrade(one('Dropout', 7, [2, 3], { ratio: 0.5 }, { floats: ['ratio'], outputs: ['y'] }));
    expect(opsIn(editor)).toEqual(['Identity']);
    const c = one('Dropout', 10, [2, 3], {});
    c.nodes[0].outputs = ['y', 'mask'];
    const second = await expectSameAfterUpgrade(c);
    expect(second.editor.nodes[0].output).toEqual(['y']);
  });

  it('BatchNormalization-7 with spatial = 1 and training outputs nobody reads', async () => {
    const c: Case = {
      opset: 7,
      inputs: [{ name: 'x', dims: [2, 3, 4, 4] }],
      constants: [
        { name: 's', dims: [3], values: Float32Array.of(0.5, 1.5, -1) },
        { name: 'b', dims: [3], values: Float32Array.of(0.1, -0.2, 0.3) },
        { name: 'm', dims: [3], values: Float32Array.of(0.2, 0, -0.1) },
        { name: 'v', dims: [3], values: Float32Array.of(1.2, 0.5, 2) },
      ],
      nodes: [{ op: 'BatchNormalization', inputs: ['x', 's', 'b', 'm', 'v'], outputs: ['y'], attrs: { spatial: 1, epsilon: 1e-3, momentum: 0.8 }, floats: ['epsilon', 'momentum'] }],
      outputs: ['y'],
    };
    await expectSameAfterUpgrade(c);
  });

  it('Upsample-7 nearest ×2 and linear (2, 1.5), Upsample-9 nearest with a scales input (2, 3)', async () => {
    await expectSameAfterUpgrade(one('Upsample', 7, [1, 2, 3, 4], { mode: 'nearest', scales: [1, 1, 2, 2] }, { floats: ['scales'] }));
    await expectSameAfterUpgrade(one('Upsample', 7, [1, 2, 3, 4], { mode: 'linear', scales: [1, 1, 2, 1.5] }, { floats: ['scales'] }));
    const c = one('Upsample', 9, [1, 2, 3, 4], { mode: 'nearest' });
    c.constants = [{ name: 'scales', dims: [4], values: Float32Array.of(1, 1, 2, 3) }];
    c.nodes[0].inputs = ['x', 'scales'];
    const { editor } = await expectSameAfterUpgrade(c);
    expect(opsIn(editor)).toEqual(['Resize']);
  });

  it('Resize-10 nearest and linear, up and down (onnxruntime rounds the two differently before opset 11)', async () => {
    for (const [mode, scales] of [
      ['nearest', [1, 1, 2, 2]],
      ['nearest', [1, 1, 0.5, 0.6]],
      ['nearest', [1, 1, 1.5, 2.5]],
      ['linear', [1, 1, 2, 1.5]],
      ['linear', [1, 1, 0.5, 0.75]],
    ] as const) {
      const c = one('Resize', 10, [1, 2, 6, 8], { mode });
      c.constants = [{ name: 'scales', dims: [4], values: Float32Array.from(scales) }];
      c.nodes[0].inputs = ['x', 'scales'];
      const { editor } = await expectSameAfterUpgrade(c);
      expect(editor.nodes[0].input).toHaveLength(3);
    }
  });

  it("Resize-11 with 'tf_half_pixel_for_nn' (removed in 13): nearest_mode floor and round_prefer_floor", async () => {
    for (const nearest of ['floor', 'round_prefer_floor']) {
      for (const scales of [[1, 1, 2, 2], [1, 1, 1.5, 0.5], [1, 1, 3, 0.75]]) {
        const c = one('Resize', 11, [1, 2, 6, 8], { mode: 'nearest', coordinate_transformation_mode: 'tf_half_pixel_for_nn', nearest_mode: nearest });
        c.constants = [{ name: 'roi', dims: [0], values: new Float32Array(0) }, { name: 'scales', dims: [4], values: Float32Array.from(scales) }];
        c.nodes[0].inputs = ['x', 'roi', 'scales'];
        await expectSameAfterUpgrade(c);
      }
    }
  });

  it('TopK-9: k attribute → input (values and indices)', async () => {
    await expectSameAfterUpgrade(one('TopK', 9, [3, 7], { k: 3, axis: 1 }, { outputs: ['values', 'indices'] }));
  });

  it('Scatter-9 → ScatterElements; RoiAlign-10 keeps its output_half_pixel coordinates', async () => {
    const scatter: Case = {
      opset: 9,
      inputs: [{ name: 'data', dims: [3, 4] }, { name: 'updates', dims: [2, 4] }],
      constants: [{ name: 'idx', dims: [2, 4], values: [1, 0, 2, 0, 0, 2, 1, 1] }],
      nodes: [{ op: 'Scatter', inputs: ['data', 'idx', 'updates'], outputs: ['y'], attrs: { axis: 0 } }],
      outputs: ['y'],
    };
    expect(opsIn((await expectSameAfterUpgrade(scatter)).editor)).toEqual(['ScatterElements']);
    const roi: Case = {
      opset: 10,
      inputs: [{ name: 'x', dims: [1, 2, 8, 8] }],
      constants: [
        { name: 'rois', dims: [2, 4], values: Float32Array.of(0, 0, 7, 7, 1.3, 2.2, 5.1, 6.7) },
        { name: 'batch', dims: [2], values: [0, 0] },
      ],
      nodes: [{ op: 'RoiAlign', inputs: ['x', 'rois', 'batch'], outputs: ['y'], attrs: { output_height: 3, output_width: 3, sampling_ratio: 2, spatial_scale: 0.9 }, floats: ['spatial_scale'] }],
      outputs: ['y'],
    };
    await expectSameAfterUpgrade(roi);
  });

  it('nodes inside an If branch are upgraded too (Unsqueeze-9 with an axes attribute in both branches)', async () => {
    const branch = (op: string, y: string): onnx.IGraphProto =>
      onnx.GraphProto.create({
        name: `${op}_branch`,
        node: toNodes([
          { op, inputs: ['x'], outputs: [`${y}_pre`] },
          { op: 'Unsqueeze', inputs: [`${y}_pre`], outputs: [y], attrs: { axes: [0] } },
        ]),
        output: [valueInfo(y, [1, 2, 3])],
      });
    const c: Case = {
      opset: 9,
      inputs: [{ name: 'x', dims: [2, 3] }],
      constants: [{ name: 'zero', dims: [], values: Float32Array.of(0) }],
      nodes: [
        { op: 'ReduceSum', inputs: ['x'], outputs: ['total'], attrs: { keepdims: 0 } },
        { op: 'Greater', inputs: ['total', 'zero'], outputs: ['positive'] },
        { op: 'If', inputs: ['positive'], outputs: ['y'], attrs: { then_branch: branch('Neg', 'yt'), else_branch: branch('Abs', 'ye') } },
      ],
      outputs: ['y'],
    };
    const { result } = await expectSameAfterUpgrade(c);
    expect(result.rewritten.filter((r) => r.startsWith('Unsqueeze'))).toHaveLength(2);
  });

  it('Gemm, Conv, MaxPool, Relu, Concat and Flatten of opset 7 are compatible as they are', async () => {
    const c: Case = {
      opset: 7,
      inputs: [{ name: 'x', dims: [1, 2, 6, 6] }],
      constants: [
        { name: 'w', dims: [3, 2, 3, 3], values: randn(54) },
        { name: 'fw', dims: [4, 3 * 3 * 3 * 2], values: randn(216) },
        { name: 'fb', dims: [4], values: randn(4) },
      ],
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Relu', inputs: ['c'], outputs: ['r'] },
        { op: 'MaxPool', inputs: ['r'], outputs: ['p'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
        { op: 'Concat', inputs: ['p', 'p'], outputs: ['cat'], attrs: { axis: 1 } },
        { op: 'Flatten', inputs: ['cat'], outputs: ['f'] },
        { op: 'Gemm', inputs: ['f', 'fw', 'fb'], outputs: ['y'], attrs: { transB: 1 } },
      ],
      outputs: ['y'],
    };
    const { result } = await expectSameAfterUpgrade(c);
    expect(result.rewritten).toEqual([]);
  });
});

describe('upgradeOpset to opset 18', () => {
  it('ReduceMean/ReduceMax get axes inputs and a Split without sizes gets num_outputs', async () => {
    await expectSameAfterUpgrade(one('ReduceMean', 12, [2, 3, 4], { axes: [0, 2], keepdims: 0 }), 18);
    await expectSameAfterUpgrade(one('ReduceMax', 7, [2, 3, 4], { axes: [-1] }), 18);
    const { editor } = await expectSameAfterUpgrade(one('Split', 12, [2, 6], { axis: 1 }, { outputs: ['a', 'b'] }), 18);
    expect(editor.nodes[0].attribute?.find((a) => a.name === 'num_outputs')?.i).toBe(2);
  });
});

describe('upgradeOpset before opset 7 (onnxruntime cannot run the originals: checked against values computed here)', () => {
  /** A [2,3,4,5] + B [3,4] with legacy broadcast at axis 1: B[c,h] is added at every (n, w). */
  const legacyAdd = (declared: boolean): Case => ({
    opset: 6,
    inputs: [{ name: 'a', dims: [2, 3, 4, 5], declared }, { name: 'b', dims: [3, 4], declared }],
    nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['y'], attrs: { broadcast: 1, axis: 1 } }],
    outputs: ['y'],
  });

  for (const declared of [true, false]) {
    it(`Add-6 with broadcast at axis 1 → numpy broadcasting (ranks ${declared ? 'declared' : 'known only at run time'})`, async () => {
      const editor = GraphEditor.fromBytes(buildModel(legacyAdd(declared)));
      const result = upgradeOpset(editor);
      expect(result.from).toBe(6);
      const a = randn(120), b = randn(12);
      const out = (await run(editor.encode(), { a: { data: a, dims: [2, 3, 4, 5] }, b: { data: b, dims: [3, 4] } })).y;
      expect(out.dims).toEqual([2, 3, 4, 5]);
      const expected = a.map((v, i) => v + b[Math.floor(i / 5) % 12]);
      expect(maxAbsDiff(out.data, expected)).toBe(0);
    });
  }

  it('Mul-6 with broadcast and no axis, Relu/BatchNormalization with consumed_inputs and is_test', async () => {
    const c: Case = {
      opset: 6,
      inputs: [{ name: 'x', dims: [1, 2, 2, 3] }],
      constants: [
        { name: 'k', dims: [3], values: Float32Array.of(2, -1, 0.5) },
        { name: 's', dims: [2], values: Float32Array.of(2, 3) },
        { name: 'b', dims: [2], values: Float32Array.of(1, -1) },
        { name: 'm', dims: [2], values: Float32Array.of(0.5, 0) },
        { name: 'v', dims: [2], values: Float32Array.of(4, 1) },
      ],
      nodes: [
        { op: 'Mul', inputs: ['x', 'k'], outputs: ['xk'], attrs: { broadcast: 1 } },
        { op: 'Relu', inputs: ['xk'], outputs: ['r'], attrs: { consumed_inputs: [0] } },
        { op: 'BatchNormalization', inputs: ['r', 's', 'b', 'm', 'v'], outputs: ['y'], attrs: { is_test: 1, spatial: 1, epsilon: 0, consumed_inputs: [0, 0, 0, 1, 1] }, floats: ['epsilon'] },
      ],
      outputs: ['y'],
    };
    const editor = GraphEditor.fromBytes(buildModel(c));
    upgradeOpset(editor);
    const x = randn(12);
    const out = (await run(editor.encode(), { x: { data: x, dims: [1, 2, 2, 3] } })).y;
    const k = [2, -1, 0.5], s = [2, 3], b = [1, -1], m = [0.5, 0], sd = [2, 1];
    const expected = x.map((v, i) => {
      const ch = Math.floor(i / 6);
      return ((Math.max(0, v * k[i % 3]) - m[ch]) / sd[ch]) * s[ch] + b[ch];
    });
    expect(maxAbsDiff(out.data, expected)).toBeLessThan(1e-6);
  });
});

describe('upgradeOpset from opset 1 (checked against values computed here)', () => {
  it('Upsample-1 (height/width scales), Pad-1 (paddings), Reshape-1 (shape attribute), Concat-1 (default axis), Cast-1 (string type)', async () => {
    const c: Case = {
      opset: 1,
      inputs: [{ name: 'x', dims: [1, 1, 2, 2] }],
      nodes: [
        { op: 'Upsample', inputs: ['x'], outputs: ['up'], attrs: { height_scale: 2, width_scale: 2, mode: 'nearest' }, floats: ['height_scale', 'width_scale'] },
        { op: 'Pad', inputs: ['up'], outputs: ['pad'], attrs: { paddings: [0, 0, 1, 0, 0, 0, 0, 1], value: -2 }, floats: ['value'] },
        { op: 'Reshape', inputs: ['pad'], outputs: ['flat'], attrs: { shape: [1, -1] } },
        { op: 'Concat', inputs: ['flat', 'flat'], outputs: ['both'] },
        { op: 'Cast', inputs: ['both'], outputs: ['y'], attrs: { to: 'FLOAT' } },
      ],
      outputs: ['y'],
    };
    const editor = GraphEditor.fromBytes(buildModel(c));
    const { rewritten } = upgradeOpset(editor);
    expect(rewritten.map((r) => r.split(' ')[0])).toEqual(['Upsample', 'Pad', 'Reshape', 'Concat', 'Cast']);
    const x = Float32Array.of(1, 2, 3, 4);
    const out = (await run(editor.encode(), { x: { data: x, dims: [1, 1, 2, 2] } })).y;
    // 4×4 nearest ×2, then one row of -2 on top and one column of -2 on the right: 5×5, flattened, twice.
    const padded: number[] = [];
    for (let r = -1; r < 4; r++) for (let col = 0; col < 5; col++) padded.push(r < 0 || col === 4 ? -2 : x[Math.floor(r / 2) * 2 + Math.floor(col / 2)]);
    expect(out.dims).toEqual([1, 50]);
    expect(Array.from(out.data)).toEqual([...padded, ...padded]);
  });

  it('ImageScaler (experimental before opset 10) → Mul(scale) → Add(per-channel bias)', async () => {
    const c = one('ImageScaler', 7, [1, 3, 2, 2], { scale: 0.5, bias: Float32Array.of(1, -2, 3) }, { floats: ['scale'] });
    const editor = GraphEditor.fromBytes(buildModel(c));
    upgradeOpset(editor);
    expect(opsIn(editor)).toEqual(['Mul', 'Add']);
    const x = randn(12);
    const out = (await run(editor.encode(), { x: { data: x, dims: [1, 3, 2, 2] } })).y;
    expect(maxAbsDiff(out.data, x.map((v, i) => v * 0.5 + [1, -2, 3][Math.floor(i / 4)]))).toBeLessThan(1e-6);
  });
});

describe('upgradeOpset refuses what it cannot convert, naming the op', () => {
  const refusal = (c: Case, target = 17): GlassboxError => {
    const editor = GraphEditor.fromBytes(buildModel(c));
    const before = editor.encode();
    try {
      upgradeOpset(editor, target);
    } catch (e) {
      expect(e).toBeInstanceOf(GlassboxError);
      // a refused upgrade leaves the model as it was
      expect(Buffer.from(editor.encode()).equals(Buffer.from(before))).toBe(true);
      return e as GlassboxError;
    }
    throw new Error('expected a refusal');
  };

  it('an experimental op (Crop) that no later opset has', () => {
    const e = refusal(one('Crop', 7, [1, 2, 6, 6], { border: [1, 1, 1, 1] }));
    expect(e.code).toBe('MODEL_UNSUPPORTED');
    expect(e.message).toMatch(/Crop/);
    expect(e.message).toMatch(/opset 7/);
    expect(e.hint).toMatch(/opset 13 or newer/);
  });

  it("a Dropout-7 whose mask is a model output, after a node that was already rewritten", () => {
    const c: Case = {
      opset: 7,
      inputs: [{ name: 'x', dims: [2, 3] }],
      nodes: [
        { op: 'Unsqueeze', inputs: ['x'], outputs: ['u'], attrs: { axes: [0] } },
        { op: 'Dropout', inputs: ['u'], outputs: ['y', 'mask'] },
      ],
      outputs: ['y', 'mask'],
    };
    const e = refusal(c);
    expect(e.code).toBe('MODEL_UNSUPPORTED');
    expect(e.message).toMatch(/Dropout/);
  });

  it('an Upsample-9 nearest whose scales are computed at run time, and a Resize-10 nearest that mixes up and down', () => {
    const dyn: Case = {
      opset: 9,
      inputs: [{ name: 'x', dims: [1, 1, 2, 2] }, { name: 's', dims: [4] }],
      nodes: [{ op: 'Upsample', inputs: ['x', 's'], outputs: ['y'], attrs: { mode: 'nearest' } }],
      outputs: ['y'],
    };
    expect(refusal(dyn).message).toMatch(/Upsample.*opset 9/);
    const mixed = one('Resize', 10, [1, 1, 4, 4], { mode: 'nearest' });
    mixed.constants = [{ name: 'scales', dims: [4], values: Float32Array.of(1, 1, 2, 0.5) }];
    mixed.nodes[0].inputs = ['x', 'scales'];
    expect(refusal(mixed).message).toMatch(/Resize/);
  });

  it('a target outside 13–18 is a parameter error', () => {
    expect(refusal(one('Relu', 7, [2]), 12).code).toBe('PARAM_INVALID');
  });

  it('a model already at opset 16 or newer is left alone', () => {
    const editor = GraphEditor.fromBytes(buildModel(one('Unsqueeze', 16, [2], {})));
    expect(upgradeOpset(editor)).toEqual({ from: 16, to: 16, rewritten: [] });
    expect(editor.opsetVersion('')).toBe(16);
  });
});

const available = sharedModelsAvailable();

describe.skipIf(!available)('SqueezeNet 1.1 (opset 7) upgraded to opset 17 (needs ../shared/models)', () => {
  it('gives the same class scores on random inputs and on a photo, and says opset 17', async () => {
    const bytes = new Uint8Array(fs.readFileSync(sharedPath('squeezenet1.1-fp32.onnx')));
    const editor = GraphEditor.fromBytes(bytes);
    const result = upgradeOpset(editor, 17);
    expect(result.from).toBe(7);
    const upgraded = editor.encode();
    expect(GraphEditor.fromBytes(upgraded).opsetVersion('')).toBe(17);
    expect(result.rewritten.map((r) => r.split(' ')[0]).sort()).toEqual(['Dropout', 'Softmax']);

    const dims = [1, 3, 224, 224];
    const photo = await decodeImageFile(new Uint8Array(fs.readFileSync(sharedPath('images', 'chelsea.png'))), 'chelsea.png');
    // SqueezeNet (Caffe2) takes BGR in 0..255 minus the channel means.
    const { tensor } = preprocessImage(photo, { ...defaultPreprocess(), range: 255, mean: [123.68, 116.78, 103.94], std: [1, 1, 1], channelOrder: 'BGR' });
    const inputs = [randn(size(dims)).map((v) => v * 100), randn(size(dims)).map((v) => v * 50), tensor];

    const [original, converted] = await Promise.all([runtime.createSession(bytes, { backend: 'wasm' }), runtime.createSession(upgraded, { backend: 'wasm' })]);
    try {
      for (const data of inputs) {
        const a = (await original.run({ data_0: { data, dims } })).softmaxout_1;
        const b = (await converted.run({ data_0: { data, dims } })).softmaxout_1;
        expect(b.dims).toEqual(a.dims);
        expect(maxAbsDiff(a.data, b.data)).toBeLessThan(1e-4);
      }
    } finally {
      await original.dispose();
      await converted.dispose();
    }
  });
});
