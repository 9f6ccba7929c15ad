/**
 * The contract between the UI and the compute worker. Imported by both sides; holds types and the comlink
 * transfer handler that carries Glassbox errors (code, message, hint, detail) across the worker boundary — comlink on
 * its own keeps only name, message and stack.
 */
import * as Comlink from 'comlink';
import { GlassboxError, serializeError, type SerializedError } from './engine/errors';
import type { MethodId, MethodParams } from './engine/explain/registry';
import type { FaithfulnessParams } from './engine/explain/faithfulness-params';
import type { Explanation, FaithfulnessMetrics, Progress } from './engine/explain/types';
import type { MethodSupport } from './engine/explain/availability';
import type { StabilityRun } from './engine/explain/stability-run';
import type { SanityCheckResult, SanityMethodResult, SanityStep } from './engine/explain/sanity';
import type { LabelColour, Mask, Rgb } from './engine/metrics/mask';
import type { PreprocessConfig } from './engine/image/preprocess';
import type { EvaluationRow } from './engine/evaluate/aggregate';
import type { EvaluationMetrics } from './engine/evaluate/dataset';
import type { RgbaImage } from './engine/image/types';
import type { ModelGraphInfo } from './engine/onnx/model-graph';
import type { ClassifierSpec } from './engine/runtime/classifier-spec';
import type { Backend } from './engine/runtime/ort-runtime';
import { IMAGE_LIMITS } from './engine/intake/image-header';

export type BackendChoice = 'auto' | Backend;

export interface RuntimeSettings {
  backend: BackendChoice;
  /** WASM threads; 0 picks automatically. Needs cross-origin isolation for more than one. */
  threads: number;
}

export interface EnvironmentInfo {
  webgpu: { available: boolean; adapter?: string; isFallbackAdapter?: boolean; shaderF16: boolean; reason?: string };
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  /** Threads the WASM backend actually uses in this worker. */
  wasmThreads: number;
}

export interface LoadedModel {
  name: string;
  sizeBytes: number;
  /** SHA-256 of the file: per-model settings are remembered under it. */
  fingerprint: string;
  info: ModelGraphInfo;
  spec: ClassifierSpec;
  backend: Backend;
  /** Why the backend differs from the one asked for, if it does. */
  backendNote?: string;
  loadMs: number;
  /** Weights stored in the file (initializer elements: onnx/param-count.ts). */
  paramCount?: number;
}

/** A model on the shelf: loaded beside the current one, addressed by its id. */
export interface ShelfModel extends LoadedModel {
  id: string;
  paramCount: number;
  /** Class names from the model's metadata (or the built-in ImageNet ones for 1000/1001 outputs); none when it has none. */
  labels?: string[];
}

/** A file dropped or picked with a model: perhaps the weights it keeps outside the .onnx (read by the worker only if named). */
export interface ExternalDataFile {
  name: string;
  file: Blob;
}

export interface DecodedImage {
  name: string;
  width: number;
  height: number;
  /** Size of the file's pixels before any downscaling. */
  originalWidth: number;
  originalHeight: number;
  image: RgbaImage;
  /** SHA-256 of the image file: a result is bound to the image it was computed from. */
  sha256: string;
}

export interface PredictResult {
  raw: Float32Array;
  /** The image at model resolution, as the model sees it (before normalisation). */
  modelInput: RgbaImage;
  dims: number[];
  preprocessMs: number;
  inferenceMs: number;
}

export type { MethodSupport } from './engine/explain/availability';

/** One explanation run, as the UI asks for it. */
export type { BatchProbe } from './engine/runtime/batch-probe';
import type { BatchProbe } from './engine/runtime/batch-probe';

export interface ExplainJob<M extends MethodId = MethodId> {
  method: M;
  params: MethodParams[M];
  targets: number[];
  seed: number;
  preprocess: PreprocessConfig;
  /** Also compute deletion/insertion curves of the map. */
  metrics?: FaithfulnessParams;
  /** Class names by index: the result names its target. */
  labels?: string[];
  /**
   * Compute every row afresh, using nothing earlier runs on this model and image left in the worker's reuse cache
   * (a re-run that checks a result reproduces; by default rows already evaluated are reused: reuse.ts).
   */
  fresh?: boolean;
  /** A stopped anytime run continued to its budget: its stability is checked against its target, without stopping. */
  continuesAnytime?: { target: number; stoppedAt: number };
}

