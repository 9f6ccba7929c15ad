/** The range a map is drawn with (percentile clipping, shared ranges) and its colour-bar ticks. */
import { describe, expect, it } from 'vitest';
import { clippedEnds, colorBarTicks, formatValue, mapRange, percentile, sharedRange } from '../../../src/engine/render/scale';

describe('percentile', () => {
  it('interpolates between order statistics as numpy.percentile does', () => {
    const v = [5, 1, 4, 2, 3];
    expect(percentile(v, 0)).toBe(1);
    expect(percentile(v, 100)).toBe(5);
    expect(percentile(v, 50)).toBe(3);
    expect(percentile(v, 90)).toBeCloseTo(4.6, 12); // numpy.percentile([1..5], 90) = 4.6
    expect(percentile([], 99)).toBe(0);
  });
});

describe('map range', () => {
  // 1000 small values and 10 outliers: a speckled gradient map
  const speckle = Array.from({ length: 1010 }, (_, i) => (i < 1000 ? ((i % 10) - 4.5) / 100 : i % 2 ? 50 : -50));

  it('signed maps are symmetric around 0; unsigned ones span min … max', () => {
    expect(mapRange([-0.2, 0.1, 0.5], true)).toEqual([-0.5, 0.5]);
    expect(mapRange([0.2, 0.3, 0.7], false)).toEqual([0.2, 0.7]);
  });

  it('clipping at the 99th percentile ignores the 1 % outliers, so the structure keeps the colour range', () => {
    const [lo, hi] = mapRange(speckle, true, 99);
    expect(hi).toBe(-lo);
    expect(hi).toBeLessThan(0.05); // not 50
    expect(hi).toBeCloseTo(percentile(speckle.map(Math.abs), 99), 12);
    expect(clippedEnds(speckle, [lo, hi])).toEqual({ lo: true, hi: true });
    expect(clippedEnds(speckle, mapRange(speckle, true))).toEqual({ lo: false, hi: false });
    const unsigned = speckle.map(Math.abs);
    expect(mapRange(unsigned, false, 99)).toEqual([0.005, percentile(unsigned, 99)]);
  });

  it('a shared range is the union of the maps’ own ranges', () => {
    expect(sharedRange([[0, 0.5], [0.1, 2]], false)).toEqual([0, 2]);
    expect(sharedRange([[-1, 0.5], [0.1, 2]], true)).toEqual([-2, 2]);
  });
});

describe('colour-bar ticks', () => {
  it('signed: min, 0 in the middle and max, with signs; normalised labels are −1, 0, +1', () => {
    const raw = colorBarTicks({ range: [-0.004, 0.004], signed: true, normalised: false });
    expect(raw.map((t) => [t.position, t.label])).toEqual([[0, '−0.004'], [0.5, '0'], [1, '+0.004']]);
    const norm = colorBarTicks({ range: [-0.004, 0.004], signed: true, normalised: true });
    expect(norm.map((t) => t.label)).toEqual(['−1', '0', '+1']);
  });

  it('unsigned: min and max (0 only when it lies inside); normalised 0 … 1; clipped ends say ≥', () => {
    expect(colorBarTicks({ range: [0.31, 0.58], signed: false, normalised: false }).map((t) => t.label)).toEqual(['0.31', '0.58']);
    expect(colorBarTicks({ range: [0.31, 0.58], signed: false, normalised: true }).map((t) => t.label)).toEqual(['0', '1']);
    const ticks = colorBarTicks({ range: [-1, 3], signed: false, normalised: false, clipped: { lo: false, hi: true } });
    expect(ticks.map((t) => [t.position, t.label])).toEqual([[0, '−1'], [0.25, '0'], [1, '≥ 3']]);
  });

  it('raw and normalised labels differ for the same map (the scale switch shows the range it uses)', () => {
    const a = colorBarTicks({ range: [0, 0.37], signed: false, normalised: false }).map((t) => t.label);
    const b = colorBarTicks({ range: [0, 0.37], signed: false, normalised: true }).map((t) => t.label);
    expect(a).not.toEqual(b);
  });

  it('numbers: two significant digits, a true minus, exponents for tiny and huge values', () => {
    expect(formatValue(0.000273)).toBe('2.7e-4');
    expect(formatValue(-0.0123)).toBe('−0.012');
    expect(formatValue(12345)).toBe('1.2e+4');
    expect(formatValue(1, true)).toBe('+1');
    expect(formatValue(0)).toBe('0');
  });
});
