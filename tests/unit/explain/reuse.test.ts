/** The reuse cache (issue 14.6): row prefixes, values computed once, least recently used forgotten first. */
import { describe, expect, it } from 'vitest';
import { createStats, evaluateRows } from '../../../src/engine/explain/evaluate';
import { createReuseCache, reuseKey } from '../../../src/engine/explain/reuse';
import type { Model } from '../../../src/engine/runtime/ort-runtime';

describe('reuse cache', () => {
  it('keeps rows as a prefix: only the next row extends it, a stored row reads back as stored', () => {
    const cache = createReuseCache();
    const rows = cache.rows('a', 3);
    rows.append(1, [9, 9, 9]); // not the next row: ignored
    expect(rows.count).toBe(0);
    for (let r = 0; r < 600; r++) rows.append(r, [r, r + 0.5, -r]);
    expect(rows.count).toBe(600);
    expect(Array.from(rows.get(257)!)).toEqual([257, 257.5, -257]);
    expect(rows.get(600)).toBeUndefined();
    // the same key and width is the same store; another width starts afresh
    expect(cache.rows('a', 3).count).toBe(600);
    expect(cache.rows('a', 4).count).toBe(0);
  });

  it('computes a value once per key and forgets the least recently used entry when over its budget', () => {
    const cache = createReuseCache(3 * 1024);
    let made = 0;
    const make = () => (made++, new Float32Array(256)); // 1 KB
    cache.value('x', make);
    cache.value('y', make);
    cache.value('x', make); // x used again: y is now the oldest
    expect(made).toBe(2);
    expect(cache.stats.valuesReused).toBe(1);
    cache.value('z', make);
    cache.value('w', make); // over 3 KB: y goes
    expect(cache.bytes()).toBeLessThanOrEqual(3 * 1024);
    cache.value('x', make);
    expect(made).toBe(4);
    cache.value('y', make);
    expect(made).toBe(5);
  });

  it('a store evicted while in use stops growing (its rows are not counted twice)', () => {
    const cache = createReuseCache(2048);
    const a = cache.rows('a', 1);
    for (let r = 0; r < 256; r++) a.append(r, [r]); // one 1 KB chunk
    const b = cache.rows('b', 1);
    for (let r = 0; r < 512; r++) b.append(r, [r]); // two chunks: a is evicted
    expect(cache.rows('a', 1).count).toBe(0);
    a.append(256, [1]);
    expect(cache.bytes()).toBeLessThanOrEqual(2048);
  });

  it('keys do not depend on the order of object fields, and long label arrays are digested', () => {
    expect(reuseKey({ a: 1, b: { c: 2, d: 3 } })).toBe(reuseKey({ b: { d: 3, c: 2 }, a: 1 }));
    const labels = Array.from({ length: 5000 }, (_, i) => i % 7);
    const key = reuseKey({ labels });
    expect(key.length).toBeLessThan(100);
    expect(key).not.toBe(reuseKey({ labels: labels.map((v, i) => (i === 4000 ? v + 1 : v)) }));
  });
});

describe('evaluateRows with stored rows', () => {
  /** A model whose score of a row is the sum of its input, counting calls and rows. */
  const counting = (dynamicBatch: boolean) => {
    const calls: number[] = [];
    const model = {
      spec: { dynamicBatch, numClasses: 2 },
      run: async (input: Float32Array, dims: number[]) => {
        calls.push(dims[0]);
        const per = input.length / dims[0];
        const out = new Float32Array(dims[0] * 2);
        for (let b = 0; b < dims[0]; b++) {
          let s = 0;
          for (let i = 0; i < per; i++) s += input[b * per + i];
          out[b * 2] = s;
          out[b * 2 + 1] = -s;
        }
        return out;
      },
    } as unknown as Model;
    return { model, calls };
  };
  const preprocess = { width: 2, height: 1, channels: 1, layout: 'NCHW' } as never;

  it('runs only the rows the store lacks, in the batch they fall in, and hands every row the same scores', async () => {
    const cache = createReuseCache();
    const { model, calls } = counting(true);
    const collect = async (total: number) => {
      const stats = createStats();
      const seen: number[] = [];
      const written: number[] = [];
      const stored: number[] = [];
      await evaluateRows({ model, preprocess, batchSize: 4, stats, phase: 't', rows: cache.rows('s', 2) }, total, (row, out, o, isStored) => {
        written.push(row);
        if (isStored) stored.push(row);
        out[o] = row;
        out[o + 1] = 1;
      }, (row, raw) => (seen[row] = raw[0]));
      return { seen, written, stored, stats };
    };
    const first = await collect(6);
    expect(calls).toEqual([4, 2]);
    expect(first.seen).toEqual([1, 2, 3, 4, 5, 6]);
    calls.length = 0;
    const second = await collect(10);
    // rows 0–5 stored: batch 0–3 none run, batch 4–7 runs rows 6 and 7 only, then 8–9
    expect(calls).toEqual([2, 2]);
    expect(second.seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(second.written).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // every row is still asked for (samplers advance there)
    expect(second.stored).toEqual([0, 1, 2, 3, 4, 5]); // … told which need no input
    expect(second.stats).toMatchObject({ modelCalls: 2, rows: 4, reusedRows: 6 });
  });
});
