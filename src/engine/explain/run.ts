/**
 * One explanation run as the worker and the CLI do it: the method, then (when asked) the deletion/insertion
 * curves of its map for the first class, attached to the result. Progress of both phases goes to the same
 * callback; cancelling stops either.
 */
import { faithfulness, type FaithfulnessParams } from './faithfulness';
import type { Explainer, ExplainRequest, Explanation } from './types';

export async function explainWithMetrics(explainer: Explainer<unknown>, request: ExplainRequest<unknown>, metrics?: FaithfulnessParams): Promise<Explanation> {
  const result = await explainer.explain(request);
  if (!metrics) return result;
  result.metrics = await faithfulness({
    model: request.model,
    image: request.image,
    preprocess: request.preprocess,
    target: result.target,
    map: result.map,
    params: metrics,
    signal: request.signal,
    onProgress: request.onProgress,
  });
  return result;
}
