/**
 * GraphEditor against onnxruntime-web (Node, WASM): what it decodes, edits and re-encodes must still run and give
 * the same numbers — round trips, old-IR inputs, extra outputs, the part of a graph after a tensor, explicit
 * padding in place of auto_pad, and fresh names.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../helpers/compare';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { createRng } from '../../src/engine/math/rng';
import { GraphEditor, attr, makeAttr, valueInfo, type AttrValue } from '../../src/engine/onnx/graph-edit';
import { onnx } from '../../src/engine/onnx/proto';
import { inferShapes, staticDims } from '../../src/engine/onnx/shapes';
import { sharedModelsAvailable, sharedPath } from '../helpers/shared-models';

const runtime = createNodeRuntime(1);
const rng = createRng(23);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.float() * 2 - 1);
const size = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/models', name)));
const available = sharedModelsAvailable();

/**
 * KNOWN BUG tests: each states the correct behaviour and fails today because of a bug outside this test
 * (src/engine/onnx/graph-edit.ts or proto.ts; the patch is in the comment). `it.fails` keeps the suite green and
 * turns red once the bug is fixed: then change it to `it`.
 */

type Feeds = Record<string, { data: Float32Array; dims: number[] }>;

async function run(bytes: Uint8Array, feeds: Feeds, fetch?: string[]) {
  const session = await runtime.createSession(bytes, { backend: 'wasm' });
  try {
    return await session.run(feeds, fetch);
  } finally {
    await session.dispose();
  }
}


interface OpNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
  floats?: string[];
}

/** A one-graph opset-17 model: float inputs (dims may be symbolic), float32 initializers, outputs by name. */
function buildModel(spec: {
  inputs: { name: string; dims: (number | string)[] }[];
  constants?: { name: string; dims: number[]; values: Float32Array }[];
  nodes: OpNode[];
  outputs: string[];
}): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: 'g',
    node: spec.nodes.map((n, i) =>
      onnx.NodeProto.create({
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        name: `${n.op}_${i}`,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => makeAttr(k, v, n.floats?.includes(k))),
      }),
    ),
    initializer: (spec.constants ?? []).map((t) => ({ name: t.name, dims: t.dims, dataType: 1, rawData: new Uint8Array(t.values.buffer.slice(0)) })),
    input: spec.inputs.map((i) => valueInfo(i.name, i.dims)),
    output: spec.outputs.map((o) => onnx.ValueInfoProto.create({ name: o })),
  });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, producerName: 'glassbox-tests', opsetImport: [{ domain: '', version: 17 }], graph })).finish();
}

/** Everything the codec knows about a model, as plain data (bytes as base64, 64-bit integers as numbers). */
const plain = (m: onnx.ModelProto) => onnx.ModelProto.toObject(m, { bytes: String, longs: Number, defaults: false, arrays: true });

