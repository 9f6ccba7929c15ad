/** The store's state, one interface per concern; AppState is their union. */
import type { BatchProbe } from '../engine/runtime/batch-probe';
import type { StateStorage } from 'zustand/middleware';
import type { SerializedError } from '../engine/errors';
import type { MethodSupport } from '../engine/explain/availability';
import type { MethodId, MethodParams } from '../engine/explain/registry';
import type { Explanation, Progress } from '../engine/explain/types';
import type { PreprocessConfig } from '../engine/image/preprocess';
import type { ResolvedLabels } from '../engine/labels/labels';
import type { Prediction } from '../engine/predict/scores';
import type { HeatmapView } from '../engine/render/heatmap';
import type { SurrogateView } from '../engine/render/lime-view';
import type { ComputeApi, DecodedImage, EnvironmentInfo, ExternalDataFile, LoadedModel, PredictResult, RuntimeSettings } from '../worker-api';
import type { AssetFetcher, DemoManifest } from './demo';
import type { ExplainSettings } from './explain-settings';
import type { HistoryStore } from './history-db';
import type { InputsKey } from './inputs';
import type { StabilitySlice } from './slices/stability';
import type { RgbaImage } from '../engine/image/types';
import type { FaithfulnessMetrics } from '../engine/explain/types';
import type { ResultFile, TensorSignature } from '../engine/export/result-json';
import type { GroundTruthSlice } from './slices/ground-truth';
import type { ShelfSlice } from './slices/shelf';
export type { ShelfCell, ShelfEntry, ShelfGrid, ShelfGridRow, ShelfSlice } from './slices/shelf';
export type { GroundTruth, GroundTruthSlice, MaskShape } from './slices/ground-truth';

export type { ExplainSettings } from './explain-settings';
export type { StabilitySlice, StabilityState } from './slices/stability';
import type { SanitySlice } from './slices/sanity';
export type { SanitySlice, SanityState } from './slices/sanity';
import type { DatasetSlice } from './slices/dataset';
export type { DatasetSlice, DatasetState } from './slices/dataset';

export interface StoreDeps {
  /** The current compute API; `restart` swaps the worker when the thread count changes. */
  compute: () => Pick<ComputeApi, keyof ComputeApi>;
  restartCompute?: (threads: number) => void;
  assets: AssetFetcher;
  storage: StateStorage;
  /** Milliseconds settings wait before they are written to storage (default 400). */
  persistDelayMs?: number;
  /** Where finished results outlive the page (IndexedDB in the browser); without one the history is in memory. */
  historyStore?: HistoryStore;
  /** Size budget of the history in bytes (default HISTORY_BUDGET_BYTES): the oldest unpinned results go first. */
  historyBudgetBytes?: number;
}

export interface AppMessage extends SerializedError {
  id: number;
  /** What the user was doing: "Loading model foo.onnx". */
  context: string;
}

export interface PredictionState {
  result: PredictResult;
  ranked: Prediction;
  labels: ResolvedLabels;
}

export type Status = 'idle' | 'loading' | 'ready' | 'error';

export interface RunState {
  jobId: string;
  /** An explanation, its deletion/insertion curves (after the map is shown), or a comparison step. */
  kind: 'explain' | 'curves' | 'compare' | 'stability' | 'sanity' | 'shelf' | 'dataset';
  method: MethodId;
  progress?: Progress;
  startedAt: number;
  /** Set while a comparison runs its methods one after another. */
  step?: { index: number; count: number };
}

export interface ComparisonEntry {
  /** Unique within the comparison: the method id for a methods comparison, `run-<history id>` for history runs. */
  key: string;
  method: MethodId;
  result?: Explanation;
  error?: string;
  /** History runs: what sets the run apart ("LIME · Hide with · mode black"), its class and model, its own image. */
  caption?: string;
  label?: string;
  modelName?: string;
  baseImage?: RgbaImage;
  historyId?: number;
}

export interface ComparisonState {
  id: number;
  /** The classes every method explained (the first is the selected one). */
  targets: number[];
  labels: string[];
  target: number;
  label: string;
  inputs: InputsKey;
  modelName: string;
  imageName: string;
  entries: ComparisonEntry[];
  done: boolean;
  /** 'methods': the methods run now on the screen's inputs; 'history': finished runs picked from the history (one
   *  image, each drawn over its own copy of it; they stay when the screen's inputs change). */
  source: 'methods' | 'history';
}

