/**
 * What one CAM variant adds to the shared pipeline (cam-methods.ts), as each pytorch-grad-cam method adds its
 * get_cam_weights (or get_cam_image) to BaseCAM. A variant either reads the layer's gradient (one backward run per
 * target) and turns A and G into a map, or reads only the layer's activation (one forward run) and may call the
 * model again to weigh its channels. The pipeline does the rest: layer, runs, ReLU, upsampling, normalising.
 */
import type { GradientSource, ForwardModel } from '../../grad/gradient-model';
import type { LayerCandidate } from '../../grad/layers';
import type { TensorValue } from '../../runtime/ort-runtime';
import type { FeatureMaps } from '../cam';
import { channelWeightedSum } from '../cam';
import type { EvaluationStats } from '../evaluate';
import type { CamParams } from '../meta/cams';
import type { ExplainRequest } from '../types';

/** A gradient CAM: the map (before the final ReLU) from one image's activations A and gradient G, both [C, h, w]. */
export interface GradientCamVariant {
  source: 'gradients';
  map(a: FeatureMaps, g: Float32Array): Float64Array;
}

/** What a gradient-free variant gets: the image, its activation at the layer, and the model to run again. */
export interface ActivationContext {
  request: ExplainRequest<CamParams>;
  layer: LayerCandidate;
  /** The image's input tensor (model layout and normalisation). */
  input: Float32Array;
  /** The layer's activation as the model produces it: [1, C, h, w], or [1, T, C] for token sequences. */
  activation: TensorValue;
  /** The same as [C, h, w] maps (CLS token dropped). */
  maps: FeatureMaps;
  /** The image's scores: logits when the model ends in Softmax, else its outputs. */
  scores: Float32Array;
  /** Input → scores (and the activation), in that same score space. */
  forward: ForwardModel;
  source: GradientSource;
  stats: EvaluationStats;
}

/** A gradient-free CAM: one map (before the final ReLU) per target. */
export interface ActivationCamVariant {
  source: 'activations';
  maps(context: ActivationContext): Promise<Float64Array[]>;
}

export type CamVariant = GradientCamVariant | ActivationCamVariant;

/** A gradient CAM that weighs whole channels: map = Σ_k w_k A_k (Grad-CAM, Grad-CAM++, XGrad-CAM). */
export function byChannelWeights(weights: (a: FeatureMaps, g: Float32Array) => Float64Array): GradientCamVariant {
  return { source: 'gradients', map: (a, g) => channelWeightedSum(a, weights(a, g)) };
}

/** A gradient-free CAM that weighs whole channels, one weight vector per target (Score-CAM, Ablation-CAM). */
export function byModelWeights(weights: (context: ActivationContext) => Promise<Float64Array[]>): ActivationCamVariant {
  return { source: 'activations', maps: async (context) => (await weights(context)).map((w) => channelWeightedSum(context.maps, w)) };
}