describe('GraphEditor decode → encode round trip', () => {
  it('keeps every node, attribute, initializer, opset and metadata entry, and onnxruntime gives identical outputs', async () => {
    const bytes = fixture('tiny_labels_metadata.onnx');
    const editor = GraphEditor.fromBytes(bytes);
    const reencoded = editor.encode();
    const original = onnx.ModelProto.decode(bytes);
    const again = onnx.ModelProto.decode(reencoded);
    expect(plain(again)).toEqual(plain(original));
    expect(again.graph?.node).toHaveLength(5);
    expect(again.graph?.initializer?.map((t) => t.name)).toEqual(['conv_w', 'conv_b', 'fc_w', 'fc_b']);
    expect(again.metadataProps).toEqual([expect.objectContaining({ key: 'labels', value: '["zero", "one", "two", "three", "four"]' })]);

    const feeds = { input: { data: randn(2 * 3 * 8 * 8), dims: [2, 3, 8, 8] } };
    const [a, b] = [await run(bytes, feeds), await run(reencoded, feeds)];
    expect(b.logits.dims).toEqual([2, 5]);
    expect(Array.from(b.logits.data)).toEqual(Array.from(a.logits.data));
  });

  // KNOWN BUG: protobufjs drops unknown fields unless Reader.discardUnknown is false, which proto.ts does not
  // set, so graph-edit.ts's promise "re-encoding keeps every field (unknown ones included)" does not hold.
  // Fix (proto.ts, after $protobuf.configure()): $protobuf.Reader.discardUnknown = false;
  it('keeps fields this codec does not know (a newer onnx.proto) byte for byte', () => {
    const bytes = fixture('tiny_nchw_dynamic.onnx');
    // ModelProto field 99, wire type 0 (varint 42): tag (99 << 3) = 792 = 0x98 0x06.
    const withUnknown = new Uint8Array([...bytes, 0x98, 0x06, 42]);
    const reencoded = GraphEditor.fromBytes(withUnknown).encode();
    const tail = Array.from(reencoded);
    const at = tail.findIndex((_, i) => tail[i] === 0x98 && tail[i + 1] === 0x06 && tail[i + 2] === 42);
    expect(at).toBeGreaterThanOrEqual(0);
  });

  // KNOWN BUG: proto.ts disables Long, so int64 fields decode to doubles: INT64_MAX is read as 2^63 and
  // protobufjs's LongBits.fromNumber writes 2^63 back as INT64_MIN; the re-encoded Slice returns nothing.
  // Fix (proto.ts): saturate, e.g. const bits = $protobuf.util.LongBits, from = bits.fromNumber;
  // bits.fromNumber = (v: number) => (v >= 2 ** 63 ? new bits(0xffffffff, 0x7fffffff) : from(v));
  it('keeps INT64_MAX in an int attribute (PyTorch writes Slice ends = INT64_MAX for "to the end")', async () => {
    const int64Max = { low: -1, high: 0x7fffffff, unsigned: false } as unknown as number;
    const slice = onnx.NodeProto.create({
      opType: 'Slice',
      input: ['x'],
      output: ['y'],
      name: 'slice',
      attribute: [makeAttr('starts', [1]), { name: 'ends', type: onnx.AttributeProto.AttributeType.INTS, ints: [int64Max] }],
    });
    const model = onnx.ModelProto.create({
      irVersion: 4,
      opsetImport: [{ domain: '', version: 9 }],
      graph: { name: 'g', node: [slice], input: [valueInfo('x', [4])], output: [valueInfo('y', [3])] },
    });
    const bytes = onnx.ModelProto.encode(model).finish();
    const feeds = { x: { data: Float32Array.of(1, 2, 3, 4), dims: [4] } };
    expect(Array.from((await run(bytes, feeds)).y.data)).toEqual([2, 3, 4]);
    const reencoded = GraphEditor.fromBytes(bytes).encode();
    expect(Buffer.from(reencoded).equals(Buffer.from(bytes))).toBe(true);
    expect(Array.from((await run(reencoded, feeds)).y.data)).toEqual([2, 3, 4]);
  });

  it.skipIf(!available)('SqueezeNet 1.1 (IR 3): every node and weight kept, the 66 weight inputs dropped, same scores (needs ../shared/models)', async () => {
    const bytes = new Uint8Array(fs.readFileSync(sharedPath('squeezenet1.1-fp32.onnx')));
    const editor = GraphEditor.fromBytes(bytes);
    const original = onnx.ModelProto.decode(bytes);
    const again = onnx.ModelProto.decode(editor.encode());
    const { graph: g0, irVersion: ir0, ...rest0 } = plain(original);
    const { graph: g1, irVersion: ir1, ...rest1 } = plain(again);
    expect(rest1).toEqual(rest0);
    // dropping the initializer inputs may raise the IR version to 4 (where they stopped being required)
    expect(ir1).toBeGreaterThanOrEqual(ir0);
    expect(g1.node).toEqual(g0.node);
    expect(g1.initializer).toEqual(g0.initializer);
    expect(g1.output).toEqual(g0.output);
    expect(g1.input.map((v: { name: string }) => v.name)).toEqual(['data_0']);
    expect(g0.input).toHaveLength(1 + g0.initializer.length);

    const feeds = { data_0: { data: randn(3 * 224 * 224).map((v) => v * 100), dims: [1, 3, 224, 224] } };
    const a = (await run(bytes, feeds)).softmaxout_1;
    const b = (await run(editor.encode(), feeds)).softmaxout_1;
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });
});

