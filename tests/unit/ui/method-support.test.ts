/** The one availability rule the picker, the Run button, the comparison list and the store all ask. */
import { describe, expect, it } from 'vitest';
import { methodUnavailable, type MethodSupport } from '../../../src/engine/explain/availability';
import { METHOD_IDS, descriptorOf } from '../../../src/engine/explain/registry';

const layer = (name: string) => ({ name, opType: 'Relu', shape: ['N', 8, 4, 4], layout: 'spatial' as const, gridHeight: 4, gridWidth: 4, channels: 8 });
const fine: MethodSupport = { catalog: { candidates: [layer('relu'), layer('early')], suggested: 'relu', reason: '' }, unsupportedOps: [], layerUnsupportedOps: { relu: [], early: [] } };

describe('methodUnavailable', () => {
  it('offers everything when gradients work and there is a feature map; inference-only methods always', () => {
    for (const m of METHOD_IDS) expect(methodUnavailable(m, fine), m).toBeUndefined();
    expect(methodUnavailable('gradcam', undefined)).toBeUndefined();
    const broken = { ...fine, error: 'opset 6' };
    for (const m of METHOD_IDS) if (descriptorOf(m).needs === 'inference') expect(methodUnavailable(m, broken), m).toBeUndefined();
  });

  it('an op blocking input gradients rules out the gradient methods, naming it, but not the CAMs', () => {
    const s = { ...fine, unsupportedOps: ['Einsum'] };
    expect(methodUnavailable('ig', s)).toMatch(/cannot pass through "Einsum".*Score-CAM/);
    expect(methodUnavailable('gradcam', s)).toBeUndefined();
    expect(methodUnavailable('scorecam', s)).toBeUndefined();
  });

  it('an op after the suggested layer rules out the gradient CAMs there; no feature map rules out every CAM; a preparation error all gradient methods', () => {
    const blocked = { ...fine, layerUnsupportedOps: { relu: ['TopK'], early: [] } };
    expect(methodUnavailable('gradcampp', blocked)).toMatch(/"relu".*"TopK"/);
    expect(methodUnavailable('eigencam', blocked)).toBeUndefined();
    const flat = { ...fine, catalog: { candidates: [], reason: '' } };
    expect(methodUnavailable('eigencam', flat)).toMatch(/needs a spatial feature map/);
    expect(methodUnavailable('saliency', flat)).toBeUndefined();
    expect(methodUnavailable('saliency', { ...fine, error: 'opset 6' })).toMatch(/not available: opset 6/);
  });

  it('a layer the user picked is judged for itself: a blocked suggested layer does not block a CAM on another layer, and vice versa', () => {
    const suggestedBlocked = { ...fine, layerUnsupportedOps: { relu: ['TopK'], early: [] } };
    expect(methodUnavailable('gradcam', suggestedBlocked, 'early')).toBeUndefined();
    const pickedBlocked = { ...fine, layerUnsupportedOps: { relu: [], early: ['NonZero'] } };
    expect(methodUnavailable('gradcam', pickedBlocked)).toBeUndefined();
    expect(methodUnavailable('gradcam', pickedBlocked, 'early')).toMatch(/"early".*"NonZero"/);
    expect(methodUnavailable('gradcam', fine, 'gone')).toMatch(/"gone" is not a feature map/);
  });
});
