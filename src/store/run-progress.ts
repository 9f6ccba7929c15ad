/** A worker's progress report, put on the run it belongs to. Every kind of run (explanation, curves, comparison,
 *  rerun, stability, sanity, shelf, dataset) reports through here. */
import type { Progress } from '../engine/explain/types';
import type { GetState, RunState, SetState } from './types';

/**
 * A progress report keeps the run's last "map so far" when it brings none: the engine sends a map only now and then
 * (RISE, every PREVIEW_INTERVAL_MS), and without this the preview unmounted and mounted again with every other
 * report — the map blinking, its canvas rebuilt, the panel re-laid out. A new phase starts without one.
 */
export function keepPreview(previous: Progress | undefined, next: Progress): Progress {
  return next.preview || !previous?.preview || previous.phase !== next.phase ? next : { ...next, preview: previous.preview };
}

/** The run with this report as its progress. */
export function withProgress(run: RunState, progress: Progress): RunState {
  return { ...run, progress: keepPreview(run.progress, progress) };
}

/** Shows the report when the run on screen is still job `jobId` (a report of a job already replaced is dropped). */
export function reportProgress(set: SetState, get: GetState, jobId: string, progress: Progress): void {
  const run = get().run;
  if (run?.jobId === jobId) set({ run: withProgress(run, progress) });
}
