/** Progress reports on the run they belong to, the "map so far" kept between the reports that bring one. */
import { describe, expect, it } from 'vitest';
import type { Progress } from '../../../src/engine/explain/types';
import { keepPreview, reportProgress } from '../../../src/store/run-progress';
import type { AppState, RunState } from '../../../src/store/types';

const map = { width: 2, height: 2, map: [0, 1, 2, 3] };

describe('run progress', () => {
  it('keeps the last map within a phase, takes a newer one, and starts a new phase without one', () => {
    const first: Progress = { phase: 'masks', done: 32, total: 96, preview: map };
    const kept = keepPreview(first, { phase: 'masks', done: 64, total: 96 });
    expect(kept).toEqual({ phase: 'masks', done: 64, total: 96, preview: map });
    const newer = { width: 2, height: 2, map: [3, 2, 1, 0] };
    expect(keepPreview(kept, { phase: 'masks', done: 96, total: 96, preview: newer }).preview).toBe(newer);
    expect(keepPreview(kept, { phase: 'choosing p1', done: 1, total: 3 }).preview).toBeUndefined();
  });

  it('a report reaches the run of its own job only (a comparison step or rerun reports through the same path)', () => {
    let state = { run: { jobId: 'job-2', kind: 'compare', method: 'rise', startedAt: 0, progress: { phase: 'masks', done: 32, total: 96, preview: map } } as RunState } as AppState;
    const set = (partial: Partial<AppState>) => void (state = { ...state, ...partial });
    const get = () => state;
    reportProgress(set, get, 'job-1', { phase: 'masks', done: 90, total: 96 });
    expect(state.run?.progress?.done).toBe(32);
    reportProgress(set, get, 'job-2', { phase: 'masks', done: 64, total: 96 });
    expect(state.run?.progress).toEqual({ phase: 'masks', done: 64, total: 96, preview: map });
  });
});
