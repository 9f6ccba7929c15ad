/**
 * The page stays responsive while a method runs: no main-thread task over 50 ms (PerformanceObserver
 * 'longtask') while LIME, KernelSHAP and RISE run on the demo with their default parameters, and the default
 * WASM thread count leaves a core to the page. The page's CPU is slowed 4× (CDP; GLASSBOX_CPU_SLOWDOWN) to stand
 * for the slower or busier 2-core machine where 171–268 ms tasks were seen; on a quiet machine like this one the
 * old page passed unslowed. Progress reports (each re-renders the run's panel) are what the check is about; the
 * result's own first render, after the last report, is measured and printed, not asserted (it lies in the result
 * views). The click's own task — the whole page re-rendering into its running state before the first report,
 * 20–70 ms slowed 4× here — is held to its own, looser bar.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, useDashboard } from './harness';

const LONG_TASK_MS = 50;
/** The click's task (the page turning to its running state), slowed 4×: measured 0–81 ms on this machine. */
const CLICK_TASK_MS = 150;
const CPU_SLOWDOWN = Number(process.env.GLASSBOX_CPU_SLOWDOWN ?? 4);

interface RunTrace {
  /** Long tasks from the click until the first progress report (the page turning to its running state), in ms. */
  start: number[];
  /** Long tasks that started while the run reported progress, in ms. */
  during: number[];
  /** Long tasks from the last progress report until the page settled (the result's render). */
  after: number[];
  progressReports: number;
  wallMs: number;
}

/** Click Run and record long tasks, split at the last progress report of the explanation job. */
async function traceRun(page: Page): Promise<RunTrace> {
  await page.evaluate(() => {
    const w = window as unknown as { __trace?: { tasks: { start: number; ms: number }[]; progress: number[]; observer: PerformanceObserver; unsubscribe: () => void } };
    const store = (window as unknown as { glassbox: { subscribe(f: (s: { run?: { kind?: string; progress?: unknown } }, p: { run?: { progress?: unknown } }) => void): () => void } }).glassbox;
    w.__trace?.observer.disconnect();
    w.__trace?.unsubscribe();
    const tasks: { start: number; ms: number }[] = [];
    const progress: number[] = [];
    const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push({ start: e.startTime, ms: Math.round(e.duration) })));
    observer.observe({ type: 'longtask' });
    const unsubscribe = store.subscribe((s, p) => {
      if (s.run && (s.run.kind ?? 'explain') === 'explain' && s.run.progress && s.run.progress !== p.run?.progress) progress.push(performance.now());
    });
    w.__trace = { tasks, progress, observer, unsubscribe };
  });
  const started = Date.now();
  await page.click('[data-testid="run-explain"]');
  // the run, then its deletion/insertion curves, are over when Run is back
  await page.waitForFunction(() => !document.querySelector('[role="progressbar"][data-testid="explain-progress"]') && document.querySelector('[data-testid="run-explain"]'), undefined, { timeout: 240_000, polling: 100 });
  const wallMs = Date.now() - started;
  await page.waitForTimeout(300);
  return page.evaluate((wall) => {
    const t = (window as unknown as { __trace: { tasks: { start: number; ms: number }[]; progress: number[]; observer: PerformanceObserver; unsubscribe: () => void } }).__trace;
    t.observer.disconnect();
    t.unsubscribe();
    const firstProgress = t.progress[0] ?? -Infinity;
    const lastProgress = t.progress.at(-1) ?? Infinity;
    return {
      start: t.tasks.filter((x) => x.start < firstProgress).map((x) => x.ms),
      during: t.tasks.filter((x) => x.start >= firstProgress && x.start < lastProgress).map((x) => x.ms),
      after: t.tasks.filter((x) => x.start >= lastProgress).map((x) => x.ms),
      progressReports: t.progress.length,
      wallMs: wall,
    };
  }, wallMs);
}

describe.skipIf(!browserTestsRunnable())('responsiveness during runs in Chromium', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('the default WASM thread count leaves a core to the page', async () => {
    const page = dashboard.session.page;
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const expected = Math.max(1, Math.min(8, cores - 1));
    expect(await page.textContent('[data-testid="threads-badge"]')).toBe(`${expected} thread${expected === 1 ? '' : 's'}`);
  });

  for (const method of ['lime', 'kernelshap', 'rise']) {
    // retried: on a shared 2-core machine another process can stretch one task, and the first run in a fresh page
    // also pays for compiling the panels' code (its click can take ~60 ms slowed 4×); a page that blocks on every
    // progress report (as before) fails every attempt
    it(`${method}: no main-thread task over ${LONG_TASK_MS} ms while it runs (CPU slowed ${CPU_SLOWDOWN}×)`, { retry: 4 }, async () => {
      const page = dashboard.session.page;
      await page.selectOption('[data-testid="method-picker"]', method);
      // a new seed for every attempt: a retry with the same seed would take its rows from the worker's reuse cache
      // and finish at once, with nothing to measure
      await page.click('button[aria-label="New random seed"]');
      const cdp = await dashboard.session.context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
      try {
        const trace = await traceRun(page);
        console.log(`[responsiveness] ${method}: ${trace.wallMs} ms, ${trace.progressReports} progress reports; long tasks at the click ${JSON.stringify(trace.start)}, while running ${JSON.stringify(trace.during)}, after the last report ${JSON.stringify(trace.after)}`);
        expect(trace.progressReports).toBeGreaterThan(2);
        expect(Math.max(0, ...trace.start)).toBeLessThanOrEqual(CLICK_TASK_MS);
        expect(Math.max(0, ...trace.during)).toBeLessThanOrEqual(LONG_TASK_MS);
      } finally {
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
        await cdp.detach();
      }
    });
  }
});
