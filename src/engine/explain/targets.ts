/** The check every method makes of the classes it is asked to explain. */
import { GlassboxError } from '../errors';

/** Throws PARAM_INVALID (prefixed with the method's name) unless there is at least one target and each exists. */
export function checkTargets(method: string, targets: readonly number[], numClasses: number | undefined): void {
  const invalid = (m: string): never => {
    throw new GlassboxError('PARAM_INVALID', `${method}: ${m}`, 'Pick a class from the prediction table.');
  };
  if (!targets.length) invalid('at least one target class is needed.');
  for (const t of targets) if (!Number.isInteger(t) || t < 0 || (numClasses !== undefined && t >= numClasses)) invalid(`target class ${t} does not exist.`);
}
