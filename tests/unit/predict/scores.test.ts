import { describe, expect, it } from 'vitest';
import { isDistribution, rankScores, softmax, topKIndices } from '../../../src/engine/predict/scores';

const sum = (v: ArrayLike<number>) => Array.from(v).reduce((a, b) => a + b, 0);

describe('softmax', () => {
  it('sums to 1 and orders like its input', () => {
    const p = softmax([2, -1, 0.5, 3, 0]);
    expect(sum(p)).toBeCloseTo(1, 6);
    expect(p[3]).toBeGreaterThan(p[0]);
    expect(p[0]).toBeGreaterThan(p[2]);
    expect(p[2]).toBeGreaterThan(p[4]);
    expect(p[4]).toBeGreaterThan(p[1]);
  });

  it('matches exp(x_i) / Σ exp(x_j) for small logits', () => {
    const x = [1, 2, 3];
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    const p = softmax(x);
    x.forEach((v, i) => expect(p[i]).toBeCloseTo(Math.exp(v) / z, 6));
  });

  it('is invariant to adding a constant', () => {
    const a = softmax([0.3, -2, 4.5, 1]);
    const b = softmax([100.3, 98, 104.5, 101]);
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i], 6);
  });

  it('is stable for large logits (no overflow to NaN)', () => {
    const p = softmax([1000, 1001]);
    expect(Number.isFinite(p[0]) && Number.isFinite(p[1])).toBe(true);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.E), 6);
    expect(p[1]).toBeCloseTo(Math.E / (1 + Math.E), 6);
    const q = softmax([-1000, -1001]);
    expect(q[0]).toBeCloseTo(Math.E / (1 + Math.E), 6);
  });

  it('gives a uniform distribution for equal logits', () => {
    expect(Array.from(softmax([7, 7, 7, 7]))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('isDistribution', () => {
  it('is true for a softmax output', () => {
    expect(isDistribution(softmax([0.1, 2.3, -1.2, 4, 0.5, 0, 1]))).toBe(true);
    expect(isDistribution(softmax(Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 5)))).toBe(true);
  });

  it('is false for logits, for negative values and for non-normalised [0, 1] values', () => {
    expect(isDistribution([2.1, -0.3, 5.6])).toBe(false);
    expect(isDistribution([1.2, -0.2])).toBe(false); // sums to 1 but not in [0, 1]
    expect(isDistribution([0.5, 0.6, -0.1])).toBe(false); // sums to 1 with a negative value
    expect(isDistribution([0.2, 0.2, 0.2])).toBe(false); // in [0, 1] but sums to 0.6
    expect(isDistribution([0.9, 0.9])).toBe(false);
  });

  it('is false when a value is NaN', () => {
    expect(isDistribution([0.5, Number.NaN, 0.5])).toBe(false);
  });
});

describe('topKIndices', () => {
  it('ranks by value and breaks ties by the lower index', () => {
    expect(topKIndices([1, 3, 3, 2], 4)).toEqual([1, 2, 3, 0]);
    expect(topKIndices([5, 5, 5], 2)).toEqual([0, 1]);
    expect(topKIndices([0.1, 0.7, 0.2], 1)).toEqual([1]);
  });

  it('clamps k to the number of values and to 0', () => {
    expect(topKIndices([1, 2], 5)).toEqual([1, 0]);
    expect(topKIndices([1, 2], 0)).toEqual([]);
    expect(topKIndices([1, 2], -3)).toEqual([]);
  });

  it('handles negative values', () => {
    expect(topKIndices([-5, -1, -3], 3)).toEqual([1, 2, 0]);
  });

  it('does not modify the input', () => {
    const v = new Float32Array([3, 1, 2]);
    topKIndices(v, 3);
    expect(Array.from(v)).toEqual([3, 1, 2]);
  });
});

describe('rankScores', () => {
  const labels = ['cat', 'dog', 'bird', 'fish'];

  it('does not softmax an output that is already a distribution', () => {
    const raw = new Float32Array([0.1, 0.6, 0.25, 0.05]);
    const p = rankScores(raw, labels, 2);
    expect(p.outputKind).toBe('probabilities');
    expect(p.top.map((t) => t.index)).toEqual([1, 2]);
    expect(p.top.map((t) => t.label)).toEqual(['dog', 'bird']);
    for (const t of p.top) expect(t.score).toBe(t.raw);
    expect(Array.from(p.probabilities)).toEqual(Array.from(raw));
  });

  it('softmaxes logits, keeping the raw values alongside', () => {
    const raw = new Float32Array([2, -1, 0.5, 3]);
    const p = rankScores(raw, labels, 3);
    expect(p.outputKind).toBe('logits');
    expect(p.top.map((t) => t.index)).toEqual([3, 0, 2]);
    expect(p.top[0].raw).toBe(3);
    const z = Math.exp(2) + Math.exp(-1) + Math.exp(0.5) + Math.exp(3);
    expect(p.top[0].score).toBeCloseTo(Math.exp(3) / z, 6);
    expect(sum(p.probabilities)).toBeCloseTo(1, 6);
    expect(p.raw).toBe(raw);
  });

  it("declared 'probabilities' overrides the values (no softmax even for non-distributions)", () => {
    const raw = new Float32Array([2, -1, 0.5, 3]);
    const p = rankScores(raw, labels, 4, 'probabilities');
    expect(p.outputKind).toBe('probabilities');
    expect(p.top.map((t) => t.score)).toEqual([3, 2, 0.5, -1]);
  });

  it("declared 'logits' softmaxes even values that look like a distribution", () => {
    const raw = new Float32Array([0.1, 0.6, 0.25, 0.05]);
    const p = rankScores(raw, labels, 1, 'logits');
    expect(p.outputKind).toBe('logits');
    expect(p.top[0].index).toBe(1);
    const z = Math.exp(0.1) + Math.exp(0.6) + Math.exp(0.25) + Math.exp(0.05);
    expect(p.top[0].score).toBeCloseTo(Math.exp(0.6) / z, 6);
  });

  it('names classes beyond the label list "class i"', () => {
    const p = rankScores(new Float32Array([0, 0, 0, 0, 9]), labels, 1);
    expect(p.top[0]).toMatchObject({ index: 4, label: 'class 4' });
  });

  it('does not alias the raw output in the probabilities of a distribution', () => {
    const raw = new Float32Array([0.5, 0.5]);
    const p = rankScores(raw, ['a', 'b'], 2);
    expect(p.probabilities).not.toBe(raw);
  });
});

describe('no silent garbage in the scores', () => {
  it('outputs with NaN or Infinity are an error naming how many and which classes', () => {
    expect(() => rankScores(Float32Array.from([0.1, NaN, 0.3, Infinity]), ['a', 'b', 'c', 'd'], 2)).toThrow(
      expect.objectContaining({ code: 'INFERENCE_FAILED', message: expect.stringMatching(/1 NaN and 1 infinite values \(classes 1, 3 of 4\)/) }),
    );
    expect(() => rankScores(Float32Array.from([NaN, NaN]), [], 1)).toThrow(/2 NaN values \(every class of 2\)/);
    expect(rankScores(Float32Array.from([1, 2, 3]), [], 1).top[0].index).toBe(2);
  });
});
