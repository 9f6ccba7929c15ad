/**
 * Each broken or unsupported input in tests/corpus/bad-inputs.json is refused with its exact code and message,
 * and the parser or runtime text sits in `detail`, never in the message itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/args';
import { decodeImageFile } from '../../src/cli/decode-image';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { predictFile } from '../../src/cli/predict-file';
import { GlassboxError } from '../../src/engine/errors';

interface CorpusEntry {
  file: string;
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const corpus = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/corpus/bad-inputs.json'), 'utf8')) as Record<'models' | 'images' | 'foreignModels', CorpusEntry[]>;
const bytes = (file: string) => new Uint8Array(fs.readFileSync(path.join(ROOT, 'tests/fixtures', file)));

async function caught(p: Promise<unknown>): Promise<GlassboxError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GlassboxError);
    return e as GlassboxError;
  }
  throw new Error('expected a GlassboxError, but it succeeded');
}

describe('bad models', () => {
  const runtime = createNodeRuntime(1);
  it.each(corpus.models)('$file → $code', async ({ file, code, message, detail }) => {
    const error = await caught(runtime.loadModel(bytes(file), { backend: 'wasm' }));
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.hint ?? '').not.toBe('');
    if (detail) {
      expect(error.detail).toMatch(new RegExp(detail));
      // The parser's or runtime's words are kept out of the first line.
      expect(error.message).not.toContain(error.detail);
    } else {
      expect(error.detail).toBeUndefined();
    }
    expect(error.message).not.toMatch(/wire type|protobuf|ERROR_CODE|index out of range/i);
  });
});

describe('bad images (Node decoder used by the CLI)', () => {
  it.each(corpus.images)('$file → $code', async ({ file, code, message }) => {
    const error = await caught(decodeImageFile(bytes(file), path.basename(file)));
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.detail).toMatch(/^sharp \(libvips\): ./);
    expect(error.message).not.toMatch(/libpng|vips|unsupported image format/i);
  });

  it('an empty file is IMAGE_EMPTY', async () => {
    const error = await caught(decodeImageFile(new Uint8Array(0), 'empty.png'));
    expect(error.code).toBe('IMAGE_EMPTY');
    expect(error.message).toBe('empty.png is empty (0 bytes).');
  });
});

describe('models in another format, given to the CLI by name', () => {
  it.each(corpus.foreignModels)('$file → $code with its export recipe', async ({ file, code, message, hint }) => {
    // Refused before the file is read: it need not exist.
    const error = await caught(predictFile(parseCliArgs(['--model', path.join('no-such-folder', file), '--image', 'x.png'])));
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.hint).toMatch(new RegExp(hint!));
  });
});

/** The first bytes each format starts with, followed by filler: enough to recognise, not a real model. */
function signature(head: number[] | string, fill = 64): Uint8Array {
  const start = typeof head === 'string' ? Array.from(head, (c) => c.charCodeAt(0)) : head;
  return Uint8Array.from([...start, ...new Array<number>(fill).fill(0)]);
}

describe('models in another format renamed .onnx are recognised by their first bytes', () => {
  const runtime = createNodeRuntime(1);
  const safetensorsHeader = '{"fc.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}';
  const cases: [string, Uint8Array, RegExp][] = [
    ['torch.save (a ZIP holding data.pkl)', signature('PK\x03\x04\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00archive/data.pkl'), /PyTorch checkpoint/],
    ["torch.save's legacy pickle", signature([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]), /PyTorch checkpoint/],
    ['a Keras .h5 (HDF5)', signature('\x89HDF\r\n\x1a\n'), /Keras model/],
    ['a Keras 3 .keras (a ZIP holding config.json)', signature('PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0d\x00\x00\x00metadata.json'), /Keras model/],
    ['a TensorFlow Lite flatbuffer', signature([0x1c, 0x00, 0x00, 0x00, ...Array.from('TFL3', (c) => c.charCodeAt(0))]), /TensorFlow Lite model/],
    ['safetensors', signature([safetensorsHeader.length, 0, 0, 0, 0, 0, 0, 0, ...Array.from(safetensorsHeader, (c) => c.charCodeAt(0))], 16), /only weights \(safetensors\)/],
    ['a pickle (protocol 4)', signature([0x80, 0x04, 0x95, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x7d, 0x94]), /Python pickle/],
  ];
  it.each(cases)('%s', async (_name, file, what) => {
    const error = await caught(runtime.loadModel(file, { backend: 'wasm' }));
    expect(error.code).toBe('MODEL_NOT_ONNX');
    expect(error.message).toMatch(/^This file /);
    expect(error.message).toMatch(what);
    expect(error.hint).toMatch(/onnx/i);
    expect(error.detail).toMatch(/ONNX \(protobuf\) reader|no graph|no IR version/);
  });

  it('a ZIP of something else, and plain text, stay "not a readable ONNX model"', async () => {
    for (const file of [signature('PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x00\x00\x00photo.jpg'), new TextEncoder().encode('just some notes\n')]) {
      expect((await caught(runtime.loadModel(file, { backend: 'wasm' }))).code).toBe('MODEL_UNREADABLE');
    }
  });
});
