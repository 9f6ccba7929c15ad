/**
 * Results read back from files: a result JSON or a report dropped on the page re-opens its runs in the history
 * (drawn over their own image: the screen's when the model, image and preprocessing are the file's, the report's
 * picture of it, or a grey stand-in until that image is loaded), and a re-opened run can be computed again with
 * its own method, parameters, seed and classes and checked value by value against the file.
 */
import { GlassboxError } from '../../engine/errors';
import { explanationOf } from '../../engine/export/result-json';
import type { MethodId } from '../../engine/explain/registry';
import type { Explanation } from '../../engine/explain/types';
import { createRgbaImage, type RgbaImage } from '../../engine/image/types';
import type { ExplainJob } from '../../worker-api';
import { sameInputs, screenInputs, type InputsKey } from '../inputs';
import type { ExplanationSlice, ExplanationState, GetState, RerunCheck, SetState, SliceContext } from '../types';
import { reportProgress } from '../run-progress';
import { labelOf } from './job';

type ReopenActions = Pick<ExplanationSlice, 'openResults' | 'rerunResult'>;

/** Mid-grey: a map drawn over it reads as "no image here", never as another image. */
function greyImage(width: number, height: number): RgbaImage {
  const image = createRgbaImage(width, height);
  image.data.fill(160);
  return image;
}

/** Every class's map compared as float32 (the engine's precision and the .npy's): bit-for-bit identical or not. */
export function compareMaps(expected: Explanation, actual: Explanation): RerunCheck {
  let values = 0, differing = 0, maxAbsDiff = 0;
  for (const c of expected.classes) {
    const other = actual.classes.find((k) => k.target === c.target);
    const a = Float32Array.from(c.map);
    const b = other ? Float32Array.from(other.map) : new Float32Array(a.length).fill(NaN);
    const ab = new Uint32Array(a.buffer), bb = new Uint32Array(b.buffer);
    values += a.length;
    for (let i = 0; i < a.length; i++) {
      if (ab[i] === bb[i] && b.length === a.length) continue;
      differing++;
      const d = Math.abs(a[i] - (b[i] ?? NaN));
      maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
    }
  }
  return { identical: differing === 0, values, differing, maxAbsDiff };
}

/**
 * The parameters that reproduce a result: its own, except that custom regions (whose labels a result's params do
 * not carry) are given back as the superpixels the run used — the same ids, so the same weights.
 */
export function paramsToRerun(result: Explanation): Explanation['params'] {
  const segmentation = (result.params as { segmentation?: { method?: string } }).segmentation;
  if (result.kind !== 'superpixel-weights' || segmentation?.method !== 'custom') return result.params;
  return { ...result.params, segmentation: { ...segmentation, labels: result.segments, width: result.width, height: result.height } };
}

/** A history entry, or the result on screen, by id. */
export function entryOf(get: GetState, id: number): ExplanationState | undefined {
  return get().history.find((h) => h.id === id) ?? (get().explanation?.id === id ? get().explanation : undefined);
}

/**
 * The job that computes a result again on its own inputs: its method, parameters (`params`, by default
 * paramsToRerun's), classes, seed and preprocessing. Reuses the worker's cached rows unless the caller adds `fresh`.
 */
export function jobToRerun(get: GetState, entry: ExplanationState, params: Explanation['params'] = paramsToRerun(entry.result)): ExplainJob {
  const { result } = entry;
  return {
    method: result.method as MethodId,
    params: params as unknown as ExplainJob['params'],
    targets: result.classes.map((c) => c.target),
    seed: result.seed,
    preprocess: entry.inputs.preprocess,
    labels: get().prediction?.labels.labels,
  };
}

/** Why a result cannot be computed again now: the screen shows other inputs than its own (undefined when it does not). */
export function otherInputsError(get: GetState, entry: ExplanationState): GlassboxError | undefined {
  if (sameInputs(entry.inputs, screenInputs(get()))) return undefined;
  return new GlassboxError(
    'PARAM_INVALID',
    `This result was computed from ${entry.modelName} on ${entry.imageName} with its own preprocessing; the screen shows other inputs.`,
    `Load ${entry.modelName} and ${entry.imageName} (same files: their SHA-256 must match) and the same preprocessing, then re-run.`,
  );
}

