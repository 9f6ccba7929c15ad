/**
 * The compute worker: owns onnxruntime-web (WebGPU or WASM), the loaded model and the current image, and
 * exposes the engine through comlink. Thin on purpose — the work lives in src/engine.
 */
import * as Comlink from 'comlink';
import { GlassboxError, serializeError } from '../src/engine/errors';
import { isMethodId } from '../src/engine/explain/registry';
import { faithfulness } from '../src/engine/explain/faithfulness';
import { createReuseCache, type ReuseCache } from '../src/engine/explain/reuse';
import { probeBatchSize, PROBE_CANDIDATES, PROBE_MAX_BUFFER_BYTES } from '../src/engine/runtime/batch-probe';
import { runMethod } from '../src/engine/explain/run';
import { runStability } from '../src/engine/explain/stability-run';
import type { ExplainRequest, Progress } from '../src/engine/explain/types';
import { preprocessImage, resizeForModel, type PreprocessConfig } from '../src/engine/image/preprocess';
import type { RgbaImage } from '../src/engine/image/types';
import { createGradientSource, type GradientSource } from '../src/engine/grad/gradient-model';
import { createOrtRuntime, readModelInfo, type Backend, type Model, type Ort } from '../src/engine/runtime/ort-runtime';
import { registerErrorTransfer, type BackendChoice, type ComputeApi, type EnvironmentInfo, type ExplainJob, type ExternalDataFile, type LoadedModel, type WorkerBootOptions, type WorkerLifeApi } from '../src/worker-api';
import { externalDataBaseName, externalDataFiles, inlineExternalData } from '../src/engine/onnx/external-data';
import { checkImageBlob, decodeImageInWorker, decodeMaskInWorker } from './decode-image';
import { createShelf } from './shelf-models';
import { parameterCountOfBytes } from '../src/engine/onnx/param-count';
import { runSanityJob } from './sanity-job';
import { runDatasetJob, setDatasetPause } from './dataset-job';
import { labelColours, maskFromImage } from '../src/engine/metrics/mask';

// onnxruntime starts its WASM threads as workers running this same script under the name 'em-pthread':
// importing ORT dynamically keeps it in its own chunk, and the guard keeps this file from re-exposing itself.
const isPthread = self.name === 'em-pthread';
const boot: WorkerBootOptions = (() => {
  try {
    return JSON.parse(self.name) as WorkerBootOptions;
  } catch {
    return { threads: 0 };
  }
})();

/** WASM threads this worker uses: one core is left to the page; a user's choice wins where isolation allows threads. */
function wasmThreads(): number {
  // Leave one core to the page (rendering, input) and the browser. On 2 cores a second WASM thread made demo runs
  // ~1.7× faster on an idle machine, but no faster on a busy one, where it competed with the page (long tasks
  // on every progress report). Users can still choose more. Threads need cross-origin isolation.
  const auto = self.crossOriginIsolated ? Math.max(1, Math.min(8, navigator.hardwareConcurrency - 1)) : 1;
  return boot.threads > 0 && self.crossOriginIsolated ? boot.threads : auto;
}

/**
 * One onnxruntime build per backend, each imported on first use. WASM runs on the plain SIMD-threaded build: the
 * WebGPU build (Asyncify-instrumented wasm) also has the WASM backend but ran squeezenet1.1 2–3× slower in Chromium
 * (bench/browser.ts); it is loaded only when a model runs on WebGPU.
 */
const ortPromises: Partial<Record<Backend, Promise<Ort>>> = {};
function loadOrt(backend: Backend = 'wasm'): Promise<Ort> {
  return (ortPromises[backend] ??= (backend === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')).then((ort) => {
    ort.env.wasm.numThreads = wasmThreads();
    ort.env.wasm.proxy = false;
    ort.env.logLevel = 'error';
    return ort as unknown as Ort;
  }));
}

