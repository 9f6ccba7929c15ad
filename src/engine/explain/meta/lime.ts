import { describe, type IntParam, type NumberParam, type ScoreSpaceParam } from '../descriptor';
import type { HideSpec } from '../hide';
import type { SegmentationSpec } from '../segmentation';
import type { ScoreSpace } from '../types';
import { SURROGATE_SEGMENTATION } from './segmentation';

export interface LimeParams {
  samples: number;
  segmentation: SegmentationSpec;
  hide: HideSpec;
  kernelWidth: number;
  /** Ridge penalty (lime: 1). */
  alpha: number;
  /** Images per model call when the model takes a dynamic batch. */
  batchSize: number;
  scoreSpace: ScoreSpace;
  /** Stop sampling once the map's predicted agreement with an unlimited budget reaches this (0: use every sample). */
  stableAt: number;
}

/** Fields several methods share, defined once. */
export const BATCH_PARAM = (defaultSize: number): IntParam => ({
  kind: 'int', name: 'batchSize', label: 'Batch size', help: 'Inputs per model call (a model with a fixed batch takes them one by one)', cli: 'batch', default: defaultSize, min: 1, max: 1024, group: 'batch',
});
/** Anytime runs (anytime.ts): LIME, KernelSHAP, RISE. */
export const STABLE_AT_PARAM = (what: string): NumberParam => ({
  kind: 'number', name: 'stableAt', label: 'Stop when stable at', cli: 'stable-at', default: 0.95, min: 0, max: 0.999, step: 0.01,
  help: `Stop ${what} once the map is predicted (from split halves) to agree with any larger budget at this Spearman ρ, e.g. 0.95; 0 uses the whole budget`,
});
export const SCORE_SPACE_PARAM: ScoreSpaceParam = {
  kind: 'score-space', name: 'scoreSpace', label: 'Explain', help: 'Explain class probabilities (lime, shap) or the raw outputs/logits (--raw)', cli: 'raw', default: 'probability',
};

export const LIME_META = describe<LimeParams>({
  id: 'lime',
  label: 'LIME',
  reference: 'Ribeiro et al., KDD 2016 · marcotcr/lime (LimeImageExplainer)',
  group: 'Perturbation',
  needs: 'inference',
  seeded: true,
  result: 'superpixel-weights',
  values: 'surrogate weight: change in {score} when the superpixel is shown',
  howToRead: 'Each superpixel is painted with the weight a local linear model gives it: red where showing the superpixel raised the class score, blue where it lowered it. Trust it only as far as the fit (R²) is good.',
  rows: (p) => p.samples,
  params: [
    { kind: 'int', name: 'samples', label: 'Samples', help: 'num_samples: perturbed images evaluated', cli: 'samples', default: 1000, min: 2, max: 200_000, step: 100 },
    { kind: 'segmentation', name: 'segmentation', label: 'Segmentation', help: 'How the image is cut into features (superpixels)', cli: 'segmentation', default: SURROGATE_SEGMENTATION },
    { kind: 'hide', name: 'hide', label: 'Hide with', help: 'What a hidden superpixel shows', cli: 'hide', sigmaCli: 'blur-sigma', default: { mode: 'mean' }, modes: ['mean', 'black', 'grey', 'blur', 'color'] },
    { kind: 'number', name: 'kernelWidth', label: 'Kernel width', help: 'Width of the exponential kernel on the cosine distance (lime: 0.25)', cli: 'kernel-width', default: 0.25, min: 0.001, max: 100, step: 0.05 },
    { kind: 'number', name: 'alpha', label: 'Ridge α', help: 'Ridge penalty of the surrogate (lime: 1)', cli: 'alpha', default: 1, min: 1e-6, max: 1e6, step: 0.1 },
    STABLE_AT_PARAM('sampling'),
    BATCH_PARAM(32),
    SCORE_SPACE_PARAM,
  ],
});
