/** The only place the UI talks to workers: starts the compute worker and wraps it with comlink. */
import * as Comlink from 'comlink';
import type { Progress } from './engine/explain/types';
import { registerErrorTransfer, type ComputeApi, type WorkerBootOptions } from './worker-api';

export interface ComputeClient {
  /** The worker's API with plain callbacks (progress callbacks are wrapped as comlink proxies here). */
  compute: ComputeApi;
  api: Comlink.Remote<ComputeApi>;
  /** Replace the worker (e.g. to change the WASM thread count, fixed when onnxruntime starts). */
  restart(boot: WorkerBootOptions): Comlink.Remote<ComputeApi>;
}

/** Progress reaches the UI at most this often: each report re-renders the run's panel on the main thread. */
export const PROGRESS_INTERVAL_MS = 200;

/**
 * Coalesce a stream of progress reports: the first at once, then at most one per interval (always the latest,
 * and the last one of a burst is never lost).
 */
export function throttleProgress<P>(onProgress: (p: P) => void, intervalMs = PROGRESS_INTERVAL_MS): (p: P) => void {
  let last = -Infinity;
  let pending: { p: P } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    if (!pending) return;
    last = performance.now();
    const { p } = pending;
    pending = undefined;
    onProgress(p);
  };
  return (p) => {
    pending = { p };
    const wait = last + intervalMs - performance.now();
    if (wait <= 0) flush();
    else timer ??= setTimeout(flush, wait);
  };
}

/** A new map-so-far reaches the UI at most this often (drawing it is the costly part of a report). */
export const PREVIEW_INTERVAL_MS = 1000;

/**
 * Between two previews, reports carry the previous preview object itself: views that memoise on it draw nothing
 * new. The last report (done = total) always carries its own.
 */
export function holdPreviews(onProgress: (p: Progress) => void, intervalMs = PREVIEW_INTERVAL_MS): (p: Progress) => void {
  let shown: Progress['preview'];
  let shownAt = -Infinity;
  return (p) => {
    if (!p.preview) return onProgress(p);
    const at = performance.now();
    if (!shown || at - shownAt >= intervalMs || p.done >= p.total) {
      shown = p.preview;
      shownAt = at;
      return onProgress(p);
    }
    onProgress({ ...p, preview: shown });
  };
}

/** What the UI gets of a job's progress: coalesced reports, previews held. */
const forUi = (onProgress: (p: Progress) => void) => Comlink.proxy(holdPreviews(throttleProgress(onProgress)));

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
      decodeMask: (file, name, colour) => client.api.decodeMask(file, name, colour),
      predict: (config) => client.api.predict(config),
      explain: (jobId, job, onProgress) => client.api.explain(jobId, job, forUi(onProgress)),
      curves: (jobId, job, onProgress) => client.api.curves(jobId, job, forUi(onProgress)),
      cancel: (jobId) => client.api.cancel(jobId),
      methodSupport: () => client.api.methodSupport(),
      stability: (jobId, job, k, onProgress) => client.api.stability(jobId, job, k, forUi(onProgress)),
      shelfAdd: (bytes, name, backend) => client.api.shelfAdd(bytes, name, backend),
      shelfRemove: (id) => client.api.shelfRemove(id),
      shelfPredict: (id, config) => client.api.shelfPredict(id, config),
      shelfExplain: (jobId, id, job, onProgress) => client.api.shelfExplain(jobId, id, job, forUi(onProgress)),
      sanityCheck: (jobId, job, onProgress) => client.api.sanityCheck(jobId, job, forUi(onProgress)),
      // rows are not throttled: each is one table row (and the worker waits for the page to take it)
      datasetRun: (jobId, job, files, onRow, onProgress) => client.api.datasetRun(jobId, job, files, Comlink.proxy(onRow), forUi(onProgress)),
      datasetPause: (jobId, paused) => client.api.datasetPause(jobId, paused),
    },
    restart(options) {
      client.api = start(options);
      return client.api;
    },
  };
  return client;
}
