/**
 * The stability view's runs: one method, its parameters unchanged, rerun with seeds seed, seed + 1, …, seed + k − 1
 * (each run exactly as runMethod does it, without the deletion/insertion curves), then the statistics of the k maps
 * of the first target (stability.ts). Progress covers all k runs; cancelling stops the run in progress.
 */
import { GlassboxError } from '../errors';
import { now } from '../math/clock';
import { yieldToEventLoop } from './progress';
import type { MethodId } from './registry';
import { runMethod, type RunOptions } from './run';
import { checkStabilityK, stabilityStats, type StabilityStats } from './stability';
import type { ExplainRequest, Explanation } from './types';

export interface StabilityRun {
  method: MethodId;
  /** The seeds, in run order (seed … seed + k − 1). */
  seeds: number[];
  /** One result per seed (same order): each is a complete explanation. */
  results: Explanation[];
  /** Statistics of the k maps of the first target (`results[i].map`). */
  stats: StabilityStats;
  totalMs: number;
}

export async function runStability(method: MethodId, request: ExplainRequest<unknown>, k: number, options: Pick<RunOptions, 'labels'> = {}): Promise<StabilityRun> {
  checkStabilityK(k);
  const started = now();
  const seeds = Array.from({ length: k }, (_, i) => request.seed + i);
  const results: Explanation[] = [];
  const cancelled = () => {
    if (request.signal?.aborted) throw new GlassboxError('CANCELLED', 'The stability run was cancelled.', 'Run it again when ready.');
  };
  for (let i = 0; i < k; i++) {
    // a cancel sent between two runs (quick deterministic methods never reach a batch checkpoint)
    await yieldToEventLoop();
    cancelled();
    const runStarted = now();
    const finishedMs = runStarted - started;
    const result = await runMethod(method, {
      ...request,
      seed: seeds[i],
      onProgress: (p) => {
        // overall progress: run i's own counts shifted by i runs; the time left adds the runs still to come,
        // each taking as long as the finished ones did on average (or as this one will)
        const elapsed = now() - runStarted;
        const perRun = i > 0 ? finishedMs / i : p.etaMs !== undefined ? elapsed + p.etaMs : undefined;
        request.onProgress?.({
          phase: `seed ${seeds[i]} (${i + 1} of ${k}) · ${p.phase}`,
          done: i * p.total + p.done,
          total: k * p.total,
          etaMs: p.etaMs !== undefined && perRun !== undefined ? p.etaMs + (k - 1 - i) * perRun : undefined,
        });
      },
    }, { labels: options.labels });
    results.push(result);
  }
  cancelled();
  const stats = stabilityStats(results.map((r) => r.map));
  return { method, seeds, results, stats, totalMs: now() - started };
}
