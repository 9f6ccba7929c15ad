import { GlassboxError } from '../../engine/errors';
import { FAITHFULNESS_DEFAULTS, type FaithfulnessParams } from '../../engine/explain/faithfulness-params';
import { MORE_SAMPLES_FACTOR, SAMPLE_COUNT_PARAMS } from '../../engine/explain/quality';
import { descriptorOf, isMethodId, type MethodId } from '../../engine/explain/registry';
import type { Explanation } from '../../engine/explain/types';
import type { ExplainJob } from '../../worker-api';
import { historyEntryBytes, type HistoryStore } from '../history-db';
import { sameInputs, screenInputs, type InputsKey } from '../inputs';
import type { ExplanationSlice, ExplanationState, GetState, SetState, Slice, SliceContext } from '../types';
import { reportProgress } from '../run-progress';
import { checkMethod, jobFor, labelOf, rowKey, targetsToExplain } from './job';
import { createReopenActions, entryOf, jobToRerun, otherInputsError, paramsToRerun } from './reopen';

/** At most this many results in the history strip, whatever their size. */
export const HISTORY_LIMIT = 200;
/** Default size budget of the stored history (deps.historyBudgetBytes overrides it). */
export const HISTORY_BUDGET_BYTES = 50 * 1024 * 1024;

const entryBytes = new WeakMap<ExplanationState, number>();
function sizeOf(entry: ExplanationState): number {
  let bytes = entryBytes.get(entry);
  if (bytes === undefined) entryBytes.set(entry, (bytes = historyEntryBytes(entry)));
  return bytes;
}

/**
 * The history (newest first) under the budget and HISTORY_LIMIT: the oldest unpinned entries go first; the newest
 * entry and pinned ones always stay.
 */
export function evictForBudget(history: ExplanationState[], budgetBytes: number): { kept: ExplanationState[]; evicted: ExplanationState[] } {
  let total = history.reduce((sum, h) => sum + sizeOf(h), 0);
  let count = history.length;
  const evicted = new Set<ExplanationState>();
  for (let i = history.length - 1; i > 0 && (total > budgetBytes || count > HISTORY_LIMIT); i--) {
    if (history[i].pinned) continue;
    evicted.add(history[i]);
    total -= sizeOf(history[i]);
    count--;
  }
  return { kept: history.filter((h) => !evicted.has(h)), evicted: [...evicted] };
}

const megabytes = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;


/** A finished result, bound to what produced it. */
export function toState(get: GetState, ctx: SliceContext, result: Explanation, fallback: InputsKey): ExplanationState {
  const { model, image, prediction } = get();
  const p = result.provenance;
  return {
    id: ctx.nextJobId(),
    result,
    inputs: p ? { modelSha256: p.modelSha256, imageSha256: p.imageSha256, preprocess: p.preprocess } : fallback,
    modelName: model?.name ?? '',
    imageName: image?.name ?? '',
    labels: result.classes.map((c) => labelOf(get, c.target)),
    scores: result.classes.map((c) => prediction?.ranked.probabilities[c.target] ?? NaN),
    baseImage: prediction!.result.modelInput,
    createdAt: Date.now(),
    ...(model ? { runContext: { backend: model.backend, threads: get().env?.wasmThreads ?? 1, modelInputs: model.info.inputs, modelOutputs: model.info.outputs } } : {}),
  };
}

/**
 * Learn the model's time per input row from a finished run (a running mean, recent runs weigh more). Only from
 * methods that run the plain model: a gradient run's row is a forward and a backward pass (2–3× a forward row,
 * plus the first run's warm-up), which made every later estimate several times too high.
 */
export function learnRowTime(set: SetState, get: GetState, result: Explanation): void {
  const key = rowKey(get());
  const modelRows = result.timings.samples - (result.timings.reusedRows ?? 0); // reused rows cost no inference
  if (!key || !(modelRows > 0)) return;
  if (!isMethodId(result.method) || descriptorOf(result.method).needs !== 'inference') return;
  const measured = result.timings.inferenceMs / modelRows;
  const old = get().rowMs[key];
  set({ rowMs: { ...get().rowMs, [key]: old === undefined ? measured : 0.5 * old + 0.5 * measured } });
}

