/** The only place the UI talks to workers: starts the compute worker and wraps it with comlink. */
import * as Comlink from 'comlink';
import { registerErrorTransfer, type ComputeApi, type WorkerBootOptions } from './worker-api';

export interface ComputeClient {
  /** The worker's API with plain callbacks (progress callbacks are wrapped as comlink proxies here). */
  compute: ComputeApi;
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
    compute: {
      environment: () => client.api.environment(),
      loadModel: (bytes, name, backend) => client.api.loadModel(bytes, name, backend),
      switchBackend: (backend) => client.api.switchBackend(backend),
      decodeImage: (file, name) => client.api.decodeImage(file, name),
      predict: (config) => client.api.predict(config),
      explain: (jobId, job, onProgress) => client.api.explain(jobId, job, Comlink.proxy(onProgress)),
      cancel: (jobId) => client.api.cancel(jobId),
      methodSupport: () => client.api.methodSupport(),
    },
    restart(options) {
      client.api = start(options);
      return client.api;
    },
  };
  return client;
}
