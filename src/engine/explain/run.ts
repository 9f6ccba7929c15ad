/**
 * One explanation run as the worker and the CLI do it: validate the parameters against the method's descriptor,
 * load its engine code, run it, stamp the result with what it was computed from (model and image SHA-256, the
 * preprocessing, the target's label) and what its values mean, then (when asked) add the deletion/insertion
 * curves of its map for the first class. Progress of both phases goes to the same callback; cancelling stops either.
 */
import { describeUnits } from './units';
import { faithfulness } from './faithfulness';
import type { FaithfulnessParams } from './faithfulness-params';
import { assessQuality } from './quality';
import { descriptorOf, loadExplainer, type MethodId } from './registry';
import { validateParams } from './schema';
import type { ExplainRequest, Explanation } from './types';

export interface RunOptions {
  metrics?: FaithfulnessParams;
  /** Class names by index, for the result's targetLabel. */
  labels?: readonly string[];
}

export async function runMethod(method: MethodId, request: ExplainRequest<unknown>, options: RunOptions = {}): Promise<Explanation> {
  const meta = descriptorOf(method);
  validateParams(meta, request.params as never, { width: request.preprocess.width, height: request.preprocess.height });
  const explainer = await loadExplainer(method);
  const result = await explainer.explain(request as ExplainRequest<never>);
  result.units = describeUnits(result);
  result.quality = assessQuality(result, { outputsProbabilities: request.model.spec.outputKind === 'probabilities' });
  const label = options.labels?.[result.target];
  if (label !== undefined) result.targetLabel = label;
  if (request.inputs) result.provenance = { ...request.inputs, preprocess: { ...request.preprocess } };
  if (!options.metrics) return result;
  result.metrics = await faithfulness({
    model: request.model,
    image: request.image,
    preprocess: request.preprocess,
    target: result.target,
    map: result.map,
    params: options.metrics,
    randomSeed: request.seed,
    signal: request.signal,
    onProgress: request.onProgress,
    inputs: request.inputs,
    reuse: request.reuse,
  });
  return result;
}
