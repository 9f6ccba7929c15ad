/**
 * The one rule for "can this method run on this model, with this layer": the picker, the Run button, the
 * comparison list and the store's check all ask it, so they cannot disagree.
 */
import type { LayerCatalog } from '../grad/layers';
import { descriptorOf, type MethodId } from './registry';

/** What the current model offers the gradient-based methods (found by the worker). */
export interface MethodSupport {
  /** Layers a CAM can use, the suggested one and why. */
  catalog: LayerCatalog;
  /** Ops on the path from the input to the scores without a backward rule (empty: input gradients work). */
  unsupportedOps: string[];
  /** The same from each candidate layer, by layer name (empty: gradient CAMs work there). */
  layerUnsupportedOps: Record<string, string[]>;
  /** Set when the model could not be prepared for gradients at all (e.g. an old opset that cannot be converted). */
  error?: string;
}

/**
 * Why `method` cannot run on the model, or undefined when it can (or support is not known yet). `layer` is the
 * user's chosen target layer; empty means the suggested one.
 */
export function methodUnavailable(method: MethodId, support: MethodSupport | undefined, layer?: string): string | undefined {
  const meta = descriptorOf(method);
  const needs = meta.needs;
  if (needs === 'inference' || !support) return undefined;
  if (support.error) return `${meta.label} is not available: ${support.error}`;
  if (needs !== 'input-gradient') {
    if (!support.catalog.candidates.length) return `${meta.label} needs a spatial feature map or token sequence; this model has none.`;
    const chosen = layer || support.catalog.suggested;
    if (layer && !support.catalog.candidates.some((c) => c.name === layer)) return `${meta.label}: the layer "${layer}" is not a feature map of this model; pick another layer.`;
    if (needs === 'layer-gradient' && chosen) {
      const blocking = support.layerUnsupportedOps[chosen] ?? [];
      if (blocking.length) {
        return `${meta.label} needs gradients from the layer "${chosen}", which cannot pass through ${blocking.map((o) => `"${o}"`).join(', ')} here. Pick another layer, or use Score-CAM, Ablation-CAM, Eigen-CAM or LIME.`;
      }
    }
    return undefined;
  }
  if (support.unsupportedOps.length) {
    return `${meta.label} needs gradients, which cannot pass through ${support.unsupportedOps.map((o) => `"${o}"`).join(', ')} here. LIME, Score-CAM, Ablation-CAM and Eigen-CAM still work.`;
  }
  return undefined;
}