let adapterPromise: Promise<EnvironmentInfo['webgpu']> | undefined;
function probeWebGpu(): Promise<EnvironmentInfo['webgpu']> {
  adapterPromise ??= (async () => {
    const gpu = (navigator as WorkerNavigator & { gpu?: { requestAdapter(): Promise<GPUAdapterLike | null> } }).gpu;
    if (!gpu) return { available: false, shaderF16: false, reason: 'This browser has no WebGPU.' };
    try {
      const adapter = await gpu.requestAdapter();
      if (!adapter) return { available: false, shaderF16: false, reason: 'WebGPU is present but no GPU adapter is available.' };
      const info = adapter.info ?? {};
      return {
        available: true,
        adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown GPU',
        isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
        shaderF16: adapter.features.has('shader-f16'),
      };
    } catch (e) {
      return { available: false, shaderF16: false, reason: `WebGPU adapter request failed: ${(e as Error).message}` };
    }
  })();
  return adapterPromise;
}

interface GPUAdapterLike {
  features: { has(name: string): boolean };
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

let current: { model: Model; bytes: Uint8Array; summary: LoadedModel; gradients: GradientSource } | undefined;

// Session work runs one call at a time: disposing or replacing a session while another call still uses it
// corrupts onnxruntime's WASM heap ("memory access out of bounds").
let sessionQueue: Promise<unknown> = Promise.resolve();
function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const result = sessionQueue.then(work, work);
  sessionQueue = result.catch(() => undefined);
  return result;
}
let image: { pixels: RgbaImage; sha256: string } | undefined;

