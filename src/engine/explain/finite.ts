/**
 * No silent garbage: NaN or ±Infinity in what a method computes from (model scores on perturbed inputs,
 * gradients) stops the run with an error saying where it appeared, instead of a map drawn from it.
 */
import { GlassboxError } from '../errors';

/** Throws INFERENCE_FAILED when `values` hold NaN/Infinity; `where` names the tensor ("the gradient at layer "x""). */
export function assertFinite(values: ArrayLike<number>, where: string, rowSize = values.length, firstRow = 0, rowName = 'input'): void {
  let first = -1, nan = 0, infinite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) continue;
    if (first < 0) first = i;
    if (Number.isNaN(v)) nan++;
    else infinite++;
  }
  if (first < 0) return;
  const what = [nan ? `${nan} NaN` : '', infinite ? `${infinite} infinite` : ''].filter(Boolean).join(' and ');
  const row = rowSize > 0 ? Math.floor(first / rowSize) : 0;
  throw new GlassboxError(
    'INFERENCE_FAILED',
    `${where[0].toUpperCase()}${where.slice(1)} held ${what} value${nan + infinite > 1 ? 's' : ''} (first in ${rowName} ${firstRow + row}, element ${first - row * rowSize}): a map drawn from it would mean nothing, so the run stopped.`,
    'Check the model in its own framework on this input. A float16 model overflows above 65504; a division by zero, a log of zero or a square root at zero in the graph gives NaN or infinite gradients.',
  );
}
