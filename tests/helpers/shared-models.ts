/** The real ImageNet models and photos in ../shared/models: used when present, skipped (saying so) when not. */
import fs from 'node:fs';
import path from 'node:path';

export const SHARED_MODELS_DIR = path.resolve(import.meta.dirname, '../../../shared/models');

export function sharedModelsAvailable(): boolean {
  const ok = fs.existsSync(path.join(SHARED_MODELS_DIR, 'squeezenet1.1-fp32.onnx'));
  if (!ok) console.warn(`[skip] ../shared/models not found at ${SHARED_MODELS_DIR}: tests with the real ImageNet models are skipped.`);
  return ok;
}

export const sharedPath = (...parts: string[]) => path.join(SHARED_MODELS_DIR, ...parts);
