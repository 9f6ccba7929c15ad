/** Tiny ONNX models with known behaviour, built in the test with the project's own ONNX codec. */
import { onnx } from '../../src/engine/onnx/proto';

const FLOAT = 1;

function tensor(name: string, dims: number[], values: Float32Array) {
  return onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) });
}

function valueInfo(name: string, dims: (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}

/**
 * y = Flatten(x) · W + bias for an NCHW image input [N, C, H, W] with a dynamic batch: every output is an
 * exact linear function of the input tensor. `weights` is (C·H·W) × classes, row-major.
 */
export function linearImageModel(channels: number, height: number, width: number, weights: Float32Array, bias: Float32Array): Uint8Array {
  const classes = bias.length;
  const features = channels * height * width;
  if (weights.length !== features * classes) throw new Error('weights must be (C·H·W) × classes');
  const graph = onnx.GraphProto.create({
    name: 'linear',
    node: [
      onnx.NodeProto.create({ opType: 'Flatten', input: ['image'], output: ['flat'], attribute: [{ name: 'axis', type: 2, i: 1 }] }),
      onnx.NodeProto.create({ opType: 'MatMul', input: ['flat', 'W'], output: ['xw'] }),
      onnx.NodeProto.create({ opType: 'Add', input: ['xw', 'b'], output: ['scores'] }),
    ],
    initializer: [tensor('W', [features, classes], weights), tensor('b', [classes], bias)],
    input: [valueInfo('image', ['N', channels, height, width])],
    output: [valueInfo('scores', ['N', classes])],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, producerName: 'glassbox-tests', opsetImport: [{ domain: '', version: 17 }], graph });
  return onnx.ModelProto.encode(model).finish();
}
