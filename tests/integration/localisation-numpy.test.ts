/**
 * Localisation metrics and mask alignment agree with an independent NumPy re-implementation (TorchRay's pointing
 * test, np.argsort(kind='stable') ranks, pairwise AUC, torchvision's Resize/CenterCrop arithmetic) run with Debian's
 * /usr/bin/python3: within 1e-9 for ratios, exactly for hits, points and counts, on random maps with and without ties.
 * In CI a python3 without numpy fails this file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultPreprocess, type PreprocessConfig } from '../../src/engine/image/preprocess';
import { createRng, type Rng } from '../../src/engine/math/rng';
import { localisationMetrics, type LocalisationOptions } from '../../src/engine/metrics/localisation';
import { alignMask, type Mask } from '../../src/engine/metrics/mask';

const PYTHON = '/usr/bin/python3';
const TOLERANCE = 1e-9;

const hasNumpy = fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
if (!hasNumpy) {
  const why = `${PYTHON} with numpy not found (Debian: apt-get install python3-numpy)`;
  if (process.env.CI) throw new Error(`${why}: required in CI.`);
  console.warn(`[skip] ${why}: the NumPy localisation cross-check is skipped.`);
}

const METRICS_PY = String.raw`
import json, math, sys
import numpy as np

def metrics(c):
    w, h = c['width'], c['height']
    m = np.array(c['map'], dtype=np.float64)
    s = np.array(c['mask'], dtype=bool)
    n = w * h
    tol = c['tolerance'] if c['tolerance'] is not None else 15.0 * min(w, h) / 224.0
    # TorchRay PointingGame.evaluate on the flat argmax (first maximum).
    best = int(np.argmax(m))
    px, py = best % w, best // w
    v, u = np.meshgrid((np.arange(h, dtype=np.float64) - py) ** 2, (np.arange(w, dtype=np.float64) - px) ** 2, indexing='ij')
    hit = bool((s.reshape(h, w) & ((v + u) < tol ** 2)).any())
    tied = int((m == m.max()).sum())
    pos = np.maximum(m, 0.0)
    total = pos.sum()
    mass = float(pos[s].sum() / total) if total > 0 else None
    order = np.argsort(-m, kind='stable')
    area = int(s.sum())
    rank = float(s[order[:area]].sum() / area) if area > 0 else None
    frac = c['topKFraction']
    k = area if frac is None else min(n, int(math.floor(frac * n + 0.5)))
    top = np.zeros(n, dtype=bool)
    top[order[:k]] = True
    inter = int((top & s).sum())
    union = int((top | s).sum())
    iou = inter / union if union > 0 else None
    dice = 2 * inter / (k + area) if k + area > 0 else None
    p, q = m[s], m[~s]
    if len(p) and len(q):
        d = p[:, None] - q[None, :]
        auc = float(((d > 0).sum() + 0.5 * (d == 0).sum()) / (len(p) * len(q)))
    else:
        auc = None
    return dict(hit=hit, point=[px, py], tiedMaxima=tied, tolerancePx=tol, relevanceMass=mass, rankAccuracy=rank,
                iou=iou, dice=dice, topKPixels=k, auc=auc, maskFraction=area / n)

def align(c):
    # torchvision Resize(int) + CenterCrop, then nearest neighbour on model pixel centres.
    mw, mh, ow, oh = c['maskWidth'], c['maskHeight'], c['origWidth'], c['origHeight']
    W, H = c['width'], c['height']
    if c['resize'] == 'stretch':
        rw, rh, cx, cy = W, H, 0, 0
    else:
        size = int(round(max(W, H) / c['cropFraction']))
        if ow <= oh:
            rw, rh = size, int(size * oh / ow)
        else:
            rw, rh = int(size * ow / oh), size
        rw, rh = max(rw, W), max(rh, H)
        cx, cy = int(round((rw - W) / 2.0)), int(round((rh - H) / 2.0))
    mask = np.array(c['mask'], dtype=np.uint8).reshape(mh, mw)
    cols = np.clip(np.floor((cx + np.arange(W) + 0.5) * mw / rw).astype(int), 0, mw - 1)
    rows = np.clip(np.floor((cy + np.arange(H) + 0.5) * mh / rh).astype(int), 0, mh - 1)
    return mask[rows][:, cols].reshape(-1).tolist()

job = json.load(open(sys.argv[1]))
json.dump(dict(metrics=[metrics(c) for c in job['metrics']], align=[align(c) for c in job['align']]), open(sys.argv[2], 'w'))
`;

interface MetricsCase {
  width: number;
  height: number;
  map: number[];
  mask: number[];
  tolerance: number | null;
  topKFraction: number | null;
}

function randomMask(rng: Rng, width: number, height: number, kind: number): Uint8Array {
  const data = new Uint8Array(width * height);
  if (kind === 0) return data; // empty
  if (kind === 1) return data.fill(1); // full
  if (kind === 2) {
    const p = 0.1 + 0.6 * rng.float();
    for (let i = 0; i < data.length; i++) data[i] = rng.float() < p ? 1 : 0;
    return data;
  }
  const x0 = rng.int(width), y0 = rng.int(height);
  const x1 = x0 + 1 + rng.int(width - x0), y1 = y0 + 1 + rng.int(height - y0);
  for (let y = y0; y < y1; y++) data.fill(1, y * width + x0, y * width + x1);
  return data;
}

function randomMap(rng: Rng, n: number, kind: number): Float32Array {
  const map = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 0) map[i] = rng.normal(); // continuous: signed, almost no ties
    else if (kind === 1) map[i] = rng.int(5) - 1; // integers −1 … 3: many ties, tied maxima
    else if (kind === 2) map[i] = -1 - rng.float(); // negative only
    else map[i] = Math.round(rng.float() * 4) / 4; // quarters 0 … 1, ties, non-negative
  }
  return map;
}

function metricsCases(): MetricsCase[] {
  const rng = createRng(20261130);
  const cases: MetricsCase[] = [];
  for (let c = 0; c < 24; c++) {
    const width = 3 + rng.int(22), height = 3 + rng.int(22);
    const maskKind = c === 3 ? 0 : c === 7 ? 1 : 2 + rng.int(2);
    const mapKind = c % 4;
    const mask = randomMask(rng, width, height, maskKind);
    const map = c === 11 ? new Float32Array(width * height).fill(0.5) : randomMap(rng, width * height, mapKind);
    cases.push({
      width,
      height,
      map: Array.from(map),
      mask: Array.from(mask),
      tolerance: c % 3 === 0 ? null : 0.5 + rng.float() * 6,
      topKFraction: c % 2 === 0 ? null : Math.round(rng.float() * 100) / 100,
    });
  }
  return cases;
}

interface AlignCase {
  maskWidth: number;
  maskHeight: number;
  origWidth: number;
  origHeight: number;
  width: number;
  height: number;
  resize: PreprocessConfig['resize'];
  cropFraction: number;
  mask: number[];
}

function alignCases(): AlignCase[] {
  const rng = createRng(7);
  const sizes: [number, number, number, number, number, number][] = [
    // original w, h; mask w, h; model w, h
    [320, 240, 320, 240, 224, 224],
    [240, 320, 120, 160, 224, 224],
    [97, 61, 97, 61, 32, 32],
    [61, 97, 61, 97, 40, 24],
    [50, 50, 50, 50, 28, 28],
    [513, 301, 513, 301, 64, 48],
  ];
  const out: AlignCase[] = [];
  for (const [origWidth, origHeight, maskWidth, maskHeight, width, height] of sizes) {
    for (const [resize, cropFraction] of [['crop', 224 / 256], ['crop', 0.8], ['stretch', 1]] as const) {
      const mask = randomMask(rng, maskWidth, maskHeight, 2);
      out.push({ maskWidth, maskHeight, origWidth, origHeight, width, height, resize, cropFraction, mask: Array.from(mask) });
    }
  }
  return out;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-localisation-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!hasNumpy)('localisation metrics = NumPy re-implementation', () => {
  const cases = metricsCases();
  const aligns = alignCases();
  let python: { metrics: Record<string, unknown>[]; align: number[][] } | undefined;
  const runPython = () => {
    if (python) return python;
    const script = path.join(tmp, 'localisation.py');
    const input = path.join(tmp, 'job.json');
    const output = path.join(tmp, 'out.json');
    fs.writeFileSync(script, METRICS_PY);
    fs.writeFileSync(input, JSON.stringify({ metrics: cases, align: aligns }));
    execFileSync(PYTHON, [script, input, output], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    python = JSON.parse(fs.readFileSync(output, 'utf8')) as { metrics: Record<string, unknown>[]; align: number[][] };
    return python;
  };

  it(`${cases.length} random maps and masks (ties, negative-only, constant, empty and full masks) agree`, () => {
    const { metrics } = runPython();
    const close = (label: string, got: number | undefined, want: unknown) => {
      if (want === null) expect(got, label).toBeUndefined();
      else expect(Math.abs((got as number) - (want as number)), `${label}: engine ${got}, numpy ${String(want)}`).toBeLessThanOrEqual(TOLERANCE);
    };
    let tiedCases = 0;
    cases.forEach((c, i) => {
      const mask: Mask = { width: c.width, height: c.height, data: Uint8Array.from(c.mask) };
      const options: LocalisationOptions = {};
      if (c.tolerance !== null) options.tolerancePx = c.tolerance;
      if (c.topKFraction !== null) options.topKFraction = c.topKFraction;
      const got = localisationMetrics(Float32Array.from(c.map), mask, options);
      const want = metrics[i];
      const label = `case ${i} (${c.width}×${c.height})`;
      expect(got.pointing.hit, `${label} hit`).toBe(want.hit);
      expect(got.pointing.point, `${label} point`).toEqual(want.point);
      expect(got.pointing.tiedMaxima, `${label} tied maxima`).toBe(want.tiedMaxima);
      close(`${label} tolerance`, got.pointing.tolerancePx, want.tolerancePx);
      close(`${label} relevance mass`, got.relevanceMass, want.relevanceMass);
      close(`${label} rank accuracy`, got.rankAccuracy, want.rankAccuracy);
      close(`${label} IoU`, got.iou, want.iou);
      close(`${label} Dice`, got.dice, want.dice);
      close(`${label} AUC`, got.auc, want.auc);
      close(`${label} mask fraction`, got.maskFraction, want.maskFraction);
      expect(Math.round(got.topKFraction * c.width * c.height), `${label} top-k pixels`).toBe(want.topKPixels);
      if ((want.tiedMaxima as number) > 1) tiedCases++;
    });
    expect(tiedCases, 'cases with tied maxima').toBeGreaterThanOrEqual(5);
  });

  it(`${aligns.length} masks aligned through crop and stretch pipelines agree pixel for pixel`, () => {
    const { align } = runPython();
    aligns.forEach((c, i) => {
      const cfg: PreprocessConfig = { ...defaultPreprocess(c.width, c.height), resize: c.resize, cropFraction: c.cropFraction };
      const got = alignMask({ width: c.maskWidth, height: c.maskHeight, data: Uint8Array.from(c.mask) }, cfg, { width: c.origWidth, height: c.origHeight });
      expect([got.width, got.height]).toEqual([c.width, c.height]);
      const label = `case ${i}: ${c.origWidth}×${c.origHeight} (mask ${c.maskWidth}×${c.maskHeight}) → ${c.resize} ${c.width}×${c.height}`;
      expect(Array.from(got.data), label).toEqual(align[i]);
    });
  });
});