export function createReopenActions(set: SetState, get: GetState, ctx: SliceContext, toState: (result: Explanation, inputs: InputsKey) => ExplanationState): ReopenActions {
  return {
    openResults(files, source) {
      if (!files.length) return;
      const screen = screenInputs(get());
      const modelInput = get().prediction?.result.modelInput;
      let shown: ExplanationState | undefined;
      let missing = 0;
      files.forEach(({ file, baseImage }, i) => {
        const result = explanationOf(file);
        const inputs: InputsKey = { modelSha256: file.model.sha256, imageSha256: file.image.sha256, preprocess: file.preprocess };
        const onScreen = sameInputs(inputs, screen) && !!modelInput && modelInput.width === result.width && modelInput.height === result.height;
        const sameModel = screen?.modelSha256 === inputs.modelSha256;
        const ownImage = baseImage && baseImage.width === result.width && baseImage.height === result.height ? baseImage : undefined;
        const entry: ExplanationState = {
          id: ctx.nextJobId(),
          result,
          inputs,
          modelName: file.model.name,
          imageName: file.image.name,
          labels: result.classes.map((c) => (c.target === result.target && result.targetLabel ? result.targetLabel : sameModel ? labelOf(get, c.target) : `class ${c.target}`)),
          scores: result.classes.map((c) => (onScreen ? (get().prediction?.ranked.probabilities[c.target] ?? NaN) : NaN)),
          baseImage: onScreen ? modelInput! : (ownImage ?? greyImage(result.width, result.height)),
          createdAt: Date.now() + i, // the file's order, newest last
          openedFrom: source,
          runContext: { backend: file.backend, threads: file.threads, modelInputs: file.model.inputs, modelOutputs: file.model.outputs, glassbox: file.glassbox },
          ...(onScreen || ownImage ? {} : { imageMissing: true }),
        };
        if (entry.imageMissing) missing++;
        get().keepInHistory(entry);
        if (onScreen && !shown) shown = entry;
      });
      if (shown) set({ explanation: shown, viewClass: 0, hoverFeature: undefined });
      const count = files.length === 1 ? 'its result' : `its ${files.length} results`;
      const where = shown
        ? `${files.length === 1 ? 'It is' : 'The first is'} shown over the image: it was computed from the model, image and preprocessing on screen, so it can be re-run and checked.`
        : `${files.length === 1 ? 'It was' : 'They were'} computed from another model, image or preprocessing than the one on screen (${files[0].file.model.name} on ${files[0].file.image.name}); load those to show and re-run ${files.length === 1 ? 'it' : 'them'} over the image.`;
      const grey = missing ? ` ${missing === 1 ? 'One is' : `${missing} are`} drawn over grey until that image is loaded: a result file carries no picture.` : '';
      set({ historyNotice: `Opened ${source}: ${count} added to the history. ${where}${grey}` });
    },

    async rerunResult(id) {
      const entry = entryOf(get, id);
      if (!entry || get().run) return;
      const refused = otherInputsError(get, entry);
      if (refused) {
        get().report(refused, 'Re-running a result');
        return;
      }
      const { result } = entry;
      const jobId = `job-${ctx.nextJobId()}`;
      set({ run: { jobId, kind: 'explain', method: result.method, startedAt: Date.now() } });
      try {
        // fresh: a check that the result reproduces recomputes every row, reusing nothing earlier runs left in the worker
        const again = await ctx.deps.compute().explain(jobId, { ...jobToRerun(get, entry), fresh: true }, (progress) => {
          reportProgress(set, get, jobId, progress);
        });
        const rerun = compareMaps(result, again);
        // the check stays with the re-opened result; the new run joins the history beside it
        const current = get().history.find((h) => h.id === id);
        const checked: ExplanationState = { ...(current ?? entry), rerun, ...(entry.imageMissing ? { baseImage: get().prediction!.result.modelInput, imageMissing: undefined } : {}) };
        if (current) get().keepInHistory(checked);
        if (get().explanation?.id === id) set({ explanation: checked });
        get().keepInHistory(toState(again, entry.inputs));
      } catch (e) {
        if ((e as GlassboxError).code !== 'CANCELLED') get().report(e, 'Re-running a result');
      } finally {
        if (get().run?.jobId === jobId) set({ run: undefined });
      }
    },
  };
}
