/**
 * SSIM (math/ssim.ts) against values worked out by hand, against a direct window-by-window computation of Wang et
 * al.'s formula, and against a numpy replica of scikit-image's structural_similarity (Debian's /usr/bin/python3 with
 * numpy; skipped with a note when missing — scikit-image itself is not installed here). The numpy replica filters
 * the whole image with reflected borders and then crops (window − 1) / 2 pixels, as skimage does; ours only
 * evaluates windows inside the image, so agreeing with it also checks that the border never counts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/engine/math/rng';
import { ssim, ssimWindow } from '../../../src/engine/math/ssim';

const C1 = 0.01 ** 2, C2 = 0.03 ** 2;

/** Wang et al.'s formula at every 7 × 7 window inside the image, with sample (co)variances, averaged. */
function directUniformSsim(a: number[], b: number[], width: number, height: number): number {
  let total = 0, count = 0;
  for (let y0 = 0; y0 + 7 <= height; y0++) {
    for (let x0 = 0; x0 + 7 <= width; x0++) {
      const xs: number[] = [], ys: number[] = [];
      for (let y = y0; y < y0 + 7; y++) for (let x = x0; x < x0 + 7; x++) xs.push(a[y * width + x]), ys.push(b[y * width + x]);
      const mx = xs.reduce((s, v) => s + v, 0) / 49, my = ys.reduce((s, v) => s + v, 0) / 49;
      let vx = 0, vy = 0, cxy = 0;
      for (let i = 0; i < 49; i++) (vx += (xs[i] - mx) ** 2), (vy += (ys[i] - my) ** 2), (cxy += (xs[i] - mx) * (ys[i] - my));
      (vx /= 48), (vy /= 48), (cxy /= 48);
      total += ((2 * mx * my + C1) * (2 * cxy + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2));
      count++;
    }
  }
  return total / count;
}

const random = (seed: number, n: number) => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => rng.float());
};

