/** The text summary (the CLI's table output) describes each kind of result in its own terms. */
import { describe, expect, it } from 'vitest';
import { explanationSummary } from '../../../src/engine/explain/summary';
import type { Explanation } from '../../../src/engine/explain/types';

const common = { target: 2, targetLabel: 'cat', width: 2, height: 2, map: [0.1, -0.2, 0.3, 0], signed: true, params: {}, seed: 7, scoreSpace: 'probability' as const, timings: { totalMs: 10, inferenceMs: 8, modelCalls: 3, samples: 90, batchSize: 32 } };

describe('explanationSummary', () => {
  it('LIME: superpixels, R², intercept and the strongest superpixels by magnitude; seed shown', () => {
    const e: Explanation = { ...common, kind: 'superpixel-weights', method: 'lime', segments: [0, 1, 2, 2], segmentCount: 3, weights: [0.1, -0.5, 0.2], classes: [{ target: 2, map: [], weights: [0.1, -0.5, 0.2], score: 0.812, intercept: 0.25, localPrediction: 0.05, modelPrediction: 0.06 }] };
    const text = explanationSummary(e).join('\n');
    expect(text).toMatch(/^LIME for class 2 \(cat\) · scores: class probability · seed 7/);
    expect(text).toMatch(/3 superpixels · R² 0\.812 · intercept 0\.2500/);
    expect(text).toMatch(/strongest superpixels: #1 -0\.5000, #2 0\.2000, #0 0\.1000/);
  });

  it('KernelSHAP: base value + Σφ = model output', () => {
    const e: Explanation = { ...common, kind: 'superpixel-weights', method: 'kernelshap', segments: [0, 0, 1, 1], segmentCount: 2, weights: [0.3, 0.1], additivity: { baseValue: 0.2, output: 0.6, sum: 0.4 }, classes: [{ target: 2, map: [] }] };
    expect(explanationSummary(e).join('\n')).toMatch(/base value 0\.2000 \+ Σφ 0\.4000 = model output 0\.6000/);
  });

  it('a CAM: layer and its resolution, no superpixels or R²; no seed for an unseeded method', () => {
    const e: Explanation = { ...common, kind: 'cam', method: 'gradcam', signed: false, scoreSpace: 'logits', normalisedMap: [0, 0, 1, 0], layer: 'features.19/Relu', cam: [0, 2, 1, 0], camWidth: 2, camHeight: 2, classes: [{ target: 2, map: [] }] };
    const text = explanationSummary(e).join('\n');
    expect(text).toMatch(/^Grad-CAM for class 2 \(cat\) · scores: logit/);
    expect(text).toMatch(/layer features\.19\/Relu \(2×2\) · CAM range 0\.000 … 2\.000/);
    expect(text).not.toMatch(/undefined|superpixel|R²|seed/);
  });

  it('a pixel map: its range and sum; IG its completeness; curves when present', () => {
    const e: Explanation = {
      ...common, kind: 'pixel-map', method: 'ig', classes: [{ target: 2, map: [] }], completeness: { sum: 0.99, delta: 1, relativeError: 0.01 },
      metrics: { target: 2, steps: 4, deletion: { x: [], y: [], auc: 0.1 }, insertion: { x: [], y: [], auc: 0.7 }, timings: { totalMs: 1, modelCalls: 1 } },
    };
    const text = explanationSummary(e).join('\n');
    expect(text).toMatch(/2×2 map · range -0\.2000 … 0\.3000 · sum 0\.2000/);
    expect(text).toMatch(/completeness: .* \(error 1\.00 %\)/);
    expect(text).toMatch(/deletion AUC 0\.100 .* insertion AUC 0\.700/);
  });
});