/** The curves of one map: which class, the map at model resolution, and the preprocessing it was computed with. */
export interface CurvesJob {
  target: number;
  map: number[];
  preprocess: PreprocessConfig;
  params: FaithfulnessParams;
  /** Seed of the random-order baseline (the run's seed). */
  seed?: number;
}

export interface DecodedMask {
  /** Object (1) or not (0) at the mask file's own size. */
  mask: Mask;
  /** Distinct label colours (background, VOC void and transparent left out), most frequent first. */
  colours: LabelColour[];
  /** The colour chosen as the object, when one was. */
  colour?: Rgb;
  /** Pixels in VOC's void colour (never object). */
  voidPixels: number;
}

export interface ComputeApi {
  environment(): Promise<EnvironmentInfo>;
  /**
   * Load a model. One that keeps its weights in separate files (external data) takes them from `externalData`,
   * matched by the location the model names (or its last part) and embedded once, before anything else reads it.
   */
  loadModel(bytes: Uint8Array, name: string, backend: BackendChoice, externalData?: ExternalDataFile[]): Promise<LoadedModel>;
  /** Re-create the current model's session on another backend; the old one stays if that fails. */
  switchBackend(backend: BackendChoice): Promise<LoadedModel>;
  decodeImage(file: Blob, name: string): Promise<DecodedImage>;
  /**
   * A ground-truth mask file (the current image is untouched): non-zero pixels are the object, or with `colour`
   * only that label colour (an indexed/colour label PNG such as VOC's); the label colours found come back to pick from.
   */
  decodeMask(file: Blob, name: string, colour?: Rgb): Promise<DecodedMask>;
  predict(config: PreprocessConfig): Promise<PredictResult>;
  /** Run an explanation on the current model and image; progress arrives through the callback (a comlink proxy). */
  explain(jobId: string, job: ExplainJob, onProgress: (p: Progress) => void): Promise<Explanation>;
  /**
   * Deletion/insertion curves of a map already computed (the map is shown first; the curves follow as their own
   * cancellable job on the current model and image).
   */
  curves(jobId: string, job: CurvesJob, onProgress: (p: Progress) => void): Promise<FaithfulnessMetrics>;
  /** Stop a running job at its next batch; it then rejects with CANCELLED. */
  cancel(jobId: string): Promise<void>;
  /** Which gradient methods and layers the current model supports. */
  methodSupport(): Promise<MethodSupport>;
  /**
   * The batch size the current model runs fastest at per image on its backend, found by a short probe of batches
   * of 1, 2, 4, … on a dummy input of `rowDims` (one row, batch 1; batch-probe.ts); undefined for a model that takes
   * one image per call.
   */
  probeBatch(rowDims: number[]): Promise<BatchProbe | undefined>;
  /**
   * The stability view: the job's method and parameters rerun with seeds job.seed … job.seed + k − 1 (no curves),
   * with the mean, std and pairwise Spearman ρ of the k maps; one cancellable job, progress over all k runs.
   */
  stability(jobId: string, job: ExplainJob, k: number, onProgress: (p: Progress) => void): Promise<StabilityRun>;
  /** The model shelf: load another model beside the current one (its own session; the current model is untouched). */
  shelfAdd(bytes: Uint8Array, name: string, backend: BackendChoice): Promise<ShelfModel>;
  /** Forget a shelf model and dispose of its sessions (an unknown id does nothing). */
  shelfRemove(id: string): Promise<void>;
  /** A shelf model's prediction on the current image with its own preprocessing (and the image as it sees it). */
  shelfPredict(id: string, config: PreprocessConfig): Promise<PredictResult>;
  /** An explanation on a shelf model and the current image; cancelled by cancel(jobId) like any job. */
  shelfExplain(jobId: string, id: string, job: ExplainJob, onProgress: (p: Progress) => void): Promise<Explanation>;
  /**
   * The sanity check (model-parameter randomisation, Adebayo et al. 2018): the job's methods on the current image and
   * class, on the current model and on copies with the top 1 … all weight layers re-initialised; one cancellable job.
   */
  sanityCheck(jobId: string, job: SanityJob, onProgress: (p: Progress) => void): Promise<SanityRun>;
  /**
   * Dataset mode: the job's methods on the current model over every file, decoded one image (and mask) at a time in the
   * worker (the current image is untouched); each row reaches `onRow` as it is made, with a small picture. One
   * cancellable job (cancel(jobId)); datasetPause holds it between rows.
   */
  datasetRun(jobId: string, job: DatasetJob, files: DatasetFile[], onRow: (row: DatasetRow) => void, onProgress: (p: Progress) => void): Promise<DatasetRunResult>;
  /** Hold (true) or resume (false) a dataset run between rows; an unknown job id does nothing. */
  datasetPause(jobId: string, paused: boolean): Promise<void>;
}

