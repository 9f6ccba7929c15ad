/**
 * CAM math against numpy replicas of pytorch-grad-cam's formulas (tools/make_cam_fixtures.py → tests/fixtures/cam.json):
 * each gradient CAM's part exactly as the pipeline (cam-methods.ts) uses it, then the final ReLU.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { eigenProjection, featureMapsOf, minMaxNormalise, relu, resizeMap, resizeMapAlignCorners } from '../../../src/engine/explain/cam';
import { CAM_VARIANTS } from '../../../src/engine/explain/cam-methods';
import { gaussLegendre } from '../../../src/engine/explain/gradient-methods';

const ref = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../fixtures/cam.json'), 'utf8'));
const [channels, height, width] = ref.shape as number[];
const a = { channels, height, width, data: Float32Array.from(ref.A as number[]) };
const g = Float32Array.from(ref.G as number[]);

describe('CAMs equal pytorch-grad-cam', () => {
  it.each(['gradcam', 'gradcampp', 'xgradcam', 'hirescam', 'layercam'] as const)('%s', (method) => {
    const { variant } = CAM_VARIANTS[method];
    expect(variant.source).toBe('gradients');
    const cam = relu(variant.map(a, g));
    const expected = ref.cams[method] as number[];
    expect(cam.length).toBe(expected.length);
    expect(Math.max(...expected)).toBeGreaterThan(0);
    expected.forEach((v, i) => expect(cam[i]).toBeCloseTo(v, 4));
  });

  it('eigencam (first principal component, sign towards the mean activation)', () => {
    const cam = relu(eigenProjection(a));
    (ref.cams.eigencam as number[]).forEach((v, i) => expect(cam[i]).toBeCloseTo(v, 3));
  });
});

describe('map helpers', () => {
  it('Gauss–Legendre nodes and weights on [0, 1] equal numpy.polynomial.legendre.leggauss', () => {
    const { points, weights } = gaussLegendre(7);
    ref.gaussLegendre7.points.forEach((v: number, i: number) => expect(points[i]).toBeCloseTo(v, 12));
    ref.gaussLegendre7.weights.forEach((v: number, i: number) => expect(weights[i]).toBeCloseTo(v, 12));
  });

  it('resizeMap uses half-pixel centres (OpenCV INTER_LINEAR): 2×2 → 4×4 by hand', () => {
    const out = resizeMap([0, 1, 2, 3], 2, 2, 4, 4);
    // row 0: x = 0, 0.25, 0.75, 1 of the way between 0 and 1 (clamped at the edges)
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 0.25, 0.75, 1]);
    expect(out[15]).toBe(3);
    expect(out[5]).toBeCloseTo(0.75, 6); // (0.25, 0.25) of the way: 0.25·1 + 0.25·2
  });

  it('resizeMapAlignCorners maps corners onto corners (torch UpsamplingBilinear2d): 2×2 → 3×3 by hand', () => {
    const out = resizeMapAlignCorners([0, 1, 2, 3], 2, 2, 3, 3);
    expect(Array.from(out)).toEqual([0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3]);
  });

  it('minMaxNormalise maps to [0, 1] and a constant map to zeros', () => {
    expect(Array.from(minMaxNormalise([2, 4, 3]))).toEqual([0, 1, 0.5]);
    expect(Array.from(minMaxNormalise([5, 5]))).toEqual([0, 0]);
  });

  it('token sequences [N, 1+h·w, C] become channel-major grids without the CLS token', () => {
    // 1 image, CLS + 2×2 tokens, 3 channels: value = 10·token + channel
    const data = Float32Array.from({ length: 5 * 3 }, (_, i) => 10 * Math.floor(i / 3) + (i % 3));
    const maps = featureMapsOf(data, [1, 5, 3], 0, 'tokens-cls', 2, 2);
    expect([maps.channels, maps.height, maps.width]).toEqual([3, 2, 2]);
    expect(Array.from(maps.data)).toEqual([10, 20, 30, 40, 11, 21, 31, 41, 12, 22, 32, 42]);
  });
});