describe('GraphEditor.encodeForSession (weights handed to onnxruntime as external data, not copied)', () => {
  // y = MatMul(x, W1) + b, then MatMul(·, W2): W1 (64×48, 12 KB) and W2 (48×32, 6 KB) go external, b (48 floats) stays inline
  const spec: Parameters<typeof buildModel>[0] = {
    inputs: [{ name: 'x', dims: ['N', 64] }],
    constants: [
      { name: 'W1', dims: [64, 48], values: randn(64 * 48) },
      { name: 'b', dims: [48], values: randn(48) },
      { name: 'W2', dims: [48, 32], values: randn(48 * 32) },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'W1'], outputs: ['h'] },
      { op: 'Add', inputs: ['h', 'b'], outputs: ['hb'] },
      { op: 'MatMul', inputs: ['hb', 'W2'], outputs: ['y'] },
    ],
    outputs: ['y'],
  };
  const feeds = { x: { data: randn(3 * 64), dims: [3, 64] } };

  it('refers to the decoded bytes by offset, leaves only the graph in the model, and onnxruntime gives the same outputs', async () => {
    const bytes = buildModel(spec);
    const editor = GraphEditor.fromBytes(bytes);
    const before = editor.encode();
    const { model, externalData } = editor.encodeForSession();
    // one in-memory file: the model's own buffer (no copy of the weights)
    expect(externalData).toHaveLength(1);
    expect(externalData[0].data.buffer).toBe(bytes.buffer);
    expect(bytes.length).toBeGreaterThan((64 * 48 + 48 * 32) * 4);
    expect(model.length).toBeLessThan(1024);
    const refs = onnx.ModelProto.decode(model).graph!.initializer!.map((t) => [t.name, t.dataLocation, t.rawData?.length ?? 0]);
    expect(refs).toEqual([
      ['W1', onnx.TensorProto.DataLocation.EXTERNAL, 0],
      ['b', onnx.TensorProto.DataLocation.DEFAULT, 48 * 4],
      ['W2', onnx.TensorProto.DataLocation.EXTERNAL, 0],
    ]);
    const session = await runtime.createSession(model, { backend: 'wasm', externalData });
    const viaExternal = (await session.run(feeds)).y;
    await session.dispose();
    const direct = (await run(bytes, feeds)).y;
    expect(Array.from(viaExternal.data)).toEqual(Array.from(direct.data));
    // the editor is as it was: the same bytes as before, weights inline
    expect(Array.from(editor.encode())).toEqual(Array.from(before));
    expect(editor.graph.initializer?.every((t) => t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL && (t.rawData?.length ?? 0) > 0)).toBe(true);
  });

  it('a weight edited since decoding (its own buffer) is a file of its own', async () => {
    const bytes = buildModel(spec);
    const editor = GraphEditor.fromBytes(bytes);
    const w2 = editor.graph.initializer!.find((t) => t.name === 'W2')!;
    // (a copy: rawData may be a Node Buffer, whose slice() is a view)
    const halved = new Float32Array(new Uint8Array(w2.rawData!).buffer).map((v) => v / 2);
    w2.rawData = new Uint8Array(halved.buffer);
    const { model, externalData } = editor.encodeForSession();
    expect(externalData.map((f) => f.data.buffer === bytes.buffer)).toEqual([true, false]);
    const session = await runtime.createSession(model, { backend: 'wasm', externalData });
    const y = (await session.run(feeds)).y;
    await session.dispose();
    const direct = (await run(bytes, feeds)).y;
    expect(maxAbsDiff(y.data, direct.data.map((v) => v / 2))).toBeLessThan(1e-5);
  });
});

