/**
 * Quality signals on hand-built results: each fires just past its documented threshold and stays quiet just inside
 * it; a good result of every kind gets none; a map with NaN/Infinity gets only the "unusable" warning; one-click
 * fixes stay within the parameter's range; QualityNotes draws the signals (server-rendered).
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import {
  assessQuality,
  CONSTANT_MAP_RELATIVE_RANGE,
  INCOMPLETE_RELATIVE_ERROR,
  NOISY_SPLIT_HALF,
  POOR_FIT_LOCAL_MISS,
  POOR_FIT_R2,
  SATURATED_PROBABILITY,
  splitHalfAgreement,
  UNDERSAMPLED_PER_SUPERPIXEL,
  UNSTABLE_SPLIT_HALF,
} from '../../../src/engine/explain/quality';
import { descriptorOf, type MethodId } from '../../../src/engine/explain/registry';
import { defaultsOf } from '../../../src/engine/explain/schema';
import type { CamExplanation, ClassAttribution, Explanation, PixelMapExplanation, QualitySignal, SuperpixelExplanation } from '../../../src/engine/explain/types';
import { QualityNotes } from '../../../src/ui/explain/QualityNotes';

const W = 4, H = 4;
const timings = { totalMs: 1, inferenceMs: 1, modelCalls: 1, samples: 1, batchSize: 1 };
const ramp = Array.from({ length: W * H }, (_, i) => i / (W * H));
const params = (method: MethodId, over: Record<string, unknown> = {}) => ({ ...(defaultsOf(descriptorOf(method)) as unknown as Record<string, unknown>), ...over });

/** A well-behaved LIME result: 4 superpixels (quadrants), a good fit, steady halves, in raw space. */
function lime(cls: Partial<ClassAttribution> = {}, over: Partial<SuperpixelExplanation> = {}): SuperpixelExplanation {
  const segments = Array.from({ length: W * H }, (_, i) => (i % W < 2 ? 0 : 1) + (i < 8 ? 0 : 2));
  const weights = over.weights ?? [1, -0.5, 0.25, 0];
  const map = segments.map((s) => weights[s]);
  return {
    kind: 'superpixel-weights', method: 'lime', target: 0, width: W, height: H, map, segments, segmentCount: 4, weights, signed: true,
    classes: [{ target: 0, weights, intercept: 1, score: 0.9, localPrediction: 1.75, modelPrediction: 1.8, map, ...cls }],
    scoreSpace: 'raw', params: params('lime'), seed: 1, timings, stability: { splitHalf: 0.95 }, ...over,
  };
}

function kernelShap(m: number, evaluations: number, exact = false): SuperpixelExplanation {
  const base = lime();
  const weights = Array.from({ length: m }, (_, i) => Math.sin(i + 1));
  const segments = Array.from({ length: W * H }, (_, i) => i % m);
  const sum = weights.reduce((a, b) => a + b, 0);
  return {
    ...base, method: 'kernelshap', segmentCount: m, weights, segments, map: segments.map((s) => weights[s]), stability: undefined,
    classes: [{ target: 0, weights, intercept: 0.5, localPrediction: 0.5 + sum, modelPrediction: 0.5 + sum, map: [] }],
    params: params('kernelshap', { exact, evaluations }),
  };
}

function rise(over: Partial<PixelMapExplanation> = {}, modelPrediction = 0.7): PixelMapExplanation {
  return {
    kind: 'pixel-map', method: 'rise', target: 0, width: W, height: H, map: ramp, signed: false,
    classes: [{ target: 0, modelPrediction, map: ramp }], scoreSpace: 'probability', params: params('rise'), seed: 1, timings,
    stability: { splitHalf: 0.9 }, ...over,
  };
}

function ig(relativeError: number, steps = 50): PixelMapExplanation {
  return {
    kind: 'pixel-map', method: 'ig', target: 0, width: W, height: H, map: ramp, signed: true, classes: [{ target: 0, map: ramp }],
    scoreSpace: 'logits', params: params('ig', { steps }), seed: 0, timings, completeness: { sum: 1 + relativeError, delta: 1, relativeError },
  };
}