export interface ExplanationState {
  /** Unique per run (history entries are addressed by it). */
  id: number;
  result: Explanation;
  /** The model, image and preprocessing it was computed from: it is drawn only over these. */
  inputs: InputsKey;
  modelName: string;
  imageName: string;
  /** Class names of result.classes. */
  labels: string[];
  /** The model's probability of each explained class when the run started (result.classes order). */
  scores: number[];
  /** The image as the model saw it (model resolution), to draw the result over its own image. */
  baseImage: RgbaImage;
  createdAt: number;
  /** Kept in the history when older results are evicted to stay under the size budget. */
  pinned?: boolean;
  /** Where it ran — backend, threads, the model's input/output signature — for its result file. */
  runContext?: RunContext;
  /** Re-opened from a result file or report (its name). */
  openedFrom?: string;
  /** The file carried no picture of its image: baseImage is a grey stand-in until that image is loaded. */
  imageMissing?: boolean;
  /** A re-run of this result with the same seed on the same inputs, compared value by value. */
  rerun?: RerunCheck;
}

export interface RunContext {
  backend: string;
  threads: number;
  modelInputs: TensorSignature[];
  modelOutputs: TensorSignature[];
  /** The Glassbox version that computed it, when it came from a file. */
  glassbox?: string;
}

export interface RerunCheck {
  identical: boolean;
  /** Values compared (every class's map) and how many differ as float32. */
  values: number;
  differing: number;
  maxAbsDiff: number;
}

export interface RuntimeSlice {
  env?: EnvironmentInfo;
  /** 'restarting' while a new worker reloads the model and image (after a thread-count change). */
  engine: 'ready' | 'restarting';
  runtime: RuntimeSettings;
  setRuntime(patch: Partial<RuntimeSettings>): Promise<void>;
  init(): Promise<void>;
  demo?: DemoManifest;
}

export interface ModelSlice {
  model?: LoadedModel;
  modelStatus: Status;
  /** What the current model offers the CAM and gradient methods (undefined until the worker has looked). */
  support?: MethodSupport;
  /** `externalData`: files given with the model that may hold its weights (see ComputeApi.loadModel). */
  loadModel(bytes: Uint8Array, name: string, externalData?: ExternalDataFile[]): Promise<void>;
  /**
   * A model file as dropped or picked, with the other files of the same drop: a model that keeps its weights in
   * separate files (external data) takes them from there. Over PAGE_LIMITS.modelMb nothing is read until the user
   * confirms (`oversizeModel`, then loadOversizeModel), unless `force`.
   */
  openModelFiles(file: File, companions?: File[], options?: { force?: boolean }): Promise<void>;
  /** A model over the size limit, waiting for "Load anyway" (none of its bytes read). */
  oversizeModel?: { name: string; sizeBytes: number; limitMb: number };
  loadOversizeModel(): Promise<void>;
  dismissOversizeModel(): void;
  loadDemoModel(file: string): Promise<void>;
  refreshSupport(): Promise<void>;
  /** The current model's fastest batch per image, measured after it loads (`key`: its fingerprint:backend). */
  batchProbe?: BatchProbe & { key: string };
  /** Measure it (in the background after a load or a backend switch; a failure leaves the defaults). */
  probeBatch(): Promise<void>;
}

export interface ImageSlice {
  image?: DecodedImage;
  imageStatus: Status;
  loadImage(file: Blob, name: string): Promise<void>;
  loadDemoImage(file: string): Promise<void>;
}

export interface PredictionSlice {
  /** The live preprocessing for the current model. */
  preprocess?: PreprocessConfig;
  userLabels?: { name: string; labels: string[] };
  prediction?: PredictionState;
  predicting: boolean;
  showRaw: boolean;
  /** The class explanations explain: the top-1 of the current prediction, unless the user pinned one. */
  target?: number;
  /** A class the user chose; it stays across image changes while the model has it (same index and name). */
  pinned?: { index: number; label: string };
  setPreprocess(patch: Partial<PreprocessConfig>): Promise<void>;
  resetPreprocess(): Promise<void>;
  loadLabels(text: string, name: string): void;
  clearLabels(): void;
  setTopK(k: number): void;
  setShowRaw(show: boolean): void;
  /** Pin a class (a click on a prediction row). */
  setTarget(index: number): void;
  /** Back to following the top-1 class. */
  unpinTarget(): void;
  predict(): Promise<void>;
}

