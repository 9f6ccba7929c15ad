/** The CLI as a user runs it: a child process, its stdout JSON, its exit code and error text. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/args';
import { figureLayout } from '../../src/engine/export/figure';
import { parseReport, reportInputImages } from '../../src/engine/export/report';
import { parseResultFile } from '../../src/engine/export/result-json';
import { sharedModelsAvailable, sharedPath } from '../helpers/shared-models';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ['src/cli/explain.ts', ...args], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe.skipIf(!sharedModelsAvailable())('npm run explain on squeezenet1.1', () => {
  it('--json prints the top-k with index, label and score, and the backend', async () => {
    const r = await cli(['--model', sharedPath('squeezenet1.1-fp32.onnx'), '--image', sharedPath('images/chelsea.png'), '--top', '3', '--json', '--backend', 'wasm']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.backend).toBe('wasm');
    expect(out.top).toHaveLength(3);
    expect(out.top[0]).toMatchObject({ index: 285, label: 'Egyptian cat' });
    expect(out.top[0].score).toBeGreaterThan(0.3);
    expect(out.outputKind).toBe('probabilities');
  });

  it('preprocessing flags change the input: RGB 0–1 ImageNet normalisation breaks this BGR 0–255 model', async () => {
    const r = await cli(['--model', sharedPath('squeezenet1.1-fp32.onnx'), '--image', sharedPath('images/coffee.png'), '--json', '--rgb', '--range', '1', '--mean', '0.485,0.456,0.406', '--std', '0.229,0.224,0.225']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.preprocess).toMatchObject({ channelOrder: 'RGB', range: 1 });
    expect(out.top[0].index).not.toBe(967);
  });
});

describe('CLI errors', () => {
  it('a file that is not ONNX: exit code 2, error code and hint on stderr', async () => {
    const r = await cli(['--model', 'package.json', '--image', 'nothing.png']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error \[MODEL_UNREADABLE\]: This file is not a readable ONNX model: it may be cut short, damaged, or saved in another format\.$/m);
    expect(r.stderr).toMatch(/^hint: /m);
    // The parser's own words come last, on their own line.
    expect(r.stderr).toMatch(/\ndetail: The ONNX \(protobuf\) reader stopped: invalid wire type \d+ at offset \d+\.\n$/);
  });

  it('--json reports errors as JSON too', async () => {
    const r = await cli(['--model', 'missing.onnx', '--image', 'x.png', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({
      code: 'MODEL_UNREADABLE',
      message: 'Cannot read the model file missing.onnx: there is no such file.',
      detail: expect.stringMatching(/^ENOENT/),
    });
  });

  it('absurd parameters are refused before any work', async () => {
    const r = await cli(['--model', 'm.onnx', '--image', 'x.png', '--top', '-3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PARAM_INVALID.*--top/);
  });
});

describe('npm run explain --method lime', () => {
  it('writes result.json with method, target, size, per-pixel map and segments, weights, params and timings', async () => {
    const out = path.join(ROOT, 'scratch-cli-lime.json');
    try {
      const r = await cli(['--model', 'public/demo/shapes.onnx', '--image', 'public/demo/images/star-1.png', '--method', 'lime', '--samples', '200', '--segments', '30', '--seed', '4', '--out', out]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`explanation written to ${out}`);
      const result = JSON.parse(fs.readFileSync(out, 'utf8'));
      expect(result).toMatchObject({ method: 'lime', target: 3, width: 96, height: 96, seed: 4, labels: ['star'] });
      expect(result.map).toHaveLength(96 * 96);
      expect(result.segments).toHaveLength(96 * 96);
      expect(result.weights).toHaveLength(result.segmentCount);
      expect(result.map[0]).toBe(result.weights[result.segments[0]]);
      expect(result.params).toMatchObject({ samples: 200, segmentation: { method: 'slic', nSegments: 30 } });
      expect(result.timings).toMatchObject({ samples: 200, modelCalls: 7 });
    } finally {
      fs.rmSync(out, { force: true });
    }
  });

  it('--target picks the class; an impossible target or method is refused', async () => {
    const r = await cli(['--model', 'public/demo/shapes.onnx', '--image', 'public/demo/images/star-1.png', '--method', 'lime', '--samples', '50', '--target', '9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--target 9 does not exist: the model has 4 classes/);
    const m = await cli(['--model', 'public/demo/shapes.onnx', '--image', 'public/demo/images/star-1.png', '--method', 'fancy']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/--method must be one of lime, kernelshap, partitionshap, rise, occlusion, gradcam, .*guidedbackprop/);
  });
});

describe('npm run explain --method gradcam / ig', () => {
  it('Grad-CAM writes the map at input size, the raw CAM at feature size and the layer it used', async () => {
    const out = path.join(ROOT, 'scratch-cli-gradcam.json');
    try {
      const r = await cli(['--model', 'public/demo/shapes.onnx', '--image', 'public/demo/images/star-1.png', '--method', 'gradcam', '--out', out]);
      expect(r.code).toBe(0);
      // the table output summarises a CAM as a CAM (it used to print LIME's "undefined superpixels, R² undefined")
      expect(r.stdout).toMatch(/Grad-CAM for class 3 \(star\)/);
      expect(r.stdout).toMatch(/layer \S*features\.19\/Relu\S* \(12×12\)/);
      expect(r.stdout).not.toMatch(/undefined|NaN|superpixels|R²/);
      const result = JSON.parse(fs.readFileSync(out, 'utf8'));
      expect(result).toMatchObject({ kind: 'cam', method: 'gradcam', target: 3, targetLabel: 'star', width: 96, height: 96, camWidth: 12, camHeight: 12, labels: ['star'], scoreSpace: 'raw' });
      // bound to its inputs: the files' SHA-256 and the preprocessing it ran with
      const sha = (f: string) => createHash('sha256').update(fs.readFileSync(path.join(ROOT, f))).digest('hex');
      expect(result.provenance).toMatchObject({ modelSha256: sha('public/demo/shapes.onnx'), imageSha256: sha('public/demo/images/star-1.png'), preprocess: { width: 96, height: 96 } });
      expect(result.units).toMatch(/class activation/);
      expect(result.layer).toMatch(/features\.19\/Relu/);
      expect(result.map).toHaveLength(96 * 96);
      expect(result.normalisedMap).toHaveLength(96 * 96);
      expect(result.cam).toHaveLength(144);
      expect(Math.max(...result.cam)).toBeGreaterThan(0);
    } finally {
      fs.rmSync(out, { force: true });
    }
  });

  it('Integrated Gradients reports its completeness; an unknown layer is refused with its name', async () => {
    const r = await cli(['--model', 'public/demo/shapes.onnx', '--image', 'public/demo/images/star-1.png', '--method', 'ig', '--steps', '16', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.explanation.completeness.relativeError).toBeLessThan(0.05);
    const bad = await cli(['--model', 'public/demo/shapes.onnx', '--image', 'public/demo/images/star-1.png', '--method', 'gradcam', '--layer', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"nope" is not a spatial feature map/);
  });
});

describe('npm run explain --method kernelshap --metrics', () => {
  it('writes Shapley values that add up, with deletion and insertion curves', async () => {
    const out = path.join(ROOT, 'scratch-cli-shap.json');
    try {
      const r = await cli(['--model', 'public/demo/shapes.onnx', '--image', 'public/demo/images/star-1.png', '--method', 'kernelshap', '--segments', '12', '--metrics', '--metric-steps', '8', '--out', out]);
      expect(r.code).toBe(0);
      const result = JSON.parse(fs.readFileSync(out, 'utf8'));
      expect(result).toMatchObject({ method: 'kernelshap', target: 3, signed: true, params: { exact: true } });
      const { baseValue, output, sum } = result.additivity;
      expect(Math.abs(baseValue + sum - output)).toBeLessThan(1e-6);
      expect(result.metrics.deletion.y).toHaveLength(9);
      expect(result.metrics.insertion.auc).toBeGreaterThanOrEqual(0);
      expect(result.metrics.insertion.auc).toBeLessThanOrEqual(1);
    } finally {
      fs.rmSync(out, { force: true });
    }
  });
});

describe('npm run explain --method partitionshap / rise', () => {
  it('Partition SHAP adds up; RISE writes its map and example masks', async () => {
    const shap = await cli(['--model', 'public/demo/shapes.onnx', '--image', 'public/demo/images/star-1.png', '--method', 'partitionshap', '--max-evals', '100', '--json']);
    expect(shap.code).toBe(0);
    const s = JSON.parse(shap.stdout).explanation;
    expect(s.method).toBe('partitionshap');
    expect(Math.abs(s.additivity.baseValue + s.additivity.sum - s.additivity.output)).toBeLessThan(1e-6);
    const rise = await cli(['--model', 'public/demo/shapes.onnx', '--image', 'public/demo/images/star-1.png', '--method', 'rise', '--masks', '64', '--cells', '6', '--json']);
    expect(rise.code).toBe(0);
    const r = JSON.parse(rise.stdout).explanation;
    expect(r).toMatchObject({ method: 'rise', width: 96, height: 96 });
    expect(r.examples).toHaveLength(4);
    expect(r.map).toHaveLength(96 * 96);
  });
});

describe('npm run explain: anytime and reuse within one request', () => {
  const MODEL = 'public/demo/shapes.onnx', IMAGE = 'public/demo/images/star-1.png';
  it('--stable-at stops RISE early and says so; the methods of one request share rows and the curves\' baseline', async () => {
    const r = await cli(['--model', MODEL, '--image', IMAGE, '--method', 'rise', '--masks', '6000', '--raw', '--stable-at', '0.8', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const stoppedAt = out.explanation.stability.anytime.stoppedAt;
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThan(6000);
    expect(out.summary.join('\n')).toMatch(new RegExp(`stable after ${stoppedAt} masks`));
    // LIME then KernelSHAP on the same segmentation, each with curves: the second's curves reuse the baseline rows
    const two = await cli(['--model', MODEL, '--image', IMAGE, '--method', 'lime,kernelshap', '--samples', '200', '--metrics', '--metric-steps', '8', '--json']);
    expect(two.code, two.stderr).toBe(0);
    const [lime, shap] = JSON.parse(two.stdout).explanations;
    expect(lime.metrics.timings.reusedRows).toBeUndefined();
    expect(shap.metrics.timings.reusedRows).toBe(2 * 7 + 3); // the random order's inner steps and the three end points
  });
});

describe('npm run explain --method a,b --report', () => {
  const MODEL = 'public/demo/shapes.onnx', IMAGE = 'public/demo/images/star-1.png';

  it('each listed method takes the flags it has; a flag none of them has is refused; a method twice too', () => {
    const base = ['--model', 'm.onnx', '--image', 'i.png'];
    const r = parseCliArgs([...base, '--method', 'gradcam,lime', '--samples', '50', '--layer', 'feat', '--report', 'r.html']).explain!;
    expect(r.runs.map((x) => x.method)).toEqual(['gradcam', 'lime']);
    expect(r.runs[0].params).toMatchObject({ layer: 'feat' });
    expect(r.runs[0].params).not.toHaveProperty('samples');
    expect(r.runs[1].params).toMatchObject({ samples: 50 });
    expect(r).toMatchObject({ method: 'gradcam', params: r.runs[0].params, report: 'r.html' });
    expect(parseCliArgs([...base, '--method', 'lime']).explain!.runs).toHaveLength(1);
    expect(() => parseCliArgs([...base, '--method', 'gradcam,saliency', '--samples', '10'])).toThrow(/--samples does not apply to any of Grad-CAM, .* \(--method gradcam,saliency\); it is an option of lime/);
    expect(() => parseCliArgs([...base, '--method', 'gradcam,fancy'])).toThrow(/--method must be one of .* \(got "fancy"\)/);
    expect(() => parseCliArgs([...base, '--method', 'gradcam,gradcam'])).toThrow(/lists gradcam twice/);
    expect(() => parseCliArgs([...base, '--report', 'r.html'])).toThrow(/--report only applies with --method/);
  });

  it('writes one HTML report of every run whose results equal the --out-dir files; no external references; the figure PNG decodes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-report-'));
    try {
      const report = path.join(dir, 'r.html'), out = path.join(dir, 'd'), all = path.join(dir, 'all.json');
      const r = await cli(['--model', MODEL, '--image', IMAGE, '--method', 'gradcam,lime', '--samples', '100', '--segments', '20', '--seed', '2', '--metrics', '--metric-steps', '8', '--report', report, '--out-dir', out, '--out', all]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`report written to ${report}`);
      expect(r.stdout).toMatch(/Grad-CAM for class 3[\s\S]*LIME for class 3/);
      const html = fs.readFileSync(report, 'utf8');
      const runs = parseReport(html);
      expect(runs.map((f) => f.method)).toEqual(['gradcam', 'lime']);
      for (const f of runs) {
        const file = parseResultFile(fs.readFileSync(path.join(out, `star-1-${f.method}.json`), 'utf8'));
        expect(f.map).toEqual(file.map);
        expect(f.params).toEqual(file.params);
        expect(f).toMatchObject({ target: 3, seed: 2, model: { sha256: file.model.sha256 }, image: { sha256: file.image.sha256 } });
        expect(f.metrics?.deletion.y).toHaveLength(9);
      }
      expect(runs[1].params).toMatchObject({ samples: 100 });
      // --out with several methods: a JSON array of the results, in order
      expect(JSON.parse(fs.readFileSync(all, 'utf8')).map((e: { method: string; map: number[] }) => [e.method, e.map])).toEqual(runs.map((f) => [f.method, f.map]));
      // self-contained: nothing but data: URLs could load
      const page = html.replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/g, 'data:');
      expect(page).not.toMatch(/https?:|src="\/\/|\burl\(|<link\b/i);
      expect(html.match(/<script\b[^>]*>/g)).toEqual(['<script type="application/json" id="glassbox-results">', '<script type="application/json" id="glassbox-inputs">']);
      // the picture the model saw rides along for re-opening: 96×96
      const inputs = reportInputImages(html);
      expect(inputs).toHaveLength(2);
      expect(await sharp(Buffer.from(inputs[0]!.split(',')[1], 'base64')).metadata()).toMatchObject({ format: 'png', width: 96, height: 96 });
      // curves for both, a weights chart for LIME only
      expect(html.match(/fraction of pixels deleted/g)).toHaveLength(2);
      expect(html.match(/Weight per superpixel/g)).toHaveLength(1);
      const pngs = [...html.matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64'));
      expect(pngs).toHaveLength(2);
      const layout = figureLayout(96, 96);
      for (const png of pngs) {
        const meta = await sharp(png).metadata();
        expect(meta).toMatchObject({ format: 'png', width: layout.width });
        expect(meta.height).toBeGreaterThan(layout.colorBar.top + layout.colorBar.height);
        // the same picture as the --out-dir PNG of that method
      }
      expect(Buffer.compare(pngs[0], fs.readFileSync(path.join(out, 'star-1-gradcam.png')))).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with several methods --json prints "explanations" and "summaries"; one method prints what it always did', async () => {
    const r = await cli(['--model', MODEL, '--image', IMAGE, '--method', 'gradcam,saliency', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.explanation).toBeUndefined();
    expect(out.summary).toBeUndefined();
    expect(out.explanations.map((e: { method: string }) => e.method)).toEqual(['gradcam', 'saliency']);
    expect(out.summaries).toHaveLength(2);
    expect(out.summaries[1][0]).toMatch(/for class 3/);
    const one = JSON.parse((await cli(['--model', MODEL, '--image', IMAGE, '--method', 'gradcam', '--json'])).stdout);
    expect(one.explanation.method).toBe('gradcam');
    expect(one.summary[0]).toMatch(/Grad-CAM for class 3/);
    expect(one).not.toHaveProperty('explanations');
    expect(one).not.toHaveProperty('summaries');
  });

  it('--report into a folder that does not exist fails before any work, with exit code 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-report-'));
    try {
      const out = path.join(dir, 'd');
      const r = await cli(['--model', MODEL, '--image', IMAGE, '--method', 'lime', '--samples', '50', '--out-dir', out, '--report', path.join(dir, 'missing', 'r.html')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error \[PARAM_INVALID\]: Cannot write the report .*r\.html: its folder .*missing does not exist\.$/m);
      expect(r.stderr).toMatch(/^hint: Check the --report path/m);
      // nothing was computed or written
      expect(fs.existsSync(out)).toBe(false);
      const notFolder = await cli(['--model', MODEL, '--image', IMAGE, '--method', 'gradcam', '--report', path.join(ROOT, 'package.json', 'r.html')]);
      expect(notFolder.code).toBe(2);
      expect(notFolder.stderr).toMatch(/package\.json is not a folder/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
