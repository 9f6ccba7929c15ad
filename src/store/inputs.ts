/**
 * What a result was computed from, as a key the store compares: the model's and image's SHA-256 and the
 * preprocessing. A result is drawn over the image on screen only when its key equals the screen's.
 */
import type { PreprocessConfig } from '../engine/image/preprocess';
import type { AppState } from './types';

export interface InputsKey {
  modelSha256: string;
  imageSha256: string;
  preprocess: PreprocessConfig;
}

/** The inputs on screen now, or undefined while the model or image is missing. */
export function screenInputs(s: Pick<AppState, 'model' | 'image' | 'preprocess'>): InputsKey | undefined {
  if (!s.model || !s.image || !s.preprocess) return undefined;
  return { modelSha256: s.model.fingerprint, imageSha256: s.image.sha256, preprocess: s.preprocess };
}

function samePreprocess(a: PreprocessConfig, b: PreprocessConfig): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof PreprocessConfig>;
  for (const k of keys) if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) return false;
  return true;
}

export function sameInputs(a: InputsKey | undefined, b: InputsKey | undefined): boolean {
  return !!a && !!b && a.modelSha256 === b.modelSha256 && a.imageSha256 === b.imageSha256 && samePreprocess(a.preprocess, b.preprocess);
}