/** How an anytime run goes on from where it ended: the button's words and the parameters of the run that continues it. */
export interface Continuation {
  /** 'finish': it stopped once stable, go on to its whole budget; 'more': it was not stable within its budget. */
  kind: 'finish' | 'more';
  label: string;
  /** What the button says in full (its title). */
  detail: string;
  params: Explanation['params'];
  /** 'finish': the stop it goes on from, so the new run's stability curve goes on too. */
  continues?: { target: number; stoppedAt: number };
}

/**
 * The continuation of an anytime result: one that stopped when stable runs on to its whole budget (stableAt 0);
 * one not stable within its budget runs again with MORE_SAMPLES_FACTOR× the budget (within the parameter's range
 * in the method's descriptor), still stopping when stable. With the same seed, the worker reuses the rows already
 * evaluated. None for a run without an anytime record, one with nothing to wait for, or one already at the top.
 */
export function continuation(result: Explanation): Continuation | undefined {
  const anytime = result.stability?.anytime;
  // a run that was continued to its budget has nothing left to continue
  if (!anytime || anytime.note || anytime.continuedFrom !== undefined || !isMethodId(result.method)) return undefined;
  const spec = descriptorOf(result.method).params.find((p) => SAMPLE_COUNT_PARAMS.includes(p.name));
  if (!spec || (spec.kind !== 'int' && spec.kind !== 'int-or-auto')) return undefined;
  const name = spec.name;
  const budget = result.params[name];
  const params = paramsToRerun(result);
  if (anytime.stoppedAt !== undefined) {
    const label = typeof budget === 'number' ? `Continue to ${budget} ${name}` : 'Continue to the full budget';
    return { kind: 'finish', label, detail: `${label}: the same run with the same seed, past where it stopped (rows already evaluated are reused)`, params: { ...params, stableAt: 0 }, continues: { target: anytime.target, stoppedAt: anytime.stoppedAt } };
  }
  // KernelSHAP's 'auto' budget is shap's 2M + 2048 sampled coalitions
  const current = typeof budget === 'number' ? budget : budget === 'auto' && result.kind === 'superpixel-weights' ? 2 * result.segmentCount + 2048 : undefined;
  if (current === undefined || spec.max === undefined || !(current < spec.max)) return undefined;
  const value = Math.min(spec.max, Math.ceil(current * MORE_SAMPLES_FACTOR));
  return {
    kind: 'more',
    label: `Continue with ${MORE_SAMPLES_FACTOR}× the ${name}`,
    detail: `Run again with ${value} ${name} instead of ${current}, the same seed, still stopping when stable at ${anytime.target} (rows already evaluated are reused)`,
    params: { ...params, [name]: value },
  };
}

/**
 * One explanation run: progress while it runs; the map is shown as soon as it exists (only when computed from the
 * inputs on screen), then its deletion/insertion curves run as their own cancellable job.
 */
