/**
 * The CLI's native backend (onnxruntime-node's CPU provider behind the same createOrtRuntime) gives the maps the
 * WASM backend gives: Grad-CAM, Saliency and seeded LIME within 1e-4 (max |Δ| / max |wasm|) on the demo model and
 * two gradient fixtures. When onnxruntime-node cannot load, the suite is skipped and says why in its title.
 *
 * Unavailability is simulated with GLASSBOX_ORT_NODE_MODULE, which src/cli/ort-node.ts reads as the module to load
 * instead of "onnxruntime-node": a path that does not exist fails exactly as a missing package or binary does.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/args';
import { loadOrtNode } from '../../src/cli/ort-node';
import { predictFile } from '../../src/cli/predict-file';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const IMAGE = path.join(ROOT, 'public/demo/images/circle-1.png');
const REALWORLD = path.join(ROOT, 'tests/fixtures/grad/realworld');
const native = loadOrtNode();
if (!native.ort) console.warn(`[skip] onnxruntime-node cannot load here (${native.error}): the native-vs-WASM map comparisons are skipped.`);

const CASES: { name: string; model: string; flags: string[] }[] = [
  { name: 'demo shapes.onnx', model: path.join(ROOT, 'public/demo/shapes.onnx'), flags: [] },
  { name: 'resnetish_dynhw.onnx at 32×32', model: path.join(REALWORLD, 'resnetish_dynhw.onnx'), flags: ['--size', '32'] },
  { name: 'tvit.onnx (a small ViT)', model: path.join(REALWORLD, 'tvit.onnx'), flags: [] },
];

const METHODS = ['gradcam', 'saliency', 'lime'];

async function maps(model: string, flags: string[], backend: 'wasm' | 'native'): Promise<{ backend: string; maps: Map<string, Float32Array> }> {
  const req = parseCliArgs(['--model', model, '--image', IMAGE, ...flags, '--backend', backend, '--json', '--target', '1',
    '--method', METHODS.join(','), '--samples', '300', '--seed', '7']);
  const result = await predictFile(req);
  return { backend: result.backend, maps: new Map(result.explanations!.map((e) => [e.method, Float32Array.from(e.map)])) };
}

function relativeMaxError(actual: Float32Array, reference: Float32Array): number {
  let err = 0, scale = 0;
  for (let i = 0; i < reference.length; i++) {
    err = Math.max(err, Math.abs(actual[i] - reference[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }
  return err / Math.max(scale, 1e-12);
}

describe.skipIf(!native.ort)(`native and WASM backends give the same maps${native.ort ? '' : ` — SKIPPED: onnxruntime-node cannot load here (${native.error})`}`, () => {
  it.each(CASES)('$name: Grad-CAM, Saliency and LIME (seed 7) agree within 1e-4', async ({ model, flags }) => {
    const wasm = await maps(model, flags, 'wasm');
    const nat = await maps(model, flags, 'native');
    expect(wasm.backend).toBe('wasm');
    expect(nat.backend).toBe('native');
    for (const method of METHODS) {
      const reference = wasm.maps.get(method)!;
      expect(nat.maps.get(method)!.length, method).toBe(reference.length);
      expect(reference.some((v) => v !== 0), `${method}: the map is not all zeros`).toBe(true);
      expect(relativeMaxError(nat.maps.get(method)!, reference), method).toBeLessThan(1e-4);
    }
  }, 120_000);

  it('without --backend the CLI takes native when it loads', async () => {
    const result = await predictFile(parseCliArgs(['--model', CASES[0].model, '--image', IMAGE, '--json']));
    expect(result.backend).toBe('native');
  });
});

describe('when onnxruntime-node cannot load (GLASSBOX_ORT_NODE_MODULE points at nothing)', () => {
  const cli = async (args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(TSX, ['src/cli/explain.ts', ...args], {
        cwd: ROOT, env: { ...process.env, GLASSBOX_ORT_NODE_MODULE: path.join(ROOT, 'no-such-dir/onnxruntime-node') },
      });
      return { code: 0, stdout, stderr };
    } catch (e) {
      return e as { code: number; stdout: string; stderr: string };
    }
  };
  const base = ['--model', path.join(ROOT, 'public/demo/shapes.onnx'), '--image', IMAGE];

  it('--backend native fails with BACKEND_UNAVAILABLE, a hint and the loader\'s text', async () => {
    const r = await cli([...base, '--backend', 'native']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error \[BACKEND_UNAVAILABLE\]: The native backend \(onnxruntime-node\) is not available here\./);
    expect(r.stderr).toMatch(/hint: .*--backend wasm/);
    expect(r.stderr).toMatch(/detail: Cannot find module/);
  }, 60_000);

  it('the default falls back to WASM without a word', async () => {
    const r = await cli([...base, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).backend).toBe('wasm');
    expect(r.stderr).not.toMatch(/onnxruntime-node|native/i);
  }, 60_000);

  it('--backend with another value is refused as PARAM_INVALID', async () => {
    expect(() => parseCliArgs([...base, '--backend', 'cuda'])).toThrow(/--backend must be auto, wasm, native/);
  });
});
