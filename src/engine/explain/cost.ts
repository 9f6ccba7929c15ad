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

/** Rows of the deletion and insertion curves (each curve: the start and `steps` points). */
export function curvesRows(steps: number): number {
  return 2 * (steps + 1);
}
