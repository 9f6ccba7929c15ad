/** Every explanation method, listed once: the UI's method picker and the CLI's --method both read this. */
import { limeExplainer, type LimeParams } from './lime';
import type { Explainer } from './types';

export interface MethodParams {
  lime: LimeParams;
}
export type MethodId = keyof MethodParams;

export const EXPLAINERS: { [K in MethodId]: Explainer<MethodParams[K]> } = {
  lime: limeExplainer,
};

export function isMethodId(id: string): id is MethodId {
  return Object.prototype.hasOwnProperty.call(EXPLAINERS, id);
}
