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
import type { PreprocessConfig } from './engine/image/preprocess';
import type { RgbaImage } from './engine/image/types';
import type { ModelGraphInfo } from './engine/onnx/model-graph';
import type { ClassifierSpec } from './engine/runtime/classifier-spec';
import type { Backend } from './engine/runtime/ort-runtime';

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

export interface ComputeApi {
  environment(): Promise<EnvironmentInfo>;
  loadModel(bytes: Uint8Array, name: string, backend: BackendChoice): Promise<LoadedModel>;
  /** Re-create the current model's session on another backend; the old one stays if that fails. */
  switchBackend(backend: BackendChoice): Promise<LoadedModel>;
  decodeImage(file: Blob, name: string): Promise<DecodedImage>;
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
   * The stability view: the job's method and parameters rerun with seeds job.seed … job.seed + k − 1 (no curves),
   * with the mean, std and pairwise Spearman ρ of the k maps; one cancellable job, progress over all k runs.
   */
  stability(jobId: string, job: ExplainJob, k: number, onProgress: (p: Progress) => void): Promise<StabilityRun>;
}

export type { StabilityRun } from './engine/explain/stability-run';
export type { StabilityStats } from './engine/explain/stability';

/** Worker creation options passed through the worker's name (read before anything else runs). */
export interface WorkerBootOptions {
  threads: number;
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
