/** What explanation and comparison runs share: the pre-run check, the targets, and the job sent to the worker. */
import { GlassboxError } from '../../engine/errors';
import { methodUnavailable } from '../../engine/explain/availability';
import { descriptorOf, isMethodId, type MethodId } from '../../engine/explain/registry';
import { validateParams } from '../../engine/explain/schema';
import type { BatchProbe, ExplainJob } from '../../worker-api';
import { paramsForJob } from '../explain-settings';
import type { GetState } from '../types';

/** Throws a clear error when the method cannot run with its settings on this model (nothing invalid reaches the worker). */
export function checkMethod(get: GetState, method: MethodId): void {
  const { explainSettings, preprocess, support } = get();
  if (!isMethodId(method)) throw new GlassboxError('PARAM_INVALID', `Unknown method "${String(method)}".`);
  validateParams(descriptorOf(method), paramsForJob(explainSettings, method), { width: preprocess?.width ?? 0, height: preprocess?.height ?? 0 });
  const why = methodUnavailable(method, support, explainSettings.layer);
  if (why) throw new GlassboxError('GRADIENT_UNSUPPORTED', why);
  if (!Number.isInteger(explainSettings.seed) || explainSettings.seed < 0) throw new GlassboxError('PARAM_INVALID', `The seed must be a whole number ≥ 0 (got ${explainSettings.seed}).`);
  if (!Number.isInteger(explainSettings.topLabels) || explainSettings.topLabels < 1) throw new GlassboxError('PARAM_INVALID', 'Explain at least one class.');
}

/** The selected class first, then the next ones of the ranking. */
export function targetsToExplain(get: GetState, count: number): number[] {
  const { prediction, target } = get();
  const probabilities = prediction!.ranked.probabilities;
  const ranking = Array.from({ length: probabilities.length }, (_, i) => i).sort((a, b) => probabilities[b] - probabilities[a] || a - b);
  const first = target ?? ranking[0];
  return [first, ...ranking.filter((i) => i !== first)].slice(0, count);
}

/** Key of what is measured per model and backend (time per row, the batch probe): '' without a model. */
export const rowKey = (s: Pick<ReturnType<GetState>, 'model'>) => (s.model ? `${s.model.fingerprint}:${s.model.backend}` : '');

/** The current model's probe (batch-probe.ts), when it was measured for this model and backend. */
export function currentProbe(state: Pick<ReturnType<GetState>, 'batchProbe' | 'model'>): BatchProbe | undefined {
  const { batchProbe } = state;
  return batchProbe && batchProbe.key === rowKey(state) ? batchProbe : undefined;
}

/**
 * The batch size runs use where a method's is at its default: the probed one (models on WebGPU only are probed:
 * model.ts). A probe that ran out of time did not see where the time per image stops falling, so its best is no
 * optimum (a software adapter stops after batch 1): shown, not used.
 */
export function autoBatch(state: Pick<ReturnType<GetState>, 'batchProbe' | 'model'>): number | undefined {
  const probe = currentProbe(state);
  return probe && probe.stoppedBy !== 'budget' ? probe.best : undefined;
}

export function jobFor(get: GetState, method: MethodId, targets: number[]): ExplainJob {
  const { explainSettings, preprocess, prediction } = get();
  return {
    method,
    params: paramsForJob(explainSettings, method, autoBatch(get())),
    targets,
    seed: explainSettings.seed,
    preprocess: preprocess!,
    metrics: explainSettings.metrics ?? undefined,
    labels: prediction?.labels.labels,
  };
}

export function labelOf(get: GetState, target: number): string {
  return get().prediction?.labels.labels[target] ?? `class ${target}`;
}
