/**
 * The stability view: the current method, with the parameters the Explain button would use, rerun over k seeds
 * (seed … seed + k − 1) as one cancellable worker job; the result keeps the k maps of the selected class and their
 * mean, std and pairwise Spearman ρ, bound to the inputs they were computed from (dropped when the screen's change).
 */
import { GlassboxError, serializeError } from '../../engine/errors';
import type { MethodId } from '../../engine/explain/registry';
import { checkStabilityK, STABILITY_K_DEFAULT, type StabilityStats } from '../../engine/explain/stability';
import type { Explanation } from '../../engine/explain/types';
import { sameInputs, screenInputs, type InputsKey } from '../inputs';
import type { Slice } from '../types';
import { reportProgress } from '../run-progress';
import { learnRowTime } from './explanation';
import { checkMethod, jobFor, labelOf, targetsToExplain } from './job';

export interface StabilityState {
  id: number;
  method: MethodId;
  /** The seeds of the runs, in order (the settings' seed … seed + k − 1). */
  seeds: number[];
  k: number;
  /** The model, image and preprocessing the runs used: the maps are drawn only over these. */
  inputs: InputsKey;
  /** The class explained (the selected one) and its name. */
  target: number;
  label: string;
  modelName: string;
  imageName: string;
  /** The parameters every run used. */
  params: Record<string, unknown>;
  /** Mean, std and pairwise ρ of the k maps (once all k runs are done). */
  stats?: StabilityStats;
  /** Each seed's map of the class, row-major at model resolution (seeds order). */
  maps?: number[][];
  /** What the maps are, for drawing them (kind, sign, units, size): taken from the first run. */
  look?: Pick<Explanation, 'kind' | 'method' | 'signed' | 'units' | 'width' | 'height'>;
  /** Time of all k runs, and model calls. */
  totalMs?: number;
  modelCalls?: number;
  done: boolean;
  /** 'cancelled', or what went wrong. */
  error?: string;
}

export interface StabilitySlice {
  stability?: StabilityState;
  /** Seeds the next stability run uses (2 … 20). */
  stabilityK: number;
  setStabilityK(k: number): void;
  /** Rerun the current method with k seeds (default: stabilityK) on the screen's image and class. */
  runStability(k?: number): Promise<void>;
  /** Forget the stability result when it was not computed from the inputs on screen (after a new prediction). */
  dropStaleStability(): void;
}

export const createStabilitySlice: Slice<StabilitySlice> = (set, get, ctx) => ({
  stabilityK: STABILITY_K_DEFAULT,

  setStabilityK(stabilityK) {
    set({ stabilityK });
  },

  async runStability(k = get().stabilityK) {
    if (get().run) return;
    const context = 'Stability over seeds';
    if (get().engine === 'restarting') {
      get().report(new GlassboxError('NO_MODEL', 'The engine is restarting with the new thread count; run again in a moment.'), context);
      return;
    }
    try {
      checkStabilityK(k);
    } catch (e) {
      get().report(e, context);
      return;
    }
    if (get().predicting) await ctx.pendingPrediction; // the class must be the current image's
    const { model, image, preprocess, prediction, explainSettings } = get();
    const inputs = screenInputs(get());
    if (!model || !image || !preprocess || !prediction || !inputs) {
      get().report(new GlassboxError('NO_MODEL', 'Load a model and an image first.'), context);
      return;
    }
    const method = explainSettings.method;
    try {
      checkMethod(get, method);
    } catch (e) {
      get().report(e, context);
      return;
    }
    const compute = ctx.deps.compute();
    // the selected class only: the other classes' maps would not change its map (the same samples explain them all)
    const targets = targetsToExplain(get, 1);
    const [target] = targets;
    const job = { ...jobFor(get, method, targets), metrics: undefined };
    const id = ctx.nextJobId();
    const jobId = `job-${ctx.nextJobId()}`;
    set({
      stabilityK: k,
      stability: { id, method, seeds: Array.from({ length: k }, (_, i) => job.seed + i), k, inputs, target, label: labelOf(get, target), modelName: model.name, imageName: image.name, params: job.params as unknown as Record<string, unknown>, done: false },
      run: { jobId, kind: 'stability', method, startedAt: Date.now() },
    });
    const mine = () => get().stability?.id === id;
    try {
      const out = await compute.stability(jobId, job, k, (progress) => {
        reportProgress(set, get, jobId, progress);
      });
      if (out.results[0]) learnRowTime(set, get, out.results[0]);
      const first = out.results[0];
      if (mine())
        set({
          stability: {
            ...get().stability!,
            stats: out.stats,
            maps: out.results.map((r) => r.map),
            look: { kind: first.kind, method: first.method, signed: first.signed, units: first.units, width: first.width, height: first.height },
            totalMs: out.totalMs,
            modelCalls: out.results.reduce((sum, r) => sum + r.timings.modelCalls, 0),
            done: true,
          },
        });
    } catch (e) {
      const cancelled = (e as GlassboxError).code === 'CANCELLED';
      if (!cancelled) get().report(e, context);
      if (mine()) set({ stability: { ...get().stability!, done: true, error: cancelled ? 'cancelled' : serializeError(e).message } });
    } finally {
      if (get().run?.jobId === jobId) set({ run: undefined });
    }
  },

  dropStaleStability() {
    const { stability } = get();
    if (stability && !sameInputs(stability.inputs, screenInputs(get()))) set({ stability: undefined });
  },
});
