/**
 * One zustand store, sliced by concern (runtime, model, image, preprocessing, prediction, messages). Built by
 * a factory with its dependencies injected, so it runs in tests without a worker. Only settings persist.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import { GlassboxError, serializeError, type SerializedError } from '../engine/errors';
import { CAM_DEFAULTS, IG_DEFAULTS, PLAIN_DEFAULTS, SMOOTHGRAD_DEFAULTS, type CamParams, type IgParams, type PlainGradientParams, type SmoothGradParams } from '../engine/explain/gradient-methods';
import { FAITHFULNESS_DEFAULTS, type FaithfulnessParams } from '../engine/explain/faithfulness';
import { KERNEL_SHAP_DEFAULTS, type KernelShapParams } from '../engine/explain/kernel-shap';
import { LIME_DEFAULTS, type LimeParams } from '../engine/explain/lime';
import { PARTITION_SHAP_DEFAULTS, type PartitionShapParams } from '../engine/explain/partition-shap';
import { RISE_DEFAULTS, type RiseParams } from '../engine/explain/rise';
import { EXPLAINERS, isMethodId, METHOD_NEEDS, type MethodId, type MethodParams } from '../engine/explain/registry';
import type { Explainer } from '../engine/explain/types';
import { DEFAULT_HEATMAP_VIEW, type HeatmapView } from '../engine/render/heatmap';
import type { Explanation, Progress } from '../engine/explain/types';
import { validatePreprocess, type PreprocessConfig } from '../engine/image/preprocess';
import { DEFAULT_VIEW, type SurrogateView } from '../engine/render/lime-view';
import { parseLabels, resolveLabels, type ResolvedLabels } from '../engine/labels/labels';
import { rankScores, type Prediction } from '../engine/predict/scores';
import type { ExplainJob, MethodSupport, ComputeApi, DecodedImage, EnvironmentInfo, LoadedModel, PredictResult, RuntimeSettings } from '../worker-api';
import type { AssetFetcher, DemoManifest } from './demo';

export interface StoreDeps {
  /** The current compute API; `restart` swaps the worker when the thread count changes. */
  compute: () => Pick<ComputeApi, keyof ComputeApi>;
  restartCompute?: (threads: number) => void;
  assets: AssetFetcher;
  storage: StateStorage;
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

type Status = 'idle' | 'loading' | 'ready' | 'error';

export type ParamFamily = 'lime' | 'kernelshap' | 'partitionshap' | 'rise' | 'cam' | 'ig' | 'smoothgrad' | 'gradient';

/** Which settings family a method reads its parameters from. */
export function paramFamily(method: MethodId): ParamFamily {
  if (method === 'lime' || method === 'kernelshap' || method === 'partitionshap' || method === 'rise' || method === 'ig' || method === 'smoothgrad') return method;
  return METHOD_NEEDS[method] === 'input-gradient' ? 'gradient' : 'cam';
}

export function paramsFor<M extends MethodId>(settings: ExplainSettings, method: M): MethodParams[M] {
  return settings[paramFamily(method)] as MethodParams[M];
}

export const DEFAULT_EXPLAIN_SETTINGS: ExplainSettings = {
  method: 'lime',
  lime: LIME_DEFAULTS,
  kernelshap: KERNEL_SHAP_DEFAULTS,
  partitionshap: PARTITION_SHAP_DEFAULTS,
  rise: RISE_DEFAULTS,
  cam: CAM_DEFAULTS,
  ig: IG_DEFAULTS,
  smoothgrad: SMOOTHGRAD_DEFAULTS,
  gradient: PLAIN_DEFAULTS,
  seed: 0,
  topLabels: 1,
  metrics: FAITHFULNESS_DEFAULTS,
};

