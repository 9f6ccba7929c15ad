/** Each kind of result gets its own colour map, underlay and clipping unless the user chooses. */
import { describe, expect, it } from 'vitest';
import { CLIP_PERCENTILE, defaultColormap, resolveView } from '../../../src/engine/render/defaults';

describe('defaults per kind', () => {
  it('jet for CAMs and RISE, red–blue for signed weights, a sequential map for unsigned gradients', () => {
    expect(defaultColormap({ kind: 'cam', method: 'gradcam', signed: false })).toBe('jet');
    expect(defaultColormap({ kind: 'pixel-map', method: 'rise', signed: false })).toBe('jet');
    for (const method of ['lime', 'kernelshap'] as const) expect(defaultColormap({ kind: 'superpixel-weights', method, signed: true })).toBe('diverging');
    for (const method of ['ig', 'occlusion', 'partitionshap'] as const) expect(defaultColormap({ kind: 'pixel-map', method, signed: true })).toBe('diverging');
    for (const method of ['saliency', 'smoothgrad'] as const) expect(defaultColormap({ kind: 'pixel-map', method, signed: false })).toBe('inferno');
  });

  it('signed maps fade to transparent at 0 over a grey image; unsigned maps keep the image in colour', () => {
    expect(resolveView({ colormap: 'auto' }, { kind: 'pixel-map', method: 'ig', signed: true })).toEqual({ colormap: 'diverging', greyUnderlay: true, clipPercentile: CLIP_PERCENTILE, fadeAtZero: true });
    expect(resolveView({ colormap: 'auto' }, { kind: 'cam', method: 'gradcam', signed: false })).toEqual({ colormap: 'jet', greyUnderlay: false, clipPercentile: undefined, fadeAtZero: false });
  });

  it('gradient maps are clipped at the 99th percentile by default; CAMs, RISE and perturbation maps are not', () => {
    expect(CLIP_PERCENTILE).toBe(99);
    for (const method of ['saliency', 'smoothgrad', 'ig', 'inputxgrad', 'guidedbackprop'] as const) expect(resolveView({ colormap: 'auto' }, { kind: 'pixel-map', method, signed: false }).clipPercentile).toBe(99);
    for (const method of ['rise', 'occlusion', 'partitionshap'] as const) expect(resolveView({ colormap: 'auto' }, { kind: 'pixel-map', method, signed: false }).clipPercentile).toBeUndefined();
  });

  it('the user’s choice overrides the kind', () => {
    const r = resolveView({ colormap: 'viridis', underlay: 'colour', clip: 'off' }, { kind: 'pixel-map', method: 'ig', signed: true });
    expect(r).toEqual({ colormap: 'viridis', greyUnderlay: false, clipPercentile: undefined, fadeAtZero: false });
    expect(resolveView({ colormap: 'auto', underlay: 'grey', clip: 'on' }, { kind: 'cam', method: 'gradcam', signed: false })).toMatchObject({ greyUnderlay: true, clipPercentile: 99 });
  });
});