/** Dataset mode: one run as the UI asks for it (the Explain button's parameters for each method). */
export interface DatasetJob {
  methods: { method: MethodId; params?: unknown }[];
  seed: number;
  metrics: EvaluationMetrics;
  /** The targets CSV's text (`image,target`: an index or a label) and its file name (for messages). */
  targetsCsv?: string;
  targetsName?: string;
  preprocess: PreprocessConfig;
  /** Class names by index (the page's labels); default the model's own. */
  labels?: string[];
  /** Shelf models to evaluate too (after the current one), by their worker id, each with its preprocessing and labels. */
  shelf?: { workerId: string; name: string; preprocess: PreprocessConfig; labels?: string[] }[];
}

/** One image of a dataset (file references only: the worker reads and decodes them one at a time). */
export interface DatasetFile {
  image: Blob;
  name: string;
  mask?: Blob;
  maskName?: string;
}

/** A row of scalars, with the image at ≤ 48 px (its object darkened around, when it has a mask). */
export type DatasetRow = EvaluationRow & { thumb?: RgbaImage };

export interface DatasetRunResult {
  images: number;
  rows: number;
}

export type { StabilityRun } from './engine/explain/stability-run';

/** One sanity check, as the UI asks for it: each method with the parameters the Explain button would use. */
export interface SanityJob {
  methods: { method: MethodId; params: Record<string, unknown> }[];
  target: number;
  preprocess: PreprocessConfig;
  /** Cascade steps measured (spread over the weight layers, the last randomising all). */
  steps?: number;
  seed: number;
}

/** The engine's SanityCheckResult with every map a Float32Array, so the maps are transferred, not copied. */
export type SanityRunStep = Omit<SanityStep, 'map'> & { map: Float32Array };
export type SanityRunMethod = Omit<SanityMethodResult, 'original' | 'steps'> & { original: Float32Array; steps: SanityRunStep[] };
export type SanityRun = Omit<SanityCheckResult, 'methods'> & { methods: SanityRunMethod[] };
export type { StabilityStats } from './engine/explain/stability';

/** Worker creation options passed through the worker's name (read before anything else runs). */
export interface WorkerBootOptions {
  threads: number;
}

/** What the page reads before refusing, so a file dropped by mistake cannot take the tab down (the CLI has its own flags). */
export const PAGE_LIMITS = {
  /** A larger model asks first ("Load anyway"): the tab holds it about three times while it loads. */
  modelMb: 1024,
  ...IMAGE_LIMITS,
} as const;

/**
 * What the worker exposes besides ComputeApi: it takes a Web Lock it holds for as long as it lives and answers once
 * it holds it. The page then asks for the same lock and is granted it when the worker dies (out of memory, closed):
 * a dead worker sends no message, and comlink never rejects the calls it leaves unanswered.
 */
export interface WorkerLifeApi {
  holdLifeLock(name: string): Promise<boolean>;
}

let registered = false;
export function registerErrorTransfer(): void {
  if (registered) return;
  registered = true;
  const throwHandler: Comlink.TransferHandler<unknown, SerializedError> = {
    // comlink wraps a thrown value as { value, [Symbol('Comlink.thrown')]: 0 }; the symbol is not exported.
    canHandle: (value): value is unknown =>
      typeof value === 'object' && value !== null && Object.getOwnPropertySymbols(value).some((s) => s.description === 'Comlink.thrown'),
    serialize: (value) => [serializeError((value as { value: unknown }).value), []],
    deserialize: (s) => {
      throw s.code === 'INTERNAL'
        ? Object.assign(new Error(s.message), { code: s.code, hint: s.hint, detail: s.detail })
        : new GlassboxError(s.code, s.message, s.hint, s.detail);
    },
  };
  Comlink.transferHandlers.set('throw', throwHandler as Comlink.TransferHandler<unknown, unknown>);
}
