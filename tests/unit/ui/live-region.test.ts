import { describe, expect, it } from 'vitest';
import type { AppState } from '../../../src/store/app-store';
import { runAnnouncement } from '../../../src/ui/LiveRegion';

const ended = { jobId: 'job-1', kind: 'stability', method: 'rise', startedAt: 0 } as NonNullable<AppState['run']>;
const after = (patch: Partial<AppState>) => ({ messages: [], history: [], ...patch }) as unknown as AppState;

describe('what the live region says when a stability run ends', () => {
  it('names the method, k and the mean rank correlation', () => {
    const text = runAnnouncement(ended, { jobId: 'job-1', lastMessageId: 0 }, after({ stability: { stats: { k: 5, meanRankCorrelation: 0.8123 } } as AppState['stability'] }));
    expect(text).toBe('RISE over 5 seeds finished: mean pairwise rank correlation 0.81.');
  });

  it('a cancelled run is said to have stopped; a failure is said with its message', () => {
    expect(runAnnouncement(ended, { jobId: 'job-1', lastMessageId: 0 }, after({ stability: undefined }))).toBe('RISE over seeds stopped.');
    const failed = after({ messages: [{ id: 3, message: 'out of memory' }] as AppState['messages'] });
    expect(runAnnouncement(ended, { jobId: 'job-1', lastMessageId: 2 }, failed)).toBe('RISE failed: out of memory');
  });
});