/** Pick the backend to use for a request and say why when it is not the one asked for. */
async function resolveBackend(choice: BackendChoice, fp16: boolean): Promise<{ backend: Backend; note?: string }> {
  if (choice === 'wasm') return { backend: 'wasm' };
  const gpu = await probeWebGpu();
  if (!gpu.available) return { backend: 'wasm', note: choice === 'webgpu' ? `WebGPU unavailable (${gpu.reason}); using WASM.` : undefined };
  if (fp16 && !gpu.shaderF16) return { backend: 'wasm', note: 'This fp16 model needs the GPU feature shader-f16, which this adapter lacks; using WASM.' };
  // A software adapter (SwiftShader) is ~50× slower than WASM: only use it when asked for explicitly.
  if (choice === 'auto' && gpu.isFallbackAdapter) return { backend: 'wasm', note: 'Only a software WebGPU adapter is available; WASM is faster.' };
  return { backend: 'webgpu' };
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function createModel(bytes: Uint8Array, name: string, choice: BackendChoice, fingerprint?: string): Promise<{ model: Model; summary: LoadedModel; gradients: GradientSource }> {
  const started = performance.now();
  // Decide the backend from the file before any session exists: a float16 model on a GPU without shader-f16
  // was seen to corrupt onnxruntime's WASM heap ("memory access out of bounds") rather than fail cleanly.
  const info = readModelInfo(bytes);
  const { backend, note } = await resolveBackend(choice, info.usesFloat16);
  const runtime = createOrtRuntime(await loadOrt(backend));
  const model = await runtime.loadModel(bytes, { backend, info });
  const summary: LoadedModel = {
    name,
    sizeBytes: bytes.byteLength,
    fingerprint: fingerprint ?? (await sha256Hex(bytes)),
    info: model.info,
    spec: model.spec,
    backend,
    backendNote: note,
    loadMs: performance.now() - started,
    paramCount: parameterCountOfBytes(bytes),
  };
  // Forward+backward sessions are built on first use, on the same backend.
  return { model, summary, gradients: createGradientSource(runtime, bytes, backend) };
}

/**
 * A model that keeps its weights in separate files gets them embedded, once, from the files given with it (matched
 * by the location it names, or that location's last part: a dropped file has only its own name); every later user
 * (sessions, gradient graphs, sanity copies) then reads one self-contained model. A missing file is named.
 */
async function withExternalData(bytes: Uint8Array, given: ExternalDataFile[] = []): Promise<Uint8Array> {
  const locations = externalDataFiles(bytes);
  if (locations.length === 0) return bytes;
  const byName = new Map(given.map((f) => [f.name, f.file]));
  const files = new Map<string, Uint8Array>();
  for (const location of locations) {
    const file = byName.get(location) ?? byName.get(externalDataBaseName(location));
    if (file) files.set(location, new Uint8Array(await file.arrayBuffer()));
  }
  return inlineExternalData(bytes, files, {
    instruction: (n) => `drop ${n === 1 ? 'it' : 'them'} together with the .onnx`,
    hint: 'Or pick all the files at once with "Open ONNX…". torch.onnx.export writes the weights file next to the .onnx for models over 2 GB, onnx.save(..., save_as_external_data=True) on request.',
  });
}

/**
 * What runs on the held models and image computed that later runs can reuse (reuse.ts): model outputs of the same
 * input rows, segmentations, backgrounds. Keys carry the model's and image's SHA-256; one cache per backend (their
 * outputs differ in the last bits: a shelf model on WebGPU never reads rows the same file made on WASM); emptied
 * when the image, the model or its backend changes, so it holds only what can still be asked for.
 */
const reuseCaches: Record<Backend, ReuseCache> = { wasm: createReuseCache(), webgpu: createReuseCache() };
const clearReuse = () => Object.values(reuseCaches).forEach((c) => c.clear());

/** Cancel flags of running jobs, by id: comlink cannot carry an AbortSignal. */
const jobs = new Map<string, { aborted: boolean }>();

/**
 * A cancellable job on the current model and image: registered under its id (cancel() sets its flag), run one at a
 * time with the other session work, and forgotten when it ends.
 */
function cancellableJob<T>(jobId: string, work: (signal: { aborted: boolean }, model: NonNullable<typeof current>, pixels: NonNullable<typeof image>) => Promise<T>): Promise<T> {
  const signal = { aborted: false };
  jobs.set(jobId, signal);
  return exclusive(async () => {
    try {
      if (!current) throw new GlassboxError('NO_MODEL', 'Load a model first.');
      if (!image) throw new GlassboxError('NO_IMAGE', 'Load an image first.');
      return await work(signal, current, image);
    } finally {
      jobs.delete(jobId);
    }
  });
}

/** What runMethod needs for an explain job: the held model and image, the job's method, parameters and seed. */
function explainRequest(job: ExplainJob, signal: { aborted: boolean }, model: NonNullable<typeof current>, pixels: NonNullable<typeof image>, onProgress: (p: Progress) => void): ExplainRequest<unknown> {
  if (!isMethodId(job.method)) throw new GlassboxError('PARAM_INVALID', `Unknown method "${String(job.method)}".`);
  return {
    model: model.model,
    image: resizeForModel(pixels.pixels, job.preprocess),
    preprocess: job.preprocess,
    targets: job.targets,
    params: job.params,
    seed: job.seed,
    signal,
    onProgress: (p) => void onProgress(p),
    gradients: model.gradients,
    inputs: { modelSha256: model.summary.fingerprint, imageSha256: pixels.sha256 },
    ...(job.fresh ? {} : { reuse: reuseCaches[model.summary.backend] }),
    ...(job.continuesAnytime ? { continuesAnytime: job.continuesAnytime } : {}),
  };
}

const shelf = createShelf({ createModel, exclusive, jobs, image: () => image, explainRequest });

const api: ComputeApi = {
  async environment() {
    const ort = await loadOrt();
    return {
      webgpu: await probeWebGpu(),
      crossOriginIsolated: self.crossOriginIsolated,
      hardwareConcurrency: navigator.hardwareConcurrency,
      wasmThreads: ort.env.wasm.numThreads ?? 1,
    };
  },

  loadModel: (given, name, backend, externalData) =>
    exclusive(async () => {
      const bytes = await withExternalData(given, externalData);
      // Load beside the current model and swap only on success: a bad file never loses the working one.
      const next = await createModel(bytes, name, backend);
      const previous = current;
      current = { model: next.model, bytes, summary: next.summary, gradients: next.gradients };
      clearReuse();
      await previous?.model.dispose();
      await previous?.gradients.dispose();
      return next.summary;
    }),

  switchBackend: (backend) =>
    exclusive(async () => {
      if (!current) throw new GlassboxError('NO_MODEL', 'Load a model first.');
      const next = await createModel(current.bytes, current.summary.name, backend, current.summary.fingerprint);
      const previous = current;
      current = { model: next.model, bytes: previous.bytes, summary: next.summary, gradients: next.gradients };
      clearReuse(); // another backend's outputs differ in the last bits: no mixing
      await previous.model.dispose();
      await previous.gradients.dispose();
      return next.summary;
    }),

  async decodeImage(file, name) {
    await checkImageBlob(file, name); // before a byte is hashed: a 2 GB file is refused, not read
    const [decoded, sha256] = await Promise.all([decodeImageInWorker(file, name), file.arrayBuffer().then((b) => sha256Hex(new Uint8Array(b)))]);
    image = { pixels: decoded.image, sha256 };
    clearReuse();
    // The UI gets its own copy for display; the worker keeps the original for every run.
    const copy = { ...decoded.image, data: new Uint8ClampedArray(decoded.image.data) };
    return Comlink.transfer({ ...decoded, sha256, image: copy }, [copy.data.buffer]);
  },

  async decodeMask(file, name, colour) {
    const rgba = await decodeMaskInWorker(file, name);
    const colours = labelColours(rgba);
    const { voidPixels, ...mask } = maskFromImage(rgba, colour ? { kind: 'label', value: colour } : { kind: 'nonzero' });
    return Comlink.transfer({ mask: { width: mask.width, height: mask.height, data: mask.data }, colours, colour, voidPixels }, [mask.data.buffer]);
  },

  predict: (config: PreprocessConfig) =>
    exclusive(async () => {
      if (!current) throw new GlassboxError('NO_MODEL', 'Load a model first.');
      if (!image) throw new GlassboxError('NO_IMAGE', 'Load an image first.');
      const t0 = performance.now();
      const { resized, tensor, dims } = preprocessImage(image.pixels, config);
      const t1 = performance.now();
      const raw = (await current.model.run(tensor, dims)).slice();
      const t2 = performance.now();
      const modelInput = { width: resized.width, height: resized.height, data: new Uint8ClampedArray(resized.data) };
      return Comlink.transfer({ raw, modelInput, dims, preprocessMs: t1 - t0, inferenceMs: t2 - t1 }, [raw.buffer, modelInput.data.buffer]);
    }),

  explain: (jobId, job, onProgress) =>
    cancellableJob(jobId, (signal, model, pixels) => runMethod(job.method, explainRequest(job, signal, model, pixels, onProgress), { metrics: job.metrics, labels: job.labels })),

  curves: (jobId, job, onProgress) =>
    cancellableJob(jobId, (signal, model, pixels) =>
      faithfulness({
        model: model.model,
        image: resizeForModel(pixels.pixels, job.preprocess),
        preprocess: job.preprocess,
        target: job.target,
        map: job.map,
        params: job.params,
        randomSeed: job.seed,
        signal,
        onProgress: (p) => void onProgress(p),
        inputs: { modelSha256: model.summary.fingerprint, imageSha256: pixels.sha256 },
        reuse: reuseCaches[model.summary.backend],
      }),
    ),

  methodSupport: () =>
    exclusive(async () => {
      if (!current) throw new GlassboxError('NO_MODEL', 'Load a model first.');
      try {
        const catalog = await current.gradients.catalog();
        const unsupportedOps = await current.gradients.unsupported();
        // every candidate layer: a CAM on a layer the user picks is checked for that layer, not the suggested one
        const layerUnsupportedOps: Record<string, string[]> = {};
        for (const c of catalog.candidates) layerUnsupportedOps[c.name] = await current.gradients.unsupported(c.name);
        // Build the suggested layer's backward session ahead, once this answer is on its way: the first Grad-CAM
        // (or any gradient CAM on that layer) then only runs it. Cached in the source, so a run that starts before
        // the build ends waits for the same session instead of building a second.
        const { suggested } = catalog;
        const source = current.gradients;
        // (fixed-size models: a dynamic one is prepared per input size, known only when a run asks)
        if (suggested && !layerUnsupportedOps[suggested]?.length && current.model.spec.height !== undefined) {
          setTimeout(() => {
            if (current?.gradients === source) void source.gradients({ layer: suggested }).catch(() => undefined);
          }, 0);
        }
        return { catalog, unsupportedOps, layerUnsupportedOps };
      } catch (e) {
        return { catalog: { candidates: [], reason: '' }, unsupportedOps: [], layerUnsupportedOps: {}, error: serializeError(e).message };
      }
    }),

  probeBatch: (rowDims) =>
    exclusive(async () => {
      if (!current) throw new GlassboxError('NO_MODEL', 'Load a model first.');
      const { model } = current;
      if (!model.spec.dynamicBatch) return undefined;
      const per = rowDims.slice(1).reduce((a, b) => a * b, 1);
      const largest = Math.max(1, Math.min(Math.max(...PROBE_CANDIDATES), Math.floor(PROBE_MAX_BUFFER_BYTES / (4 * per))));
      const input = Float32Array.from({ length: largest * per }, (_, i) => Math.sin(i * 0.37));
      return probeBatchSize((b) => model.run(input.subarray(0, b * per), [b, ...rowDims.slice(1)]).then(() => undefined), { rowBytes: 4 * per });
    }),

  stability: (jobId, job, k, onProgress) =>
    cancellableJob(jobId, async (signal, model, pixels) => {
      const run = await runStability(job.method, explainRequest(job, signal, model, pixels, onProgress), k, { labels: job.labels });
      return Comlink.transfer(run, [run.stats.mean.buffer, run.stats.std.buffer]);
    }),

  sanityCheck: (jobId, job, onProgress) =>
    cancellableJob(jobId, async (signal, model, pixels) => {
      // each randomised copy of the held model's bytes is opened with this worker's onnxruntime, on the model's backend
      const runtime = createOrtRuntime(await loadOrt(model.summary.backend));
      const { run, transfer } = await runSanityJob(runtime, model.summary.backend, model.bytes, resizeForModel(pixels.pixels, job.preprocess), job, signal, (p) => void onProgress(p));
      return Comlink.transfer(run, transfer);
    }),

  // the model shelf: more models beside the current one, on the same queue, cancel flags and image
  ...shelf.api,

  // dataset mode: its own images, decoded one at a time (the current image stays as it is); cancel(jobId) stops it
  datasetRun: (jobId, job, files, onRow, onProgress) => {
    const signal = { aborted: false };
    jobs.set(jobId, signal);
    return exclusive(async () => {
      try {
        if (!current) throw new GlassboxError('NO_MODEL', 'Load a model first.');
        // the current model, then the shelf's (each with its own preprocessing and labels)
        const models = [
          { id: current.summary.name, name: current.summary.name, model: current.model, gradients: current.gradients, preprocess: job.preprocess, labels: job.labels },
          ...(job.shelf ?? []).map((m) => {
            const held = shelf.held(m.workerId);
            return { id: m.name, name: m.name, model: held.model, gradients: held.gradients, preprocess: m.preprocess, labels: m.labels };
          }),
        ];
        return await runDatasetJob({ models, signal, jobId, job, files, onRow, onProgress });
      } finally {
        jobs.delete(jobId);
      }
    });
  },

  async datasetPause(jobId, paused) {
    setDatasetPause(jobId, paused);
  },

  async cancel(jobId) {
    const signal = jobs.get(jobId);
    if (signal) signal.aborted = true;
  },
};

/** The page learns that this worker died when it is granted this lock (see WorkerLifeApi). */
const life: WorkerLifeApi = {
  async holdLifeLock(name) {
    const locks = (navigator as WorkerNavigator & { locks?: LockManager }).locks;
    if (!locks) return false;
    return new Promise<boolean>((held) => {
      void locks.request(name, () => {
        held(true);
        return new Promise<never>(() => undefined); // released only when this worker ends
      });
    });
  },
};

/** bench/browser.ts's hook (called through the devtools protocol): one model loaded the app's way, timed call by call. */
let benchModel: Awaited<ReturnType<typeof createModel>> | undefined;
const benchInference = {
  load: (bytes: Uint8Array, choice: BackendChoice) =>
    exclusive(async () => {
      await benchModel?.model.dispose();
      await benchModel?.gradients.dispose();
      benchModel = await createModel(bytes, 'bench', choice);
      return { spec: benchModel.summary.spec, backend: benchModel.summary.backend, threads: (await loadOrt(benchModel.summary.backend)).env.wasm.numThreads ?? 1 };
    }),
  /** Milliseconds of each of `reps` calls of Model.run on `dims`, after `warmup` calls. */
  run: (dims: number[], reps: number, warmup = 1) =>
    exclusive(async () => {
      const input = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i));
      const times: number[] = [];
      for (let r = -warmup; r < reps; r++) {
        const t = performance.now();
        await benchModel!.model.run(input, dims);
        if (r >= 0) times.push(performance.now() - t);
      }
      return times;
    }),
};

if (!isPthread) {
  (self as unknown as { benchInference: typeof benchInference }).benchInference = benchInference;
  registerErrorTransfer();
  Comlink.expose({ ...api, ...life });
}