export const createExplanationSlice: Slice<ExplanationSlice> = (set, get, ctx) => {
  const runCurves = async (entry: ExplanationState, params: FaithfulnessParams) => {
    const jobId = `job-${ctx.nextJobId()}`;
    set({ run: { jobId, kind: 'curves', method: entry.result.method, startedAt: Date.now() } });
    try {
      const metrics = await ctx.deps.compute().curves(jobId, { target: entry.result.target, map: entry.result.map, preprocess: entry.inputs.preprocess, params, seed: entry.result.seed }, (progress) => {
        reportProgress(set, get, jobId, progress);
      });
      const withCurves = { ...entry, result: { ...entry.result, metrics } };
      if (get().history.some((h) => h.id === entry.id)) get().keepInHistory(withCurves); // unless deleted meanwhile
      if (get().explanation?.id === entry.id) set({ explanation: withCurves });
    } catch (e) {
      if ((e as GlassboxError).code !== 'CANCELLED') get().report(e, 'Computing deletion/insertion curves');
    } finally {
      if (get().run?.jobId === jobId) set({ run: undefined });
    }
  };

  /**
   * Run one explanation job: progress while it runs; the finished result joins the history and is shown when it
   * was computed from the inputs on screen, then its curves follow as their own job when the settings ask for them.
   * Failures and cancels are reported under `context` (a cancel silently).
   */
  const runJob = async (method: MethodId, job: ExplainJob, inputs: InputsKey, context: string): Promise<void> => {
    const entry = await runMap(method, job, inputs, context);
    const curves = get().explainSettings.metrics;
    if (entry && curves) await runCurves(entry, curves);
  };
  const runMap = async (method: MethodId, job: ExplainJob, inputs: InputsKey, context: string): Promise<ExplanationState | undefined> => {
    const jobId = `job-${ctx.nextJobId()}`;
    set({ run: { jobId, kind: 'explain', method, startedAt: Date.now() } });
    try {
      const result = await ctx.deps.compute().explain(jobId, job, (progress) => {
        reportProgress(set, get, jobId, progress);
      });
      const entry = toState(get, ctx, result, inputs);
      learnRowTime(set, get, result);
      get().keepInHistory(entry);
      // only a finished run computed from the inputs on screen is drawn over the image
      if (sameInputs(entry.inputs, screenInputs(get()))) set({ explanation: entry, viewClass: 0, hoverFeature: undefined });
      return entry;
    } catch (e) {
      if ((e as GlassboxError).code !== 'CANCELLED') get().report(e, context);
      return undefined;
    } finally {
      if (get().run?.jobId === jobId) set({ run: undefined });
    }
  };


  // The history store, until it fails: then the history lives in this page only (told once).
  const budget = ctx.deps.historyBudgetBytes ?? HISTORY_BUDGET_BYTES;
  let clearedWhileLoading = false;
  const degrade = (e: unknown) => {
    if (get().historyStorage === 'memory') return;
    const reason = e instanceof Error ? e.message : String(e);
    set({ historyStorage: 'memory', historyNotice: `Results are kept in this page only: this browser did not let the dashboard store them (${reason}). They are gone after a reload.` });
  };
  const persist = (op: (db: HistoryStore) => Promise<void>) => {
    const db = ctx.deps.historyStore;
    if (!db || get().historyStorage !== 'saved') return; // while loading, loadHistory writes what was added meanwhile
    op(db).catch(degrade);
  };
  const evictionNotice = (evicted: ExplanationState[]) =>
    `${evicted.length === 1 ? 'The oldest result was' : `The ${evicted.length} oldest results were`} removed from the history to keep it under ${megabytes(budget)}. Pin a result to keep it.`;

  return {
    viewClass: 0,
    history: [],
    historyStorage: ctx.deps.historyStore ? 'loading' : 'memory',
    rowMs: {},

    async loadHistory() {
      const db = ctx.deps.historyStore;
      if (!db || get().historyStorage !== 'loading') return;
      try {
        const loaded = await db.load();
        ctx.reserveJobIds(loaded.reduce((max, h) => Math.max(max, h.id), 0));
        // results finished while loading keep their place; one whose id a stored result has gets a fresh id
        const stored = new Set(loaded.map((h) => h.id));
        const renamed = new Map<number, number>();
        const fresh = get().history.map((h) => {
          if (!stored.has(h.id)) return h;
          const id = ctx.nextJobId();
          renamed.set(h.id, id);
          return { ...h, id };
        });
        const shown = get().explanation;
        if (shown && renamed.has(shown.id)) set({ explanation: { ...shown, id: renamed.get(shown.id)! } });
        if (clearedWhileLoading) await db.clear();
        const merged = [...fresh, ...(clearedWhileLoading ? [] : loaded)].sort((a, b) => b.createdAt - a.createdAt || b.id - a.id);
        const { kept, evicted } = evictForBudget(merged, budget);
        set({ history: kept, historyStorage: 'saved', ...(evicted.length ? { historyNotice: evictionNotice(evicted) } : {}) });
        for (const h of evicted) if (stored.has(h.id)) persist((s) => s.delete(h.id));
        for (const h of fresh) if (kept.includes(h)) persist((s) => s.put(h));
      } catch (e) {
        degrade(e);
      }
    },

    keepInHistory(entry) {
      const history = get().history;
      const existing = history.find((h) => h.id === entry.id);
      // a later version of an entry (its curves) keeps its place and its pin
      const next = existing ? history.map((h) => (h === existing ? { ...entry, pinned: existing.pinned } : h)) : [entry, ...history];
      const { kept, evicted } = evictForBudget(next, budget);
      set({ history: kept, ...(evicted.length ? { historyNotice: evictionNotice(evicted) } : {}) });
      const saved = kept.find((h) => h.id === entry.id);
      if (saved) persist((s) => s.put(saved));
      for (const h of evicted) persist((s) => s.delete(h.id));
    },

    pinHistoryEntry(id, pinned) {
      let changed: ExplanationState | undefined;
      set({ history: get().history.map((h) => (h.id === id ? (changed = { ...h, pinned }) : h)) });
      if (changed) persist((s) => s.put(changed!));
    },

    deleteHistoryEntry(id) {
      set({ history: get().history.filter((h) => h.id !== id) });
      persist((s) => s.delete(id));
    },

    clearHistory() {
      set({ history: [], historyNotice: undefined });
      if (get().historyStorage === 'loading') clearedWhileLoading = true;
      persist((s) => s.clear());
    },

    dismissHistoryNotice() {
      set({ historyNotice: undefined });
    },

    async runExplanation() {
      if (get().run) return;
      if (get().engine === 'restarting') {
        get().report(new GlassboxError('NO_MODEL', 'The engine is restarting with the new thread count; run again in a moment.'), 'Explaining');
        return;
      }
      if (get().predicting) await ctx.pendingPrediction; // the target must be the current image's
      const { model, image, preprocess, prediction, explainSettings } = get();
      const inputs = screenInputs(get());
      if (!model || !image || !preprocess || !prediction || !inputs) {
        get().report(new GlassboxError('NO_MODEL', 'Load a model and an image first.'), 'Explaining');
        return;
      }
      const method = explainSettings.method;
      try {
        checkMethod(get, method);
      } catch (e) {
        get().report(e, 'Explaining');
        return;
      }
      const targets = targetsToExplain(get, explainSettings.topLabels);
      // the map first: the curves follow as their own job
      await runJob(method, { ...jobFor(get, method, targets), metrics: undefined }, inputs, 'Explaining');
    },

    async continueRun(id) {
      const entry = entryOf(get, id);
      if (!entry || get().run) return;
      const next = continuation(entry.result);
      if (!next) return;
      const refused = otherInputsError(get, entry);
      if (refused) {
        get().report(refused, 'Continuing a run');
        return;
      }
      // not fresh: the worker reuses the rows this run (and earlier ones) already evaluated
      const job = { ...jobToRerun(get, entry, next.params), ...(next.continues ? { continuesAnytime: next.continues } : {}) };
      await runJob(entry.result.method as MethodId, job, entry.inputs, 'Continuing a run');
    },

    async computeCurves(id) {
      const entry = entryOf(get, id);
      if (!entry || get().run) return;
      // the worker computes the curves on the model and image it holds: they must be the result's own
      const refused = otherInputsError(get, entry);
      if (refused) {
        get().report(refused, 'Computing deletion/insertion curves');
        return;
      }
      await runCurves(entry, get().explainSettings.metrics ?? FAITHFULNESS_DEFAULTS);
    },

    async cancelExplanation() {
      const run = get().run;
      if (run) await ctx.deps.compute().cancel(run.jobId);
    },

    showHistoryEntry(id) {
      let entry = get().history.find((h) => h.id === id);
      if (!entry || !sameInputs(entry.inputs, screenInputs(get()))) return false;
      // a re-opened result waiting for its image gets it now that it is on screen
      const modelInput = get().prediction?.result.modelInput;
      if (entry.imageMissing && modelInput && modelInput.width === entry.result.width && modelInput.height === entry.result.height) {
        entry = { ...entry, baseImage: modelInput, imageMissing: undefined };
        get().keepInHistory(entry);
      }
      set({ explanation: entry, viewClass: 0, hoverFeature: undefined });
      return true;
    },

    ...createReopenActions(set, get, ctx, (result, inputs) => toState(get, ctx, result, inputs)),

    inputsChanged() {
      const inputs = screenInputs(get());
      const { explanation, comparison } = get();
      if (explanation && !sameInputs(explanation.inputs, inputs)) set({ explanation: undefined, viewClass: 0, hoverFeature: undefined });
      get().dropStaleStability();
      get().dropStaleShelfGrid();
      get().dropStaleSanity();
      if (comparison && comparison.source === 'methods' && !sameInputs(comparison.inputs, inputs)) set({ comparison: undefined });
    },

    setViewClass(viewClass) {
      set({ viewClass, hoverFeature: undefined });
    },

    setHoverFeature(hoverFeature) {
      if (get().hoverFeature !== hoverFeature) set({ hoverFeature });
    },
  };
};