describe('GraphEditor on an old-IR model that lists its initializers as inputs', () => {
  it('lists only the real input, and the re-encoded model still runs with the same outputs', async () => {
    const bytes = fixture('tiny_old_ir_initializers_as_inputs.onnx');
    const editor = GraphEditor.fromBytes(bytes);
    expect(editor.inputNames).toEqual(['input']);
    expect(editor.graph.initializer?.map((t) => t.name)).toEqual(['conv_w', 'conv_b', 'fc_w', 'fc_b']);
    const reencoded = editor.encode();
    const session = await runtime.createSession(reencoded, { backend: 'wasm' });
    expect(session.inputs.map((i) => i.name)).toEqual(['input']);
    await session.dispose();
    const feeds = { input: { data: randn(3 * 8 * 8), dims: [1, 3, 8, 8] } };
    const a = (await run(bytes, feeds)).logits;
    const b = (await run(reencoded, feeds)).logits;
    expect(Array.from(b.data)).toEqual(Array.from(a.data));
  });
});

describe('GraphEditor.addOutput and inferShapes', () => {
  // y = ReduceSum(Relu(Conv(x))) with x [N,1,3,3], two 2×2 filters, bias: the Relu output is computable by hand.
  const w = Float32Array.of(1, -1, 0.5, 2, -0.5, 0, 1, 1);
  const bias = Float32Array.of(0.1, -0.2);
  const spec: Parameters<typeof buildModel>[0] = {
    inputs: [{ name: 'x', dims: ['N', 1, 3, 3] }],
    constants: [
      { name: 'w', dims: [2, 1, 2, 2], values: w },
      { name: 'b', dims: [2], values: bias },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['conv'], attrs: { kernel_shape: [2, 2] } },
      { op: 'Relu', inputs: ['conv'], outputs: ['relu'] },
      { op: 'ReduceSum', inputs: ['relu'], outputs: ['y'], attrs: { keepdims: 0 } },
    ],
    outputs: ['y'],
  };

  function reluByHand(x: Float32Array, batch: number): Float32Array {
    const out = new Float32Array(batch * 2 * 2 * 2);
    for (let n = 0; n < batch; n++)
      for (let f = 0; f < 2; f++)
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 2; j++) {
            let s = bias[f];
            for (let di = 0; di < 2; di++) for (let dj = 0; dj < 2; dj++) s += w[f * 4 + di * 2 + dj] * x[n * 9 + (i + di) * 3 + (j + dj)];
            out[((n * 2 + f) * 2 + i) * 2 + j] = Math.max(0, s);
          }
    return out;
  }

  it('makes onnxruntime return an intermediate tensor equal to the hand-computed Conv → Relu', async () => {
    const editor = GraphEditor.fromBytes(buildModel(spec));
    editor.addOutput('relu');
    editor.addOutput('relu'); // twice: still one output
    expect(editor.outputNames).toEqual(['y', 'relu']);
    const x = randn(3 * 9);
    const out = await run(editor.encode(), { x: { data: x, dims: [3, 1, 3, 3] } });
    expect(out.relu.dims).toEqual([3, 2, 2, 2]);
    expect(maxAbsDiff(out.relu.data, reluByHand(x, 3))).toBeLessThan(1e-6);
  });

  it('inferShapes reports the intermediate shapes with the symbolic batch dim kept as a string', async () => {
    const editor = GraphEditor.fromBytes(buildModel(spec));
    const shapes = await inferShapes(runtime, editor);
    expect(shapes.get('x')?.shape).toEqual(['N', 1, 3, 3]);
    expect(shapes.get('conv')?.shape).toEqual(['N', 2, 2, 2]);
    expect(shapes.get('relu')).toMatchObject({ dtype: 'float32', shape: ['N', 2, 2, 2] });
    expect(shapes.get('y')?.shape).toEqual([]);
    expect(staticDims(shapes.get('relu')?.shape)).toBeUndefined();
    // the editor itself is not changed by the shape query
    expect(editor.outputNames).toEqual(['y']);
  });
});

