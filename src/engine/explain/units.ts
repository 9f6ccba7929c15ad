/** What a result's values are, in words: the score space and the method's kind of attribution. */
import { descriptorOf } from './registry';
import type { Explanation } from './types';

/** The score space in words: probabilities, the model's own outputs, or the logits before its softmax. */
export function scoreSpaceLabel(space: Explanation['scoreSpace']): string {
  if (space === 'probability') return 'class probability';
  if (space === 'logits') return 'logit (before the model’s softmax)';
  return 'raw model output';
}

export function describeUnits(result: Pick<Explanation, 'method' | 'scoreSpace'>): string {
  return descriptorOf(result.method).values.replace('{score}', scoreSpaceLabel(result.scoreSpace));
}
