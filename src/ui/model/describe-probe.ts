/** The batch-size probe (engine/runtime/batch-probe.ts) in words, for the model panel. */
import type { BatchProbe } from '../../worker-api';

const ms = (v: number) => (v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : v.toFixed(2));

/** The probe in words: where the model is fastest per image and against batch 1. */
export function describeProbe(probe: BatchProbe): string {
  const best = probe.perImageMs[probe.best];
  const single = probe.perImageMs[1];
  const against = probe.best !== 1 && single !== undefined ? ` (batch 1: ${ms(single)} ms, ${(single / best).toFixed(1)}× slower)` : '';
  const largest = Math.max(...Object.keys(probe.perImageMs).map(Number));
  const limit = probe.stoppedBy === 'budget' ? ` (measured up to batch ${largest} in the time allowed)` : '';
  return `fastest per image at batch ${probe.best}: ${ms(best)} ms per image${against}${limit}`;
}
