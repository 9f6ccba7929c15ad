/**
 * No silent garbage (issue 13.2): a model whose outputs are NaN is an error naming what and where — in the engine
 * (ranking) and from the CLI (exit code 2, INFERENCE_FAILED), never NaN scores and empty maps with exit 0.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { rankScores } from '../../src/engine/predict/scores';
import sharp from 'sharp';
import { buildModel } from '../helpers/grad-check';
import { linearImageModel } from '../helpers/onnx-builder';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const SIDE = 8;
/** Three classes; the middle one's bias is NaN, so its score is NaN whatever the image. */
const nanModel = () => linearImageModel(3, SIDE, SIDE, new Float32Array(3 * SIDE * SIDE * 3).fill(0.01), Float32Array.from([0, NaN, 1]));

/** GAP(conv(x)) multiplied by zero — then, with `sqrt`, square-rooted: scores 0, gradients 0 (or NaN: ∞ · 0). */
function zeroedHeadModel(sqrt: boolean): Uint8Array {
  return buildModel({
    inputs: [{ name: 'x', dims: [1, 3, SIDE, SIDE] }],
    constants: [
      { name: 'w', dims: [2, 3, 1, 1], values: Float32Array.of(1, 0.5, -0.2, 0.3, -1, 0.8) },
      { name: 'zero', dims: [2], values: Float32Array.of(0, 0) },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['feat'] },
      { op: 'GlobalAveragePool', inputs: ['feat'], outputs: ['g'] },
      { op: 'Flatten', inputs: ['g'], outputs: ['f'] },
      { op: 'Mul', inputs: ['f', 'zero'], outputs: [sqrt ? 'z' : 'y'] },
      ...(sqrt ? [{ op: 'Sqrt', inputs: ['z'], outputs: ['y'] }] : []),
    ],
    output: 'y',
  });
}

describe('a model whose outputs are NaN', () => {
  it('the engine refuses to rank its scores, naming the class', async () => {
    const runtime = createNodeRuntime(1);
    const model = await runtime.loadModel(nanModel(), { backend: 'wasm' });
    try {
      const raw = await model.run(new Float32Array(3 * SIDE * SIDE), [1, 3, SIDE, SIDE]);
      expect(Number.isNaN(raw[1])).toBe(true);
      expect(() => rankScores(raw, [], 3)).toThrow(expect.objectContaining({ code: 'INFERENCE_FAILED', message: expect.stringMatching(/1 NaN value \(class 1 of 3\)/) }));
    } finally {
      await model.dispose();
    }
  });

  it('the CLI exits 2 with INFERENCE_FAILED instead of printing NaN scores', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-nan-'));
    const file = path.join(dir, 'nan.onnx');
    fs.writeFileSync(file, nanModel());
    const result = await promisify(execFile)(TSX, ['src/cli/explain.ts', '--model', file, '--image', path.join(ROOT, 'public/demo/images/star-1.png'), '--size', String(SIDE), '--method', 'gradcam'], { cwd: ROOT }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/error \[INFERENCE_FAILED\]: The model's outputs hold 1 NaN value \(class 1 of 3\)/);
  });
});

describe('NaN or Infinity inside a run (gradients, perturbed inputs)', () => {
  const cli = (file: string, ...args: string[]) =>
    promisify(execFile)(TSX, ['src/cli/explain.ts', '--model', file, '--image', path.join(ROOT, 'public/demo/images/star-1.png'), '--size', String(SIDE), ...args], { cwd: ROOT }).then(
      (r) => ({ code: 0, stderr: r.stderr, stdout: r.stdout }),
      (e: { code: number; stderr: string; stdout: string }) => ({ code: e.code, stderr: e.stderr, stdout: e.stdout }),
    );
  const write = (name: string, bytes: Uint8Array) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-nan-')), name);
    fs.writeFileSync(file, bytes);
    return file;
  };

  /** y = √(0 · GAP(conv(x))): finite scores (0), but d√u/du = ∞ at 0 times 0 makes every gradient NaN. */
  const nanGradientModel = () => zeroedHeadModel(true);

  it('a NaN gradient stops Grad-CAM and Saliency with INFERENCE_FAILED naming the layer or the input gradient (exit 2)', async () => {
    const file = write('nan-grad.onnx', nanGradientModel());
    const cam = await cli(file, '--method', 'gradcam', '--layer', 'feat');
    expect(cam.code).toBe(2);
    expect(cam.stderr).toMatch(/error \[INFERENCE_FAILED\]: The gradient at layer "feat" held 128 NaN values \(first in target 0, element 0\)/);
    const saliency = await cli(file, '--method', 'saliency');
    expect(saliency.code).toBe(2);
    expect(saliency.stderr).toMatch(/error \[INFERENCE_FAILED\]: The input gradient \(gradients\) held 192 NaN values/);
  });

  /** class 0 = √(mean(x) − 0.5): finite on a bright image, NaN once LIME hides enough of it in black. */
  const nanWhenDarkModel = () =>
    buildModel({
      inputs: [{ name: 'x', dims: [1, 3, SIDE, SIDE] }],
      constants: [
        { name: 'w', dims: [3 * SIDE * SIDE, 2], values: new Float32Array(3 * SIDE * SIDE * 2).fill(1 / (3 * SIDE * SIDE)) },
        { name: 't', dims: [2], values: Float32Array.of(0.5, -10) },
        { name: 'shape', dims: [2], values: [1, 3 * SIDE * SIDE] },
      ],
      nodes: [
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['flat'] },
        { op: 'MatMul', inputs: ['flat', 'w'], outputs: ['m'] },
        { op: 'Sub', inputs: ['m', 't'], outputs: ['s'] },
        { op: 'Sqrt', inputs: ['s'], outputs: ['y'] },
      ],
      output: 'y',
    });

  it('NaN scores on some perturbed images stop LIME with the count and the first sample, instead of an all-NaN map', async () => {
    const bright = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-nan-')), 'bright.png');
    await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 250, g: 250, b: 250 } } }).png().toFile(bright);
    const file = write('nan-dark.onnx', nanWhenDarkModel());
    const r = await promisify(execFile)(TSX, ['src/cli/explain.ts', '--model', file, '--image', bright, '--size', String(SIDE), '--method', 'lime', '--samples', '50', '--hide', 'black', '--segmentation', 'grid', '--target', '0', '--raw'], { cwd: ROOT }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error \[INFERENCE_FAILED\]: The model's scores \([\w ]+\) held \d+ NaN values? \(first in input \d+, element 0\)/);
  });
});

describe('warnings reach --json', () => {
  it('a constant (all-zero) Grad-CAM exits 0 with its quality warning in the top-level warnings list, printed once in the table', async () => {
    // y = 0 · GAP(conv(x)): every gradient is zero, so the CAM is zero everywhere
    const bytes = zeroedHeadModel(false);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-flat-')), 'flat.onnx');
    fs.writeFileSync(file, bytes);
    const args = ['src/cli/explain.ts', '--model', file, '--image', path.join(ROOT, 'public/demo/images/star-1.png'), '--size', String(SIDE), '--method', 'gradcam'];
    const json = await promisify(execFile)(TSX, [...args, '--json'], { cwd: ROOT });
    const warnings = JSON.parse(json.stdout).warnings as string[];
    expect(warnings.filter((w) => w.startsWith('gradcam: The CAM is zero everywhere'))).toHaveLength(1);
    const table = await promisify(execFile)(TSX, args, { cwd: ROOT });
    expect(table.stdout.match(/The CAM is zero everywhere/g)).toHaveLength(1);
  });
});
