/** Numeric comparisons shared by tests. */
import { expect } from 'vitest';

/** Largest |a[i] − b[i]| (after checking the lengths agree). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
