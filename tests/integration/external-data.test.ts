// @vitest-environment node
/**
 * Models with external data (weights in a separate file): inlining gives a self-contained model that predicts
 * exactly what the same model saved inline does (byte for byte, here), and a missing or short file is refused by name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { GlassboxError } from '../../src/engine/errors';
import { externalDataBaseName, externalDataFiles, externalDataLocationProblem, externalDataRefs, inlineExternalData, mayHaveExternalData } from '../../src/engine/onnx/external-data';
import { decodeModel } from '../../src/engine/onnx/model-graph';
import { onnx } from '../../src/engine/onnx/proto';

const DIR = path.resolve(import.meta.dirname, '../fixtures/models/external');
const read = (name: string) => new Uint8Array(fs.readFileSync(path.join(DIR, name)));
const external = read('tiny_external.onnx');
const data = read('tiny_external.onnx.data');
const twin = read('tiny_external_inline.onnx');

function thrown(f: () => unknown): GlassboxError {
  try {
    f();
  } catch (e) {
    return e as GlassboxError;
  }
  throw new Error('did not throw');
}

describe('external data', () => {
  it('lists the referenced file and every tensor slice in it', () => {
    expect(externalDataFiles(external)).toEqual(['tiny_external.onnx.data']);
    expect(externalDataRefs(decodeModel(external))).toEqual([
      { tensor: 'conv_w', location: 'tiny_external.onnx.data', offset: 0, length: 432 },
      { tensor: 'conv_b', location: 'tiny_external.onnx.data', offset: 432, length: 16 },
      { tensor: 'fc_w', location: 'tiny_external.onnx.data', offset: 448, length: 80 },
      { tensor: 'fc_b', location: 'tiny_external.onnx.data', offset: 528, length: 20 },
    ]);
    expect(externalDataFiles(twin)).toEqual([]);
  });

  it('inlined, the model is byte for byte the one onnx saves inline', () => {
    const inlined = inlineExternalData(external, new Map([['tiny_external.onnx.data', data]]));
    expect(Buffer.from(inlined).equals(Buffer.from(twin))).toBe(true);
    const tensor = decodeModel(inlined).graph!.initializer![0];
    expect(tensor.dataLocation).toBe(onnx.TensorProto.DataLocation.DEFAULT);
    expect(tensor.externalData).toEqual([]);
  });

  it('inlined, it predicts the same scores as the inline twin in onnxruntime', async () => {
    const runtime = createNodeRuntime(1);
    const input = Float32Array.from({ length: 2 * 3 * 8 * 8 }, (_, i) => Math.sin(i * 0.37));
    const a = await runtime.loadModel(inlineExternalData(external, new Map([['tiny_external.onnx.data', data]])), { backend: 'wasm' });
    const b = await runtime.loadModel(twin, { backend: 'wasm' });
    const ya = Array.from(await a.run(input, [2, 3, 8, 8]));
    const yb = Array.from(await b.run(input, [2, 3, 8, 8]));
    expect(ya).toHaveLength(10);
    expect(ya).toEqual(yb);
    await a.dispose();
    await b.dispose();
  });

  it('a byte search tells self-contained models apart without parsing them', () => {
    expect(mayHaveExternalData(external)).toBe(true);
    expect(mayHaveExternalData(twin)).toBe(false);
    for (const name of fs.readdirSync(path.join(DIR, '..')).filter((f) => f.endsWith('.onnx'))) {
      expect(mayHaveExternalData(new Uint8Array(fs.readFileSync(path.join(DIR, '..', name)))), name).toBe(false);
    }
  });

  it('a self-contained model comes back unchanged', () => {
    expect(inlineExternalData(twin, new Map())).toBe(twin);
  });

  it('a missing data file is refused by name', () => {
    const e = thrown(() => inlineExternalData(external, new Map()));
    expect(e).toBeInstanceOf(GlassboxError);
    expect(e.code).toBe('MODEL_LOAD_FAILED');
    expect(e.message).toBe('This model keeps its weights in "tiny_external.onnx.data"; open it together with the .onnx file.');
    const dropped = thrown(() => inlineExternalData(external, new Map(), { instruction: (n) => `drop ${n === 1 ? 'it' : 'them'} together with the .onnx` }));
    expect(dropped.message).toBe('This model keeps its weights in "tiny_external.onnx.data"; drop it together with the .onnx.');
  });

  it('a data file too short for a tensor is refused, naming the file and the tensor', () => {
    const e = thrown(() => inlineExternalData(external, new Map([['tiny_external.onnx.data', data.subarray(0, 500)]])));
    expect(e.code).toBe('MODEL_LOAD_FAILED');
    expect(e.message).toBe('The weights file "tiny_external.onnx.data" is 500 bytes, too short for tensor "fc_w" (bytes 448–528).');
  });

  it('a slice whose length does not match the tensor shape is refused', () => {
    const model = decodeModel(external);
    model.graph!.initializer![1].externalData!.find((e) => e.key === 'length')!.value = '12';
    const e = thrown(() => inlineExternalData(onnx.ModelProto.encode(model).finish(), new Map([['tiny_external.onnx.data', data]])));
    expect(e.message).toBe('Tensor "conv_b" should hold 16 bytes but its slice of "tiny_external.onnx.data" is 12 bytes.');
  });

  it('locations that leave the model folder are flagged; base names are what a user drops', () => {
    expect(externalDataLocationProblem('weights/model.bin')).toBeUndefined();
    expect(externalDataLocationProblem('../secret.bin')).toMatch(/outside/);
    expect(externalDataLocationProblem('a/../../b')).toMatch(/outside/);
    expect(externalDataLocationProblem('/etc/passwd')).toMatch(/absolute/);
    expect(externalDataLocationProblem('C:\\x.bin')).toMatch(/absolute/);
    expect(externalDataBaseName('weights/model.bin')).toBe('model.bin');
    expect(externalDataBaseName('model.onnx.data')).toBe('model.onnx.data');
  });
});
