/** The batch-size probe (issue 14.3): with a simulated model whose cost per call is known, it picks the batch it must. */
import { describe, expect, it } from 'vitest';
import { probeBatchSize } from '../../../src/engine/runtime/batch-probe';

/** A model whose call on `batch` images costs fixed + perImage·batch ms of a simulated clock; fails above `limit`. */
function simulated(fixed: number, perImage: number, limit = Infinity) {
  let clock = 0;
  const calls: number[] = [];
  return {
    calls,
    now: () => clock,
    run: async (batch: number) => {
      calls.push(batch);
      if (batch > limit) throw new Error('out of memory');
      clock += fixed + perImage * batch;
    },
  };
}

describe('probeBatchSize', () => {
  it('a model with a large cost per call (a GPU): the largest batch the budget allows', async () => {
    const m = simulated(20, 0.5);
    const probe = await probeBatchSize(m.run, { rowBytes: 1000, now: m.now, budgetMs: 10_000 });
    expect(probe.best).toBe(64);
    expect(probe.stoppedBy).toBe('largest');
    expect(probe.perImageMs[1]).toBeCloseTo(20.5, 9);
    expect(probe.perImageMs[64]).toBeCloseTo(20 / 64 + 0.5, 9);
  });

  it('a model whose time per image does not fall with the batch: batch 1, stopping after three flat steps', async () => {
    const m = simulated(0.1, 30);
    const probe = await probeBatchSize(m.run, { rowBytes: 1000, now: m.now, budgetMs: 10_000 });
    expect(probe.best).toBe(1);
    expect(probe.stoppedBy).toBe('flat');
    expect(Object.keys(probe.perImageMs).map(Number)).toEqual([1, 2, 4, 8]);
  });

  it('a gain that pauses for two batches is still found; one slow call does not decide, the fastest does', async () => {
    let clock = 0;
    let calls = 0;
    // 1 ms per image at batches 1, 2 and 4, 0.25 ms from 8 (a tiny model: the gain starts late); every third call
    // is interrupted for 50 ms
    const run = async (batch: number) => {
      clock += batch * (batch >= 8 ? 0.25 : 1) + (++calls % 3 === 0 ? 50 : 0);
    };
    const probe = await probeBatchSize(run, { rowBytes: 1000, now: () => clock, budgetMs: 10_000 });
    expect(probe.best).toBe(8);
    expect(probe.perImageMs[1]).toBe(1);
    expect(probe.perImageMs[8]).toBe(0.25);
  });

  it('a run that fails (out of GPU memory) ends the probe with the best batch that ran', async () => {
    const m = simulated(20, 0.5, 16);
    const probe = await probeBatchSize(m.run, { rowBytes: 1000, now: m.now, budgetMs: 10_000 });
    expect(probe).toMatchObject({ best: 16, stoppedBy: 'failed' });
  });

  it('never tries a batch whose buffer would pass the size limit, nor one that would overrun the time budget', async () => {
    const big = simulated(20, 0.5);
    const byMemory = await probeBatchSize(big.run, { rowBytes: 600_000, maxBufferBytes: 5_000_000, now: big.now, budgetMs: 10_000 });
    expect(byMemory).toMatchObject({ best: 8, stoppedBy: 'memory' });
    expect(Math.max(...big.calls)).toBe(8);
    const slow = simulated(50, 10);
    const byTime = await probeBatchSize(slow.run, { rowBytes: 1000, now: slow.now, budgetMs: 1000 });
    expect(byTime.stoppedBy).toBe('budget');
    expect(slow.now()).toBeLessThanOrEqual(1000);
  });
});