describe('GraphEditor.subgraphAfter', () => {
  async function expectSameTail(bytes: Uint8Array, tensor: string, dims: (number | string)[], feeds: Feeds, output: string) {
    const full = GraphEditor.fromBytes(bytes);
    full.addOutput(tensor);
    const whole = await run(full.encode(), feeds);
    const tail = GraphEditor.fromBytes(bytes).subgraphAfter(tensor, dims);
    expect(tail.inputNames).toEqual([tensor]);
    const fromTensor = await run(tail.encode(), { [tensor]: whole[tensor] });
    expect(fromTensor[output].dims).toEqual(whole[output].dims);
    expect(maxAbsDiff(fromTensor[output].data, whole[output].data)).toBeLessThan(1e-6);
    return tail;
  }

  it('maps the Relu activation (and the Conv output) of a tiny classifier to the same logits', async () => {
    const bytes = fixture('tiny_nchw_dynamic.onnx');
    const feeds = { input: { data: randn(2 * 3 * 8 * 8), dims: [2, 3, 8, 8] } };
    const tail = await expectSameTail(bytes, 'relu', ['N', 4, 8, 8], feeds, 'logits');
    expect(tail.nodes.map((n) => n.opType)).toEqual(['GlobalAveragePool', 'Flatten', 'Gemm']);
    await expectSameTail(bytes, 'conv', [2, 4, 8, 8], feeds, 'logits');
  });

  it('keeps a constant branch (shape arithmetic on initializers) the tail needs', async () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', dims: [2, 3, 4] }],
      constants: [{ name: 'k', dims: [4], values: Float32Array.of(2, 3, 4, 5) }],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['r'] },
        { op: 'Neg', inputs: ['k'], outputs: ['negk'] },
        { op: 'Mul', inputs: ['r', 'negk'], outputs: ['m'] },
        { op: 'Shape', inputs: ['m'], outputs: ['s'] },
        { op: 'Reshape', inputs: ['m', 's'], outputs: ['y'] },
      ],
      outputs: ['y'],
    });
    const tail = await expectSameTail(bytes, 'r', [2, 3, 4], { x: { data: randn(24), dims: [2, 3, 4] } }, 'y');
    expect(tail.nodes.map((n) => n.opType)).toEqual(['Neg', 'Mul', 'Shape', 'Reshape']);
  });

  it('refuses a tail that also needs a tensor computed before the cut (a skip connection)', () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', dims: [2, 3] }],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['r'] },
        { op: 'Add', inputs: ['r', 'x'], outputs: ['y'] },
      ],
      outputs: ['y'],
    });
    expect(() => GraphEditor.fromBytes(bytes).subgraphAfter('r', [2, 3])).toThrow(expect.objectContaining({ code: 'PARAM_INVALID', message: expect.stringContaining('"x"') }));
  });

  // KNOWN BUG: the tail keeps every initializer and the IR version (3), but GraphEditor has dropped the
  // initializers from graph.input; onnxruntime then rejects an IR < 4 initializer that no node uses ("Graph ctor
  // should have created NodeArg for initializer. Missing: conv1_b_0"). Fix (graph-edit.ts subgraphAfter): keep
  // only the initializers the kept nodes read, and/or raise irVersion to at least 4 wherever the constructor
  // drops initializer inputs.
  it('an old-IR model (initializers listed as inputs): the tail after Relu gives the same logits', async () => {
    const bytes = fixture('tiny_old_ir_initializers_as_inputs.onnx');
    await expectSameTail(bytes, 'relu', [1, 4, 8, 8], { input: { data: randn(3 * 8 * 8), dims: [1, 3, 8, 8] } }, 'logits');
  });

  // KNOWN BUG: as above (SqueezeNet is IR 3).
  (available ? it : it.skip)('SqueezeNet 1.1: the part after fire7 gives the same class scores (needs ../shared/models)', async () => {
    const bytes = new Uint8Array(fs.readFileSync(sharedPath('squeezenet1.1-fp32.onnx')));
    const feeds = { data_0: { data: randn(3 * 224 * 224).map((v) => v * 100), dims: [1, 3, 224, 224] } };
    const tail = await expectSameTail(bytes, 'fire7/concat_1', [1, 384, 13, 13], feeds, 'softmaxout_1');
    expect(tail.nodes.length).toBeLessThan(GraphEditor.fromBytes(bytes).nodes.length / 2);
  });
});

