/** The ETA comes from the rate after the first batch, so a slow first batch (warm-up) does not inflate it. */
import { describe, expect, it } from 'vitest';
import { etaFrom } from '../../../src/engine/explain/progress';

describe('etaFrom', () => {
  it('a 1 s warm-up then 100 ms per batch of 10: the ETA is 100 ms per remaining batch, not (1.1 s / 20) per row', () => {
    // started at 0; first report at 1000 ms with 10 done; next at 1100 ms with 20 done; 100 in all
    const first = { at: 1000, done: 10 };
    expect(etaFrom(first, 1100, 20, 100, 0)).toBeCloseTo(800, 6);
    // the old rule (elapsed since the start / done) would say 1100 / 20 · 80 = 4400 ms
  });

  it('before a second report it uses the time since the start; 0 when done; nothing before the first row', () => {
    expect(etaFrom(undefined, 500, 10, 100, 0)).toBeCloseTo(4500, 6);
    expect(etaFrom({ at: 1, done: 1 }, 2, 100, 100, 0)).toBe(0);
    expect(etaFrom(undefined, 5, 0, 100, 0)).toBeUndefined();
  });
});
