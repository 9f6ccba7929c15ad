/**
 * Dataset mode: images (with masks matched by file name, and an optional targets CSV) evaluated with the chosen
 * methods on the current model as one cancellable, pausable worker job (workers/dataset-job.ts over the engine's
 * evaluateDataset). The page holds File references, the rows' scalars and a ≤ 48 px picture per row; the summary is
 * recomputed from the rows (summaryFromRows), at most about once a second while rows stream in.
 */
import { summaryFromRows, type EvaluationSummary } from '../../engine/evaluate/aggregate';
import { isImageName, isMaskFile, matchMasks, parseTargets } from '../../engine/evaluate/matching';
import { GlassboxError, serializeError } from '../../engine/errors';
import { methodUnavailable } from '../../engine/explain/availability';
import { FAITHFULNESS_DEFAULTS } from '../../engine/explain/faithfulness-params';
import type { MethodId } from '../../engine/explain/registry';
import type { DatasetFile, DatasetJob, DatasetRow } from '../../worker-api';
import { paramsForJob } from '../explain-settings';
import type { Slice } from '../types';
import { withProgress } from '../run-progress';
import { checkMethod } from './job';

/** A file as the page gets it from an input or a drop (a File; `webkitRelativePath` when a folder was picked). */
export type DatasetInputFile = Blob & { name: string; webkitRelativePath?: string };

/** How often, at most, the summary is recomputed while rows stream in (its bootstrap costs ~1000 × rows). */
export const DATASET_SUMMARY_INTERVAL_MS = 1000;

export interface DatasetState {
  /** The images, in name order, each with the mask matched to it by name (File references only). */
  files: DatasetFile[];
  /** Every mask file given, matched or not. */
  masks: { name: string; file: Blob }[];
  /** Masks whose name matches no image. */
  unmatchedMasks: string[];
  /** Files that are neither an image nor a CSV (left out). */
  ignored: string[];
  /** The targets CSV (`image,target`): its name, text and number of entries. */
  targetsName?: string;
  targetsText?: string;
  targetsCount?: number;
  /** The rows of the last run, in the order made, each with its picture. */
  rows: DatasetRow[];
  summary?: EvaluationSummary;
  /** The methods and model of the last run. */
  methods: MethodId[];
  modelName?: string;
  seed?: number;
  running: boolean;
  paused: boolean;
  /** The last run went through every image. */
  done: boolean;
  /** The last run was stopped (its rows are kept). */
  cancelled?: boolean;
  error?: string;
}

export interface DatasetSlice {
  dataset?: DatasetState;
  /** The methods a dataset run evaluates (its own choice, apart from the comparison's). */
  datasetMethods: MethodId[];
  /** Also compute deletion/insertion AUC per row (one more pass of model calls each). */
  datasetCurves: boolean;
  setDatasetMethods(methods: MethodId[]): void;
  setDatasetCurves(on: boolean): void;
  /** Add files: images and masks told apart by name (cat_mask.png, or a masks/ folder), a .csv as the targets. */
  addDatasetFiles(files: readonly DatasetInputFile[]): Promise<void>;
  /** Run the dataset's methods on the current model over every image (the rows of an earlier run are replaced). */
  runDataset(): Promise<void>;
  /** Hold the running dataset job between rows, or let it go on. */
  pauseDataset(paused: boolean): Promise<void>;
  /** Forget the files and rows (not while a run is going). */
  clearDataset(): void;
}

const emptyDataset = (): DatasetState => ({ files: [], masks: [], unmatchedMasks: [], ignored: [], rows: [], methods: [], running: false, paused: false, done: false });

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The images with their masks matched by name, and the masks that match none. */
export function matchDataset(images: readonly { name: string; file: Blob }[], masks: readonly { name: string; file: Blob }[]): Pick<DatasetState, 'files' | 'unmatchedMasks'> {
  const matched = matchMasks(images.map((i) => i.name), masks.map((m) => m.name));
  const maskByName = new Map(masks.map((m) => [m.name, m.file]));
  const used = new Set(matched.values());
  const files = [...images].sort(byName).map(({ name, file }): DatasetFile => {
    const maskName = matched.get(name);
    return maskName ? { name, image: file, mask: maskByName.get(maskName), maskName } : { name, image: file };
  });
  return { files, unmatchedMasks: masks.map((m) => m.name).filter((n) => !used.has(n)).sort() };
}

