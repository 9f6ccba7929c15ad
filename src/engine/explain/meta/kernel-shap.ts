import { describe } from '../descriptor';
import type { HideSpec } from '../hide';
import type { SegmentationSpec } from '../segmentation';
import type { ScoreSpace } from '../types';
import { BATCH_PARAM, SCORE_SPACE_PARAM, STABLE_AT_PARAM } from './lime';
import { SURROGATE_SEGMENTATION } from './segmentation';

export interface KernelShapParams {
  /** Model evaluations for sampled coalitions; 'auto' = 2M + 2048 as shap. */
  samples: number | 'auto';
  segmentation: SegmentationSpec;
  /** What a hidden superpixel shows. */
  background: HideSpec;
  /** Enumerate all coalitions exactly when there are at most this many superpixels. */
  exactUpTo: number;
  batchSize: number;
  scoreSpace: ScoreSpace;
  /** Stop sampling coalitions once the values' predicted agreement with an unlimited budget reaches this (0: whole budget). */
  stableAt: number;
}

export const KERNEL_SHAP_META = describe<KernelShapParams>({
  id: 'kernelshap',
  label: 'KernelSHAP',
  reference: 'Lundberg & Lee, NeurIPS 2017 · shap KernelExplainer',
  group: 'Perturbation',
  needs: 'inference',
  seeded: true,
  result: 'superpixel-weights',
  values: 'Shapley value: the superpixel\'s share of the change in {score} from the background to the image',
  howToRead: "Each superpixel's Shapley value: its share of the difference between the image's score and the background's score. The values add up to that difference exactly.",
  // M ≈ the segment count asked for (custom regions: their count); 2^M coalitions when enumerated, else shap's 2M + 2048 by default, plus ∅ and all
  rows: (p) => {
    const m = ('nSegments' in p.segmentation ? p.segmentation.nSegments : p.segmentation.method === 'custom' ? p.segmentation.regions : undefined) ?? 50;
    return m <= p.exactUpTo ? 2 ** m : (p.samples === 'auto' ? 2 * m + 2048 : p.samples) + 2;
  },
  params: [
    { kind: 'int-or-auto', name: 'samples', label: 'Samples', help: 'Coalitions evaluated when there are too many superpixels to enumerate; auto = 2M + 2048 (shap)', cli: 'samples', default: 'auto', manual: 1000, min: 2, max: 200_000, step: 100 },
    { kind: 'segmentation', name: 'segmentation', label: 'Segmentation', help: 'How the image is cut into players (superpixels)', cli: 'segmentation', default: SURROGATE_SEGMENTATION },
    { kind: 'hide', name: 'background', label: 'Background', help: 'What a hidden superpixel shows', cli: 'background', sigmaCli: 'blur-sigma', default: { mode: 'mean' }, modes: ['mean', 'black', 'grey', 'blur', 'color'] },
    { kind: 'int', name: 'exactUpTo', label: 'Exact up to', help: 'Enumerate all 2^M coalitions (exact Shapley values) when there are at most this many superpixels', cli: 'exact-up-to', default: 14, min: 0, max: 20 },
    STABLE_AT_PARAM('sampling coalitions'),
    BATCH_PARAM(32),
    SCORE_SPACE_PARAM,
  ],
});
