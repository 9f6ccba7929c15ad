import { GlassboxError } from '../errors';
import type { SlicParams } from './slic';

export function validateSlicParams(p: SlicParams): void {
  const bad = (message: string) => {
    throw new GlassboxError('PARAM_INVALID', `SLIC: ${message}`, 'Fix the segmentation settings.');
  };
  if (!Number.isInteger(p.nSegments) || p.nSegments < 1) bad(`the number of segments must be a whole number ≥ 1 (got ${p.nSegments}).`);
  if (!(p.compactness > 0) || !Number.isFinite(p.compactness)) bad(`compactness must be a positive number (got ${p.compactness}).`);
  if (!(p.sigma >= 0) || !Number.isFinite(p.sigma)) bad(`the smoothing sigma must be ≥ 0 (got ${p.sigma}).`);
  if (!Number.isInteger(p.maxIterations) || p.maxIterations < 1 || p.maxIterations > 100) bad(`iterations must be a whole number from 1 to 100 (got ${p.maxIterations}).`);
  if (!(p.minSizeFactor >= 0 && p.minSizeFactor <= 1)) bad(`the minimum size factor must be in [0, 1] (got ${p.minSizeFactor}).`);
  if (!(p.maxSizeFactor >= 1) || !Number.isFinite(p.maxSizeFactor)) bad(`the maximum size factor must be ≥ 1 (got ${p.maxSizeFactor}).`);
}
