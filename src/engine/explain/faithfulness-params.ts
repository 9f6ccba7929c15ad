/** The deletion/insertion curves' settings (data only, so the UI and store can import it without engine code). */
import { GlassboxError } from '../errors';

export interface FaithfulnessParams {
  /** Points on each curve after the start (the RISE code: 224 px per step on 224×224, i.e. 224 steps). */
  steps: number;
  deletionSubstrate: 'black' | 'blur';
  insertionSubstrate: 'blur' | 'black';
  blurSigma: number;
  batchSize: number;
}

export const FAITHFULNESS_DEFAULTS: FaithfulnessParams = { steps: 32, deletionSubstrate: 'black', insertionSubstrate: 'blur', blurSigma: 5, batchSize: 32 };

export function validateFaithfulnessParams(p: FaithfulnessParams): void {
  const bad = (m: string) => {
    throw new GlassboxError('PARAM_INVALID', `Deletion/insertion: ${m}`);
  };
  if (!Number.isInteger(p.steps) || p.steps < 2 || p.steps > 4096) bad(`steps must be a whole number from 2 to 4096 (got ${p.steps}).`);
  if (!['black', 'blur'].includes(p.deletionSubstrate) || !['black', 'blur'].includes(p.insertionSubstrate)) bad('substrates are "black" or "blur".');
  if (!(p.blurSigma > 0)) bad(`the blur sigma must be positive (got ${p.blurSigma}).`);
  if (!Number.isInteger(p.batchSize) || p.batchSize < 1 || p.batchSize > 1024) bad(`the batch size must be a whole number from 1 to 1024 (got ${p.batchSize}).`);
}