function cam(values: number[]): CamExplanation {
  const map = Array.from({ length: W * H }, (_, i) => values[i % values.length]);
  return {
    kind: 'cam', method: 'gradcam', target: 0, width: W, height: H, map, normalisedMap: map, classes: [{ target: 0, map }], signed: false,
    layer: 'act', cam: values, camWidth: 2, camHeight: 2, scoreSpace: 'logits', params: params('gradcam'), seed: 0, timings,
  };
}

const ids = (e: Explanation) => assessQuality(e).map((s) => s.id);
const only = (e: Explanation, id: string): QualitySignal => {
  const found = assessQuality(e).filter((s) => s.id === id);
  expect(found, id).toHaveLength(1);
  return found[0];
};

describe('assessQuality', () => {
  it('a good result of every kind gets no signal', () => {
    expect(assessQuality(lime())).toEqual([]);
    expect(assessQuality(kernelShap(50, 2 + 2148))).toEqual([]);
    expect(assessQuality(kernelShap(12, 4096, true))).toEqual([]);
    expect(assessQuality(rise())).toEqual([]);
    expect(assessQuality(ig(0.01))).toEqual([]);
    expect(assessQuality(cam([0, 0.5, 1, 0.2]))).toEqual([]);
  });

  it('a map with NaN or Infinity is unusable: that warning alone, with the count and the likely cause', () => {
    const nan = lime({}, { map: [NaN, ...ramp.slice(1)] });
    const signals = assessQuality({ ...nan, scoreSpace: 'probability', classes: [{ ...nan.classes[0], modelPrediction: 0.999, score: 0.1 }] });
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ id: 'non-finite', level: 'warning', value: 1 });
    expect(signals[0].message).toMatch(/unusable/);
    expect(signals[0].message).toMatch(/float16/);
    expect(ids(rise({ map: [Infinity, -Infinity, ...ramp.slice(2)] }))).toEqual(['non-finite']);
    expect(ids(cam([0, NaN, 1, 0]))).toEqual(['non-finite']);
  });

  it('constant map: a CAM that is zero or one value everywhere flags (pytorch-grad-cam#214); a small but real range does not', () => {
    const zero = only(cam([0, 0, 0, 0]), 'constant-map');
    expect(zero.level).toBe('warning');
    expect(zero.message).toMatch(/zero everywhere/);
    expect(zero.message).toMatch(/#214/);
    expect(only(cam([0.3, 0.3, 0.3, 0.3]), 'constant-map').message).toMatch(/same value/);
    expect(ids(cam([1, 1, 1, 1 + 0.5 * CONSTANT_MAP_RELATIVE_RANGE]))).toContain('constant-map');
    expect(ids(cam([1, 1, 1, 1 + 2 * CONSTANT_MAP_RELATIVE_RANGE]))).toEqual([]);
    expect(ids(cam([0, 0, 0, 1e-9]))).toEqual([]);
    expect(ids(rise({ map: new Array(W * H).fill(0.4) }))).toContain('constant-map');
  });

  it(`saturated: a probability above ${1 - SATURATED_PROBABILITY} or below ${SATURATED_PROBABILITY} flags, with the switch to logits where the method has one`, () => {
    const at = (p: number) => lime({ modelPrediction: p, localPrediction: p, intercept: p - 0.01 }, { scoreSpace: 'probability' });
    const high = only(at(0.995), 'saturated');
    expect(high).toMatchObject({ level: 'warning', value: 0.995, threshold: 1 - SATURATED_PROBABILITY });
    expect(high.action).toEqual({ kind: 'set-param', label: 'Explain logits instead', param: 'scoreSpace', value: 'raw' });
    expect(high.message).toMatch(/probability of 99\.50 %/);
    expect(only(at(0.99996), 'saturated').message).toMatch(/probability of more than 99\.99 %/);
    expect(ids(at(0.985))).not.toContain('saturated');
    expect(only(at(0.005), 'saturated').threshold).toBe(SATURATED_PROBABILITY);
    expect(ids(at(0.015))).not.toContain('saturated');
    // raw scores are never saturated; RISE reports the unmasked probability
    expect(ids(lime({ modelPrediction: 9.5, localPrediction: 9.45, intercept: 8.7 }))).toEqual([]);
    expect(only(rise({}, 0.999), 'saturated').action?.param).toBe('scoreSpace');
    // a result in probability space whose method has no score-space switch: the signal, no button
    const noSwitch = rise({ params: { masks: 2000 } }, 0.999);
    expect(only(noSwitch, 'saturated').action).toBeUndefined();
    // a model ending in Softmax: its raw outputs are probabilities too, so the switch would change nothing
    const softmaxModel = assessQuality(at(0.995), { outputsProbabilities: true }).find((q) => q.id === 'saturated');
    expect(softmaxModel).toBeDefined();
    expect(softmaxModel!.action).toBeUndefined();
  });

  it(`poor fit: weighted R² below ${POOR_FIT_R2}, or a surrogate missing the model's score at the image by over ${POOR_FIT_LOCAL_MISS} of the change it explains`, () => {
    const lowR2 = only(lime({ score: POOR_FIT_R2 - 0.05 }), 'poor-fit');
    expect(lowR2).toMatchObject({ level: 'warning', value: POOR_FIT_R2 - 0.05, threshold: POOR_FIT_R2 });
    expect(lowR2.message).toMatch(/fits poorly/);
    expect(lowR2.message).toMatch(/fewer superpixels/);
    // the fix: half the superpixels, the rest of the segmentation kept
    expect(lowR2.action).toEqual({ kind: 'set-param', label: 'Use half the superpixels', param: 'segmentation', value: { method: 'slic', nSegments: 25, compactness: 10, sigma: 1 } });
    expect(ids(lime({ score: POOR_FIT_R2 + 0.05 }))).toEqual([]);
    // intercept 0, model 1: the surrogate explains a change of 1 and misses by 1 − local
    const miss = (local: number) => lime({ intercept: 0, modelPrediction: 1, localPrediction: local });
    const far = only(miss(0.45), 'poor-fit');
    expect(far.value).toBeCloseTo(0.55, 12);
    expect(far.message).toMatch(/predicts 0\.450 for the image where the model gives 1\.000/);
    expect(ids(miss(0.55))).toEqual([]);
    // the issue's case: R² 0.12, surrogate 0.064 against the model's 0.60
    const issue = only(lime({ score: 0.12, intercept: -0.061, localPrediction: 0.064, modelPrediction: 0.6 }, { scoreSpace: 'probability' }), 'poor-fit');
    expect(issue.message).toMatch(/R² is 0\.12.*predicts 0\.064 for the image where the model gives 0\.600/);
    // quickshift has no segment count to halve: the advice stays, no button
    const quick = lime({ score: 0.2 }, { params: params('lime', { segmentation: { method: 'quickshift', kernelSize: 4, maxDist: 200, ratio: 0.2 } }) });
    expect(only(quick, 'poor-fit').action).toBeUndefined();
    // KernelSHAP's values add up exactly: no R², no miss, no signal
    expect(ids(kernelShap(50, 2 + 2148))).not.toContain('poor-fit');
  });

  it(`unstable: split-half agreement below ${UNSTABLE_SPLIT_HALF} warns, below ${NOISY_SPLIT_HALF} notes, with ${'4×'} the samples (or masks) as the fix`, () => {
    const bad = only(lime({}, { stability: { splitHalf: UNSTABLE_SPLIT_HALF - 0.05 } }), 'unstable');
    expect(bad).toMatchObject({ level: 'warning', threshold: UNSTABLE_SPLIT_HALF });
    expect(bad.message).toMatch(/sampling noise/);
    expect(bad.action).toEqual({ kind: 'set-param', label: 'Use 4× the samples', param: 'samples', value: 4000 });
    const noisy = only(lime({}, { stability: { splitHalf: UNSTABLE_SPLIT_HALF + 0.05 } }), 'unstable');
    expect(noisy).toMatchObject({ level: 'info', threshold: NOISY_SPLIT_HALF });
    expect(ids(lime({}, { stability: { splitHalf: NOISY_SPLIT_HALF + 0.01 } }))).toEqual([]);
    expect(only(rise({ stability: { splitHalf: 0.2 } }), 'unstable').action).toEqual({ kind: 'set-param', label: 'Use 4× the masks', param: 'masks', value: 8000 });
    // the fix stays within the parameter's range, and there is none at its top
    expect(only(lime({}, { stability: { splitHalf: 0.2 }, params: params('lime', { samples: 100_000 }) }), 'unstable').action?.value).toBe(200_000);
    expect(only(lime({}, { stability: { splitHalf: 0.2 }, params: params('lime', { samples: 200_000 }) }), 'unstable').action).toBeUndefined();
    // no halves to compare: nothing said
    expect(ids(lime({}, { stability: undefined }))).toEqual([]);
  });

  it(`undersampled: KernelSHAP with fewer than ${UNDERSAMPLED_PER_SUPERPIXEL} sampled coalitions per superpixel flags; exact runs never`, () => {
    const m = 50;
    const few = only(kernelShap(m, 2 + m * (UNDERSAMPLED_PER_SUPERPIXEL - 1)), 'undersampled');
    expect(few).toMatchObject({ level: 'warning', value: UNDERSAMPLED_PER_SUPERPIXEL - 1, threshold: UNDERSAMPLED_PER_SUPERPIXEL });
    expect(few.message).toMatch(/2\^50/);
    expect(few.message).toMatch(/at most 14 superpixels for exact values/);
    expect(few.action).toEqual({ kind: 'set-param', label: 'Use 2148 samples', param: 'samples', value: 2 * m + 2048 });
    expect(ids(kernelShap(m, 2 + m * (UNDERSAMPLED_PER_SUPERPIXEL + 1)))).toEqual([]);
    expect(ids(kernelShap(16, 3, true))).toEqual([]);
  });

  it(`incomplete: Integrated Gradients off by more than ${100 * INCOMPLETE_RELATIVE_ERROR} % flags, with 4× the steps as the fix`, () => {
    const off = only(ig(INCOMPLETE_RELATIVE_ERROR + 0.01, 2), 'incomplete');
    expect(off).toMatchObject({ level: 'warning', threshold: INCOMPLETE_RELATIVE_ERROR });
    expect(off.message).toMatch(/6\.0 %/);
    expect(off.action).toEqual({ kind: 'set-param', label: 'Use 4× the steps', param: 'steps', value: 8 });
    expect(ids(ig(INCOMPLETE_RELATIVE_ERROR - 0.01))).toEqual([]);
    expect(only(ig(0.5, 2000), 'incomplete').action).toBeUndefined();
  });

  it('several signals at once, each once', () => {
    const e = lime({ score: 0.1, modelPrediction: 0.999, localPrediction: 0.3, intercept: 0.2 }, { scoreSpace: 'probability', stability: { splitHalf: 0.1 } });
    expect(ids(e)).toEqual(['saturated', 'poor-fit', 'unstable']);
  });
});

