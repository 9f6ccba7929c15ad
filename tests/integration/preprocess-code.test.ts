/**
 * The panel's "As Python" snippets, run with Debian's /usr/bin/python3 (numpy + Pillow; torchvision when installed),
 * give the tensor the engine gives (decoded as the CLI decodes) within 1e-5, for several configurations and photos.
 * In CI a python3 without numpy or Pillow fails this file (.ci/run installs python3-numpy and python3-pil).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImageFile, MAX_DECODED_SIDE } from '../../src/cli/decode-image';
import { defaultPreprocess, preprocessImage, type PreprocessConfig } from '../../src/engine/image/preprocess';
import { numpyPilSnippet, torchvisionSnippet } from '../../src/engine/image/preprocess-code';
import type { RgbaImage } from '../../src/engine/image/types';
import { sharedPath } from '../helpers/shared-models';

const PYTHON = '/usr/bin/python3';
const TOLERANCE = 1e-5;

const canImport = (modules: string) => fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;
const hasNumpyPil = canImport('numpy, PIL');
const hasTorchvision = hasNumpyPil && canImport('torch, torchvision');
if (!hasNumpyPil) {
  const why = `${PYTHON} with numpy and Pillow not found (Debian: apt-get install python3-numpy python3-pil)`;
  if (process.env.CI) throw new Error(`${why}: required in CI.`);
  console.warn(`[skip] ${why}: the Python snippet tests are skipped.`);
}
if (hasNumpyPil && !hasTorchvision) console.warn(`[skip] torchvision is not installed for ${PYTHON}: only the NumPy/Pillow snippets are run; the torchvision ones are checked as text (tests/unit).`);

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/images');
// broken.png / not_image.png do not decode; BMP is not read by the CLI's decoder (sharp).
const fixturePhotos = ['anim.gif', 'big.png', 'exif_rotate90.jpg', 'gradient_4x3.png', 'gray.png', 'rgba.png', 'tiny.webp'].map((n) => path.join(FIXTURES, n));
const sharedDir = sharedPath('images');
const sharedPhotos = fs.existsSync(sharedDir) ? fs.readdirSync(sharedDir).filter((n) => /\.(jpe?g|png|webp)$/i.test(n)).sort().map((n) => path.join(sharedDir, n)) : [];
if (sharedPhotos.length === 0) console.warn(`[skip] no photos at ${sharedDir}: only the fixture images are used.`);
const photos = [...fixturePhotos, ...sharedPhotos];

const configs: Record<string, PreprocessConfig> = {
  'crop 224, ImageNet, RGB, NCHW': defaultPreprocess(224, 224),
  'stretch 96, [-1, 1], RGB, NCHW': { ...defaultPreprocess(96, 96), resize: 'stretch', mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  'crop 160×128 (fraction 0.9), BGR, 0–255, NHWC': {
    ...defaultPreprocess(160, 128),
    cropFraction: 0.9,
    range: 255,
    mean: [123.68, 116.779, 103.939],
    std: [1, 1, 1],
    channelOrder: 'BGR',
    layout: 'NHWC',
  },
  'greyscale crop 28 (fraction 1), NCHW': { ...defaultPreprocess(28, 28), cropFraction: 1, mean: [0.1307, 0.1307, 0.1307], std: [0.3081, 0.3081, 0.3081], channels: 1 },
  'greyscale stretch 33×17, 0–255, NHWC': { ...defaultPreprocess(33, 17), resize: 'stretch', range: 255, mean: [0, 0, 0], std: [255, 255, 255], channels: 1, layout: 'NHWC' },
};

/** The CLI's decode; photos over its 4096 px limit are decoded the same way without that shrink (the snippets don't shrink). */
async function decode(file: string): Promise<RgbaImage> {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const meta = await sharp(bytes).metadata();
  if (Math.max(meta.width ?? 0, meta.height ?? 0) <= MAX_DECODED_SIDE) return decodeImageFile(bytes, path.basename(file));
  const { data, info } = await sharp(bytes, { animated: false, limitInputPixels: 1e9 }).rotate().toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) };
}

/** A little-endian float32 .npy written by np.save: its shape and values. */
function readNpy(file: string): { shape: number[]; data: Float32Array } {
  const buf = fs.readFileSync(file);
  expect(buf.subarray(1, 6).toString('latin1')).toBe('NUMPY');
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.subarray(start, start + headerLen).toString('latin1');
  expect(header).toMatch(/'descr': '<f4'/);
  expect(header).toMatch(/'fortran_order': False/);
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const body = buf.subarray(start + headerLen);
  const data = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
  return { shape, data };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-pycode-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const decoded = new Map<string, Promise<RgbaImage>>();
const decodeOnce = (file: string) => decoded.get(file) ?? decoded.set(file, decode(file)).get(file)!;

const variants = [
  { name: 'NumPy + Pillow', snippet: numpyPilSnippet, available: hasNumpyPil },
  { name: 'torchvision', snippet: torchvisionSnippet, available: hasTorchvision },
] as const;

let run = 0;
for (const variant of variants) {
  describe.skipIf(!variant.available)(`${variant.name} snippet = engine tensor (within ${TOLERANCE})`, () => {
    for (const [label, cfg] of Object.entries(configs)) {
      it(label, async () => {
        const script = path.join(tmp, `snippet-${run++}.py`);
        fs.writeFileSync(script, variant.snippet(cfg));
        for (const photo of photos) {
          const { tensor, dims } = preprocessImage(await decodeOnce(photo), cfg);
          const out = `${script}.${path.basename(photo)}.npy`;
          execFileSync(PYTHON, [script, photo, out], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
          const got = readNpy(out);
          expect(got.shape, path.basename(photo)).toEqual(dims);
          let worst = 0, at = -1;
          for (let i = 0; i < tensor.length; i++) {
            const d = Math.abs(got.data[i] - tensor[i]);
            if (!(d <= worst)) [worst, at] = [d, i];
          }
          expect(worst, `${path.basename(photo)}: max |python − engine| at index ${at} (python ${got.data[at]}, engine ${tensor[at]})`).toBeLessThanOrEqual(TOLERANCE);
        }
      });
    }
  });
}
