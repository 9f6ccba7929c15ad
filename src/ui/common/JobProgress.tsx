/**
 * The progress line of one kind of job (stability, sanity check, dataset, …): its own component, so progress
 * reports re-render only this line and not the panel around it.
 */
import type { RunState } from '../../store/app-store';
import { formatMs } from './format';
import { useApp } from '../store-context';

export function JobProgress(props: { kind: RunState['kind']; label: string; testId: string }) {
  const run = useApp((s) => (s.run?.kind === props.kind ? s.run : undefined));
  if (!run) return null;
  const p = run.progress;
  return (
    <div className="progress" role="progressbar" aria-label={props.label} aria-valuenow={p?.done ?? 0} aria-valuemax={p?.total ?? 1} data-testid={props.testId}>
      <div className="bar" style={{ width: `${p ? (100 * p.done) / p.total : 0}%` }} />
      <span>
        {p ? `${p.phase}: ${p.done} / ${p.total}` : 'starting…'}
        {p?.etaMs !== undefined && p.done < p.total ? ` · ${formatMs(p.etaMs)} left` : ''}
      </span>
    </div>
  );
}