describe('splitHalfAgreement (Pearson correlation)', () => {
  it('is 1 for the same map at any scale, −1 for its negative, undefined for a half without variation', () => {
    const a = [1, 3, 2, 5, 4];
    expect(splitHalfAgreement(a, a.map((v) => 7 * v + 2))).toBeCloseTo(1, 12);
    expect(splitHalfAgreement(a, a.map((v) => -v))).toBeCloseTo(-1, 12);
    expect(splitHalfAgreement(a, [2, 2, 2, 2, 2])).toBeUndefined();
    expect(splitHalfAgreement([1, 2, 3], [1, 3, 2])).toBeCloseTo(0.5, 12);
  });
});

describe('QualityNotes', () => {
  const render = (signals: QualitySignal[], onAction?: () => void) => renderToStaticMarkup(createElement(QualityNotes, { signals, onAction }));
  const signals = assessQuality(lime({ score: 0.1, modelPrediction: 0.999, localPrediction: 0.99, intercept: 0.98 }, { scoreSpace: 'probability', stability: { splitHalf: 0.6 } }));

  it('lists each signal by id, warnings in the warning style and named as warnings, notes muted; fixes are buttons', () => {
    const html = render(signals, () => {});
    expect(html).toContain('data-testid="quality-notes"');
    expect(html).toMatch(/<li[^>]*data-testid="quality-saturated"[^>]*class="warning"/);
    expect(html).toMatch(/<li[^>]*data-testid="quality-unstable"[^>]*class="muted small"/);
    expect(html).toContain('Warning: ');
    expect(html).toContain('Note: ');
    expect(html).toMatch(/<button type="button"[^>]*>Explain logits instead<\/button>/);
    expect(html).toMatch(/aria-label="Quality of this explanation: 2 warnings"/);
  });

  it('without a handler no button is drawn; without signals nothing is', () => {
    expect(render(signals)).not.toContain('<button');
    expect(render([])).toBe('');
  });
});
