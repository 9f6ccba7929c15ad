/**
 * The CLI against hostile or careless inputs: output paths checked before any work, SIGINT/SIGTERM stopping a long
 * run within a second, and bounded reading (devices, FIFOs, oversized files, non-ONNX bytes, pixel bombs) refused
 * before anything large is read or decoded.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/args';
import { predictFile } from '../../src/cli/predict-file';
import { GlassboxError } from '../../src/engine/errors';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const MODEL = path.join(ROOT, 'public/demo/shapes.onnx');
const IMAGE = path.join(ROOT, 'public/demo/images/star-1.png');
const posix = process.platform !== 'win32';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ['src/cli/explain.ts', ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** predictFile's refusal for these flags, and how long it took (in this process: no start-up time counted). */
async function refusal(argv: string[]): Promise<{ error: GlassboxError; ms: number }> {
  const t0 = performance.now();
  try {
    await predictFile(parseCliArgs(argv));
  } catch (e) {
    expect(e).toBeInstanceOf(GlassboxError);
    return { error: e as GlassboxError, ms: performance.now() - t0 };
  }
  throw new Error(`expected a refusal for ${argv.join(' ')}`);
}

/** A PNG whose header claims width × height; the pixel data is a token (a header reader never gets that far). */
function pngHeader(width: number, height: number): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = table[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1024))), chunk('IEND', Buffer.alloc(0))]);
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-hostile-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('output paths are checked before any work', () => {
  it('--out into a folder that does not exist fails at once, before the model is read (a FIFO here would block)', async () => {
    const fifo = path.join(dir, 'out-fifo.onnx');
    if (posix) execFileSync('mkfifo', [fifo]);
    const model = posix ? fifo : MODEL;
    const { error, ms } = await refusal(['--model', model, '--image', IMAGE, '--method', 'gradcam', '--out', '/nonexistent/dir/x.json']);
    expect(error.code).toBe('PARAM_INVALID');
    expect(error.message).toBe('Cannot write the result file /nonexistent/dir/x.json: its folder /nonexistent/dir does not exist.');
    expect(error.hint).toMatch(/--out path/);
    expect(ms).toBeLessThan(500);
    const r = await cli(['--model', model, '--image', IMAGE, '--method', 'gradcam', '--out', '/nonexistent/dir/x.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error \[PARAM_INVALID\]: Cannot write the result file \/nonexistent\/dir\/x\.json: its folder \/nonexistent\/dir does not exist\.$/m);
  });

  it('--out that is a folder, and --out-dir under a file, are refused', async () => {
    const asFolder = await refusal(['--model', MODEL, '--image', IMAGE, '--method', 'gradcam', '--out', dir]);
    expect(asFolder.error.message).toBe(`Cannot write the result file ${dir}: it is a folder.`);
    const file = path.join(dir, 'plain.txt');
    fs.writeFileSync(file, 'x');
    const underFile = await refusal(['--model', MODEL, '--image', IMAGE, '--method', 'gradcam', '--out-dir', path.join(file, 'sub')]);
    expect(underFile.error.code).toBe('PARAM_INVALID');
    expect(underFile.error.message).toBe(`Cannot create the output folder ${path.join(file, 'sub')}: ${file} is not a folder.`);
  });
});

describe.skipIf(!posix)('SIGINT and SIGTERM stop a long run within a second', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('%s → exit %i with one line on stderr', async (signal, expected) => {
    // node with tsx's loader, not the tsx launcher: the signal goes to the CLI itself (the launcher relays it, and
    // SIGKILLs a child whose event loop does not answer within a few tens of milliseconds)
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/explain.ts', '--model', MODEL, '--image', IMAGE, '--method', 'kernelshap', '--samples', '200000', '--stable-at', '0', '--json'], { cwd: ROOT });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    let exitedAt = 0;
    child.on('exit', () => (exitedAt = performance.now()));
    // 'close': exited and its output read to the end
    const exited = new Promise<{ code: number | null }>((resolve) => child.on('close', (code) => resolve({ code })));
    // the CLI prints no progress to a pipe: give it time to load and start sampling (200000 coalitions take far longer)
    await new Promise((r) => setTimeout(r, 2500));
    expect(child.exitCode).toBeNull();
    const sent = performance.now();
    child.kill(signal);
    const { code } = await exited;
    expect(code).toBe(expected);
    expect(exitedAt - sent).toBeLessThan(1500);
    expect(stderr.trim().split('\n')).toEqual([`stopped by ${signal}: the run was cancelled.`]);
    expect(stdout).toBe('');
  });
});

describe('bounded reading', () => {
  it.skipIf(!posix)('--model /dev/zero and --image /dev/zero are refused at once', async () => {
    const model = await refusal(['--model', '/dev/zero', '--image', IMAGE]);
    expect(model.error.code).toBe('MODEL_UNREADABLE');
    expect(model.error.message).toBe('Cannot read the model file /dev/zero: it is a device, not a regular file.');
    expect(model.ms).toBeLessThan(2000);
    const image = await refusal(['--model', MODEL, '--image', '/dev/zero']);
    expect(image.error.code).toBe('IMAGE_UNREADABLE');
    expect(image.error.message).toBe('Cannot read the image file /dev/zero: it is a device, not a regular file.');
    expect(image.ms).toBeLessThan(2000);
    const r = await cli(['--model', '/dev/zero', '--image', IMAGE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error \[MODEL_UNREADABLE\]: Cannot read the model file \/dev\/zero: it is a device, not a regular file\.$/m);
  });

  it.skipIf(!posix)('a FIFO is refused, not waited on', async () => {
    const fifo = path.join(dir, 'pipe.png');
    execFileSync('mkfifo', [fifo]);
    const { error, ms } = await refusal(['--model', MODEL, '--image', fifo]);
    expect(error.code).toBe('IMAGE_UNREADABLE');
    expect(error.message).toBe(`Cannot read the image file ${fifo}: it is a FIFO (named pipe), not a regular file.`);
    expect(ms).toBeLessThan(2000);
  });

  it('files over the size limits are refused from their size alone, naming the limit and the flag', async () => {
    // sparse files: their size is all there is to them
    const bigModel = path.join(dir, 'big.onnx');
    fs.writeFileSync(bigModel, Buffer.from([0x08, 0x08]));
    fs.truncateSync(bigModel, 2049 * 1024 * 1024);
    const model = await refusal(['--model', bigModel, '--image', IMAGE]);
    expect(model.error.code).toBe('MODEL_UNREADABLE');
    expect(model.error.message).toBe(`The model file ${bigModel} is 2049.0 MB, over the 2048 MB limit.`);
    expect(model.error.hint).toMatch(/--max-model-mb N/);
    expect(model.ms).toBeLessThan(2000);
    // shapes.onnx (0.3 MB) and star-1.png are within 1 MB
    expect((await predictFile(parseCliArgs(['--model', MODEL, '--image', IMAGE, '--max-model-mb', '1', '--max-image-mb', '1']))).top.length).toBeGreaterThan(0);
    const bigImage = path.join(dir, 'big.png');
    fs.writeFileSync(bigImage, pngHeader(10, 10));
    fs.truncateSync(bigImage, 300 * 1024 * 1024);
    const image = await refusal(['--model', MODEL, '--image', bigImage]);
    expect(image.error.code).toBe('IMAGE_UNSUPPORTED');
    expect(image.error.message).toBe(`The image file ${bigImage} is 300.0 MB, over the 256 MB limit.`);
    expect(image.error.hint).toMatch(/--max-image-mb N/);
  });

  it('bytes that cannot open an ONNX model are refused from their first bytes, with the usual messages', async () => {
    const random = path.join(dir, 'random.onnx');
    fs.writeFileSync(random, Buffer.from([0xff, 0xfe, 0x13, 0x77, 0x01, 0x02, 0x03, 0x04]));
    fs.truncateSync(random, 1500 * 1024 * 1024);
    const { error, ms } = await refusal(['--model', random, '--image', IMAGE]);
    expect(error.code).toBe('MODEL_UNREADABLE');
    expect(error.message).toBe('This file is not a readable ONNX model: it may be cut short, damaged, or saved in another format.');
    expect(error.detail).toMatch(/^The ONNX \(protobuf\) reader stopped: /);
    expect(ms).toBeLessThan(2000);
    // another format renamed .onnx still gets its recipe
    const keras = path.join(dir, 'renamed.onnx');
    fs.writeFileSync(keras, Buffer.concat([Buffer.from('\x89HDF\r\n\x1a\n', 'latin1'), Buffer.alloc(64)]));
    const foreign = await refusal(['--model', keras, '--image', IMAGE]);
    expect(foreign.error.code).toBe('MODEL_NOT_ONNX');
    expect(foreign.error.message).toMatch(/Keras model/);
  });

  it('an image whose header claims 50000×50000 is refused before decoding, naming the pixel budget and the flag', async () => {
    const bomb = path.join(dir, 'bomb.png');
    fs.writeFileSync(bomb, pngHeader(50000, 50000));
    const { error, ms } = await refusal(['--model', MODEL, '--image', bomb]);
    expect(error.code).toBe('IMAGE_UNSUPPORTED');
    expect(error.message).toBe('bomb.png is 50000×50000 pixels (2500 megapixels), over the 100-megapixel limit.');
    expect(error.hint).toMatch(/--max-megapixels N/);
    expect(ms).toBeLessThan(2000);
    // a raised budget lets it through to the decoder, which then finds the data cut short
    const raised = await refusal(['--model', MODEL, '--image', bomb, '--max-megapixels', '3000']);
    expect(raised.error.code).not.toBe('IMAGE_UNSUPPORTED');
  });
});
