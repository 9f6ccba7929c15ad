/** Which methods the picker offers for a model, and what it says about the others. */
import { describe, expect, it } from 'vitest';
import { methodUnavailable } from '../../../src/ui/explain/MethodPicker';
import type { MethodSupport } from '../../../src/worker-api';

const layer = { name: 'relu', opType: 'Relu', shape: ['N', 8, 4, 4], layout: 'spatial' as const, gridHeight: 4, gridWidth: 4, channels: 8 };
const fine: MethodSupport = { catalog: { candidates: [layer], suggested: 'relu', reason: '' }, unsupportedOps: [], layerUnsupportedOps: [] };

describe('methodUnavailable', () => {
  it('offers everything when gradients work and there is a feature map; LIME always', () => {
    for (const m of ['lime', 'gradcam', 'scorecam', 'eigencam', 'ig', 'saliency'] as const) expect(methodUnavailable(m, fine)).toBeUndefined();
    expect(methodUnavailable('gradcam', undefined)).toBeUndefined();
  });

  it('an op blocking input gradients rules out the gradient methods, naming it, but not the CAMs', () => {
    const s = { ...fine, unsupportedOps: ['Einsum'] };
    expect(methodUnavailable('ig', s)).toMatch(/cannot pass through "Einsum".*Score-CAM/);
    expect(methodUnavailable('gradcam', s)).toBeUndefined();
    expect(methodUnavailable('scorecam', s)).toBeUndefined();
  });

  it('an op after the layer rules out the gradient CAMs; no feature map rules out every CAM; a preparation error rules out all but LIME', () => {
    expect(methodUnavailable('gradcampp', { ...fine, layerUnsupportedOps: ['TopK'] })).toMatch(/"TopK"/);
    expect(methodUnavailable('eigencam', { ...fine, layerUnsupportedOps: ['TopK'] })).toBeUndefined();
    const flat = { ...fine, catalog: { candidates: [], reason: '' } };
    expect(methodUnavailable('eigencam', flat)).toMatch(/needs a spatial feature map/);
    expect(methodUnavailable('saliency', flat)).toBeUndefined();
    expect(methodUnavailable('saliency', { ...fine, error: 'opset 6' })).toMatch(/not available: opset 6/);
    expect(methodUnavailable('lime', { ...fine, error: 'opset 6' })).toBeUndefined();
  });
});
