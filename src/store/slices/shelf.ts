/**
 * The model shelf: several models at once, each with its own preprocessing and labels, explained on the image on
 * screen for one class given by name (seed 003's model-selection table, live). The current model is always the
 * first row; more models are added beside it in the worker. A grid run goes model by model, method by method:
 * predict, find the class by its name in the model's labels (labels/match.ts; the user picks it when no name
 * matches), explain it with the method's current parameters plus the deletion/insertion curves. The grid belongs to
 * the image it was computed on and is dropped when that changes.
 */
import { GlassboxError, serializeError } from '../../engine/errors';
import { methodUnavailable } from '../../engine/explain/availability';
import { FAITHFULNESS_DEFAULTS } from '../../engine/explain/faithfulness-params';
import { descriptorOf, isMethodId, type MethodId } from '../../engine/explain/registry';
import { validateParams } from '../../engine/explain/schema';
import type { Explanation, Progress } from '../../engine/explain/types';
import type { PreprocessConfig } from '../../engine/image/preprocess';
import type { RgbaImage } from '../../engine/image/types';
import { matchTarget, type MatchHow } from '../../engine/labels/match';
import { rankScores } from '../../engine/predict/scores';
import type { Backend } from '../../engine/runtime/ort-runtime';
import type { ClassifierSpec } from '../../engine/runtime/classifier-spec';
import type { ExplainJob, PredictResult } from '../../worker-api';
import { paramsForJob } from '../explain-settings';
import type { AppState, Slice } from '../types';
import { reportProgress } from '../run-progress';

/** The id of the row that stands for the dashboard's current model. */
export const CURRENT_ROW = 'current';

/** A model added to the shelf (the current model is not one: it is its first row automatically). */
export interface ShelfEntry {
  /** The store's id of this model (stable; the worker's own id may change after an engine restart). */
  id: string;
  name: string;
  /** SHA-256 of the file: its saved preprocessing is looked up under it. */
  fingerprint: string;
  sizeBytes: number;
  paramCount?: number;
  backend: Backend;
  spec: ClassifierSpec;
  /** Its suggested preprocessing, or the one saved for it on the dashboard. */
  preprocess: PreprocessConfig;
  /** Class names (metadata or built-in ImageNet); undefined when the model has none. */
  labels?: string[];
  /** The fastest single-image inference measured (the first call carries warm-up). */
  inferenceMs?: number;
  /** The class the user picked for this model, for the class name it was picked for. */
  chosen?: { label: string; index: number };
}

/** A row of the shelf: the current model (first) or an added one, with what the grid needs of it. */
export interface ShelfRow extends Omit<ShelfEntry, 'spec' | 'chosen'> {
  current: boolean;
  spec?: ClassifierSpec;
  chosen?: { label: string; index: number };
}

/** How a row's class was found: by name (match.ts), picked by the user, or the dashboard's selected class. */
export type ShelfMatchHow = MatchHow | 'chosen' | 'selected';

export interface ShelfMatch {
  index?: number;
  how: ShelfMatchHow;
}

export interface ShelfCell {
  method: MethodId;
  /** The explanation of the row's class, with its deletion/insertion curves (metrics). */
  result?: Explanation;
  /** 'cancelled', or what went wrong. */
  error?: string;
}

export interface ShelfGridRow {
  id: string;
  name: string;
  current: boolean;
  /** The class explained in this model's indices, how it was found, and its name in this model. */
  target?: number;
  how: ShelfMatchHow;
  targetLabel?: string;
  /** The model's top-1 class and its probability, and the probability of the explained class. */
  prediction?: { index: number; label: string; score: number };
  targetScore?: number;
  inferenceMs?: number;
  paramCount?: number;
  sizeBytes: number;
  /** The image as this model sees it (its own size and crop): its maps are drawn over it. */
  modelInput?: RgbaImage;
  preprocess: PreprocessConfig;
  cells: ShelfCell[];
  /** Why the row could not run (its prediction failed). */
  error?: string;
}

export interface ShelfGrid {
  id: number;
  /** The class explained, by name (the dashboard's selected class). */
  label: string;
  imageSha256: string;
  imageName: string;
  methods: MethodId[];
  rows: ShelfGridRow[];
  done: boolean;
  /** Which cell runs now (row, method) and how many cells there are. */
  step?: { row: number; method: number; index: number; count: number };
}

