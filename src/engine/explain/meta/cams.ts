/** The CAM family: one parameter set (target layer, batch) and one descriptor per variant. */
import { describe, type MethodDescriptor, type MethodNeeds } from '../descriptor';
import { BATCH_PARAM } from './lime';

export interface CamParams {
  /** Target layer (tensor name); the suggested one when empty. */
  layer?: string;
  /** Inputs per model call: targets for gradient CAMs, masked inputs / ablated activations for Score-/Ablation-CAM. */
  batchSize: number;
}

const CAM_READING = 'Bright where the layer’s features that drive the class are active, at the layer’s resolution (upsampled); the map is scaled to [0, 1] per image, so compare shapes, not brightness across images.';

function cam(id: string, label: string, reference: string, needs: MethodNeeds, how = CAM_READING): MethodDescriptor<CamParams> {
  return describe<CamParams>({
    id,
    label,
    reference,
    group: needs === 'layer-gradient' ? 'CAM (gradients)' : 'CAM (gradient-free)',
    needs,
    seeded: false,
    result: 'cam',
    // gradient CAMs: one forward+backward per class; Score-/Ablation-CAM: the image, then one row per channel
    rows: (_p, { targets, channels }) => (needs === 'layer-gradient' ? 2 * targets : id === 'eigencam' ? 1 : 1 + (channels ?? 512)),
    howToRead: how,
    values: needs === 'layer-gradient' ? 'class activation: the layer’s activations weighted by the gradients of the {score}, after ReLU' : 'class activation: the layer’s activations weighted by their effect on the {score}, after ReLU',
    params: [
      { kind: 'layer', name: 'layer', label: 'Target layer', help: 'Layer whose activations the CAM weighs (default: the suggested one, the last spatial map before pooling)', cli: 'layer' },
      BATCH_PARAM(32),
    ],
  });
}

export const GRADCAM_META = cam('gradcam', 'Grad-CAM', 'Selvaraju et al., ICCV 2017 · pytorch-grad-cam GradCAM', 'layer-gradient');
export const GRADCAMPP_META = cam('gradcampp', 'Grad-CAM++', 'Chattopadhay et al., WACV 2018 · pytorch-grad-cam GradCAMPlusPlus', 'layer-gradient');
export const XGRADCAM_META = cam('xgradcam', 'XGrad-CAM', 'Fu et al., BMVC 2020 · pytorch-grad-cam XGradCAM', 'layer-gradient');
export const LAYERCAM_META = cam('layercam', 'Layer-CAM', 'Jiang et al., TIP 2021 · pytorch-grad-cam LayerCAM', 'layer-gradient');
export const HIRESCAM_META = cam('hirescam', 'HiResCAM', 'Draelos & Carin 2020 · pytorch-grad-cam HiResCAM', 'layer-gradient');
export const SCORECAM_META = cam('scorecam', 'Score-CAM', 'Wang et al., CVPRW 2020 · pytorch-grad-cam ScoreCAM', 'activation');
export const ABLATIONCAM_META = cam('ablationcam', 'Ablation-CAM', 'Desai & Ramaswamy, WACV 2020 · pytorch-grad-cam AblationCAM', 'activation');
export const EIGENCAM_META = cam(
  'eigencam', 'Eigen-CAM', 'Muhammad & Yeasin, IJCNN 2020 · pytorch-grad-cam EigenCAM', 'activation',
  'The first principal component of the layer’s activations: where the layer responds most, whatever the class — the same map for every class.',
);
