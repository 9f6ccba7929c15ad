/** Every explanation method, listed once: the UI's method picker and the CLI's --method both read this. */
import { CAM_EXPLAINERS, GRADIENT_EXPLAINERS, type CamParams, type IgParams, type PlainGradientParams, type SmoothGradParams } from './gradient-methods';
import { kernelShapExplainer, type KernelShapParams } from './kernel-shap';
import { limeExplainer, type LimeParams } from './lime';
import { partitionShapExplainer, type PartitionShapParams } from './partition-shap';
import { riseExplainer, type RiseParams } from './rise';
import type { Explainer } from './types';

export interface MethodParams {
  lime: LimeParams;
  kernelshap: KernelShapParams;
  partitionshap: PartitionShapParams;
  rise: RiseParams;
  gradcam: CamParams;
  gradcampp: CamParams;
  xgradcam: CamParams;
  layercam: CamParams;
  hirescam: CamParams;
  scorecam: CamParams;
  ablationcam: CamParams;
  eigencam: CamParams;
  saliency: PlainGradientParams;
  inputxgrad: PlainGradientParams;
  ig: IgParams;
  smoothgrad: SmoothGradParams;
  guidedbackprop: PlainGradientParams;
}
export type MethodId = keyof MethodParams;

export const EXPLAINERS: { [K in MethodId]: Explainer<MethodParams[K]> } = {
  lime: limeExplainer,
  kernelshap: kernelShapExplainer,
  partitionshap: partitionShapExplainer,
  rise: riseExplainer,
  ...CAM_EXPLAINERS,
  ...GRADIENT_EXPLAINERS,
};

/** What a method needs from the model: nothing beyond inference, a layer activation, or gradients. */
export const METHOD_NEEDS: { [K in MethodId]: 'inference' | 'activation' | 'layer-gradient' | 'input-gradient' } = {
  lime: 'inference',
  kernelshap: 'inference',
  partitionshap: 'inference',
  rise: 'inference',
  gradcam: 'layer-gradient',
  gradcampp: 'layer-gradient',
  xgradcam: 'layer-gradient',
  layercam: 'layer-gradient',
  hirescam: 'layer-gradient',
  scorecam: 'activation',
  ablationcam: 'activation',
  eigencam: 'activation',
  saliency: 'input-gradient',
  inputxgrad: 'input-gradient',
  ig: 'input-gradient',
  smoothgrad: 'input-gradient',
  guidedbackprop: 'input-gradient',
};

export function isMethodId(id: string): id is MethodId {
  return Object.prototype.hasOwnProperty.call(EXPLAINERS, id);
}
