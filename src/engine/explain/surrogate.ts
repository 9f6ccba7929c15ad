/**
 * The surrogate core LIME and KernelSHAP share — captum's KernelShap is its Lime with another kernel and sampler.
 * Follows captum's LimeBase (attr/_core/lime.py): the image cut into superpixels (seeded by the run), the hidden
 * image as a tensor (hide.ts), masked inputs written straight into the model's tensor (perturb.ts), coalitions
 * evaluated in batches through the one evaluation loop (evaluate.ts), scores in the chosen space, and the
 * 'superpixel-weights' result with each class's weights painted on its superpixels. A method supplies only its
 * coalitions (sampler), what it does with their scores (kernel and accumulation) and the fit.
 */
import { now } from '../math/clock';
import { scoresIn } from '../predict/scores';
import type { Segmentation } from '../segment/types';
import { batchCapacity, createStats, evaluateRows, rowTimings } from './evaluate';
import { hiddenTensor, type HideSpec } from './hide';
import { createMaskedInputBuilder } from './perturb';
import type { MethodId } from './registry';
import { cached, reuseKey, streamRows } from './reuse';
import { segmentImage, type SegmentationSpec } from './segmentation';
import type { ClassAttribution, ExplainRequest, ScoreSpace, SuperpixelExplanation } from './types';

/** The parameters every surrogate method has. */
export interface SurrogateParams {
  segmentation: SegmentationSpec;
  batchSize: number;
  scoreSpace: ScoreSpace;
}

/** A method's coalitions and what it does with each one's scores. */
export interface CoalitionDesign {
  /** Progress phase shown while they are evaluated. */
  phase: string;
  /** Coalitions to evaluate. */
  count: number;
  /** Fill z (one 0/1 per superpixel, 1 = shown) for coalition `row`; called once per row, in row order. */
  coalition(row: number, z: Uint8Array): void;
  /** The targets' scores (in the explained score space; a view valid during the call) for coalition `row`. */
  observe(row: number, z: Uint8Array, scores: Float64Array): void;
  /** Asked after each batch with the coalitions evaluated so far: true stops (an anytime run that is stable). */
  stop?(done: number): boolean;
  /**
   * What, besides the segmentation and what hidden superpixels show, decides the coalitions row by row (the
   * method, its seed, a plan's budget): with the request's reuse cache, rows an earlier run with the same stream
   * evaluated are not run again. Omit it when the rows cannot be identified.
   */
  stream?: unknown;
}

/** What a method fitted for one target. */
export interface SurrogateFit {
  /** One weight per superpixel. */
  weights: ArrayLike<number>;
  intercept: number;
  /** The fit's weighted R², when the method has one. */
  score?: number;
  /** The surrogate's value with every superpixel shown. */
  localPrediction: number;
  /** The model's score of the image. */
  modelPrediction: number;
}

export interface Surrogate {
  segmentation: Segmentation;
  /** M: the number of superpixels (the features, or players). */
  features: number;
  /** Evaluate the design's coalitions in batches the model can take (cancellable, with progress). */
  evaluate(design: CoalitionDesign): Promise<void>;
  /** The result: one fit per target (in the order of request.targets), each painted on the superpixels. */
  explanation(
    method: MethodId,
    fits: SurrogateFit[],
    extra: { params: Record<string, unknown>; additivity?: SuperpixelExplanation['additivity'] },
  ): SuperpixelExplanation;
}

/**
 * A result's params with custom regions named, not copied: { method, name, regions }. The labels the run used are
 * the result's `segments`; a copy in the params would swell result files and run captions.
 */
function withoutLabels(params: Record<string, unknown>, regions: number): Record<string, unknown> {
  const seg = params.segmentation as SegmentationSpec | undefined;
  if (seg?.method !== 'custom') return params;
  return { ...params, segmentation: { method: 'custom', ...(seg.name !== undefined ? { name: seg.name } : {}), regions } };
}