export interface ExplainSettings {
  method: MethodId;
  lime: LimeParams;
  kernelshap: KernelShapParams;
  partitionshap: PartitionShapParams;
  rise: RiseParams;
  /** Parameters of the other methods, by family (CAMs share theirs). */
  cam: CamParams;
  ig: IgParams;
  smoothgrad: SmoothGradParams;
  gradient: PlainGradientParams;
  seed: number;
  /** Explain the target and the next classes of the ranking from the same model calls. */
  topLabels: number;
  /** Deletion/insertion curves for every run (null: off; always computed in comparisons). */
  metrics: FaithfulnessParams | null;
}

export interface RunState {
  jobId: string;
  method: string;
  progress?: Progress;
  startedAt: number;
  /** Set while a comparison runs its methods one after another. */
  step?: { index: number; count: number };
}

export interface ComparisonEntry {
  method: MethodId;
  result?: Explanation;
  error?: string;
}

export interface ComparisonState {
  id: number;
  target: number;
  label: string;
  modelName: string;
  imageName: string;
  entries: ComparisonEntry[];
  done: boolean;
}

export interface ExplanationState {
  result: Explanation;
  /** What it explains, to flag it as out of date when the model or image changes. */
  modelName: string;
  imageName: string;
  labels: string[];
}

export interface AppState {
  // runtime
  env?: EnvironmentInfo;
  runtime: RuntimeSettings;
  // model
  model?: LoadedModel;
  modelStatus: Status;
  // image
  image?: DecodedImage;
  imageStatus: Status;
  // preprocessing: the live config for the current model, and saved configs per model fingerprint
  preprocess?: PreprocessConfig;
  savedPreprocess: Record<string, PreprocessConfig>;
  // labels and prediction
  userLabels?: { name: string; labels: string[] };
  prediction?: PredictionState;
  predicting: boolean;
  topK: number;
  showRaw: boolean;
  target?: number;
  // explanations
  explainSettings: ExplainSettings;
  run?: RunState;
  explanation?: ExplanationState;
  view: SurrogateView;
  heatmapView: HeatmapView;
  /** The comparison view: methods to run, their results, and how the maps share a colour scale. */
  compareMethods: MethodId[];
  compareScale: 'shared' | 'normalised';
  comparison?: ComparisonState;
  /** What the current model offers the CAM and gradient methods (undefined until the worker has looked). */
  support?: MethodSupport;
  /** The explained class shown (index into explanation.result.classes). */
  viewClass: number;
  hoverFeature?: number;
  // demo and messages
  demo?: DemoManifest;
  messages: AppMessage[];

  setLimeParams(patch: Partial<LimeParams>): void;
  setMethodParams<F extends ParamFamily>(family: F, patch: Partial<ExplainSettings[F]>): void;
  setExplainSettings(patch: Partial<Pick<ExplainSettings, 'method' | 'seed' | 'topLabels' | 'metrics'>>): void;
  setHeatmapView(patch: Partial<HeatmapView>): void;
  runExplanation(): Promise<void>;
  cancelExplanation(): Promise<void>;
  /** Run every method of compareMethods on the current image and target, each with its deletion/insertion curves. */
  runComparison(): Promise<void>;
  setCompareMethods(methods: MethodId[]): void;
  setCompareScale(scale: 'shared' | 'normalised'): void;
  setView(patch: Partial<SurrogateView>): void;
  setViewClass(index: number): void;
  setHoverFeature(feature: number | undefined): void;

  init(): Promise<void>;
  refreshSupport(): Promise<void>;
  loadModel(bytes: Uint8Array, name: string): Promise<void>;
  loadDemoModel(file: string): Promise<void>;
  loadImage(file: Blob, name: string): Promise<void>;
  loadDemoImage(file: string): Promise<void>;
  loadLabels(text: string, name: string): void;
  clearLabels(): void;
  setPreprocess(patch: Partial<PreprocessConfig>): Promise<void>;
  resetPreprocess(): Promise<void>;
  setRuntime(patch: Partial<RuntimeSettings>): Promise<void>;
  setTopK(k: number): void;
  setShowRaw(show: boolean): void;
  setTarget(index: number): void;
  predict(): Promise<void>;
  report(e: unknown, context: string): void;
  dismiss(id: number): void;
}

