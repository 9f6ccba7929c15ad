/** onnxruntime-web's Node build (wasm) for the CLI, tests and benchmarks: the same engine as the browser worker. */
import * as ort from 'onnxruntime-web';
import { createOrtRuntime, type OrtRuntime } from '../engine/runtime/ort-runtime';

export function createNodeRuntime(numThreads = 1): OrtRuntime {
  ort.env.wasm.numThreads = numThreads;
  ort.env.logLevel = 'error';
  return createOrtRuntime(ort);
}
