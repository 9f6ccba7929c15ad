/**
 * The sanity check (model-parameter randomisation, Adebayo et al. 2018): the chosen methods, each with the parameters
 * the Explain button would use, rerun on copies of the model whose weight layers are re-initialised from the output
 * down, as one cancellable worker job. The result is bound to the inputs it was computed from (dropped when the
 * screen's change); methods the model cannot run are left out.
 */
import { GlassboxError, serializeError } from '../../engine/errors';
import { methodUnavailable } from '../../engine/explain/availability';
import { type MethodId } from '../../engine/explain/registry';
import type { SanityRun } from '../../worker-api';
import { sameInputs, screenInputs, type InputsKey } from '../inputs';
import type { Slice } from '../types';
import { reportProgress } from '../run-progress';
import { checkMethod, jobFor, labelOf, targetsToExplain } from './job';

/**
 * Cascade steps the UI offers: at least 2 (one step is a single point, no curve), at most the engine's cap
 * (SANITY_MAX_STEPS, not imported: engine/explain/sanity.ts would bring the ONNX graph code into the page's bundle;
 * a unit test keeps the two equal).
 */
export const SANITY_STEPS_MIN = 2;
export const SANITY_STEPS_MAX = 16;
export const SANITY_STEPS_DEFAULT = 6;
/** The paper's contrast: a CAM and the plain gradient change, Guided Backprop does not. */
export const SANITY_DEFAULT_METHODS: MethodId[] = ['gradcam', 'saliency', 'guidedbackprop'];

export interface SanityState {
  id: number;
  /** The model, image and preprocessing the check used: its maps are drawn only over these. */
  inputs: InputsKey;
  /** The class explained (the selected one) and its name. */
  target: number;
  label: string;
  modelName: string;
  imageName: string;
  /** The methods checked, in the order run (those the model supports, of sanityMethods). */
  methods: MethodId[];
  /** The cascade steps asked for. */
  steps: number;
  seed: number;
  result?: SanityRun;
  done: boolean;
  /** 'cancelled', or what went wrong. */
  error?: string;
}

export interface SanitySlice {
  sanity?: SanityState;
  /** The methods the next check runs (those the model cannot run are skipped). */
  sanityMethods: MethodId[];
  /** Cascade steps of the next check (SANITY_STEPS_MIN … SANITY_STEPS_MAX). */
  sanitySteps: number;
  setSanityMethods(methods: MethodId[]): void;
  setSanitySteps(steps: number): void;
  /** Run the sanity check on the screen's image and selected class. */
  runSanityCheck(steps?: number): Promise<void>;
  /** Forget the sanity check when it was not computed from the inputs on screen (after a new prediction). */
  dropStaleSanity(): void;
}

export function checkSanitySteps(steps: number): void {
  if (!Number.isInteger(steps) || steps < SANITY_STEPS_MIN || steps > SANITY_STEPS_MAX) {
    throw new GlassboxError('PARAM_INVALID', `The number of randomisation steps must be a whole number from ${SANITY_STEPS_MIN} to ${SANITY_STEPS_MAX} (got ${steps}).`);
  }
}

export const createSanitySlice: Slice<SanitySlice> = (set, get, ctx) => ({
  sanityMethods: SANITY_DEFAULT_METHODS,
  sanitySteps: SANITY_STEPS_DEFAULT,

  setSanityMethods(sanityMethods) {
    set({ sanityMethods });
  },

  setSanitySteps(sanitySteps) {
    set({ sanitySteps });
  },

  async runSanityCheck(steps = get().sanitySteps) {
    if (get().run) return;
    const context = 'Sanity check';
    if (get().engine === 'restarting') {
      get().report(new GlassboxError('NO_MODEL', 'The engine is restarting with the new thread count; run again in a moment.'), context);
      return;
    }
    try {
      checkSanitySteps(steps);
    } catch (e) {
      get().report(e, context);
      return;
    }
    if (get().predicting) await ctx.pendingPrediction; // the class must be the current image's
    const { model, image, preprocess, prediction, support, explainSettings } = get();
    const inputs = screenInputs(get());
    if (!model || !image || !preprocess || !prediction || !inputs) {
      get().report(new GlassboxError('NO_MODEL', 'Load a model and an image first.'), context);
      return;
    }
    const methods = get().sanityMethods.filter((m) => !methodUnavailable(m, support, explainSettings.layer));
    if (!methods.length) {
      get().report(new GlassboxError('PARAM_INVALID', 'Pick at least one method this model can run for the sanity check.'), context);
      return;
    }
    try {
      for (const m of methods) checkMethod(get, m);
    } catch (e) {
      get().report(e, context);
      return;
    }
    const targets = targetsToExplain(get, 1);
    const [target] = targets;
    const jobs = methods.map((m) => jobFor(get, m, targets));
    const seed = jobs[0].seed;
    const id = ctx.nextJobId();
    const jobId = `job-${ctx.nextJobId()}`;
    set({
      sanitySteps: steps,
      sanity: { id, inputs, target, label: labelOf(get, target), modelName: model.name, imageName: image.name, methods, steps, seed, done: false },
      run: { jobId, kind: 'sanity', method: methods[0], startedAt: Date.now() },
    });
    const mine = () => get().sanity?.id === id;
    try {
      const job = { methods: jobs.map((j) => ({ method: j.method, params: j.params as unknown as Record<string, unknown> })), target, preprocess, steps, seed };
      const result = await ctx.deps.compute().sanityCheck(jobId, job, (progress) => {
        reportProgress(set, get, jobId, progress);
      });
      if (mine()) set({ sanity: { ...get().sanity!, result, done: true } });
    } catch (e) {
      const cancelled = (e as GlassboxError).code === 'CANCELLED';
      if (!cancelled) get().report(e, context);
      if (mine()) set({ sanity: { ...get().sanity!, done: true, error: cancelled ? 'cancelled' : serializeError(e).message } });
    } finally {
      if (get().run?.jobId === jobId) set({ run: undefined });
    }
  },

  dropStaleSanity() {
    const { sanity } = get();
    if (sanity && !sameInputs(sanity.inputs, screenInputs(get()))) set({ sanity: undefined });
  },
});
