/** Dataset summaries: seeded, deterministic bootstraps that depend on the rows only, so shards merge exactly. */
import { describe, expect, it } from 'vitest';
import {
  AGGREGATE_METRICS,
  bootstrapMean,
  createAggregate,
  mergeAggregates,
  summaryFromRows,
  type EvaluationRow,
} from '../../../src/engine/evaluate/aggregate';
import { createRng } from '../../../src/engine/math/rng';

/** Rows for 2 models × 2 methods over `images` images, with seeded metric values (some missing). */
function rows(images: number, seed = 1): EvaluationRow[] {
  const rng = createRng(seed);
  const out: EvaluationRow[] = [];
  for (let i = 0; i < images; i++) {
    for (const model of ['shapes', 'shortcut']) {
      for (const method of ['gradcam', 'rise']) {
        out.push({
          image: `img-${String(i).padStart(3, '0')}.png`,
          model,
          method,
          target: i % 4,
          label: `class ${i % 4}`,
          predicted: i % 4,
          score: rng.float(),
          pointing: rng.float() < 0.8,
          relevanceMass: rng.float(),
          rankAccuracy: rng.float(),
          iou: rng.float(),
          dice: rng.float(),
          auc: i % 7 === 0 ? undefined : rng.float(),
          deletionAuc: method === 'rise' ? rng.float() : undefined,
          insertionAuc: method === 'rise' ? rng.float() : undefined,
          ms: 10 + rng.float() * 5,
          modelCalls: 2,
          seed: 0,
        });
      }
    }
  }
  return out;
}

function shuffled<T>(items: T[], seed: number): T[] {
  const rng = createRng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('bootstrapMean', () => {
  it('is seeded: the same seed gives the same interval, another seed another one', () => {
    const values = Float64Array.from({ length: 40 }, (_, i) => (i * 7919) % 13);
    const a = bootstrapMean(values, 5), b = bootstrapMean(values, 5), c = bootstrapMean(values, 6);
    expect(a).toEqual(b);
    expect([c.low, c.high]).not.toEqual([a.low, a.high]);
  });

  it('brackets the mean, and the interval of a 0/1 hit rate lies in [0, 1]', () => {
    const hits = Float64Array.from({ length: 50 }, (_, i) => (i % 5 === 0 ? 0 : 1));
    const s = bootstrapMean(hits, 1);
    expect(s).toMatchObject({ n: 50, mean: 0.8 });
    expect(s.low!).toBeLessThan(0.8);
    expect(s.high!).toBeGreaterThan(0.8);
    expect(s.low!).toBeGreaterThanOrEqual(0);
    expect(s.high!).toBeLessThanOrEqual(1);
  });

  it('a constant metric has a zero-width interval; no values gives n = 0 and no mean', () => {
    expect(bootstrapMean(Float64Array.from([0.5, 0.5, 0.5]), 1)).toEqual({ n: 3, mean: 0.5, low: 0.5, high: 0.5 });
    expect(bootstrapMean(new Float64Array(0), 1)).toEqual({ n: 0 });
  });

  it('matches the normal-theory interval of a mean roughly (1000 resamples, n = 400)', () => {
    const rng = createRng(3);
    const values = Float64Array.from({ length: 400 }, () => rng.normal());
    const s = bootstrapMean(values, 9);
    let m = 0, v = 0;
    values.forEach((x) => (m += x / values.length));
    values.forEach((x) => (v += (x - m) ** 2 / (values.length - 1)));
    const halfWidth = 1.96 * Math.sqrt(v / values.length);
    expect((s.high! - s.low!) / 2).toBeGreaterThan(0.85 * halfWidth);
    expect((s.high! - s.low!) / 2).toBeLessThan(1.15 * halfWidth);
  });
});

describe('summaries', () => {
  it('one group per model × method, in name order, with n per metric (missing values are not counted)', () => {
    const summary = summaryFromRows(rows(21), { seed: 0 });
    expect(summary.groups.map((g) => `${g.model}/${g.method}`)).toEqual(['shapes/gradcam', 'shapes/rise', 'shortcut/gradcam', 'shortcut/rise']);
    const g = summary.groups[0];
    expect(g.rows).toBe(21);
    expect(g.metrics.pointing.n).toBe(21);
    expect(g.metrics.auc.n).toBe(21 - 3); // images 0, 7, 14 have no AUC
    expect(g.metrics.deletionAuc.n).toBe(0);
    expect(summary.groups[1].metrics.deletionAuc.n).toBe(21);
    expect(summary).toMatchObject({ seed: 0, resamples: 1000, level: 0.95 });
  });

  it('pointing accuracy is the hit rate', () => {
    const r = rows(30);
    const group = r.filter((x) => x.model === 'shapes' && x.method === 'gradcam');
    const rate = group.filter((x) => x.pointing).length / group.length;
    expect(summaryFromRows(r, { seed: 0 }).groups[0].metrics.pointing.mean).toBeCloseTo(rate, 12);
  });

  it('is deterministic: the same rows in any order give the same summary bit for bit', () => {
    const r = rows(37);
    const a = summaryFromRows(r, { seed: 4 });
    expect(summaryFromRows(shuffled(r, 1), { seed: 4 })).toEqual(a);
    expect(summaryFromRows([...r].reverse(), { seed: 4 })).toEqual(a);
    expect(summaryFromRows(r, { seed: 5 })).not.toEqual(a);
  });

  it('merging shards (every N-th image) gives exactly the single run’s summary', () => {
    const r = rows(45);
    const single = summaryFromRows(r, { seed: 11 });
    const images = [...new Set(r.map((x) => x.image))].sort();
    for (const count of [2, 3, 7]) {
      const shards = Array.from({ length: count }, (_, index) => {
        const aggregate = createAggregate();
        const mine = new Set(images.filter((_, i) => i % count === index));
        for (const row of r) if (mine.has(row.image)) aggregate.add(row);
        return aggregate;
      });
      const merged = mergeAggregates(...shuffled(shards, count));
      expect(merged.size).toBe(r.length);
      expect(merged.summary({ seed: 11 })).toEqual(single);
    }
  });

  it('a group’s summary does not depend on the other groups (per-group, per-metric generators)', () => {
    const r = rows(25);
    const alone = summaryFromRows(r.filter((x) => x.model === 'shortcut' && x.method === 'rise'), { seed: 2 });
    const all = summaryFromRows(r, { seed: 2 });
    expect(all.groups.find((g) => g.model === 'shortcut' && g.method === 'rise')).toEqual(alone.groups[0]);
  });

  it('stays flat: the aggregate holds a fixed handful of numbers per row and nothing per pixel', () => {
    const aggregate = createAggregate();
    const r = rows(60);
    r.forEach((row) => aggregate.add(row));
    expect(aggregate.valueCount).toBe(r.length * AGGREGATE_METRICS.length);
    let stored = 0;
    for (const group of aggregate.groups.values()) {
      for (const entry of group.entries) {
        expect(Object.keys(entry).sort()).toEqual(['image', 'values']);
        expect(entry.values).toBeInstanceOf(Float64Array);
        stored += entry.values.length;
      }
    }
    expect(stored).toBe(aggregate.valueCount);
  });
});
