/** RISE masks: eclique/RISE's generate_masks (skimage bilinear upsampling of a random grid, random shift, crop). */
import { describe, expect, it } from 'vitest';
import { riseMask, riseMaskFromGrid, riseMaskPlan } from '../../../src/engine/explain/rise';
import { createRng } from '../../../src/engine/math/rng';

const outer = (rows: number[], cols: number[]) => rows.flatMap((r) => cols.map((c) => r * c));

describe('RISE masks', () => {
  it('a known grid at a known shift gives the hand-computed bilinear values (skimage resize, mode "reflect")', () => {
    // s = 2 on a 4×4 image: cell = ceil(4/2) = 2, the grid is upsampled to (2+1)·2 = 6 per side. skimage/scipy
    // (grid_mode) samples grid coordinate (o + ½)·2/6 − ½ for output o = 0…5: −1/3, 0, 1/3, 2/3, 1, 4/3; numpy's
    // 'reflect' folds −1/3 to 1/3 (and 4/3 to 2/3). With only cell (0, 0) kept, the weight of cell 0 along an axis
    // is 1 − coordinate: 2/3, 1, 2/3, 1/3, 0, 1/3 — and the mask is the outer product of the row and column weights.
    const plan = riseMaskPlan(2, 4, 4);
    expect([plan.cellWidth, plan.cellHeight, plan.upWidth, plan.upHeight]).toEqual([2, 2, 6, 6]);
    const topLeft = [1, 0, 0, 0];
    const out = new Float32Array(16);

    riseMaskFromGrid(topLeft, plan, 0, 0, out);
    const a = [2 / 3, 1, 2 / 3, 1 / 3];
    outer(a, a).forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
    expect(out[0]).toBeCloseTo(4 / 9, 6); // not 1, as edge clamping (OpenCV, torch) would give
    expect(out[5]).toBeCloseTo(1, 6);

    // Shift one pixel right and one down: the window is outputs 1…4, weights 1, 2/3, 1/3, 0.
    riseMaskFromGrid(topLeft, plan, 1, 1, out);
    const b = [1, 2 / 3, 1 / 3, 0];
    outer(b, b).forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));

    // Rows and columns shift independently; a kept bottom-right cell mirrors the weights (its weight is the coordinate).
    riseMaskFromGrid([0, 0, 0, 1], plan, 1, 0, out);
    outer([1 / 3, 0, 1 / 3, 2 / 3], [0, 1 / 3, 2 / 3, 1]).forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));

    // All cells kept: all ones at any shift.
    riseMaskFromGrid([1, 1, 1, 1], plan, 1, 1, out);
    expect(Array.from(out).every((v) => Math.abs(v - 1) < 1e-12)).toBe(true);
  });

  it('non-square images use ceil(H/s) and ceil(W/s) cells; every shift up to cell − 1 stays inside the upsampled grid', () => {
    const [width, height, s] = [13, 7, 3];
    const plan = riseMaskPlan(s, width, height);
    expect([plan.cellWidth, plan.cellHeight]).toEqual([5, 3]);
    expect([plan.upWidth, plan.upHeight]).toEqual([20, 12]);
    // the largest window [cell − 1, cell − 1 + size) ends inside the upsampled size
    expect(plan.cellWidth - 1 + width).toBeLessThanOrEqual(plan.upWidth);
    expect(plan.cellHeight - 1 + height).toBeLessThanOrEqual(plan.upHeight);
    const rng = createRng(4);
    const cells = new Float64Array(s * s);
    const out = new Float32Array(width * height);
    for (let sy = 0; sy < plan.cellHeight; sy++) {
      for (let sx = 0; sx < plan.cellWidth; sx++) {
        for (let i = 0; i < cells.length; i++) cells[i] = rng.float() < 0.5 ? 1 : 0;
        out.fill(NaN);
        riseMaskFromGrid(cells, plan, sx, sy, out);
        expect(Array.from(out).every((v) => v >= 0 && v <= 1)).toBe(true);
      }
    }
    expect(() => riseMaskFromGrid(cells, plan, plan.cellWidth, 0, out)).toThrow(RangeError);
    expect(() => riseMaskFromGrid(cells, plan, 0, -1, out)).toThrow(RangeError);
    expect(() => riseMaskFromGrid(cells, plan, 0.5, 0, out)).toThrow(RangeError);
  });

  it('drawn masks lie in [0, 1], shifts cover [0, cell) on each axis, and the same seed draws the same masks', () => {
    const [width, height, s] = [11, 9, 4];
    const plan = riseMaskPlan(s, width, height);
    const rng = createRng(7);
    const out = new Float32Array(width * height);
    const xs = new Set<number>(), ys = new Set<number>();
    let lo = Infinity, hi = -Infinity;
    for (let k = 0; k < 300; k++) {
      const { shiftX, shiftY } = riseMask(rng, s, 0.4, width, height, out, plan);
      xs.add(shiftX);
      ys.add(shiftY);
      for (const v of out) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi - lo).toBeGreaterThan(0.5);
    expect([...xs].sort((a, b) => a - b)).toEqual([0, 1, 2]); // ceil(11/4) = 3
    expect([...ys].sort((a, b) => a - b)).toEqual([0, 1, 2]); // ceil(9/4) = 3

    const a = new Float32Array(width * height), b = new Float32Array(width * height), c = new Float32Array(width * height);
    riseMask(createRng(99), s, 0.5, width, height, a);
    riseMask(createRng(99), s, 0.5, width, height, b);
    riseMask(createRng(100), s, 0.5, width, height, c);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('p1 is the probability a cell is kept: masks average p1 (overall and at every pixel); p1 = 1 keeps everything', () => {
    const [width, height, s, p1, n] = [12, 12, 4, 0.3, 4000];
    const plan = riseMaskPlan(s, width, height);
    const rng = createRng(21);
    const out = new Float32Array(width * height);
    const perPixel = new Float64Array(width * height);
    for (let k = 0; k < n; k++) {
      riseMask(rng, s, p1, width, height, out, plan);
      for (let i = 0; i < out.length; i++) perPixel[i] += out[i];
    }
    const means = Array.from(perPixel, (v) => v / n);
    const overall = means.reduce((x, y) => x + y, 0) / means.length;
    // bilinear weights sum to 1, so E[M] = p1 exactly; the sample mean of 4000 masks is within ~0.003 of it
    expect(Math.abs(overall - p1)).toBeLessThan(0.01);
    for (const m of means) expect(Math.abs(m - p1)).toBeLessThan(0.04);

    riseMask(createRng(1), s, 1, width, height, out, plan);
    expect(Array.from(out).every((v) => v === 1)).toBe(true);
    riseMask(createRng(1), s, 0, width, height, out, plan);
    expect(Array.from(out).every((v) => v === 0)).toBe(true);
  });
});