export interface ShelfSlice {
  /** Models added beside the current one. */
  shelf: ShelfEntry[];
  /** True while a model is being added. */
  shelfLoading: boolean;
  shelfMethods: MethodId[];
  shelfGrid?: ShelfGrid;
  addShelfModel(bytes: Uint8Array, name: string): Promise<void>;
  removeShelfModel(id: string): Promise<void>;
  setShelfMethods(methods: MethodId[]): void;
  /** Pick a model's class by hand (when its labels have no class of that name, or to override the match). */
  setShelfTarget(id: string, index: number): void;
  /** Every shelf method on every model (current first) for the selected class; cancel with cancelExplanation. */
  runShelfGrid(): Promise<void>;
  /** Forget the grid when it was computed on another image than the one on screen. */
  dropStaleShelfGrid(): void;
  /** The shelf's models as another worker job (dataset mode) addresses them: worker id, name, preprocessing, labels. */
  shelfJobModels(): { workerId: string; name: string; preprocess: PreprocessConfig; labels?: string[] }[];
}

type ShelfInputs = Pick<AppState, 'model' | 'preprocess' | 'prediction' | 'target' | 'rowMs' | 'shelf' | 'savedPreprocess'>;

/** The name of the class the shelf explains: the dashboard's selected class (or its top-1). */
export function shelfLabel(s: Pick<AppState, 'prediction' | 'target'>): string | undefined {
  const p = s.prediction;
  if (!p) return undefined;
  const index = s.target ?? p.ranked.top[0]?.index;
  return index === undefined ? undefined : (p.labels.labels[index] ?? `class ${index}`);
}

/** The rows of the shelf: the current model first, then the added ones. */
export function shelfRows(s: ShelfInputs): ShelfRow[] {
  const rows: ShelfRow[] = [];
  const { model, preprocess, prediction } = s;
  if (model && preprocess) {
    rows.push({
      id: CURRENT_ROW,
      current: true,
      name: model.name,
      fingerprint: model.fingerprint,
      sizeBytes: model.sizeBytes,
      paramCount: model.paramCount,
      backend: model.backend,
      spec: model.spec,
      preprocess,
      labels: prediction && prediction.labels.source !== 'none' ? prediction.labels.labels : undefined,
      inferenceMs: s.rowMs[`${model.fingerprint}:${model.backend}:predict`],
    });
  }
  for (const e of s.shelf) rows.push({ ...e, current: false, preprocess: s.savedPreprocess[e.fingerprint] ?? e.preprocess });
  return rows;
}

/** Which class of a row the shelf explains for the class named `label`. */
export function shelfMatch(s: Pick<AppState, 'prediction' | 'target'>, row: Pick<ShelfRow, 'current' | 'labels' | 'chosen'>, label: string | undefined): ShelfMatch {
  if (row.current) {
    const index = s.target ?? s.prediction?.ranked.top[0]?.index;
    return index === undefined ? { how: 'none' } : { index, how: 'selected' };
  }
  if (label === undefined) return { how: 'none' };
  if (row.chosen && row.chosen.label === label) return { index: row.chosen.index, how: 'chosen' };
  return matchTarget(label, row.labels);
}

const isUnknownShelfModel = (e: unknown) => (e as GlassboxError)?.code === 'NO_MODEL' && String((e as GlassboxError).detail ?? '').startsWith('unknown shelf model');