export const createDatasetSlice: Slice<DatasetSlice> = (set, get, ctx) => {
  const patch = (p: Partial<DatasetState>) => set({ dataset: { ...(get().dataset ?? emptyDataset()), ...p } });
  let summaryAt = -Infinity;
  const summarise = (force: boolean) => {
    const d = get().dataset;
    if (!d || (!force && Date.now() - summaryAt < DATASET_SUMMARY_INTERVAL_MS)) return;
    summaryAt = Date.now();
    patch({ summary: d.rows.length ? summaryFromRows(d.rows, { seed: d.seed ?? 0 }) : undefined });
  };

  return {
    datasetMethods: ['gradcam'],
    datasetCurves: false,

    setDatasetMethods(datasetMethods) {
      set({ datasetMethods });
    },

    setDatasetCurves(datasetCurves) {
      set({ datasetCurves });
    },

    async addDatasetFiles(files) {
      const d = get().dataset ?? emptyDataset();
      const images = new Map(d.files.map((f) => [f.name, f.image]));
      const masks = new Map(d.masks.map((m) => [m.name, m.file]));
      const ignored = new Set(d.ignored);
      let targets: Pick<DatasetState, 'targetsName' | 'targetsText' | 'targetsCount'> = { targetsName: d.targetsName, targetsText: d.targetsText, targetsCount: d.targetsCount };
      for (const file of files) {
        const { name } = file;
        if (name.toLowerCase().endsWith('.csv')) {
          try {
            const text = await file.text();
            targets = { targetsName: name, targetsText: text, targetsCount: parseTargets(text, name).size };
          } catch (e) {
            get().report(e, `Reading the targets file ${name}`);
          }
        } else if (!isImageName(name)) ignored.add(name);
        else if (isMaskFile(name, file.webkitRelativePath)) masks.set(name, file);
        else images.set(name, file);
      }
      const maskList = [...masks].map(([name, file]) => ({ name, file }));
      patch({ ...matchDataset([...images].map(([name, file]) => ({ name, file })), maskList), masks: maskList, ignored: [...ignored].sort(), ...targets });
    },

    async runDataset() {
      const context = 'Dataset run';
      if (get().run) return;
      if (get().engine === 'restarting') {
        get().report(new GlassboxError('NO_MODEL', 'The engine is restarting with the new thread count; run again in a moment.'), context);
        return;
      }
      const { model, preprocess, support, explainSettings, dataset, datasetMethods, datasetCurves } = get();
      if (!model || !preprocess) {
        get().report(new GlassboxError('NO_MODEL', 'Load a model first.'), context);
        return;
      }
      if (!dataset?.files.length) {
        get().report(new GlassboxError('PARAM_INVALID', 'The dataset has no images.', 'Add images (and their masks) with the dataset panel’s file or folder button.'), context);
        return;
      }
      const methods = datasetMethods.filter((m) => !methodUnavailable(m, support, explainSettings.layer));
      try {
        if (!methods.length) throw new GlassboxError('PARAM_INVALID', 'Pick at least one method this model can run for the dataset.');
        for (const m of methods) checkMethod(get, m);
      } catch (e) {
        get().report(e, context);
        return;
      }
      const seed = explainSettings.seed;
      // the shelf's models too; then each model uses its own suggested CAM layer (a layer name is one model's)
      const shelf = get().shelfJobModels();
      const job: DatasetJob = {
        methods: methods.map((method) => {
          const params = paramsForJob(explainSettings, method) as unknown as Record<string, unknown>;
          return { method, params: shelf.length && 'layer' in params ? { ...params, layer: undefined } : params };
        }),
        shelf: shelf.length ? shelf : undefined,
        seed,
        metrics: { localisation: dataset.files.some((f) => f.mask), faithfulness: datasetCurves ? (explainSettings.metrics ?? FAITHFULNESS_DEFAULTS) : undefined },
        targetsCsv: dataset.targetsText,
        targetsName: dataset.targetsName,
        preprocess,
        labels: get().prediction?.labels.labels,
      };
      const jobId = `job-${ctx.nextJobId()}`;
      const mine = () => get().run?.jobId === jobId;
      summaryAt = -Infinity;
      patch({ rows: [], summary: undefined, methods, modelName: [model.name, ...shelf.map((m) => m.name)].join(', '), seed, running: true, paused: false, done: false, cancelled: undefined, error: undefined });
      set({ run: { jobId, kind: 'dataset', method: methods[0], startedAt: Date.now() } });
      try {
        await ctx.deps.compute().datasetRun(
          jobId,
          job,
          dataset.files,
          (row) => {
            if (!mine()) return;
            patch({ rows: [...get().dataset!.rows, row] });
            summarise(false);
          },
          (progress) => {
            if (mine()) set({ run: withProgress(get().run!, progress) });
          },
        );
        patch({ done: true });
      } catch (e) {
        const cancelled = (e as GlassboxError).code === 'CANCELLED';
        if (!cancelled) get().report(e, context);
        patch(cancelled ? { cancelled: true } : { error: serializeError(e).message });
      } finally {
        patch({ running: false, paused: false });
        summarise(true);
        if (mine()) set({ run: undefined });
      }
    },

    async pauseDataset(paused) {
      const run = get().run;
      if (run?.kind !== 'dataset' || !get().dataset?.running) return;
      patch({ paused });
      if (paused) summarise(true);
      await ctx.deps.compute().datasetPause(run.jobId, paused);
    },

    clearDataset() {
      if (get().dataset?.running) return;
      set({ dataset: undefined });
    },
  };
};
