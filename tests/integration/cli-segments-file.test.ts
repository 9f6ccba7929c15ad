/**
 * --segments-file on the CLI as a user runs it: the segments an internal run wrote (.segments.npy), given back as a
 * .npy or as a PNG (grey value = id, here at twice the model input and resampled like the image), give the same
 * coefficients as the internal segmentation; the flag is refused where it cannot apply.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/args';
import { decodeNpy } from '../../src/engine/export/npy';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const BASE = ['--model', 'public/demo/shapes.onnx', '--image', 'public/demo/images/star-1.png', '--resize', 'stretch', '--seed', '3'];

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ['src/cli/explain.ts', ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function explanation(args: string[]) {
  const r = await cli([...BASE, ...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout).explanation as { weights: number[]; segments: number[]; segmentCount: number; params: { segmentation: unknown } };
}

describe('npm run explain --segments-file', () => {
  it('LIME and KernelSHAP: labels from a .npy or a PNG give the coefficients of the internal segmentation', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-segments-'));
    const internalRun = await cli([...BASE, '--method', 'lime', '--samples', '120', '--segments', '30', '--out-dir', dir]);
    expect(internalRun.code).toBe(0);
    const internal = JSON.parse(fs.readFileSync(path.join(dir, 'star-1-lime.json'), 'utf8')) as { weights: number[]; segments: number[]; width: number; height: number };
    const npyFile = path.join(dir, 'star-1-lime.segments.npy');
    const { shape } = decodeNpy(new Uint8Array(fs.readFileSync(npyFile)));
    expect(shape).toEqual([internal.height, internal.width]);

    const fromNpy = await explanation(['--method', 'lime', '--samples', '120', '--segments-file', npyFile]);
    expect(fromNpy.segments).toEqual(internal.segments);
    expect(fromNpy.weights).toEqual(internal.weights);
    expect(fromNpy.params.segmentation).toEqual({ method: 'custom', name: 'star-1-lime.segments.npy', regions: internal.weights.length });

    // a grey PNG (value = id) at twice the model input: resampled to the model input like the image (stretch)
    const { width, height } = internal;
    const grey = Buffer.alloc(4 * width * height);
    for (let y = 0; y < 2 * height; y++) for (let x = 0; x < 2 * width; x++) grey[y * 2 * width + x] = internal.segments[(y >> 1) * width + (x >> 1)];
    const pngFile = path.join(dir, 'regions.png');
    await sharp(grey, { raw: { width: 2 * width, height: 2 * height, channels: 1 } }).png().toFile(pngFile);
    const fromPng = await explanation(['--method', 'lime', '--samples', '120', '--segments-file', pngFile]);
    expect(fromPng.segments).toEqual(internal.segments);
    expect(fromPng.weights).toEqual(internal.weights);

    const shapArgs = ['--method', 'kernelshap', '--samples', '150'];
    const shapInternal = await explanation([...shapArgs, '--segments', '30']);
    const shapCustom = await explanation([...shapArgs, '--segments-file', npyFile]);
    expect(shapCustom.segments).toEqual(shapInternal.segments);
    expect(shapCustom.weights).toEqual(shapInternal.weights);
  }, 120_000);

  it('a label file that does not fit the image is refused with the reason', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-segments-'));
    const wide = path.join(dir, 'wide.png');
    await sharp(Buffer.alloc(40 * 10, 3), { raw: { width: 40, height: 10, channels: 1 } }).png().toFile(wide);
    const r = await cli([...BASE, '--method', 'lime', '--samples', '20', '--segments-file', wide]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error \[PARAM_INVALID\]: Custom regions \(wide\.png\): the labels are 40×10 but the image is 96×96/m);
  });
});

describe('--segments-file flag rules', () => {
  const base = ['--model', 'm.onnx', '--image', 'i.png'];
  const refused = (args: string[]) => {
    try {
      parseCliArgs([...base, ...args]);
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };

  it('selects custom regions for LIME and KernelSHAP (alone or with --segmentation custom)', () => {
    const req = parseCliArgs([...base, '--method', 'lime,gradcam', '--segments-file', 'organs.npy']);
    expect(req.explain!.segmentsFile).toBe('organs.npy');
    expect((req.explain!.runs[0].params as { segmentation: unknown }).segmentation).toEqual({ method: 'custom', name: 'organs.npy' });
    expect(refused(['--method', 'kernelshap', '--segmentation', 'custom', '--segments-file', 'a.png'])).toBe('accepted');
  });

  it('is refused with other methods, another segmentation, or missing for --segmentation custom', () => {
    expect(refused(['--method', 'gradcam', '--segments-file', 'a.npy'])).toBe('--segments-file does not apply to Grad-CAM (--method gradcam); it is an option of lime, kernelshap.');
    expect(refused(['--method', 'lime', '--segmentation', 'slic', '--segments-file', 'a.npy'])).toBe('--segments-file gives custom regions; it cannot be combined with --segmentation slic.');
    expect(refused(['--method', 'lime', '--grid', '--segments-file', 'a.npy'])).toBe('--segments-file gives custom regions; it cannot be combined with --grid.');
    expect(refused(['--method', 'lime', '--segmentation', 'custom'])).toBe('--segmentation custom needs --segments-file FILE (a label .npy or .png, one id per pixel).');
    expect(refused(['--method', 'lime', '--segments-file', 'a.npy', '--segments', '9'])).toBe('--segments does not apply to this segmentation (it is a slic setting).');
    expect(refused(['--segments-file', 'a.npy'])).toBe('--segments-file only applies with --method.');
  });
});
