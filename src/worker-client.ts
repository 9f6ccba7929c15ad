/** The only place the UI talks to workers: starts the compute worker and wraps it with comlink. */
import * as Comlink from 'comlink';
import { registerErrorTransfer, type ComputeApi, type WorkerBootOptions } from './worker-api';

export interface ComputeClient {
  api: Comlink.Remote<ComputeApi>;
  /** Replace the worker (e.g. to change the WASM thread count, fixed when onnxruntime starts). */
  restart(boot: WorkerBootOptions): Comlink.Remote<ComputeApi>;
}

export function createComputeClient(boot: WorkerBootOptions): ComputeClient {
  registerErrorTransfer();
  let worker: Worker | undefined;
  const start = (options: WorkerBootOptions) => {
    worker?.terminate();
    worker = new Worker(new URL('../workers/compute.worker.ts', import.meta.url), { type: 'module', name: JSON.stringify(options) });
    return Comlink.wrap<ComputeApi>(worker);
  };
  const client: ComputeClient = {
    api: start(boot),
    restart(options) {
      client.api = start(options);
      return client.api;
    },
  };
  return client;
}
