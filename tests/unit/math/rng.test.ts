import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/engine/math/rng';

describe('seeded rng', () => {
  it('the same seed gives the same stream; another seed another stream', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const sa = Array.from({ length: 20 }, () => a.uint32());
    expect(Array.from({ length: 20 }, () => b.uint32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.uint32())).not.toEqual(sa);
  });

  it('floats are uniform in [0, 1), bits are fair, normals have mean 0 and variance 1', () => {
    const rng = createRng(1);
    const n = 100_000;
    let sum = 0, ones = 0, min = 1, max = 0, nsum = 0, nsq = 0;
    for (let i = 0; i < n; i++) {
      const f = rng.float();
      sum += f;
      min = Math.min(min, f);
      max = Math.max(max, f);
      ones += rng.uint32() >>> 31;
      const g = rng.normal();
      nsum += g;
      nsq += g * g;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(ones / n).toBeCloseTo(0.5, 2);
    expect(nsum / n).toBeCloseTo(0, 1);
    expect(nsq / n).toBeCloseTo(1, 1);
  });
});
