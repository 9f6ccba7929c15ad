import { useContext, useEffect, useState } from 'react';
import { descriptorOf } from '../engine/explain/registry';
import type { AppState } from '../store/app-store';
import { formatMs } from './common/format';
import { StoreContext } from './store-context';

/** The last message when a run started: a newer one at its end is the run's failure. */
type RunStart = { jobId: string; lastMessageId: number };

const lastMessageId = (s: AppState) => s.messages.at(-1)?.id ?? 0;

/** What a screen reader should hear when the run `ended` is over (undefined: nothing to say). */
export function runAnnouncement(ended: NonNullable<AppState['run']>, start: RunStart | undefined, next: AppState): string | undefined {
  const label = descriptorOf(ended.method).label;
  const failure = next.messages.findLast((m) => m.id > (start?.lastMessageId ?? Infinity));
  if (failure) return `${ended.kind === 'curves' ? 'Deletion/insertion curves' : label} failed: ${failure.message}`;
  if (ended.kind === 'explain') {
    const result = [next.explanation, ...next.history].find((e) => e && e.createdAt >= ended.startedAt && e.result.method === ended.method);
    if (!result) return `${label} stopped; the earlier result is kept.`;
    const target = result.result.classes[0]?.target;
    return `${label} finished for class ${result.labels[0] ?? target} (#${target}) in ${formatMs(result.result.timings.totalMs)}.`;
  }
  if (ended.kind === 'curves') return 'Deletion and insertion curves finished.';
  if (ended.kind === 'stability') {
    const stats = next.stability?.stats;
    return stats ? `${label} over ${stats.k} seeds finished: mean pairwise rank correlation ${stats.meanRankCorrelation.toFixed(2)}.` : `${label} over seeds stopped.`;
  }
  if (ended.kind === 'sanity') {
    const methods = next.sanity?.result?.methods;
    return methods ? `Sanity check finished: ${methods.filter((m) => m.verdict.insensitive).length} of ${methods.length} methods do not depend on what the model learned.` : 'Sanity check stopped.';
  }
  if (ended.kind === 'dataset') {
    const d = next.dataset;
    return d?.done ? `Dataset run finished: ${d.rows.length} rows.` : `Dataset run stopped after ${d?.rows.length ?? 0} rows; they are kept.`;
  }
  if (ended.kind === 'compare' && !next.run) return next.comparison?.done ? 'Comparison finished.' : 'Comparison stopped.';
  if (ended.kind === 'shelf' && !next.run) return next.shelfGrid?.done ? (next.shelfGrid.rows.some((r) => r.cells.some((c) => c.error === 'cancelled')) ? 'Model shelf grid stopped.' : 'Model shelf grid finished.') : undefined;
  return undefined;
}

/**
 * A polite live region: says when a run finishes or fails, so a screen-reader user need not hunt for the result.
 * Subscribes to the store directly: nothing re-renders on progress updates.
 */
export function LiveRegion() {
  const store = useContext(StoreContext);
  // the last few sentences, each its own element: an explanation's "finished" is not replaced by its curves' at once
  const [said, setSaid] = useState<{ text: string; n: number }[]>([]);
  useEffect(() => {
    let start: RunStart | undefined;
    return store?.subscribe((next, prev) => {
      if (next.run?.jobId === prev.run?.jobId) return;
      const text = prev.run ? runAnnouncement(prev.run, start, next) : undefined;
      start = next.run ? { jobId: next.run.jobId, lastMessageId: lastMessageId(prev) } : undefined;
      if (text) setSaid((list) => [...list.slice(-2), { text, n: (list.at(-1)?.n ?? 0) + 1 }]);
    });
  }, [store]);
  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-relevant="additions" data-testid="live-region">
      {/* keyed: the same sentence twice in a row is announced twice */}
      {said.map((m) => (
        <p key={m.n}>{m.text}</p>
      ))}
    </div>
  );
}
