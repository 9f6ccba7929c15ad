/** The result file's context for a history entry: the model and image it names, where it ran, which Glassbox. */
import type { ResultContext } from '../../engine/export/result-json';
import type { ExplanationState } from '../../store/app-store';

export const GLASSBOX_VERSION = typeof __GLASSBOX_VERSION__ === 'string' ? __GLASSBOX_VERSION__ : 'dev';

export function resultContextOf(entry: ExplanationState): ResultContext {
  const run = entry.runContext;
  return {
    glassbox: run?.glassbox ?? GLASSBOX_VERSION,
    model: { name: entry.modelName, sha256: entry.inputs.modelSha256, inputs: run?.modelInputs ?? [], outputs: run?.modelOutputs ?? [] },
    image: { name: entry.imageName, sha256: entry.inputs.imageSha256 },
    backend: run?.backend ?? 'unknown',
    threads: run?.threads ?? 1,
  };
}

/** A file name's stem for an entry: `<image>-<method>`. */
export const stemOf = (entry: ExplanationState) => `${entry.imageName.replace(/\.[^.]+$/, '') || 'image'}-${entry.result.method}`;