export type AppStore = StoreApi<AppState>;

let nextMessageId = 1;

export function createAppStore(deps: StoreDeps): AppStore {
  // Kept outside the state: big, not rendered, needed to rebuild a worker after a thread-count change.
  let lastModel: { bytes: Uint8Array; name: string } | undefined;
  let lastImage: { file: Blob; name: string } | undefined;
  let predictGeneration = 0;
  let jobCounter = 0;

  return createStore<AppState>()(
    persist(
      (set, get) => {
        const relabel = (result: PredictResult, model: LoadedModel): PredictionState => {
          const numClasses = result.raw.length / result.dims[0];
          const labels = resolveLabels(numClasses, { file: get().userLabels?.labels, metadata: model.spec.metadataLabels });
          const ranked = rankScores(result.raw, labels.labels, Math.max(get().topK, 1), model.spec.outputKind);
          return { result, ranked, labels };
        };

        /** Throws a clear error when the method cannot run with its settings on this model. */
        const checkMethod = (method: MethodId) => {
          const { explainSettings, preprocess, support } = get();
          if (!isMethodId(method)) throw new GlassboxError('PARAM_INVALID', `Unknown method "${String(method)}".`);
          (EXPLAINERS[method] as Explainer<unknown>).validate(paramsFor(explainSettings, method), { width: preprocess?.width ?? 0, height: preprocess?.height ?? 0 });
          if (METHOD_NEEDS[method] !== 'inference' && support) {
            if (support.error) throw new GlassboxError('GRADIENT_UNSUPPORTED', `${EXPLAINERS[method].label} cannot run on this model: ${support.error}`);
            if (METHOD_NEEDS[method] !== 'input-gradient' && !support.catalog.candidates.length) throw new GlassboxError('GRADIENT_UNSUPPORTED', `${EXPLAINERS[method].label} needs a spatial feature map, and this model has none.`);
            const blocking = METHOD_NEEDS[method] === 'input-gradient' ? support.unsupportedOps : METHOD_NEEDS[method] === 'layer-gradient' && !explainSettings.cam.layer ? support.layerUnsupportedOps : [];
            if (blocking.length) {
              throw new GlassboxError('GRADIENT_UNSUPPORTED', `${EXPLAINERS[method].label} needs gradients, which cannot pass through ${blocking.join(', ')}.`, 'Use LIME, Score-CAM, Ablation-CAM or Eigen-CAM.');
            }
          }
          if (!Number.isInteger(explainSettings.seed) || explainSettings.seed < 0) throw new GlassboxError('PARAM_INVALID', `The seed must be a whole number ≥ 0 (got ${explainSettings.seed}).`);
          if (!Number.isInteger(explainSettings.topLabels) || explainSettings.topLabels < 1) throw new GlassboxError('PARAM_INVALID', 'Explain at least one class.');
        };
        /** The selected class first, then the next ones of the ranking. */
        const targetsToExplain = (count: number): number[] => {
          const { prediction, target } = get();
          const probabilities = prediction!.ranked.probabilities;
          const ranking = Array.from({ length: probabilities.length }, (_, i) => i).sort((a, b) => probabilities[b] - probabilities[a] || a - b);
          const first = target ?? ranking[0];
          return [first, ...ranking.filter((i) => i !== first)].slice(0, count);
        };
        const jobFor = (method: MethodId, targets: number[]): ExplainJob => {
          const { explainSettings, preprocess } = get();
          return { method, params: paramsFor(explainSettings, method), targets, seed: explainSettings.seed, preprocess: preprocess!, metrics: explainSettings.metrics ?? undefined };
        };

        return {
          runtime: { backend: 'auto', threads: 0 },
          modelStatus: 'idle',
          imageStatus: 'idle',
          savedPreprocess: {},
          predicting: false,
          topK: 5,
          showRaw: false,
          messages: [],
          explainSettings: DEFAULT_EXPLAIN_SETTINGS,
          view: DEFAULT_VIEW,
          heatmapView: DEFAULT_HEATMAP_VIEW,
          compareMethods: ['lime', 'kernelshap', 'rise', 'gradcam'],
          compareScale: 'normalised',
          viewClass: 0,

          setLimeParams(patch) {
            const s = get().explainSettings;
            set({ explainSettings: { ...s, lime: { ...s.lime, ...patch } } });
          },

          setMethodParams(family, patch) {
            const s = get().explainSettings;
            set({ explainSettings: { ...s, [family]: { ...s[family], ...patch } } });
          },

          setHeatmapView(patch) {
            set({ heatmapView: { ...get().heatmapView, ...patch } });
          },

          setExplainSettings(patch) {
            set({ explainSettings: { ...get().explainSettings, ...patch } });
          },

          async runExplanation() {
            const { model, image, preprocess, prediction, explainSettings, run } = get();
            if (run) return;
            if (!model || !image || !preprocess || !prediction) {
              get().report(new GlassboxError('NO_MODEL', 'Load a model and an image first.'), 'Explaining');
              return;
            }
            const method = explainSettings.method;
            try {
              checkMethod(method);
            } catch (e) {
              get().report(e, 'Explaining');
              return;
            }
            const targets = targetsToExplain(explainSettings.topLabels);
            const jobId = `job-${++jobCounter}`;
            set({ run: { jobId, method, startedAt: Date.now() } });
            try {
              const result = await deps.compute().explain(jobId, jobFor(method, targets), (progress) => {
                if (get().run?.jobId === jobId) set({ run: { ...get().run!, progress } });
              });
              // Only a completed run becomes the shown result: partial results are never presented as final.
              set({ explanation: { result, modelName: model.name, imageName: image.name, labels: targets.map((t) => prediction.labels.labels[t] ?? `class ${t}`) }, viewClass: 0, hoverFeature: undefined });
            } catch (e) {
              if ((e as GlassboxError).code !== 'CANCELLED') get().report(e, 'Explaining');
            } finally {
              if (get().run?.jobId === jobId) set({ run: undefined });
            }
          },

          async runComparison() {
            const { model, image, preprocess, prediction, run, compareMethods } = get();
            if (run) return;
            if (!model || !image || !preprocess || !prediction) {
              get().report(new GlassboxError('NO_MODEL', 'Load a model and an image first.'), 'Comparing');
              return;
            }
            if (!compareMethods.length) {
              get().report(new GlassboxError('PARAM_INVALID', 'Pick at least one method to compare.'), 'Comparing');
              return;
            }
            try {
              for (const m of compareMethods) checkMethod(m);
            } catch (e) {
              get().report(e, 'Comparing');
              return;
            }
            // one target for every method, and the curves for each map
            const [target] = targetsToExplain(1);
            const entries: ComparisonEntry[] = compareMethods.map((method) => ({ method }));
            const comparisonId = ++jobCounter;
            set({ comparison: { id: comparisonId, target, label: prediction.labels.labels[target] ?? `class ${target}`, modelName: model.name, imageName: image.name, entries, done: false } });
            for (let i = 0; i < entries.length; i++) {
              const jobId = `job-${++jobCounter}`;
              const method = entries[i].method;
              set({ run: { jobId, method, startedAt: Date.now(), step: { index: i, count: entries.length } } });
              let cancelled = false;
              try {
                const result = await deps.compute().explain(jobId, { ...jobFor(method, [target]), metrics: get().explainSettings.metrics ?? FAITHFULNESS_DEFAULTS }, (progress) => {
                  if (get().run?.jobId === jobId) set({ run: { ...get().run!, progress } });
                });
                entries[i] = { method, result };
              } catch (e) {
                cancelled = (e as GlassboxError).code === 'CANCELLED';
                entries[i] = { method, error: cancelled ? 'cancelled' : serializeError(e).message };
              }
              if (get().comparison?.id === comparisonId) set({ comparison: { ...get().comparison!, entries: [...entries] } });
              if (cancelled) break;
            }
            if (get().comparison?.id === comparisonId) set({ comparison: { ...get().comparison!, done: true } });
            set({ run: undefined });
          },

          setCompareMethods(compareMethods) {
            set({ compareMethods });
          },

          setCompareScale(compareScale) {
            set({ compareScale });
          },

          async cancelExplanation() {
            const run = get().run;
            if (run) await deps.compute().cancel(run.jobId);
          },

          setView(patch) {
            set({ view: { ...get().view, ...patch } });
          },

          setViewClass(viewClass) {
            set({ viewClass, hoverFeature: undefined });
          },

          setHoverFeature(hoverFeature) {
            if (get().hoverFeature !== hoverFeature) set({ hoverFeature });
          },

          async refreshSupport() {
            const model = get().model;
            try {
              const support = await deps.compute().methodSupport();
              if (get().model === model) set({ support });
            } catch (e) {
              get().report(e, 'Preparing gradients');
            }
          },

          async init() {
            const envPromise = deps.compute().environment().then((env) => set({ env }), (e) => get().report(e, 'Starting the compute worker'));
            try {
              const demo = await deps.assets.json<DemoManifest>('demo/manifest.json');
              set({ demo });
              await Promise.all([get().loadDemoModel(demo.defaultModel), get().loadDemoImage(demo.defaultImage)]);
            } catch (e) {
              get().report(e, 'Loading the demo');
            }
            await envPromise;
          },

          async loadModel(bytes, name) {
            set({ modelStatus: 'loading' });
            try {
              const model = await deps.compute().loadModel(bytes, name, get().runtime.backend);
              lastModel = { bytes, name };
              const saved = get().savedPreprocess[model.fingerprint];
              const preprocess = saved ?? model.spec.suggestedPreprocess;
              const s = get().explainSettings;
              // a layer name belongs to one model
              set({ model, modelStatus: 'ready', preprocess, prediction: undefined, target: undefined, support: undefined, explainSettings: { ...s, cam: { ...s.cam, layer: undefined } } });
              await get().predict();
              void get().refreshSupport();
            } catch (e) {
              // The worker keeps the previous model; so does the UI.
              set({ modelStatus: get().model ? 'ready' : 'error' });
              get().report(e, `Loading model ${name}`);
            }
          },

          async loadDemoModel(file) {
            try {
              const bytes = await deps.assets.bytes(`demo/${file}`);
              await get().loadModel(bytes, file);
            } catch (e) {
              get().report(e, `Loading demo model ${file}`);
            }
          },

          async loadImage(file, name) {
            set({ imageStatus: 'loading' });
            try {
              const image = await deps.compute().decodeImage(file, name);
              lastImage = { file, name };
              set({ image, imageStatus: 'ready' });
              await get().predict();
            } catch (e) {
              set({ imageStatus: get().image ? 'ready' : 'error' });
              get().report(e, `Loading image ${name}`);
            }
          },

          async loadDemoImage(file) {
            try {
              const blob = await deps.assets.blob(`demo/${file}`);
              await get().loadImage(blob, file.split('/').pop() ?? file);
            } catch (e) {
              get().report(e, `Loading demo image ${file}`);
            }
          },

          loadLabels(text, name) {
            try {
              const labels = parseLabels(text, name);
              set({ userLabels: { name, labels } });
              const { prediction, model } = get();
              if (prediction && model) set({ prediction: relabel(prediction.result, model) });
            } catch (e) {
              get().report(e, `Loading labels ${name}`);
            }
          },

          clearLabels() {
            set({ userLabels: undefined });
            const { prediction, model } = get();
            if (prediction && model) set({ prediction: relabel(prediction.result, model) });
          },

          async setPreprocess(patch) {
            const { model, preprocess } = get();
            if (!model || !preprocess) return;
            const next = { ...preprocess, ...patch };
            try {
              validatePreprocess(next);
            } catch (e) {
              get().report(e, 'Changing preprocessing');
              return;
            }
            set({ preprocess: next, savedPreprocess: { ...get().savedPreprocess, [model.fingerprint]: next } });
            await get().predict();
          },

          async resetPreprocess() {
            const { model } = get();
            if (!model) return;
            const saved = { ...get().savedPreprocess };
            delete saved[model.fingerprint];
            set({ preprocess: model.spec.suggestedPreprocess, savedPreprocess: saved });
            await get().predict();
          },

          async setRuntime(patch) {
            const previous = get().runtime;
            const runtime = { ...previous, ...patch };
            set({ runtime });
            try {
              if (runtime.threads !== previous.threads && deps.restartCompute) {
                // The WASM thread pool is fixed when onnxruntime starts: a new worker, then reload what we had.
                deps.restartCompute(runtime.threads);
                set({ env: await deps.compute().environment() });
                if (lastModel) {
                  const model = await deps.compute().loadModel(lastModel.bytes, lastModel.name, runtime.backend);
                  set({ model });
                }
                if (lastImage) await deps.compute().decodeImage(lastImage.file, lastImage.name);
              } else if (runtime.backend !== previous.backend && get().model) {
                set({ model: await deps.compute().switchBackend(runtime.backend) });
              }
              await get().predict();
            } catch (e) {
              get().report(e, 'Changing the backend');
            }
          },

          setTopK(k) {
            if (!Number.isInteger(k) || k < 1) return;
            set({ topK: k });
            const { prediction, model } = get();
            if (prediction && model) set({ prediction: relabel(prediction.result, model) });
          },

          setShowRaw(showRaw) {
            set({ showRaw });
          },

          setTarget(target) {
            set({ target });
          },

          async predict() {
            const { model, image, preprocess } = get();
            if (!model || !image || !preprocess) return;
            const generation = ++predictGeneration;
            set({ predicting: true });
            try {
              const result = await deps.compute().predict(preprocess);
              if (generation !== predictGeneration) return; // a newer request superseded this one
              const prediction = relabel(result, get().model ?? model);
              const target = get().target;
              const keepTarget = target !== undefined && target < prediction.ranked.probabilities.length;
              set({ prediction, target: keepTarget ? target : prediction.ranked.top[0]?.index });
            } catch (e) {
              if (generation === predictGeneration) get().report(e, 'Predicting');
            } finally {
              if (generation === predictGeneration) set({ predicting: false });
            }
          },

          report(e, context) {
            const error = e instanceof GlassboxError ? e.toJSON() : serializeError(e);
            set({ messages: [...get().messages.slice(-4), { ...error, id: nextMessageId++, context }] });
          },

          dismiss(id) {
            set({ messages: get().messages.filter((m) => m.id !== id) });
          },
        };
      },
      {
        name: 'glassbox.settings',
        version: 1,
        storage: createJSONStorage(() => deps.storage),
        partialize: (s) => ({ runtime: s.runtime, savedPreprocess: s.savedPreprocess, topK: s.topK, explainSettings: s.explainSettings, view: s.view, heatmapView: s.heatmapView, compareMethods: s.compareMethods, compareScale: s.compareScale }),
        // settings saved by an older version lack the newer methods' parameters
        merge: (persisted, current) => {
          const p = (persisted ?? {}) as Partial<AppState>;
          return { ...current, ...p, explainSettings: { ...DEFAULT_EXPLAIN_SETTINGS, ...p.explainSettings }, heatmapView: { ...DEFAULT_HEATMAP_VIEW, ...p.heatmapView } };
        },
      },
    ),
  );
}
