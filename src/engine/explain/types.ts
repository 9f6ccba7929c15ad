/**
 * One contract for every explanation method (as captum's attribute(inputs, target, ...)): an Explainer takes a
 * model, the image at model resolution with its preprocessing, a target, parameters and a seed, and returns one
 * plain, serialisable Explanation that the UI, the CLI's JSON and exports share.
 */
import type { PreprocessConfig } from '../image/preprocess';
import type { RgbaImage } from '../image/types';
import type { GradientSource } from '../grad/gradient-model';
import type { Model } from '../runtime/ort-runtime';
import type { MethodId } from './registry';

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

import type { AnytimeRecord } from './anytime';
import type { ReuseCache } from './reuse';

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
  /** The model's and image's SHA-256, stamped on the result (with the preprocessing) as its provenance. */
  inputs?: { modelSha256: string; imageSha256: string };
  /**
   * What earlier runs on this model and image computed (reuse.ts): model outputs of the same input rows,
   * segmentations, backgrounds. The owner keeps one per model and image and drops it when either changes.
   */
  reuse?: ReuseCache;
  /**
   * A stopped anytime run continued to its budget (stableAt 0): its stability is still checked after each batch,
   * against the target it had, without stopping, so its curve goes on past where it stopped.
   */
  continuesAnytime?: { target: number; stoppedAt: number };
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

/** Where a result came from: it is shown only over the model, image and preprocessing it was computed for. */
export interface Provenance {
  /** SHA-256 of the model file. */
  modelSha256: string;
  /** SHA-256 of the image file. */
  imageSha256: string;
  preprocess: PreprocessConfig;
}

export interface Timings {
  totalMs: number;
  inferenceMs: number;
  segmentationMs?: number;
  modelCalls: number;
  /** Input rows the method used, from the model and from earlier runs (reusedRows of them). */
  samples: number;
  batchSize: number;
  /** Rows whose outputs an earlier run on the same model and image had computed (reuse.ts): no model call. */
  reusedRows?: number;
  /** The masked inputs were composed on the GPU from per-row weights (gpu-compose.ts): no image uploaded per call. */
  inputsOnGpu?: boolean;
}

/**
 * A quality signal of a result, in plain words (quality.ts): shown next to the map. `action` is a fix the UI can
 * offer in one click.
 */
export interface QualitySignal {
  /** Stable id ("poor-fit", "saturated", …) for tests and styling. */
  id: string;
  level: 'warning' | 'info';
  /** What is wrong and what to do, in words a data scientist understands. */
  message: string;
  /** The measured number behind it and the documented threshold it crossed. */
  value?: number;
  threshold?: number;
  action?: { kind: 'set-param'; label: string; param: string; value: unknown };
}

/** Fields every result has, whatever its kind. */
interface ExplanationCommon {
  method: MethodId;
  target: number;
  /** The target's class name, when the caller knows the labels (the worker and the CLI do). */
  targetLabel?: string;
  width: number;
  height: number;
  /** Per-pixel attribution for `target`, row-major, at model input resolution. */
  map: number[];
  /** Everything per explained class (the first is `target`). */
  classes: ClassAttribution[];
  /** Signed maps are drawn with a diverging colour map. */
  signed: boolean;
  /** What the map's values are, in words ("change in the probability of the class"). Stamped by the run. */
  units?: string;
  /** Score space the values are in: probabilities, the model's raw outputs, or the logits before its softmax. */
  scoreSpace: ScoreSpace | 'logits';
  params: Record<string, unknown>;
  seed: number;
  timings: Timings;
  /** Deletion and insertion curves (RISE paper) for the first class, when asked for. */
  metrics?: FaithfulnessMetrics;
  /** The model, image and preprocessing the result was computed from. Stamped by the run (worker or CLI). */
  provenance?: Provenance;
  /** Quality signals (poor fit, saturated scores, …), stamped by the run; empty when nothing is wrong. */
  quality?: QualitySignal[];
  /** LIME, RISE (KernelSHAP when anytime): Pearson correlation of the first class's map from the even samples with the
   *  map from the odd ones (no extra model calls; quality.ts). Absent when a half has no variation to correlate, and
   *  for KernelSHAP's exact values (nothing sampled: no halves). */
  stability?: {
    splitHalf?: number;
    /**
     * An anytime run's own estimate as it went: after each check, the samples so far and the predicted agreement of
     * the map with the map at any larger budget (Spearman, from the split-half agreement); `stoppedAt` when it
     * reached the target before the budget.
     */
    anytime?: AnytimeRecord;
  };
  /** SHAP: the base value f(background) and the model output f(x) the attributions add up to, per the first class. */
  additivity?: { baseValue: number; output: number; sum: number };
}

/** A weight per superpixel (LIME, KernelSHAP): the map paints each superpixel with its weight. */
export interface SuperpixelExplanation extends ExplanationCommon {
  kind: 'superpixel-weights';
  /** Per-pixel feature label (superpixel). */
  segments: number[];
  segmentCount: number;
  /** Per-feature weights for `target`. */
  weights: number[];
}

/** A value per pixel (RISE, Partition SHAP, Occlusion, gradients). */
export interface PixelMapExplanation extends ExplanationCommon {
  kind: 'pixel-map';
  /** The map scaled per image (signed: divided by its largest magnitude; unsigned: min-max to [0, 1]). */
  normalisedMap?: number[];
  /** Integrated Gradients: Σ attributions against f(x) − f(baseline). */
  completeness?: { sum: number; delta: number; relativeError: number };
  /** RISE: a few of the random masks (values 0–1 at model resolution) and the score each masked image got. */
  examples?: { mask: number[]; score: number }[];
}

/** A class activation map at a layer's resolution, upsampled to the input. */
export interface CamExplanation extends ExplanationCommon {
  kind: 'cam';
  /** The map scaled to [0, 1] per image (ReLU then min-max, as pytorch-grad-cam shows them). */
  normalisedMap: number[];
  layer: string;
  /** The raw CAM at the layer's resolution. */
  cam: number[];
  camWidth: number;
  camHeight: number;
}

export type Explanation = SuperpixelExplanation | PixelMapExplanation | CamExplanation;

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
  /** The same curves with the pixels in a random (seeded) order, at the same steps: the baseline a map should beat. */
  random?: { deletion: FaithfulnessCurve; insertion: FaithfulnessCurve };
  target: number;
  steps: number;
  timings: { totalMs: number; modelCalls: number; reusedRows?: number };
}

/**
 * The engine half of a method: its descriptor (descriptor.ts, data only) says what it is, its parameters and how
 * to validate them; the explainer computes. Parameters arrive already validated against the descriptor.
 */
export interface Explainer<P> {
  explain(request: ExplainRequest<P>): Promise<Explanation>;
}