export interface ExplanationSlice {
  run?: RunState;
  /** The result shown over the image: only ever one computed from the inputs on screen. */
  explanation?: ExplanationState;
  /** Every finished result, newest first, each with its own image; kept across reloads when a history store works,
   *  bounded by a size budget (the oldest unpinned go first). */
  history: ExplanationState[];
  /** 'saved': in the history store; 'memory': this page only (no store, or it failed); 'loading' until loaded. */
  historyStorage: 'loading' | 'saved' | 'memory';
  /** What the user should know about the history (results evicted, storage unavailable). */
  historyNotice?: string;
  /** Read the stored history (once, at start-up); a failing store leaves the history in memory with a notice. */
  loadHistory(): Promise<void>;
  /** Add or replace a finished entry (evicting to stay under the budget) and store it. */
  keepInHistory(entry: ExplanationState): void;
  pinHistoryEntry(id: number, pinned: boolean): void;
  deleteHistoryEntry(id: number): void;
  /** Remove every history entry, pinned ones too (the result on screen stays on screen). */
  clearHistory(): void;
  dismissHistoryNotice(): void;
  /** Measured model time per input row, by model fingerprint and backend (for the cost shown before a run). */
  rowMs: Record<string, number>;
  /** Show a history entry: as the result when it matches the screen (true), else not (false). */
  showHistoryEntry(id: number): boolean;
  /** Re-open results from a result file or a report (added to the history; shown when they match the screen). */
  openResults(files: OpenedResult[], source: string): void;
  /** Run a result again with its own method, parameters, seed and classes on the screen's inputs (which must be
   *  its own) and record whether the map is the same, bit for bit. */
  rerunResult(id: number): Promise<void>;
  /** Continue an anytime result on its own inputs (which must be the screen's), with its seed, classes and
   *  preprocessing, reusing the rows it evaluated: one that stopped when stable runs on to its whole budget
   *  (stableAt 0); one not stable within its budget runs with 4× the budget (see `continuation`). */
  continueRun(id: number): Promise<void>;
  /** The deletion/insertion curves of a result that has none (the settings' curve parameters, else the defaults). */
  computeCurves(id: number): Promise<void>;
  /** After a new prediction: results (and a comparison) not computed from the inputs on screen stop being shown. */
  inputsChanged(): void;
  /** The explained class shown (index into explanation.result.classes). */
  viewClass: number;
  hoverFeature?: number;
  runExplanation(): Promise<void>;
  cancelExplanation(): Promise<void>;
  setViewClass(index: number): void;
  setHoverFeature(feature: number | undefined): void;
}

/** A result read back from a file: the parsed result file, and the picture of its image when a report carried one. */
export interface OpenedResult {
  file: ResultFile;
  baseImage?: RgbaImage;
}

export interface ComparisonSlice {
  comparison?: ComparisonState;
  /** Run every method of compareMethods on the current image and target, each with its deletion/insertion curves. */
  runComparison(): Promise<void>;
  /** Show history runs side by side (two or more, all computed from the same image). */
  compareHistory(ids: number[]): void;
  closeComparison(): void;
}

/** Everything the user sets that survives a reload (the only persisted part). */
export interface SettingsSlice {
  /** Saved preprocessing per model fingerprint. */
  savedPreprocess: Record<string, PreprocessConfig>;
  topK: number;
  explainSettings: ExplainSettings;
  view: SurrogateView;
  heatmapView: HeatmapView;
  /** The comparison view: methods to run and how the maps share a colour scale. */
  compareMethods: MethodId[];
  compareScale: 'shared' | 'normalised';
  setMethodParams<M extends MethodId>(method: M, patch: Partial<MethodParams[M]>): void;
  setExplainSettings(patch: Partial<Pick<ExplainSettings, 'method' | 'seed' | 'topLabels' | 'metrics' | 'layer'>>): void;
  setHeatmapView(patch: Partial<HeatmapView>): void;
  setView(patch: Partial<SurrogateView>): void;
  setCompareMethods(methods: MethodId[]): void;
  setCompareScale(scale: 'shared' | 'normalised'): void;
  /** Write pending settings to storage now (page hide; tests). */
  flushSettings(): void;
}

export interface MessagesSlice {
  messages: AppMessage[];
  report(e: unknown, context: string): void;
  dismiss(id: number): void;
}

export type AppState = RuntimeSlice & ModelSlice & ImageSlice & PredictionSlice & ExplanationSlice & ComparisonSlice & SettingsSlice & MessagesSlice & StabilitySlice & GroundTruthSlice & SanitySlice & ShelfSlice & DatasetSlice;

export type SetState = (partial: Partial<AppState>) => void;
export type GetState = () => AppState;

/** What slices share besides the state: the injected dependencies and values kept outside the state. */
export interface SliceContext {
  deps: StoreDeps;
  /** Big, not rendered: needed to rebuild a worker after a thread-count change. */
  lastModel?: { bytes: Uint8Array; name: string; externalData?: ExternalDataFile[] };
  lastImage?: { file: Blob; name: string };
  /** The prediction in flight, if any: a run waits for it so its target is the current image's. */
  pendingPrediction?: Promise<void>;
  nextJobId(): number;
  /** After loading stored results: later ids are above every stored one (ids stay unique across reloads). */
  reserveJobIds(atLeast: number): void;
  flush(): void;
}

export type Slice<T> = (set: SetState, get: GetState, ctx: SliceContext) => T;
