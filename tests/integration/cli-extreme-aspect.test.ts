/**
 * The CLI on images of extreme aspect ratio (issue 13): a 125-byte 1×10000 PNG once took 111 s and 1.24 GB,
 * because the whole image was resized (shorter side to 256: 256×1,048,576 after decoding caps the longer side at
 * 4096) before the centre crop. Now only the crop window is resized, so such an image costs what a photo costs —
 * through prediction, an explanation, its exports and the HTML report.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTsWithPeakRss } from '../helpers/peak-rss';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXED_8 = path.join(ROOT, 'tests/fixtures/models/tiny_nchw_dynamic.onnx');
const DYNAMIC_HW = path.join(ROOT, 'tests/fixtures/models/tiny_dynamic_hw.onnx');
let dir = '';

/** A width × height RGB PNG with a pattern along its length (so the crop window has something to resize). */
async function stripPng(width: number, height: number): Promise<string> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) pixels.set([(i * 37) % 256, (i * 11 + 50) % 256, (i >> 4) % 256], i * 3);
  const file = path.join(dir, `strip-${width}x${height}.png`);
  await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toFile(file);
  return file;
}

/** The "preprocess N ms" the CLI prints (in its own process, so start-up is not counted). */
function preprocessMs(stdout: string): number {
  const m = /preprocess (\d+) ms/.exec(stdout);
  expect(m, stdout).not.toBeNull();
  return Number(m![1]);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-aspect-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('CLI on a 1×10000 and a 10000×1 image', () => {
  it('predicts at --size 8 (tiny_nchw_dynamic) quickly', async () => {
    const image = await stripPng(1, 10000);
    const run = await runTsWithPeakRss('src/cli/explain.ts', ['--model', FIXED_8, '--image', image, '--size', '8'], { timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/centre-crop 8×8/);
    expect(preprocessMs(run.stdout)).toBeLessThan(1000);
    expect(run.wallMs).toBeLessThan(30_000);
  }, 60_000);

  for (const [w, h] of [[1, 10000], [10000, 1]] as const) {
    it(`${w}×${h} at --size 224: prediction, LIME, exports and report in bounded time and memory`, async () => {
      const image = await stripPng(w, h);
      const out = path.join(dir, `out-${w}x${h}`);
      fs.mkdirSync(out);
      const args = ['--model', DYNAMIC_HW, '--image', image, '--size', '224', '--method', 'lime', '--samples', '50', '--out-dir', out, '--report', path.join(out, 'report.html')];
      const run = await runTsWithPeakRss('src/cli/explain.ts', args, { timeoutMs: 90_000 });
      expect(run.code, run.stderr).toBe(0);
      // the old route made a 256×1,048,576 RGBA image (1 GiB) and took seconds to fill it
      expect(preprocessMs(run.stdout)).toBeLessThan(1000);
      expect(run.peakRssMiB).toBeLessThan(600);
      for (const suffix of ['-lime.json', '-lime.npy', '-lime.png']) expect(fs.existsSync(path.join(out, `strip-${w}x${h}${suffix}`)), suffix).toBe(true);
      expect(fs.statSync(path.join(out, 'report.html')).size).toBeGreaterThan(0);
      const result = JSON.parse(fs.readFileSync(path.join(out, `strip-${w}x${h}-lime.json`), 'utf8'));
      expect([result.width, result.height]).toEqual([224, 224]);
    }, 90_000);
  }
});
