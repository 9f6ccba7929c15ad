/** The only place the UI talks to workers: starts the compute worker and wraps it with comlink. */
import * as Comlink from 'comlink';
import { GlassboxError } from './engine/errors';
import type { Progress } from './engine/explain/types';
import { registerErrorTransfer, type BackendChoice, type ComputeApi, type ExternalDataFile, type WorkerBootOptions, type WorkerLifeApi } from './worker-api';

export interface ComputeClient {
  /** The worker's API with plain callbacks (progress callbacks are wrapped as comlink proxies here). */
  compute: ComputeApi;
  api: Comlink.Remote<ComputeApi>;
  /** Replace the worker (e.g. to change the WASM thread count, fixed when onnxruntime starts). */
  restart(boot: WorkerBootOptions): Comlink.Remote<ComputeApi>;
}

/** What a call left unanswered by a worker that died (out of memory, most likely) is rejected with. */
export function workerCrashedError(call?: string): GlassboxError {
  return new GlassboxError(
    'INFERENCE_FAILED',
    'The computation ran out of memory and was restarted; the model was reloaded. Your image and history are kept.',
    'Run it again; if it happens again, use a smaller batch size, fewer samples, or a smaller model or image.',
    call ? `The compute worker stopped during ${call}.` : 'The compute worker stopped while idle.',
  );
}

/**
 * Dispatched on the page (globalThis) when a worker that died while idle has been replaced: no call carried the news,
 * so the messages panel says it (detail: the error of the reload, if it failed).
 */
export const WORKER_RESTARTED_EVENT = 'glassbox:worker-restarted';

