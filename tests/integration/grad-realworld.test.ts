/**
 * Gradients and CAM layers on the model shapes people actually have, against PyTorch autograd
 * (tests/fixtures/grad/realworld/, made by tools/make_realworld_fixtures.py): a float16 model, a dynamic
 * height/width model at a non-square size, an EfficientNet-style net with squeeze-excitation pools, and
 * torchvision's VisionTransformer (run-time computed Slice starts; LayerNorm as one op at opset 17 and
 * decomposed at opset 14). Plus the constructs that must be named, not mis-explained: weight-only tensors,
 * If nodes and quantised paths.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGradientSource } from '../../src/engine/grad/gradient-model';
import { channelWeightedSum, featureMapsOf, gradCamWeights, relu } from '../../src/engine/explain/cam';
import { onnx } from '../../src/engine/onnx/proto';
import { autogradSeed, expectAutogradMatch, relativeError } from '../helpers/compare';
import { buildModel, runtime } from '../helpers/grad-check';
import { f32 } from '../helpers/method-fixtures';
import { sharedModelsAvailable, sharedPath } from '../helpers/shared-models';

const DIR = path.resolve(import.meta.dirname, '../fixtures/grad/realworld');
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8'));
const sourceOf = (file: string, dir = DIR) => createGradientSource(runtime, new Uint8Array(fs.readFileSync(path.join(dir, file))), 'wasm');

const seedFor = autogradSeed;

describe('gradients equal PyTorch autograd on real-world model shapes', () => {
  it.each(['resnetish_fp16', 'resnetish_dynhw', 'senet', 'tvit', 'tvit_opset14'])('%s: logits, layer activation and gradient, input gradient', async (name) => {
    const ref = load(name);
    const source = sourceOf(ref.model).forInput(ref.input_shape);
    const model = await source.gradients({ layer: 'feat', input: true });
    expectAutogradMatch(await model.run(f32(ref.input), ref.input_shape, seedFor(ref, model.classes)), ref);
    await source.dispose();
  });

  it('a float16 model: differentiated in float32, its 4×4 map found as the CAM layer', async () => {
    const source = sourceOf('resnetish_fp16.onnx');
    const catalog = await source.catalog();
    expect(catalog.suggested).toBe('feat');
    expect(catalog.candidates.find((c) => c.name === 'feat')).toMatchObject({ gridHeight: 4, gridWidth: 4, channels: 32 });
    expect(await source.unsupported('feat')).toEqual([]);
    await source.dispose();
  });

  it('a dynamic height/width model is prepared per input size: 32×32 equals the fixed-size twin, 40×48 gives a 5×6 layer', async () => {
    const source = sourceOf('resnetish_dynhw.onnx');
    // the fused net computes the same function as tests/fixtures/grad/resnetish.onnx (BatchNorm folded in torch)
    const square = JSON.parse(fs.readFileSync(path.resolve(DIR, '../resnetish.json'), 'utf8'));
    const at32 = await source.forInput(square.input_shape).gradients({ layer: 'feat', input: true });
    const out32 = await at32.run(f32(square.input), square.input_shape, seedFor(square, at32.classes));
    expect(relativeError(out32.scores, f32(square.logits))).toBeLessThan(1e-4);
    expect(relativeError(out32.gradInput!.data, f32(square.grad_input))).toBeLessThan(1e-3);
    const catalog = await source.forInput([1, 3, 40, 48]).catalog();
    expect(catalog.suggested).toBe('feat');
    expect(catalog.candidates.find((c) => c.name === 'feat')).toMatchObject({ gridHeight: 5, gridWidth: 6 });
    // without a size, open dims default to 224 (28×28 at this net's stride of 8)
    expect((await source.catalog()).candidates.find((c) => c.name === 'feat')).toMatchObject({ gridHeight: 28, gridWidth: 28 });
    await source.dispose();
  });
});

describe('CAM layers on real-world architectures', () => {
  it('squeeze-excitation net: the suggestion is the head’s final 4×4 map, not the input of an SE block’s pool', async () => {
    const source = sourceOf('senet.onnx');
    const catalog = await source.catalog();
    expect(catalog.suggested).toBe('feat');
    expect(catalog.reason).toMatch(/4×4\) before GlobalAveragePool/);
    // the SE pools read 16×16 and 8×8 maps, which are candidates but not the suggestion
    expect(catalog.candidates.some((c) => c.gridHeight === 16)).toBe(true);
    await source.dispose();
  });

  it.each(['tvit', 'tvit_opset14'])('%s: suggests encoder.layers[-1].ln_1 and its Grad-CAM equals pytorch-grad-cam with reshape_transform', async (name) => {
    const ref = load(name);
    const source = sourceOf(ref.model).forInput(ref.input_shape);
    const catalog = await source.catalog();
    expect(catalog.suggested).toBe('feat');
    const layer = catalog.candidates.find((c) => c.name === 'feat')!;
    expect(layer).toMatchObject({ layout: 'tokens-cls', gridHeight: 4, gridWidth: 4, channels: 16 });
    // attention-internal tensors ([N·heads, T, d]) and sequence-first ones ([T, N, C]) are not offered
    expect(catalog.candidates.every((c) => c.shape[0] === 'N')).toBe(true);
    const model = await source.gradients({ layer: 'feat' });
    const out = await model.run(f32(ref.input), ref.input_shape, seedFor(ref, model.classes));
    const expected = f32(ref.gradcam);
    for (let row = 0; row < 2; row++) {
      const a = featureMapsOf(out.activation!.data, out.activation!.dims, row, layer.layout, 4, 4);
      const g = featureMapsOf(out.gradLayer!.data, out.gradLayer!.dims, row, layer.layout, 4, 4);
      const cam = relu(channelWeightedSum(a, gradCamWeights(a, g.data)));
      const want = expected.subarray(row * 16, (row + 1) * 16);
      expect(Math.max(...want)).toBeGreaterThan(0);
      expect(relativeError(cam, want)).toBeLessThan(1e-3);
    }
    await source.dispose();
  });

  it('tensors computed from weights alone (a Constant kernel, arithmetic on initializers) are never layer candidates', async () => {
    const bytes = buildModel({
      inputs: [{ name: 'x', dims: [1, 3, 8, 8] }],
      constants: [
        { name: 'w0', dims: [1, 3, 8, 8], values: Float32Array.from({ length: 192 }, (_, i) => Math.sin(i)) },
        { name: 's', dims: [1], values: Float32Array.of(0.5) },
      ],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['r'] },
        { op: 'Mul', inputs: ['w0', 's'], outputs: ['weights_only'] },
        { op: 'Add', inputs: ['r', 'weights_only'], outputs: ['z'] },
        { op: 'GlobalAveragePool', inputs: ['z'], outputs: ['g'] },
        { op: 'Flatten', inputs: ['g'], outputs: ['y'] },
      ],
      output: 'y',
    });
    const source = createGradientSource(runtime, bytes, 'wasm');
    const catalog = await source.catalog();
    expect(catalog.candidates.map((c) => c.name).sort()).toEqual(['r', 'z']);
    expect(catalog.suggested).toBe('z');
    await source.dispose();
  });
});

describe('constructs gradients cannot follow are named exactly', () => {
  const graphAttr = (name: string, nodes: onnx.INodeProto[], output: string) => ({
    name,
    type: onnx.AttributeProto.AttributeType.GRAPH,
    g: onnx.GraphProto.create({ name, node: nodes.map((n) => onnx.NodeProto.create(n)), output: [onnx.ValueInfoProto.create({ name: output })] }),
  });

  it('an If node whose branches read the image: "control-flow operator If" with its node name, not "scores do not depend"', async () => {
    const model = onnx.ModelProto.decode(
      buildModel({
        inputs: [{ name: 'x', dims: [1, 3, 4, 4] }],
        nodes: [
          { op: 'ReduceMean', inputs: ['x'], outputs: ['m'], attrs: { keepdims: 0 } },
          { op: 'Greater', inputs: ['m', 'zero'], outputs: ['cond'] },
          { op: 'GlobalAveragePool', inputs: ['branch'], outputs: ['g'] },
          { op: 'Flatten', inputs: ['g'], outputs: ['y'] },
        ],
        constants: [{ name: 'zero', dims: [], values: Float32Array.of(0) }],
        output: 'y',
      }),
    );
    const ifNode = onnx.NodeProto.create({
      opType: 'If',
      name: 'choose_branch',
      input: ['cond'],
      output: ['branch'],
      attribute: [graphAttr('then_branch', [{ opType: 'Relu', input: ['x'], output: ['t'] }], 't'), graphAttr('else_branch', [{ opType: 'Neg', input: ['x'], output: ['e'] }], 'e')],
    });
    model.graph!.node!.splice(2, 0, ifNode);
    const source = createGradientSource(runtime, onnx.ModelProto.encode(model).finish(), 'wasm');
    expect(await source.unsupported()).toContain('If');
    await expect(source.gradients({ input: true })).rejects.toMatchObject({ code: 'GRADIENT_UNSUPPORTED', message: expect.stringMatching(/control-flow operator "If" \(node "choose_branch"\)/) });
    await source.dispose();
  });

  it('a quantised path (QuantizeLinear → DequantizeLinear): names the op and the integer type', async () => {
    const model = onnx.ModelProto.decode(
      buildModel({
        inputs: [{ name: 'x', dims: [1, 3, 4, 4] }],
        constants: [{ name: 'scale', dims: [], values: Float32Array.of(0.05) }],
        nodes: [
          { op: 'QuantizeLinear', inputs: ['x', 'scale', 'zp'], outputs: ['q'] },
          { op: 'DequantizeLinear', inputs: ['q', 'scale', 'zp'], outputs: ['dq'] },
          { op: 'GlobalAveragePool', inputs: ['dq'], outputs: ['g'] },
          { op: 'Flatten', inputs: ['g'], outputs: ['y'] },
        ],
        output: 'y',
      }),
    );
    model.graph!.initializer!.push(onnx.TensorProto.create({ name: 'zp', dims: [], dataType: 2, rawData: Uint8Array.of(128) }));
    const source = createGradientSource(runtime, onnx.ModelProto.encode(model).finish(), 'wasm');
    expect(await source.unsupported()).toEqual(['QuantizeLinear']);
    await expect(source.gradients({ input: true })).rejects.toMatchObject({
      code: 'GRADIENT_UNSUPPORTED',
      message: expect.stringMatching(/goes through "QuantizeLinear" \(node "QuantizeLinear_q"\), and its output is uint8 \(a quantised model\)/),
    });
    await source.dispose();
  });
});

describe.runIf(sharedModelsAvailable())('the real int8 MobileNetV2 (../shared/models)', () => {
  it('input gradients name QuantizeLinear; a CAM layer read only through Shape says so and that the model is quantised', async () => {
    const source = createGradientSource(runtime, new Uint8Array(fs.readFileSync(sharedPath('mobilenetv2-12-int8.onnx'))), 'wasm');
    await expect(source.gradients({ input: true })).rejects.toMatchObject({ message: expect.stringMatching(/goes through "QuantizeLinear" \(node "[^"]+"\), and its output is u?int8 \(a quantised model\)/) });
    const catalog = await source.catalog();
    expect(catalog.suggested).toBeDefined();
    expect(await source.unsupported(catalog.suggested)).toEqual(['QuantizeLinear']);
    await expect(source.gradients({ layer: catalog.suggested })).rejects.toMatchObject({ message: expect.stringMatching(/only through its shape, not its values \(this is a quantised model/) });
    await source.dispose();
  });
});
