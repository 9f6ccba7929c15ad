/**
 * --out-dir as a data scientist uses it: the CLI writes the result JSON, the map as .npy (and the superpixels for
 * LIME), and a PNG; Python's numpy reads the .npy files back and they match the JSON; the JSON parses back.
 * Python with numpy is required (Debian's python3-numpy, installed by .ci/run): without it this test fails.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figureLayout } from '../../src/engine/export/figure';
import { explanationOf, parseResultFile } from '../../src/engine/export/result-json';
import { COLORMAPS, type ColormapName } from '../../src/engine/render/colormap';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const MODEL = 'public/demo/shapes.onnx';
const IMAGE = 'public/demo/images/star-1.png';
const sha = (f: string) => createHash('sha256').update(fs.readFileSync(path.join(ROOT, f))).digest('hex');

/** numpy loads each .npy; prints dtype, shape and the largest difference from the JSON's map / segments. */
const PYTHON_CHECK = `
import json, sys
import numpy as np
stem = sys.argv[1]
result = json.load(open(stem + '.json'))
h, w = result['height'], result['width']
m = np.load(stem + '.npy')
expected = np.array([np.nan if v is None else v for v in result['map']], dtype=np.float64).reshape(h, w)
out = {'dtype': str(m.dtype), 'shape': list(m.shape), 'fortran': bool(np.isfortran(m)),
       'close': bool(np.allclose(m, expected, rtol=1e-6, atol=1e-6, equal_nan=True)),
       'maxDiff': float(np.nanmax(np.abs(m.astype(np.float64) - expected)))}
if result['kind'] == 'superpixel-weights':
    s = np.load(stem + '.segments.npy')
    out['segments'] = {'dtype': str(s.dtype), 'shape': list(s.shape), 'equal': bool((s == np.array(result['segments']).reshape(h, w)).all())}
    # each pixel's map value is its superpixel's weight
    out['mapFromWeights'] = bool(np.allclose(m, np.array(result['weights'])[s], rtol=1e-6, atol=1e-9))
print(json.dumps(out))
`;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-export-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<string> {
  const { stdout } = await run(TSX, ['src/cli/explain.ts', '--model', MODEL, '--image', IMAGE, '--out-dir', dir, ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

async function numpyCheck(stem: string): Promise<Record<string, unknown>> {
  // /usr/bin/python3 without numpy raises ModuleNotFoundError here: the test fails, it does not skip.
  const { stdout } = await run('/usr/bin/python3', ['-c', PYTHON_CHECK, stem]);
  return JSON.parse(stdout);
}

/** The PNG: at least 384 px on the overlay's short side, and the colour bar's ends in the colour map's end colours. */
async function checkPng(file: string, colormap: ColormapName): Promise<void> {
  const meta = await sharp(file).metadata();
  const layout = figureLayout(96, 96);
  expect(meta.format).toBe('png');
  expect(meta.width).toBe(layout.width);
  expect(Math.min(layout.overlay.width, layout.overlay.height)).toBeGreaterThanOrEqual(384);
  expect(meta.height).toBeGreaterThan(layout.colorBar.top + layout.colorBar.height);
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const pixel = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
  const bar = layout.colorBar;
  const y = bar.top + Math.floor(bar.height / 2);
  const lut = COLORMAPS[colormap];
  expect(pixel(bar.left, y)).toEqual([...lut.subarray(0, 3)]);
  expect(pixel(bar.left + bar.width - 1, y)).toEqual([...lut.subarray(255 * 3, 256 * 3)]);
  // the overlay is drawn (not the white background) and the margin beside the bar is white
  const centre = pixel(layout.overlay.left + layout.overlay.width / 2, layout.overlay.top + layout.overlay.height / 2);
  expect(centre).not.toEqual([255, 255, 255]);
  expect(pixel(2, y)).toEqual([255, 255, 255]);
}

describe('npm run explain --out-dir', () => {
  it('Grad-CAM: result JSON, float32 map .npy that numpy reads, and the overlay PNG', async () => {
    const stdout = await cli(['--method', 'gradcam']);
    const stem = path.join(dir, 'star-1-gradcam');
    expect(stdout).toContain(`${stem}.json`);
    expect(stdout).toContain(`${stem}.npy`);
    expect(stdout).toContain(`${stem}.png`);
    expect(fs.existsSync(`${stem}.segments.npy`)).toBe(false);

    const file = parseResultFile(fs.readFileSync(`${stem}.json`, 'utf8'));
    expect(file).toMatchObject({
      format: 'glassbox-result', formatVersion: 1, method: 'gradcam', kind: 'cam', target: 3, targetLabel: 'star', seed: 0,
      backend: expect.stringMatching(/^(wasm|native)$/), threads: 1, width: 96, height: 96, scoreSpace: 'raw',
      model: { name: 'shapes.onnx', sha256: sha(MODEL) }, image: { name: 'star-1.png', sha256: sha(IMAGE) },
      preprocess: { width: 96, height: 96 },
    });
    expect(file.glassbox).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    expect(file.model.inputs[0]).toMatchObject({ dtype: 'float32' });
    expect(file.model.inputs[0].shape).toHaveLength(4);
    expect(file.model.outputs[0].name).toBeTruthy();
    expect(file.units).toMatch(/class activation|activations/);
    expect(Array.isArray(file.quality)).toBe(true);
    expect(explanationOf(file).provenance).toMatchObject({ modelSha256: sha(MODEL), imageSha256: sha(IMAGE) });

    expect(await numpyCheck(stem)).toMatchObject({ dtype: 'float32', shape: [96, 96], fortran: false, close: true });
    await checkPng(`${stem}.png`, 'jet');
  });

  it('LIME: the map and the int32 superpixel ids as .npy, numpy agrees with the JSON; --out still works alongside', async () => {
    const out = path.join(dir, 'also.json');
    await cli(['--method', 'lime', '--samples', '100', '--segments', '20', '--seed', '3', '--out', out]);
    const stem = path.join(dir, 'star-1-lime');
    const file = parseResultFile(fs.readFileSync(`${stem}.json`, 'utf8'));
    expect(file).toMatchObject({ method: 'lime', kind: 'superpixel-weights', seed: 3, params: { samples: 100 } });
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toMatchObject({ method: 'lime', seed: 3 });
    const check = await numpyCheck(stem);
    expect(check).toMatchObject({ dtype: 'float32', shape: [96, 96], close: true, mapFromWeights: true, segments: { dtype: 'int32', shape: [96, 96], equal: true } });
    await checkPng(`${stem}.png`, 'diverging');
  });
});
