/**
 * One contract for every explanation method (as captum's attribute(inputs, target, ...)): an Explainer takes a
 * model, the image at model resolution with its preprocessing, a target, parameters and a seed, and returns one
 * plain, serialisable Explanation that the UI, the CLI's JSON and exports share.
 */
import type { PreprocessConfig } from '../image/preprocess';
import type { RgbaImage } from '../image/types';
import type { GradientSource } from '../grad/gradient-model';
import type { Model } from '../runtime/ort-runtime';

export interface Progress {
  phase: string;
  done: number;
  total: number;
  /** Estimated milliseconds left, once there is a rate to go by. */
  etaMs?: number;
  /** Methods that refine a map as they go (RISE) send the map so far, row-major at model resolution. Shown as
   *  in progress, never as the result. */
  preview?: { width: number; height: number; map: number[] };
}

/** Anything with `aborted` (an AbortSignal, or the worker's own cancel flag). */
export interface CancelSignal {
  readonly aborted: boolean;
}

/** Score space the method explains: class probabilities (lime's predict_proba) or the model's raw outputs. */
export type ScoreSpace = 'probability' | 'raw';

export interface ExplainRequest<P> {
  model: Model;
  /** The image exactly as the model sees it (resized/cropped to the input size), and how to turn it into a tensor. */
  image: RgbaImage;
  preprocess: PreprocessConfig;
  /** Class indices to explain; the first is the main target. */
  targets: number[];
  params: P;
  seed: number;
  signal?: CancelSignal;
  onProgress?: (p: Progress) => void;
  /** Forward+backward sessions for this model (gradient methods and CAMs need it). */
  gradients?: GradientSource;
}

export interface ClassAttribution {
  target: number;
  /** One weight per feature (superpixel), for surrogate methods. */
  weights?: number[];
  intercept?: number;
  /** Weighted R² of the surrogate on its samples. */
  score?: number;
  /** The surrogate's prediction for the original image (all features present). */
  localPrediction?: number;
  /** The model's score for the original image in the explained score space. */
  modelPrediction?: number;
  /** Per-pixel attribution at model input resolution, row-major (height × width). */
  map: number[];
}

export interface Explanation {
  method: string;
  target: number;
  width: number;
  height: number;
  /** Per-pixel attribution for `target`, row-major, at model input resolution. */
  map: number[];
  /** Per-pixel feature label (superpixel), when the method uses features. */
  segments?: number[];
  segmentCount?: number;
  /** Per-feature weights for `target`. */
  weights?: number[];
  /** Everything per explained class (the first is `target`). */
  classes: ClassAttribution[];
  /** The map scaled to [0, 1] per image (CAMs: ReLU then min-max, as pytorch-grad-cam shows them). */
  normalisedMap?: number[];
  /** Signed maps are drawn with a diverging colour map. */
  signed?: boolean;
  /** CAM methods: the layer used and the raw CAM at its resolution. */
  layer?: string;
  cam?: number[];
  camWidth?: number;
  camHeight?: number;
  /** Integrated Gradients: Σ attributions against f(x) − f(baseline). */
  completeness?: { sum: number; delta: number; relativeError: number };
  /** SHAP: the base value f(background) and the model output f(x) the attributions add up to, per the first class. */
  additivity?: { baseValue: number; output: number; sum: number };
  /** RISE: a few of the random masks (values 0–1 at model resolution) and the score each masked image got. */
  examples?: { mask: number[]; score: number }[];
  /** Deletion and insertion curves (RISE paper) for the first class, when asked for. */
  metrics?: FaithfulnessMetrics;
  params: Record<string, unknown>;
  seed: number;
  scoreSpace: ScoreSpace | 'logits';
  timings: { totalMs: number; inferenceMs: number; segmentationMs?: number; modelCalls: number; samples: number; batchSize: number };
}

export interface FaithfulnessCurve {
  /** Fraction of pixels changed at each point, 0 … 1. */
  x: number[];
  /** The class probability at each point. */
  y: number[];
  /** Area under the curve (trapezoid rule), in [0, 1]. */
  auc: number;
}

export interface FaithfulnessMetrics {
  /** Most important pixels removed first: lower is better. */
  deletion: FaithfulnessCurve;
  /** Most important pixels restored first onto a blurred image: higher is better. */
  insertion: FaithfulnessCurve;
  target: number;
  steps: number;
  timings: { totalMs: number; modelCalls: number };
}

export interface Explainer<P> {
  id: string;
  label: string;
  /** Paper and reference library, for the method picker and documentation. */
  reference: string;
  defaults: P;
  /** Throws GlassboxError('PARAM_INVALID') with a clear message for impossible parameters. */
  validate(params: P, context: { width: number; height: number }): void;
  explain(request: ExplainRequest<P>): Promise<Explanation>;
}
