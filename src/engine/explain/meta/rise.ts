import { describe } from '../descriptor';
import type { HideSpec } from '../hide';
import type { ScoreSpace } from '../types';
import { BATCH_PARAM, SCORE_SPACE_PARAM, STABLE_AT_PARAM } from './lime';

export interface RiseParams {
  /** Number of random masks N. */
  masks: number;
  /** Cells per side of the random grid, s. */
  grid: number;
  /**
   * Probability that a grid cell is KEPT (the image shows through), as in eclique/RISE's code
   * (`grid = rand(N, s, s) < p1`); 'auto' tries 0.1 … 0.9 and keeps the one whose masked scores spread most.
   */
  p1: number | 'auto';
  /** What dropped cells show: the zero tensor by default (the reference multiplies the normalised tensor). */
  hide: HideSpec;
  /** Masked images per model call when the model takes a dynamic batch. */
  batchSize: number;
  scoreSpace: ScoreSpace;
  /** Stop drawing masks once the map's predicted agreement with an unlimited budget reaches this (0: all masks). */
  stableAt: number;
  /** Masks tried for each candidate p1 when p1 is 'auto' (default 32); not counted in `masks`. */
  autoMasks?: number;
}

export const RISE_META = describe<RiseParams>({
  id: 'rise',
  label: 'RISE',
  reference: 'Petsiuk, Das & Saenko, BMVC 2018 · eclique/RISE',
  group: 'Perturbation',
  needs: 'inference',
  seeded: true,
  result: 'pixel-map',
  values: 'mean {score} of the masked images that kept the pixel, divided by the keep probability',
  howToRead: 'The average of random masks weighted by the score each masked image got: bright where showing the pixels kept the class score high.',
  rows: (p) => 1 + p.masks + (p.p1 === 'auto' ? 9 * (p.autoMasks ?? 32) : 0),
  // the unmasked image alone, each of the 9 p1 candidates' masks, then the masks
  phases: (p) => [1, ...(p.p1 === 'auto' ? Array<number>(9).fill(p.autoMasks ?? 32) : []), p.masks],
  params: [
    { kind: 'int', name: 'masks', label: 'Masks', help: 'N random masks', cli: 'masks', default: 2000, min: 1, max: 100_000, step: 100 },
    { kind: 'int', name: 'grid', label: 'Grid', help: 's: cells per side of the random grid', cli: 'cells', default: 8, min: 2, max: 8192 },
    { kind: 'number-or-auto', name: 'p1', label: 'Keep probability', help: 'Probability that a cell is kept; auto tries 0.1 … 0.9 and keeps the one whose scores spread most', cli: 'p1', default: 0.5, manual: 0.5, min: 0, max: 1, exclusive: true, step: 0.05 },
    { kind: 'hide', name: 'hide', label: 'Dropped cells show', help: 'What a dropped cell shows (RISE: the zero tensor)', cli: 'hide', sigmaCli: 'blur-sigma', default: { mode: 'zeros' }, modes: ['zeros', 'black', 'grey', 'blur', 'color'] },
    STABLE_AT_PARAM('drawing masks'),
    BATCH_PARAM(32),
    SCORE_SPACE_PARAM,
  ],
  check: (p, { width, height }) =>
    width && height && Number.isInteger(p.grid) && p.grid > Math.min(width, height)
      ? `the grid size must be at most ${Math.min(width, height)} (a cell must be at least one pixel of the ${width}×${height} input; got ${p.grid}).`
      : undefined,
});