describe('ssim', () => {
  it('is 1 for identical images and (2µxµy + C1)/(µx² + µy² + C1) for two constant ones (no variance)', () => {
    const a = random(1, 100);
    expect(ssim(a, a, 10, 10)).toBeCloseTo(1, 12);
    // 0.2 vs 0.6 everywhere: the contrast-structure term is C2 / C2 = 1
    expect(ssim(new Array(49).fill(0.2), new Array(49).fill(0.6), 7, 7)).toBeCloseTo((2 * 0.2 * 0.6 + C1) / (0.04 + 0.36 + C1), 12);
  });

  it('a 7 × 7 ramp against its negative: one window, worked out by hand', () => {
    // x = i / 48 for i = 0 … 48, y = 1 − x: both have mean 0.5 (luminance term (2·0.25 + C1)/(0.5 + C1) = 1) and
    // sample variance v = (49² − 1)/12 · 49/48 / 48², their covariance is −v: SSIM = (−2v + C2)/(2v + C2)
    const x = Array.from({ length: 49 }, (_, i) => i / 48);
    const y = x.map((t) => 1 - t);
    const v = (((49 * 49 - 1) / 12) * (49 / 48)) / (48 * 48);
    expect(x.reduce((s, t) => s + (t - 0.5) ** 2, 0) / 48).toBeCloseTo(v, 14);
    expect(ssim(x, y, 7, 7)).toBeCloseTo((-2 * v + C2) / (2 * v + C2), 12);
  });

  it('equals the formula evaluated window by window, and is symmetric', () => {
    const a = random(2, 13 * 9), b = random(3, 13 * 9).map((v, i) => 0.5 * v + 0.5 * a[i]);
    expect(ssim(a, b, 13, 9)).toBeCloseTo(directUniformSsim(a, b, 13, 9), 12);
    expect(ssim(b, a, 13, 9)).toBeCloseTo(ssim(a, b, 13, 9), 14);
  });

  it('uses an 11-tap Gaussian window (σ = 1.5) that sums to 1, and refuses images smaller than the window', () => {
    const g = ssimWindow('gaussian');
    expect(g.length).toBe(11);
    expect(g.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    expect(g[5] / g[4]).toBeCloseTo(Math.exp(1 / (2 * 1.5 * 1.5)), 12);
    expect(() => ssim(random(1, 100), random(2, 100), 10, 10, { window: 'gaussian' })).toThrow(/at least that large/);
    expect(() => ssim([1, 2], [1, 2, 3], 1, 2)).toThrow(/SSIM needs/);
  });

  const PY = '/usr/bin/python3';
  const hasNumpy = (() => {
    if (!fs.existsSync(PY)) return false;
    try {
      execFileSync(PY, ['-c', 'import numpy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!hasNumpy) console.warn('ssim.test: /usr/bin/python3 with numpy not found; the scikit-image replica check is skipped.');

  it.skipIf(!hasNumpy)('matches a numpy replica of skimage.metrics.structural_similarity (both windows, two data ranges)', () => {
    const script = `
import json, sys
import numpy as np
cases = json.load(sys.stdin)
def filt(img, w):
    r = len(w) // 2
    p = np.pad(img, r, mode='symmetric')  # scipy.ndimage mode='reflect'
    out = np.zeros_like(img)
    for dy in range(len(w)):
        for dx in range(len(w)):
            out += w[dy] * w[dx] * p[dy:dy + img.shape[0], dx:dx + img.shape[1]]
    return out
def ssim(X, Y, gaussian, L):
    if gaussian:
        sigma = 1.5; r = int(3.5 * sigma + 0.5)
        k = np.exp(-(np.arange(-r, r + 1) ** 2) / (2 * sigma ** 2)); w = k / k.sum(); cov_norm = 1.0
    else:
        w = np.ones(7) / 7; NP = 49; cov_norm = NP / (NP - 1)
    ux, uy = filt(X, w), filt(Y, w)
    uxx, uyy, uxy = filt(X * X, w), filt(Y * Y, w), filt(X * Y, w)
    vx, vy, vxy = cov_norm * (uxx - ux * ux), cov_norm * (uyy - uy * uy), cov_norm * (uxy - ux * uy)
    C1, C2 = (0.01 * L) ** 2, (0.03 * L) ** 2
    S = ((2 * ux * uy + C1) * (2 * vxy + C2)) / ((ux ** 2 + uy ** 2 + C1) * (vx + vy + C2))
    pad = (len(w) - 1) // 2
    return float(S[pad:-pad, pad:-pad].mean())
print(json.dumps([ssim(np.array(c['a']).reshape(c['h'], c['w']), np.array(c['b']).reshape(c['h'], c['w']), c['gaussian'], c['L']) for c in cases]))
`;
    const cases = [
      { w: 16, h: 12, gaussian: false, L: 1, seed: 10 },
      { w: 16, h: 12, gaussian: true, L: 1, seed: 11 },
      { w: 23, h: 19, gaussian: true, L: 255, seed: 12 },
      { w: 9, h: 30, gaussian: false, L: 255, seed: 13 },
    ].map((c) => {
      const n = c.w * c.h;
      const a = random(c.seed, n).map((v) => v * c.L);
      const b = random(c.seed + 100, n).map((v, i) => 0.3 * v * c.L + 0.7 * a[i]);
      return { ...c, a, b };
    });
    const expected = JSON.parse(execFileSync(PY, ['-c', script], { input: JSON.stringify(cases) }).toString()) as number[];
    cases.forEach((c, i) => {
      const ours = ssim(c.a, c.b, c.w, c.h, { window: c.gaussian ? 'gaussian' : 'uniform', dataRange: c.L });
      expect(Math.abs(ours - expected[i]), JSON.stringify({ w: c.w, h: c.h, gaussian: c.gaussian, L: c.L })).toBeLessThan(1e-10);
    });
  });
});
