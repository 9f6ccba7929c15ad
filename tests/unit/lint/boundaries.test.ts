/**
 * The import boundaries in eslint.config.js really bite: small snippets linted as if they lived at a given path
 * (the files need not exist). Each "bad" case must be reported by the named rule; each "good" case must lint clean.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BOUNDARIES = 'glassbox/import-boundaries';

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT, overrideConfigFile: path.join(ROOT, 'eslint.config.js') });
});

async function lint(file: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message, line: m.line }));
}

const bad: Array<[string, string, string, string]> = [
  // [what, file, code, rule]
  ['engine imports react', 'src/engine/explain/x.ts', "import { useState } from 'react';", BOUNDARIES],
  ['engine imports react types', 'src/engine/explain/x.ts', "import type { ReactNode } from 'react';", BOUNDARIES],
  ['engine imports react-dom/client', 'src/engine/render/x.ts', "import { createRoot } from 'react-dom/client';", BOUNDARIES],
  ['engine imports zustand', 'src/engine/x.ts', "import { create } from 'zustand';", BOUNDARIES],
  ['engine imports zustand/vanilla', 'src/engine/x.ts', "import { createStore } from 'zustand/vanilla';", BOUNDARIES],
  ['engine imports comlink', 'src/engine/runtime/x.ts', "import * as Comlink from 'comlink';", BOUNDARIES],
  ['engine imports an onnxruntime value', 'src/engine/runtime/x.ts', "import { InferenceSession } from 'onnxruntime-web';", BOUNDARIES],
  ['engine imports onnxruntime as a namespace value', 'src/engine/runtime/x.ts', "import * as ort from 'onnxruntime-web';", BOUNDARIES],
  ['engine imports onnxruntime dynamically', 'src/engine/runtime/x.ts', "export const load = () => import('onnxruntime-web');", BOUNDARIES],
  ['engine mixes a value into a type import', 'src/engine/runtime/x.ts', "import { type Tensor, InferenceSession } from 'onnxruntime-web';", BOUNDARIES],
  ['engine re-exports an onnxruntime value', 'src/engine/runtime/x.ts', "export { Tensor } from 'onnxruntime-web';", BOUNDARIES],
  ['engine imports a Node built-in', 'src/engine/image/x.ts', "import { readFile } from 'node:fs/promises';", BOUNDARIES],
  ['engine imports the UI', 'src/engine/explain/x.ts', "import { App } from '../../ui/App';", BOUNDARIES],
  ['engine imports the worker API', 'src/engine/explain/meta/x.ts', "import { registerErrorTransfer } from '../../../worker-api';", BOUNDARIES],
  ['engine re-exports the store', 'src/engine/x.ts', "export * from '../store/app-store';", BOUNDARIES],
  ['engine uses document', 'src/engine/render/x.ts', "export const c = document.createElement('canvas');", 'no-restricted-globals'],
  ['engine uses window', 'src/engine/x.ts', "export const w = typeof window;", 'no-restricted-globals'],
  ['engine uses navigator', 'src/engine/x.ts', 'export const n = navigator.hardwareConcurrency;', 'no-restricted-globals'],
  ['engine uses self', 'src/engine/x.ts', 'export const s = self;', 'no-restricted-globals'],
  ['engine uses localStorage', 'src/engine/x.ts', "export const v = localStorage.getItem('k');", 'no-restricted-globals'],
  ['engine uses globalThis.document', 'src/engine/x.ts', 'export const d = globalThis.document;', 'no-restricted-properties'],
  ['engine uses Math.random', 'src/engine/math/x.ts', 'export const r = Math.random();', 'no-restricted-properties'],
  ['UI imports onnxruntime', 'src/ui/model/X.tsx', "import * as ort from 'onnxruntime-web';", BOUNDARIES],
  ['UI imports onnxruntime types', 'src/ui/model/X.tsx', "import type { InferenceSession } from 'onnxruntime-web';", BOUNDARIES],
  ['UI imports onnxruntime dynamically', 'src/ui/model/X.tsx', "export const ort = () => import('onnxruntime-web');", BOUNDARIES],
  ['store imports onnxruntime', 'src/store/x.ts', "import { Tensor } from 'onnxruntime-web';", BOUNDARIES],
  ['UI imports grad', 'src/ui/explain/X.tsx', "import { createGradientSource } from '../../engine/grad/gradient-model';", BOUNDARIES],
  ['UI imports the grad folder index', 'src/ui/explain/X.tsx', "import { rules } from '../../engine/grad';", BOUNDARIES],
  ['UI imports onnx (spelled another way)', 'src/ui/model/X.tsx', "import { parseModel } from '../../../src/engine/onnx/model-graph';", BOUNDARIES],
  ['store imports runtime', 'src/store/app-store.ts', "import { createOrtRuntime } from '../engine/runtime/ort-runtime';", BOUNDARIES],
  ['main thread imports runtime', 'src/worker-api.ts', "import { createOrtRuntime } from './engine/runtime/ort-runtime';", BOUNDARIES],
  ['UI imports comlink', 'src/ui/X.tsx', "import * as Comlink from 'comlink';", BOUNDARIES],
  ['UI imports a worker', 'src/ui/X.tsx', "import '../../workers/compute.worker';", BOUNDARIES],
  ['UI imports the CLI', 'src/store/x.ts', "import { parseArgs } from '../cli/args';", BOUNDARIES],
  ['worker imports the UI', 'workers/x.worker.ts', "import { App } from '../src/ui/App';", BOUNDARIES],
  ['worker imports the store', 'workers/x.worker.ts', "import { createAppStore } from '../src/store/app-store';", BOUNDARIES],
  ['worker imports the CLI', 'workers/x.worker.ts', "import { parseArgs } from '../src/cli/args';", BOUNDARIES],
  ['worker imports the worker client', 'workers/x.worker.ts', "import { createComputeClient } from '../src/worker-client';", BOUNDARIES],
  ['worker imports react', 'workers/x.worker.ts', "import { useState } from 'react';", BOUNDARIES],
  ['worker imports zustand', 'workers/x.worker.ts', "import { createStore } from 'zustand/vanilla';", BOUNDARIES],
];

const good: Array<[string, string, string]> = [
  ['engine imports onnxruntime types', 'src/engine/runtime/x.ts', "import type * as Ort from 'onnxruntime-web';\nexport type T = Ort.Tensor;"],
  ['engine imports onnxruntime types inline', 'src/engine/runtime/x.ts', "import { type Tensor } from 'onnxruntime-web';\nexport type T = Tensor;"],
  ['engine refers to an onnxruntime type by import()', 'src/engine/runtime/x.ts', "export type T = import('onnxruntime-web').Tensor;"],
  ['engine imports across its own folders', 'src/engine/explain/meta/x.ts', "import { createRng } from '../../math/rng';\nexport * from '../../grad/gradient-model';"],
  ['engine imports protobufjs', 'src/engine/onnx/x.ts', "import $protobuf from 'protobufjs/minimal.js';\nexport default $protobuf;"],
  ['engine uses a local named window and the seeded rng', 'src/engine/segment/x.ts', "import { createRng } from '../math/rng';\nconst window = 3;\nexport const v = createRng(window).uint32();"],
  ['engine reads performance through globalThis', 'src/engine/math/x.ts', 'export const p = (globalThis as { performance?: { now(): number } }).performance;'],
  ['UI imports the explain registry', 'src/ui/explain/X.tsx', "import { METHODS } from '../../engine/explain/registry';\nexport const m = METHODS;"],
  ['UI imports pure engine modules', 'src/ui/preprocess/X.tsx', "import { GlassboxError } from '../../engine/errors';\nimport { heatmap } from '../../engine/render/heatmap';\nimport type { RgbaImage } from '../../engine/image/types';\nexport { GlassboxError, heatmap };\nexport type R = RgbaImage;"],
  ['UI imports engine-internal types', 'src/ui/model/X.tsx', "import type { ModelGraphInfo } from '../../engine/onnx/model-graph';\nexport type M = ModelGraphInfo;"],
  ['UI imports react, zustand and the worker API', 'src/ui/X.tsx', "import { useState } from 'react';\nimport { useStore } from 'zustand';\nimport type { ComputeApi } from '../worker-api';\nexport { useState, useStore };\nexport type C = ComputeApi;"],
  ['worker API type-imports engine internals and uses comlink', 'src/worker-api.ts', "import * as Comlink from 'comlink';\nimport type { ClassifierSpec } from './engine/runtime/classifier-spec';\nexport { Comlink };\nexport type S = ClassifierSpec;"],
  ['worker client uses comlink', 'src/worker-client.ts', "import * as Comlink from 'comlink';\nimport type { ComputeApi } from './worker-api';\nexport const w = (x: Worker) => Comlink.wrap<ComputeApi>(x);"],
  ['worker imports the engine, the worker API, comlink and onnxruntime', 'workers/x.worker.ts', "import * as Comlink from 'comlink';\nimport { createGradientSource } from '../src/engine/grad/gradient-model';\nimport { registerErrorTransfer } from '../src/worker-api';\nimport { decodeImageInWorker } from './decode-image';\nexport const ort = () => import('onnxruntime-web');\nexport { Comlink, createGradientSource, registerErrorTransfer, decodeImageInWorker };"],
];

describe('import boundaries (eslint.config.js)', () => {
  it.each(bad)('reports: %s', async (_what, file, code, rule) => {
    const messages = await lint(file, code);
    expect(messages.map((m) => m.ruleId), JSON.stringify(messages)).toContain(rule);
  });

  it.each(good)('allows: %s', async (_what, file, code) => {
    expect(await lint(file, code)).toEqual([]);
  });

  it('says why, and whether a type import would do', async () => {
    const [grad] = await lint('src/ui/explain/X.tsx', "import { createGradientSource } from '../../engine/grad/gradient-model';");
    expect(grad.message).toMatch(/not allowed in the UI/);
    expect(grad.message).toMatch(/import type` is allowed/);
    const [ort] = await lint('src/ui/X.tsx', "import type { Tensor } from 'onnxruntime-web';");
    expect(ort.message).toMatch(/onnxruntime/);
    expect(ort.message).not.toMatch(/import type` is allowed/);
  });

  it('covers every source file of the engine, the UI, the store, the main thread and the workers', async () => {
    const files = (await readdir(ROOT, { recursive: true }))
      .map((f) => f.split(path.sep).join('/'))
      .filter((f) => /^(src|workers)\//.test(f) && /\.[cm]?tsx?$/.test(f))
      .filter((f) => !f.startsWith('src/engine/onnx/generated/') && !f.startsWith('src/cli/') && f !== 'src/sw.ts');
    expect(files.length).toBeGreaterThan(50);
    const uncovered: string[] = [];
    for (const file of files) {
      const config = (await eslint.calculateConfigForFile(path.join(ROOT, file))) as { rules?: Record<string, unknown> } | undefined;
      const setting = config?.rules?.[BOUNDARIES];
      if (!Array.isArray(setting) || setting[0] !== 2) uncovered.push(file);
    }
    expect(uncovered).toEqual([]);
  });
});
