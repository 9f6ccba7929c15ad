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
import { linearImageModel } from '../helpers/onnx-builder';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const SIDE = 8;
/** Three classes; the middle one's bias is NaN, so its score is NaN whatever the image. */
const nanModel = () => linearImageModel(3, SIDE, SIDE, new Float32Array(3 * SIDE * SIDE * 3).fill(0.01), Float32Array.from([0, NaN, 1]));

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
