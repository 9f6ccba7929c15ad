/** What a run will cost before it starts: input rows through the model and model calls, from the descriptor. */
import type { CostContext, MethodDescriptor } from './descriptor';
import { batchCapacity } from './evaluate';

export interface RunCost {
  rows: number;
  calls: number;
}

export function runCost<P>(meta: MethodDescriptor<P>, params: P, context: CostContext & { dynamicBatch: boolean }): RunCost {
  const rows = Math.max(1, Math.round(meta.rows(params, context)));
  const batch = (params as { batchSize?: number }).batchSize ?? 1;
  const phases = meta.phases?.(params, context) ?? [rows];
  const calls = phases.reduce((sum, n) => sum + (n > 0 ? Math.ceil(n / batchCapacity(context.dynamicBatch, batch, n)) : 0), 0);
  return { rows, calls };
}

/**
 * Rows of the deletion and insertion curves: each map's inner steps (2(n − 1)), plus — unless an earlier map of
 * the same model and image already paid for them (`shared` known) — the random order's inner steps and the
 * three images the curves start and end at (faithfulness.ts).
 */
export function curvesRows(steps: number, sharedKnown = false): number {
  const own = 2 * (steps - 1);
  return sharedKnown ? own : own + 2 * (steps - 1) + 3;
}