/** onnxruntime's words for a WASM heap that ran out or was corrupted: the worker is not trusted after them. */
const FATAL_WASM = /out of memory|Array buffer allocation failed|memory access out of bounds|Aborted\(|OOM/i;

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
  let options = boot;
  /** Each worker's generation: a death noticed for an older one (replaced on purpose) is ignored. */
  let generation = 0;
  /** Calls the current worker has not answered yet: rejected at once if it dies. */
  const pending = new Set<{ call: string; reject: (e: unknown) => void }>();
  /** What the worker held, to give a new one after a crash (the store keeps the same bytes and file: no copies). */
  let held: { model?: { bytes: Uint8Array; name: string; backend: BackendChoice; externalData?: ExternalDataFile[] }; image?: { file: Blob; name: string } } = {};
  /** While a crashed worker's replacement reloads the model and image, new calls wait for it. */
  let recovering: Promise<void> | undefined;
  let recoveries = 0;
  /** Rejects when the current worker dies: the reload after a crash must not wait for ever on a worker that died too. */
  let death: { promise: Promise<never>; reject: (e: unknown) => void } | undefined;

  const start = (next: WorkerBootOptions) => {
    options = next;
    worker?.terminate();
    const mine = ++generation;
    let reject!: (e: unknown) => void;
    const promise = new Promise<never>((_, r) => (reject = r));
    promise.catch(() => undefined);
    death = { promise, reject };
    worker = new Worker(new URL('../workers/compute.worker.ts', import.meta.url), { type: 'module', name: JSON.stringify(next) });
    const remote = Comlink.wrap<ComputeApi & WorkerLifeApi>(worker);
    // a dead worker sends nothing: it held a Web Lock, which the page is granted once the worker is gone
    const lockName = `glassbox-compute-${Math.random().toString(36).slice(2)}-${mine}`;
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    if (locks) {
      void remote.holdLifeLock(lockName).then((holding) => {
        if (holding && mine === generation) void locks.request(lockName, async () => crashed(mine));
      }, () => undefined);
    }
    return remote;
  };

  /** Restarts after a crash, recent first: a worker that dies again and again is not restarted for ever. */
  const crashTimes: number[] = [];

  function crashed(which: number): void {
    if (which !== generation) return;
    const now = Date.now();
    while (crashTimes.length && now - crashTimes[0] > 60_000) crashTimes.shift();
    crashTimes.push(now);
    if (crashTimes.length > 3) held = {}; // a fourth death in a minute: start bare, the model may be what kills it
    const failed = [...pending];
    pending.clear();
    for (const p of failed) p.reject(workerCrashedError(p.call));
    death?.reject(workerCrashedError('the reload after a restart'));
    client.api = start(options);
    const api = client.api;
    const died = death!.promise;
    const { model, image } = held;
    const attempt = ++recoveries;
    recovering = (async () => {
      await Promise.resolve(); // `recovering` is set before this can end
      try {
        if (model) await Promise.race([api.loadModel(model.bytes, model.name, model.backend, model.externalData), died]);
        if (image) await Promise.race([api.decodeImage(image.file, image.name), died]);
        if (!failed.length) globalThis.dispatchEvent?.(new CustomEvent(WORKER_RESTARTED_EVENT));
      } catch (e) {
        if (!failed.length) globalThis.dispatchEvent?.(new CustomEvent(WORKER_RESTARTED_EVENT, { detail: e }));
      } finally {
        if (attempt === recoveries) recovering = undefined;
      }
    })();
  }

  /** A call on the current worker that rejects with a clear error if the worker dies before answering. */
  const track = <K extends keyof ComputeApi>(call: K, send: ComputeApi[K]): ComputeApi[K] => {
    const run = send as (...args: unknown[]) => Promise<unknown>;
    return (async (...args: unknown[]) => {
      while (recovering) await recovering;
      const which = generation;
      let entry!: { call: string; reject: (e: unknown) => void };
      const died = new Promise<never>((_, reject) => (entry = { call, reject }));
      pending.add(entry);
      try {
        return await Promise.race([run(...args), died]);
      } catch (e) {
        // onnxruntime's heap ran out or broke: this worker cannot be trusted with more work
        if (which === generation && !(e instanceof GlassboxError) && FATAL_WASM.test(String((e as Error)?.message ?? e))) {
          pending.delete(entry);
          crashed(which);
          throw workerCrashedError(call);
        }
        throw e;
      } finally {
        pending.delete(entry);
      }
    }) as ComputeApi[K];
  };

  const client: ComputeClient = {
    api: start(boot),
    compute: {
      environment: track('environment', () => client.api.environment()),
      loadModel: track('loadModel', async (bytes, name, backend, externalData) => {
        const model = await client.api.loadModel(bytes, name, backend, externalData);
        held.model = { bytes, name, backend, externalData };
        return model;
      }),
      switchBackend: track('switchBackend', async (backend) => {
        const model = await client.api.switchBackend(backend);
        if (held.model) held.model = { ...held.model, backend };
        return model;
      }),
      decodeImage: track('decodeImage', async (file, name) => {
        const image = await client.api.decodeImage(file, name);
        held.image = { file, name };
        return image;
      }),
      decodeMask: track('decodeMask', (file, name, colour) => client.api.decodeMask(file, name, colour)),
      predict: track('predict', (config) => client.api.predict(config)),
      explain: track('explain', (jobId, job, onProgress) => client.api.explain(jobId, job, forUi(onProgress))),
      curves: track('curves', (jobId, job, onProgress) => client.api.curves(jobId, job, forUi(onProgress))),
      cancel: (jobId) => client.api.cancel(jobId),
      methodSupport: track('methodSupport', () => client.api.methodSupport()),
      probeBatch: track('probeBatch', (rowDims) => client.api.probeBatch(rowDims)),
      stability: track('stability', (jobId, job, k, onProgress) => client.api.stability(jobId, job, k, forUi(onProgress))),
      shelfAdd: track('shelfAdd', (bytes, name, backend) => client.api.shelfAdd(bytes, name, backend)),
      shelfRemove: (id) => client.api.shelfRemove(id),
      shelfPredict: track('shelfPredict', (id, config) => client.api.shelfPredict(id, config)),
      shelfExplain: track('shelfExplain', (jobId, id, job, onProgress) => client.api.shelfExplain(jobId, id, job, forUi(onProgress))),
      sanityCheck: track('sanityCheck', (jobId, job, onProgress) => client.api.sanityCheck(jobId, job, forUi(onProgress))),
      // rows are not throttled: each is one table row (and the worker waits for the page to take it)
      datasetRun: track('datasetRun', (jobId, job, files, onRow, onProgress) => client.api.datasetRun(jobId, job, files, Comlink.proxy(onRow), forUi(onProgress))),
      datasetPause: (jobId, paused) => client.api.datasetPause(jobId, paused),
    },
    restart(next) {
      // a restart on purpose: whoever asked reloads what it needs (the thread-count change does)
      held = {};
      client.api = start(next);
      return client.api;
    },
  };
  return client;
}
