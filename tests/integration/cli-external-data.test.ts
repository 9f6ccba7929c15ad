/**
 * The CLI on a model with external data: the weights file is read from the model's folder and inlined, so the
 * scores equal the inline twin's; a missing weights file, or one outside the folder, is refused by name (exit 2).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { rowsFromCsv } from '../../src/engine/evaluate/csv';
import { decodeModel } from '../../src/engine/onnx/model-graph';
import { onnx } from '../../src/engine/onnx/proto';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const EXTERNAL = path.join(ROOT, 'tests/fixtures/models/external');
const IMAGE = path.join(ROOT, 'tests/fixtures/images/gradient_4x3.png');

async function cli(args: string[], script = 'src/cli/explain.ts'): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, [script, ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-external-'));

describe('npm run explain on a model with external data', () => {
  it('reads the weights file beside the model and predicts what the inline twin predicts', async () => {
    const [external, inline] = await Promise.all([
      cli(['--model', path.join(EXTERNAL, 'tiny_external.onnx'), '--image', IMAGE, '--top', '5', '--json']),
      cli(['--model', path.join(EXTERNAL, 'tiny_external_inline.onnx'), '--image', IMAGE, '--top', '5', '--json']),
    ]);
    expect(external.code, external.stderr).toBe(0);
    expect(inline.code, inline.stderr).toBe(0);
    const a = JSON.parse(external.stdout), b = JSON.parse(inline.stdout);
    expect(a.top).toHaveLength(5);
    expect(a.top).toEqual(b.top);
  });

  it('without its weights file: exit 2 and a message naming the file', async () => {
    const dir = tmp();
    fs.copyFileSync(path.join(EXTERNAL, 'tiny_external.onnx'), path.join(dir, 'tiny_external.onnx'));
    const r = await cli(['--model', path.join(dir, 'tiny_external.onnx'), '--image', IMAGE]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`error [MODEL_LOAD_FAILED]: This model keeps its weights in "tiny_external.onnx.data"; put it in the model's folder (${dir}).`);
    fs.rmSync(dir, { recursive: true });
  });

  it('a weights location outside the model folder is refused before anything is read', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'model'));
    fs.copyFileSync(path.join(EXTERNAL, 'tiny_external.onnx.data'), path.join(dir, 'tiny_external.onnx.data'));
    const model = decodeModel(new Uint8Array(fs.readFileSync(path.join(EXTERNAL, 'tiny_external.onnx'))));
    for (const t of model.graph!.initializer!) t.externalData!.find((e) => e.key === 'location')!.value = '../tiny_external.onnx.data';
    fs.writeFileSync(path.join(dir, 'model/escape.onnx'), onnx.ModelProto.encode(model).finish());
    const r = await cli(['--model', path.join(dir, 'model/escape.onnx'), '--image', IMAGE]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('error [MODEL_LOAD_FAILED]: This model keeps its weights in "../tiny_external.onnx.data", which Glassbox does not read: it points outside the model\'s folder ("..").');
    fs.rmSync(dir, { recursive: true });
  });
});

describe('npm run evaluate on a model with external data', () => {
  it('--models reads the weights file beside the model: the same scores as the inline twin', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'images'));
    fs.copyFileSync(IMAGE, path.join(dir, 'images/gradient.png'));
    const out = path.join(dir, 'rows.csv');
    const r = await cli(['--models', `${path.join(EXTERNAL, 'tiny_external.onnx')},${path.join(EXTERNAL, 'tiny_external_inline.onnx')}`, '--images', path.join(dir, 'images'), '--methods', 'gradcam', '--out', out], 'src/cli/evaluate.ts');
    expect(r.code, r.stderr).toBe(0);
    const rows = rowsFromCsv(fs.readFileSync(out, 'utf8'));
    const of = (model: string) => rows.filter((row) => row.model === model).map((row) => [row.image, row.target, row.predicted, row.score]);
    expect(of('tiny_external')).toHaveLength(1);
    expect(of('tiny_external')).toEqual(of('tiny_external_inline'));
    fs.rmSync(dir, { recursive: true });
  });

  it('without the weights file: exit 2 and the message naming it', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'images'));
    fs.copyFileSync(IMAGE, path.join(dir, 'images/gradient.png'));
    fs.copyFileSync(path.join(EXTERNAL, 'tiny_external.onnx'), path.join(dir, 'tiny_external.onnx'));
    const r = await cli(['--models', path.join(dir, 'tiny_external.onnx'), '--images', path.join(dir, 'images'), '--methods', 'gradcam', '--out', path.join(dir, 'rows.csv')], 'src/cli/evaluate.ts');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`This model keeps its weights in "tiny_external.onnx.data"; put it in the model's folder (${dir}).`);
    fs.rmSync(dir, { recursive: true });
  });
});
