/**
 * onnxruntime for the CLI, tests and benchmarks: onnxruntime-web's Node build (wasm, the same engine as the browser
 * worker) or, when the optional dependency onnxruntime-node loads, its native CPU build behind the same runtime.
 */
import { createRequire } from 'node:module';
import * as ort from 'onnxruntime-web';
import { GlassboxError } from '../engine/errors';
import { createOrtRuntime, type Ort, type OrtRuntime } from '../engine/runtime/ort-runtime';

import type { BackendChoice, NodeBackend } from './args';

export type { BackendChoice, NodeBackend };

/**
 * Where onnxruntime-node is loaded from. GLASSBOX_ORT_NODE_MODULE overrides it (a path or package name), which is
 * how tests simulate a machine where the native binary cannot load (a path that does not exist).
 */
const ORT_NODE_MODULE = () => process.env.GLASSBOX_ORT_NODE_MODULE || 'onnxruntime-node';

let nativeLoad: { module: string; ort?: Ort; error?: string } | undefined;

/** onnxruntime-node, or why it cannot load here (not installed, no prebuilt binary for this platform). Cached. */
export function loadOrtNode(): { ort?: Ort; error?: string } {
  const module = ORT_NODE_MODULE();
  if (nativeLoad?.module === module) return nativeLoad;
  try {
    // required, not imported: an optional dependency the type checker and bundler must not insist on
    const loaded = createRequire(import.meta.url)(module) as Ort;
    if (typeof loaded?.InferenceSession?.create !== 'function') throw new Error(`${module} has no InferenceSession`);
    loaded.env.logLevel = 'error';
    nativeLoad = { module, ort: loaded };
  } catch (e) {
    nativeLoad = { module, error: (e as Error).message?.split('\n')[0] ?? String(e) };
  }
  return nativeLoad;
}

/** The backend a choice resolves to here; `native` asked for but unavailable is an error (auto falls back quietly). */
export function resolveNodeBackend(choice: BackendChoice = 'auto'): NodeBackend {
  if (choice === 'wasm') return 'wasm';
  const native = loadOrtNode();
  if (native.ort) return 'native';
  if (choice === 'auto') return 'wasm';
  throw nativeUnavailable(native.error);
}

function nativeUnavailable(detail: string | undefined): GlassboxError {
  return new GlassboxError(
    'BACKEND_UNAVAILABLE',
    'The native backend (onnxruntime-node) is not available here.',
    'Install it with "npm install onnxruntime-node@1.30.0" (an optional dependency with prebuilt binaries for Linux, macOS and Windows on x64 and arm64), or run with --backend wasm.',
    detail,
  );
}

export function createNodeRuntime(numThreads = 1, backend: NodeBackend = 'wasm'): OrtRuntime {
  if (backend === 'native') {
    const native = loadOrtNode();
    if (!native.ort) throw nativeUnavailable(native.error);
    return createOrtRuntime(native.ort, { cpuProvider: 'cpu', intraOpNumThreads: numThreads });
  }
  ort.env.wasm.numThreads = numThreads;
  ort.env.logLevel = 'error';
  return createOrtRuntime(ort);
}
