/**
 * GraphEditor.encode writes the initializers apart (each tensor's raw bytes copied once, in a second `graph` field
 * that protobuf parsers merge): the bytes must decode to the same model as protobufjs's own encoding, raw data,
 * typed data and all, and onnxruntime must run them to the same outputs.
 */
import { describe, expect, it } from 'vitest';
import { GraphEditor } from '../../../src/engine/onnx/graph-edit';
import { onnx } from '../../../src/engine/onnx/proto';
import { createRng } from '../../../src/engine/math/rng';
import { runtime } from '../../helpers/grad-check';
import { linearImageModel } from '../../helpers/onnx-builder';

describe('GraphEditor.encode', () => {
  const rng = createRng(5);
  const weights = Float32Array.from({ length: 3 * 4 * 5 * 2 }, () => rng.float() - 0.5);
  const bytes = linearImageModel(3, 4, 5, weights, Float32Array.of(0.25, -1));

  it('decodes to the same model as protobufjs encodes, with a typed-data tensor and a large raw tensor', () => {
    const editor = GraphEditor.fromBytes(bytes);
    const model = (editor as unknown as { model: onnx.IModelProto }).model;
    // a tensor in float_data (no raw bytes) and one over 128 bytes of varint length
    model.graph!.initializer!.push(onnx.TensorProto.create({ name: 'typed', dims: [3], dataType: 1, floatData: [1, 2.5, -3] }));
    model.graph!.initializer!.push(onnx.TensorProto.create({ name: 'big', dims: [40000], dataType: 2, rawData: Uint8Array.from({ length: 40000 }, (_, i) => i % 251) }));
    const ours = onnx.ModelProto.decode(editor.encode());
    const theirs = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
    expect(onnx.ModelProto.toObject(ours, { bytes: Array, longs: Number })).toEqual(onnx.ModelProto.toObject(theirs, { bytes: Array, longs: Number }));
    expect(ours.graph!.initializer!.map((t) => t.name)).toEqual(theirs.graph!.initializer!.map((t) => t.name));
  });

  it('onnxruntime runs the re-encoded model to the same outputs', async () => {
    const again = GraphEditor.fromBytes(bytes).encode();
    expect(again).not.toEqual(bytes); // written the new way, not copied
    const input = Float32Array.from({ length: 60 }, (_, i) => Math.sin(i));
    const a = await runtime.loadModel(bytes, { backend: 'wasm' });
    const b = await runtime.loadModel(again, { backend: 'wasm' });
    expect(Array.from(await b.run(input, [1, 3, 4, 5]))).toEqual(Array.from(await a.run(input, [1, 3, 4, 5])));
    await a.dispose();
    await b.dispose();
  });
});
