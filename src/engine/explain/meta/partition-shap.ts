import { describe } from '../descriptor';
import type { HideSpec } from '../hide';
import type { ScoreSpace } from '../types';
import { BATCH_PARAM, SCORE_SPACE_PARAM } from './lime';

export interface PartitionShapParams {
  /** Model evaluations in all, the image and its background included (shap's max_evals). */
  maxEvals: number;
  /** What hidden pixels show (shap's Image masker: a blur by default). */
  background: HideSpec;
  /** The partition stops at blocks at most this many pixels on each side (1 = single pixels). */
  minBlock: number;
  /** Masked images per model call when the model takes a dynamic batch (shap's batch_size). */
  batchSize: number;
  scoreSpace: ScoreSpace;
}

export const PARTITION_SHAP_META = describe<PartitionShapParams>({
  id: 'partitionshap',
  label: 'Partition SHAP',
  reference: 'Lundberg & Lee, NeurIPS 2017; Owen values · shap PartitionExplainer (Image masker)',
  group: 'Perturbation',
  needs: 'inference',
  seeded: false,
  result: 'pixel-map',
  values: 'Owen value: the pixel\'s share of the change in {score} from the hidden to the whole image',
  howToRead: 'Owen values over a hierarchy of image blocks: each block gets its share of the score difference between the image and the blurred (hidden) image; finer blocks where the score changes most. The values add up to that difference.',
  rows: (p) => p.maxEvals,
  params: [
    { kind: 'int', name: 'maxEvals', label: 'Max evaluations', help: "shap's max_evals: more evaluations refine the blocks where the score changes most", cli: 'max-evals', default: 500, min: 4, max: 1_000_000, step: 100 },
    { kind: 'hide', name: 'background', label: 'Background', help: 'What hidden pixels show', cli: 'background', sigmaCli: 'sigma', default: { mode: 'blur', blurSigma: 10 }, modes: ['blur', 'black', 'grey', 'color', 'zeros'] },
    { kind: 'int', name: 'minBlock', label: 'Smallest block', help: 'The partition stops at blocks this many pixels on a side', cli: 'min-block', default: 1, min: 1, max: 8192, unit: 'px' },
    BATCH_PARAM(32),
    SCORE_SPACE_PARAM,
  ],
});