describe('GraphEditor.normaliseAutoPad', () => {
  type Case = { op: string; mode: string; size: number; kernel: number; stride: number; dilation?: number };
  const cases: Case[] = [];
  for (const op of ['Conv', 'MaxPool', 'AveragePool'])
    for (const mode of ['SAME_UPPER', 'SAME_LOWER', 'VALID'])
      for (const size of [7, 8])
        for (const stride of [1, 2])
          for (const kernel of [2, 3]) cases.push({ op, mode, size, kernel, stride });
  // onnxruntime refuses dilations with SAME_* (so there is nothing to compare against); VALID it runs.
  cases.push({ op: 'Conv', mode: 'VALID', size: 8, kernel: 3, stride: 1, dilation: 2 }, { op: 'MaxPool', mode: 'VALID', size: 7, kernel: 2, stride: 2, dilation: 3 });

  function autoPadModel(c: Case, channels = 2): Uint8Array {
    const isConv = c.op.startsWith('Conv');
    const wDims = c.op === 'ConvTranspose' ? [channels, 3, c.kernel, c.kernel] : [3, channels, c.kernel, c.kernel];
    return buildModel({
      inputs: [{ name: 'x', dims: [1, channels, c.size, c.size + 1] }],
      constants: isConv ? [{ name: 'w', dims: wDims, values: randn(size(wDims)) }] : [],
      nodes: [
        {
          op: c.op,
          inputs: isConv ? ['x', 'w'] : ['x'],
          outputs: ['y'],
          attrs: {
            auto_pad: c.mode,
            strides: [c.stride, c.stride],
            ...(c.op === 'Conv' ? {} : { kernel_shape: [c.kernel, c.kernel] }),
            ...(c.dilation ? { dilations: [c.dilation, c.dilation] } : {}),
          },
        },
      ],
      outputs: ['y'],
    });
  }

  async function expectSamePadding(c: Case) {
    const bytes = autoPadModel(c);
    const editor = GraphEditor.fromBytes(bytes);
    const shapes = await inferShapes(runtime, editor);
    editor.normaliseAutoPad((t) => staticDims(shapes.get(t)?.shape)?.slice(2));
    const node = editor.nodes[0];
    expect(attr(node, 'auto_pad', 'NOTSET')).toBe('NOTSET');
    const pads = attr(node, 'pads', undefined) as number[];
    expect(pads).toHaveLength(4);
    if (c.mode === 'VALID') expect(pads).toEqual([0, 0, 0, 0]);
    const feeds = { x: { data: randn(2 * c.size * (c.size + 1)), dims: [1, 2, c.size, c.size + 1] } };
    const a = (await run(bytes, feeds)).y;
    const b = (await run(editor.encode(), feeds)).y;
    expect(b.dims, JSON.stringify({ ...c, pads })).toEqual(a.dims);
    expect(maxAbsDiff(a.data, b.data), JSON.stringify({ ...c, pads })).toBeLessThan(1e-5);
  }

  it.each(cases.map((c) => [`${c.op} ${c.mode} size ${c.size}×${c.size + 1} kernel ${c.kernel} stride ${c.stride}${c.dilation ? ` dilation ${c.dilation}` : ''}`, c] as const))(
    '%s: explicit pads give identical outputs',
    async (_, c) => expectSamePadding(c),
  );

  for (const mode of ['SAME_UPPER', 'SAME_LOWER'])
    for (const stride of [1, 2])
      it(`ConvTranspose ${mode} stride ${stride} kernel 2 and 3: explicit pads give identical outputs`, async () => {
        await expectSamePadding({ op: 'ConvTranspose', mode, size: 5, kernel: 2, stride });
        await expectSamePadding({ op: 'ConvTranspose', mode, size: 4, kernel: 3, stride });
      });

  it('leaves NOTSET nodes and their pads alone', async () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', dims: [1, 1, 5, 5] }],
      nodes: [{ op: 'MaxPool', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: [3, 3], pads: [1, 0, 0, 1] } }],
      outputs: ['y'],
    });
    const editor = GraphEditor.fromBytes(bytes);
    editor.normaliseAutoPad(() => {
      throw new Error('no size should be asked for');
    });
    expect(attr(editor.nodes[0], 'pads', undefined)).toEqual([1, 0, 0, 1]);
  });
});

