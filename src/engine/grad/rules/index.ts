/** The backward rule of every op type Glassbox can differentiate. */
import type { RuleContext } from '../context';
import { ELEMENTWISE_RULES } from './elementwise';
import { LAYER_RULES } from './layers';
import { SHAPE_RULES } from './shape';

/** Ops whose float outputs carry no gradient (piecewise constant). */
const ZERO_GRADIENT = ['Floor', 'Ceil', 'Round', 'Sign'];

export const RULES: Record<string, (c: RuleContext) => void> = {
  ...ELEMENTWISE_RULES,
  ...LAYER_RULES,
  ...SHAPE_RULES,
  ...Object.fromEntries(ZERO_GRADIENT.map((op) => [op, () => undefined])),
};

export const DIFFERENTIABLE_OPS = Object.keys(RULES).sort();