export const createShelfSlice: Slice<ShelfSlice> = (set, get, ctx) => {
  // the files stay here (big, not rendered): a restarted worker has lost them and gets them again
  const files = new Map<string, { bytes: Uint8Array; name: string; workerId: string }>();
  let counter = 0;

  const patchEntry = (id: string, patch: Partial<ShelfEntry>) => set({ shelf: get().shelf.map((e) => (e.id === id ? { ...e, ...patch } : e)) });

  /** Call the worker with an entry's worker id; a worker that no longer holds it (restarted) gets the file again. */
  async function withWorkerId<T>(id: string, call: (workerId: string) => Promise<T>): Promise<T> {
    const file = files.get(id);
    if (!file) throw new GlassboxError('NO_MODEL', 'This model was removed from the shelf.');
    try {
      return await call(file.workerId);
    } catch (e) {
      if (!isUnknownShelfModel(e)) throw e;
      const again = await ctx.deps.compute().shelfAdd(file.bytes, file.name, get().runtime.backend);
      file.workerId = again.id;
      return call(file.workerId);
    }
  }

  /** A shelf model's prediction on the screen's image, remembering its fastest inference. */
  async function predictEntry(id: string, preprocess: PreprocessConfig): Promise<PredictResult> {
    const result = await withWorkerId(id, (workerId) => ctx.deps.compute().shelfPredict(workerId, preprocess));
    const entry = get().shelf.find((e) => e.id === id);
    if (entry && (entry.inferenceMs === undefined || result.inferenceMs < entry.inferenceMs)) patchEntry(id, { inferenceMs: result.inferenceMs });
    return result;
  }

  /**
   * The current model's prediction, measured again so that its time per image compares with the shelf models' (each
   * the fastest call seen: the dashboard's first prediction carries warm-up); kept under the dashboard's own key.
   */
  async function predictCurrent(preprocess: PreprocessConfig): Promise<PredictResult> {
    const result = await ctx.deps.compute().predict(preprocess);
    const model = get().model;
    if (model) {
      const key = `${model.fingerprint}:${model.backend}:predict`;
      const best = get().rowMs[key];
      if (best === undefined || result.inferenceMs < best) set({ rowMs: { ...get().rowMs, [key]: result.inferenceMs } });
    }
    return result;
  }

  return {
    shelf: [],
    shelfLoading: false,
    shelfMethods: ['gradcam'],

    async addShelfModel(bytes, name) {
      const context = `Adding model ${name} to the shelf`;
      set({ shelfLoading: true });
      try {
        const loaded = await ctx.deps.compute().shelfAdd(bytes, name, get().runtime.backend);
        const id = `model-${++counter}`;
        files.set(id, { bytes, name, workerId: loaded.id });
        const entry: ShelfEntry = {
          id,
          name,
          fingerprint: loaded.fingerprint,
          sizeBytes: loaded.sizeBytes,
          paramCount: loaded.paramCount,
          backend: loaded.backend,
          spec: loaded.spec,
          preprocess: get().savedPreprocess[loaded.fingerprint] ?? loaded.spec.suggestedPreprocess,
          labels: loaded.labels,
        };
        set({ shelf: [...get().shelf, entry] });
        // a first prediction measures its inference time (the grid measures again: the first call warms up)
        if (get().image) await predictEntry(id, entry.preprocess).catch((e) => get().report(e, `Predicting with ${name}`));
      } catch (e) {
        get().report(e, context);
      } finally {
        set({ shelfLoading: false });
      }
    },

    async removeShelfModel(id) {
      const file = files.get(id);
      files.delete(id);
      set({ shelf: get().shelf.filter((e) => e.id !== id) });
      const grid = get().shelfGrid;
      if (grid?.done) set({ shelfGrid: { ...grid, rows: grid.rows.filter((r) => r.id !== id) } });
      if (file) await ctx.deps.compute().shelfRemove(file.workerId).catch((e) => get().report(e, `Removing ${file.name}`));
    },

    setShelfMethods(methods) {
      set({ shelfMethods: methods.filter((m) => isMethodId(m)) });
    },

    setShelfTarget(id, index) {
      const label = shelfLabel(get());
      if (label === undefined || !Number.isInteger(index) || index < 0) return;
      patchEntry(id, { chosen: { label, index } });
    },

    async runShelfGrid() {
      const context = 'Running the model shelf';
      if (get().run) return;
      if (get().engine === 'restarting') {
        get().report(new GlassboxError('NO_MODEL', 'The engine is restarting with the new thread count; run again in a moment.'), context);
        return;
      }
      if (get().predicting) await ctx.pendingPrediction; // the class must be the current image's
      const state = get();
      const { image, prediction, explainSettings, support } = state;
      const methods = state.shelfMethods;
      const label = shelfLabel(state);
      if (!state.model || !image || !prediction || label === undefined) {
        get().report(new GlassboxError('NO_MODEL', 'Load a model and an image first.'), context);
        return;
      }
      if (!methods.length) {
        get().report(new GlassboxError('PARAM_INVALID', 'Pick at least one method for the shelf.'), context);
        return;
      }
      const rows = shelfRows(state);
      const matches = rows.map((r) => shelfMatch(state, r, label));
      const unmatched = rows.filter((_, i) => matches[i].index === undefined).map((r) => r.name);
      if (unmatched.length) {
        get().report(
          new GlassboxError(
            'PARAM_INVALID',
            `No class named “${label}” in ${unmatched.join(', ')}: ${unmatched.length === 1 ? 'its labels do not have it' : 'their labels do not have it'} (or ${unmatched.length === 1 ? 'it has' : 'they have'} no labels).`,
            'Pick the class to explain for each of these models in the Models list, then run the grid again.',
          ),
          context,
        );
        return;
      }
      const gridId = ctx.nextJobId();
      const metrics = explainSettings.metrics ?? FAITHFULNESS_DEFAULTS;
      const gridRows: ShelfGridRow[] = rows.map((r, i) => ({
        id: r.id,
        name: r.name,
        current: r.current,
        target: matches[i].index,
        how: matches[i].how,
        targetLabel: r.labels?.[matches[i].index!] ?? `class ${matches[i].index}`,
        paramCount: r.paramCount,
        sizeBytes: r.sizeBytes,
        inferenceMs: r.inferenceMs,
        preprocess: r.preprocess,
        cells: methods.map((method) => ({ method })),
      }));
      const count = rows.length * methods.length;
      set({ shelfGrid: { id: gridId, label, imageSha256: image.sha256, imageName: image.name, methods: [...methods], rows: gridRows, done: false } });
      const mine = () => get().shelfGrid?.id === gridId;
      const update = (i: number, patch: Partial<ShelfGridRow>) => {
        gridRows[i] = { ...gridRows[i], ...patch };
        if (mine()) set({ shelfGrid: { ...get().shelfGrid!, rows: [...gridRows] } });
      };

      let stopped = false;
      // the run stays set from cell to cell (nothing else starts in between) and ends with the grid
      let lastJobId: string | undefined;
      try {
        for (let i = 0; i < rows.length && !stopped && mine(); i++) {
          const row = rows[i];
          const target = gridRows[i].target!;
          // the row's prediction: the dashboard's own for the current model, else the shelf model's on this image
          let predicted: PredictResult;
          try {
            predicted = row.current ? await predictCurrent(row.preprocess) : await predictEntry(row.id, row.preprocess);
          } catch (e) {
            update(i, { error: serializeError(e).message, cells: gridRows[i].cells.map((c) => ({ ...c, error: 'not run' })) });
            continue;
          }
          const ranked = rankScores(predicted.raw, row.labels ?? [], 1, row.spec?.outputKind);
          const top = ranked.top[0];
          update(i, {
            modelInput: predicted.modelInput,
            prediction: top ? { index: top.index, label: top.label, score: top.score } : undefined,
            targetScore: ranked.probabilities[target],
            inferenceMs: row.current ? shelfRows(get())[0]?.inferenceMs : get().shelf.find((e) => e.id === row.id)?.inferenceMs,
          });
          for (let m = 0; m < methods.length; m++) {
            if (!mine()) break;
            const method = methods[m];
            const cells = () => gridRows[i].cells;
            const setCell = (cell: ShelfCell) => update(i, { cells: cells().map((c, k) => (k === m ? cell : c)) });
            // the layer setting belongs to the current model; another model gets its own suggested layer
            const params = paramsForJob(row.current ? explainSettings : { ...explainSettings, layer: undefined }, method);
            try {
              validateParams(descriptorOf(method), params as never, { width: row.preprocess.width, height: row.preprocess.height });
              const why = row.current ? methodUnavailable(method, support, explainSettings.layer) : undefined;
              if (why) throw new GlassboxError('GRADIENT_UNSUPPORTED', why);
            } catch (e) {
              setCell({ method, error: serializeError(e).message });
              continue;
            }
            const job: ExplainJob = { method, params, targets: [target], seed: explainSettings.seed, preprocess: row.preprocess, metrics, labels: row.labels };
            const jobId = `job-${ctx.nextJobId()}`;
            lastJobId = jobId;
            const index = i * methods.length + m;
            set({ run: { jobId, kind: 'shelf', method, startedAt: Date.now() }, ...(mine() ? { shelfGrid: { ...get().shelfGrid!, step: { row: i, method: m, index, count } } } : {}) });
            const onProgress = (progress: Progress) => {
              reportProgress(set, get, jobId, progress);
            };
            try {
              const result = row.current
                ? await ctx.deps.compute().explain(jobId, job, onProgress)
                : await withWorkerId(row.id, (workerId) => ctx.deps.compute().shelfExplain(jobId, workerId, job, onProgress));
              setCell({ method, result });
            } catch (e) {
              const cancelled = (e as GlassboxError).code === 'CANCELLED';
              setCell({ method, error: cancelled ? 'cancelled' : serializeError(e).message });
              if (cancelled) {
                stopped = true;
                break;
              }
            }
          }
        }
      } finally {
        set({ ...(mine() ? { shelfGrid: { ...get().shelfGrid!, done: true, step: undefined } } : {}), ...(lastJobId && get().run?.jobId === lastJobId ? { run: undefined } : {}) });
      }
    },

    shelfJobModels() {
      return get().shelf.flatMap((e) => {
        const file = files.get(e.id);
        return file ? [{ workerId: file.workerId, name: e.name, preprocess: e.preprocess, labels: e.labels }] : [];
      });
    },

    dropStaleShelfGrid() {
      const grid = get().shelfGrid;
      if (!grid || grid.imageSha256 === get().image?.sha256) return;
      set({ shelfGrid: undefined });
      // its remaining cells would be computed on the new image: stop them
      if (get().run?.kind === 'shelf') void get().cancelExplanation();
    },
  };
};