/** Segment the image (with the run's seed) and prepare the masked inputs; `hide` says what hidden superpixels show. */
export function createSurrogate(request: ExplainRequest<SurrogateParams>, hide: HideSpec): Surrogate {
  const { model, image, preprocess, targets, params, seed, reuse } = request;
  const started = now();
  // the segmentation and the hidden image depend on the image, the preprocessing, the spec and the seed: computed
  // once for every method and rerun on this model and image (the reuse cache)
  const imageKey = { inputs: request.inputs, size: [image.width, image.height], preprocess };
  const segmentationKey = reuseKey({ segmentation: params.segmentation, seed, ...imageKey });
  const segmentation = cached(reuse, `segmentation:${segmentationKey}`, () => segmentImage(image, params.segmentation, seed, preprocess));
  const segmentationMs = now() - started;
  const m = segmentation.count;
  const hiddenKey = reuseKey({ hide, segmentationKey });
  const hidden = cached(reuse, `hidden:${hiddenKey}`, () => hiddenTensor(image, hide, preprocess, segmentation));
  const builder = createMaskedInputBuilder(image, segmentation, hidden, preprocess);
  const stats = createStats();

  return {
    segmentation,
    features: m,
    async evaluate(design) {
      // the coalitions of the batch in flight, one slot per row of the batch
      const coalitions = new Uint8Array(m * batchCapacity(model.spec.dynamicBatch, params.batchSize, design.count));
      const responses = new Float64Array(targets.length);
      let batchStart = 0;
      const slot = (row: number) => coalitions.subarray((row - batchStart) * m, (row - batchStart + 1) * m);
      const rows = design.stream !== undefined ? streamRows(request, { ...(design.stream as object), hiddenKey }) : undefined;
      // on WebGPU the masked images are composed on the GPU: a row is then its coalition, m weights
      const { layout, width, height, channels } = preprocess;
      const masked = { original: builder.original, hidden, layout, width, height, channels, pixelFeature: segmentation.labels, features: m };
      await evaluateRows(
        { model, preprocess, batchSize: params.batchSize, stats, phase: design.phase, signal: request.signal, onProgress: request.onProgress, stop: design.stop?.bind(design), rows, masked },
        design.count,
        (row, out, offset, stored, weights) => {
          if (offset === 0) batchStart = row;
          const z = slot(row);
          design.coalition(row, z);
          if (stored) return;
          if (weights) for (let s = 0; s < m; s++) out[offset + s] = z[s];
          else builder.write(z, out, offset);
        },
        (row, raw) => {
          const scores = scoresIn(raw, params.scoreSpace, model.spec.outputKind);
          for (let j = 0; j < targets.length; j++) responses[j] = scores[targets[j]];
          design.observe(row, slot(row), responses);
        },
      );
    },
    explanation(method, fits, extra) {
      const pixels = image.width * image.height;
      const classes: ClassAttribution[] = fits.map((fit, j) => {
        const map = new Array<number>(pixels);
        for (let i = 0; i < pixels; i++) map[i] = fit.weights[segmentation.labels[i]];
        return {
          target: targets[j],
          weights: Array.from(fit.weights),
          intercept: fit.intercept,
          ...(fit.score !== undefined ? { score: fit.score } : {}),
          localPrediction: fit.localPrediction,
          modelPrediction: fit.modelPrediction,
          map,
        };
      });
      return {
        kind: 'superpixel-weights',
        method,
        target: targets[0],
        width: image.width,
        height: image.height,
        map: classes[0].map,
        segments: Array.from(segmentation.labels),
        segmentCount: m,
        weights: classes[0].weights!,
        classes,
        signed: true,
        ...(extra.additivity ? { additivity: extra.additivity } : {}),
        params: withoutLabels(extra.params, m),
        seed,
        scoreSpace: params.scoreSpace,
        timings: { totalMs: now() - started, segmentationMs, ...rowTimings(stats) },
      };
    },
  };
}
