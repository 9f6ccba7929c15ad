/**
 * Every explanation method, one line each: its descriptor (data: label, parameters, needs, result kind) and a
 * lazy loader for its engine code. The main thread imports this for the descriptors only — the loaders are
 * dynamic imports, so explainer code stays out of the main bundle — while the worker and the CLI call `load`.
 * Adding a method: its engine file, its descriptor (meta/), and one line here.
 */
import type { MethodDescriptor, ParamsOf } from './descriptor';
import { ABLATIONCAM_META, EIGENCAM_META, GRADCAM_META, GRADCAMPP_META, HIRESCAM_META, LAYERCAM_META, SCORECAM_META, XGRADCAM_META } from './meta/cams';
import { GUIDEDBACKPROP_META, IG_META, INPUTXGRAD_META, SALIENCY_META, SMOOTHGRAD_META } from './meta/gradients';
import { KERNEL_SHAP_META } from './meta/kernel-shap';
import { LIME_META } from './meta/lime';
import { OCCLUSION_META } from './meta/occlusion';
import { PARTITION_SHAP_META } from './meta/partition-shap';
import { RISE_META } from './meta/rise';
import type { Explainer } from './types';

interface MethodEntry<P> {
  meta: MethodDescriptor<P>;
  load: () => Promise<Explainer<P>>;
}
function entry<P>(meta: MethodDescriptor<P>, load: () => Promise<Explainer<NoInfer<P>>>): MethodEntry<P> {
  return { meta, load };
}

export const METHODS = {
  lime: entry(LIME_META, () => import('./lime').then((m) => m.limeExplainer)),
  kernelshap: entry(KERNEL_SHAP_META, () => import('./kernel-shap').then((m) => m.kernelShapExplainer)),
  partitionshap: entry(PARTITION_SHAP_META, () => import('./partition-shap').then((m) => m.partitionShapExplainer)),
  rise: entry(RISE_META, () => import('./rise').then((m) => m.riseExplainer)),
  occlusion: entry(OCCLUSION_META, () => import('./occlusion').then((m) => m.occlusionExplainer)),
  gradcam: entry(GRADCAM_META, () => import('./cam-methods').then((m) => m.camExplainer('gradcam'))),
  gradcampp: entry(GRADCAMPP_META, () => import('./cam-methods').then((m) => m.camExplainer('gradcampp'))),
  xgradcam: entry(XGRADCAM_META, () => import('./cam-methods').then((m) => m.camExplainer('xgradcam'))),
  layercam: entry(LAYERCAM_META, () => import('./cam-methods').then((m) => m.camExplainer('layercam'))),
  hirescam: entry(HIRESCAM_META, () => import('./cam-methods').then((m) => m.camExplainer('hirescam'))),
  scorecam: entry(SCORECAM_META, () => import('./cam-methods').then((m) => m.camExplainer('scorecam'))),
  ablationcam: entry(ABLATIONCAM_META, () => import('./cam-methods').then((m) => m.camExplainer('ablationcam'))),
  eigencam: entry(EIGENCAM_META, () => import('./cam-methods').then((m) => m.camExplainer('eigencam'))),
  saliency: entry(SALIENCY_META, () => import('./gradient-methods').then((m) => m.gradientExplainer('saliency'))),
  inputxgrad: entry(INPUTXGRAD_META, () => import('./gradient-methods').then((m) => m.gradientExplainer('inputxgrad'))),
  ig: entry(IG_META, () => import('./gradient-methods').then((m) => m.gradientExplainer('ig'))),
  smoothgrad: entry(SMOOTHGRAD_META, () => import('./gradient-methods').then((m) => m.gradientExplainer('smoothgrad'))),
  guidedbackprop: entry(GUIDEDBACKPROP_META, () => import('./gradient-methods').then((m) => m.gradientExplainer('guidedbackprop'))),
};

export type MethodId = keyof typeof METHODS;
export type MethodParams = { [K in MethodId]: ParamsOf<(typeof METHODS)[K]['meta']> };

/** Every method id, in registry order (the picker's and the comparison list's order within a group). */
export const METHOD_IDS = Object.keys(METHODS) as MethodId[];

export function isMethodId(id: string): id is MethodId {
  return Object.prototype.hasOwnProperty.call(METHODS, id);
}

export function descriptorOf<M extends MethodId>(id: M): MethodDescriptor<MethodParams[M]> {
  return METHODS[id].meta as unknown as MethodDescriptor<MethodParams[M]>;
}

/** The method's engine code (a dynamic import: only the worker and the CLI load it). */
export function loadExplainer<M extends MethodId>(id: M): Promise<Explainer<MethodParams[M]>> {
  return (METHODS[id] as unknown as MethodEntry<MethodParams[M]>).load();
}
