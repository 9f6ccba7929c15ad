/** Each broken or unsupported input in tests/corpus/bad-inputs.json is refused with its exact code and message. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/cli/decode-image';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { GlassboxError } from '../../src/engine/errors';

const ROOT = path.resolve(import.meta.dirname, '../..');
const corpus = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/corpus/bad-inputs.json'), 'utf8')) as Record<'models' | 'images', { file: string; code: string; message: string }[]>;
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
  it.each(corpus.models)('$file → $code', async ({ file, code, message }) => {
    const error = await caught(runtime.loadModel(bytes(file), { backend: 'wasm' }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(new RegExp(message));
    expect(error.hint ?? '').not.toBe('');
  });
});

describe('bad images (Node decoder used by the CLI)', () => {
  it.each(corpus.images)('$file → $code', async ({ file, code, message }) => {
    const error = await caught(decodeImageFile(bytes(file), path.basename(file)));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(new RegExp(message));
  });

  it('an empty file is IMAGE_EMPTY', async () => {
    expect((await caught(decodeImageFile(new Uint8Array(0), 'empty.png'))).code).toBe('IMAGE_EMPTY');
  });
});