describe('GraphEditor.fresh', () => {
  /** A model that already uses the names fresh('t') would make first, in every place a name can live. */
  function crowdedModel(): Uint8Array {
    const thenBranch = onnx.GraphProto.create({
      name: 'then',
      node: [onnx.NodeProto.create({ opType: 'Neg', input: ['t__gb1'], output: ['t__gb7'], name: 't__gb8' })],
      output: [valueInfo('t__gb7', [2])],
    });
    const elseBranch = onnx.GraphProto.create({
      name: 'else',
      node: [onnx.NodeProto.create({ opType: 'Abs', input: ['t__gb1'], output: ['t__gb9'], name: 'abs' })],
      output: [valueInfo('t__gb9', [2])],
    });
    const graph = onnx.GraphProto.create({
      name: 'g',
      node: [
        onnx.NodeProto.create({ opType: 'Relu', input: ['t__gb0'], output: ['t__gb1'], name: 't__gb2' }),
        onnx.NodeProto.create({ opType: 'ReduceSum', input: ['t__gb1'], output: ['sum'], name: 'sum', attribute: [makeAttr('keepdims', 0)] }),
        onnx.NodeProto.create({ opType: 'Greater', input: ['sum', 't__gb3'], output: ['cond'], name: 'gt' }),
        onnx.NodeProto.create({
          opType: 'If',
          input: ['cond'],
          output: ['t__gb5'],
          name: 'if',
          attribute: [
            { name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: thenBranch },
            { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: elseBranch },
          ],
        }),
      ],
      initializer: [{ name: 't__gb3', dims: [], dataType: 1, rawData: new Uint8Array(4) }],
      input: [valueInfo('t__gb0', [2])],
      output: [valueInfo('t__gb5', [2])],
      valueInfo: [valueInfo('t__gb4', [2])],
    });
    return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph })).finish();
  }

  function namesIn(g: onnx.IGraphProto, into = new Set<string>()): Set<string> {
    for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) into.add(v.name ?? '');
    for (const t of g.initializer ?? []) into.add(t.name ?? '');
    for (const n of g.node ?? []) {
      [...(n.input ?? []), ...(n.output ?? []), n.name ?? ''].forEach((x) => into.add(x));
      for (const a of n.attribute ?? []) if (a.g) namesIn(a.g, into);
    }
    return into;
  }

  it('never returns a name used in the main graph (inputs, outputs, value_info, initializers, nodes) or by an earlier call', () => {
    const editor = GraphEditor.fromBytes(crowdedModel());
    const mainNames = new Set([...namesIn({ ...editor.graph, node: editor.nodes.map((n) => ({ ...n, attribute: [] })) })]);
    const made = Array.from({ length: 30 }, () => editor.fresh('t'));
    for (const m of made) expect(mainNames.has(m), m).toBe(false);
    expect(new Set(made).size).toBe(made.length);
    // names registered by edits are avoided too
    const out = editor.addNode('Relu', ['t__gb0'], [], ['t__gb100']);
    editor.addInitializer({ name: 't__gb101', dims: [1], dataType: 1, rawData: new Uint8Array(4) });
    expect(out).toEqual(['t__gb100']);
    const later = Array.from({ length: 80 }, () => editor.fresh('t'));
    expect(later).not.toContain('t__gb100');
    expect(later).not.toContain('t__gb101');
  });

  // KNOWN BUG: the constructor registers only main-graph names, so fresh() can return a name an If/Loop body
  // already defines (here t__gb7, t__gb8, t__gb9). Fix (graph-edit.ts constructor): walk node attributes' `g` and
  // `graphs` recursively and add their inputs, outputs, value_info, initializers, node inputs/outputs/names.
  it('never returns a name used inside a subgraph (ONNX forbids shadowing an outer name)', () => {
    const editor = GraphEditor.fromBytes(crowdedModel());
    const all = namesIn(editor.graph);
    const made = Array.from({ length: 12 }, () => editor.fresh('t'));
    expect(made.filter((m) => all.has(m))).toEqual([]);
  });
});
