/**
 * Keyboard and screen readers on the production build: axe-core finds no serious or critical violation (at start,
 * with the preprocessing settings open, after a run); the prediction rows are a listbox reached by Tab, moved
 * through with the arrows and chosen with Enter or Space; every gallery thumbnail has its own name; a polite live
 * region says when a run finished or failed; Tab follows the visual order, with Run after the parameters.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoImageNames } from '../../src/ui/image/ImagePanel';
import { browserTestsRunnable, ROOT, useDashboard } from './harness';

const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'public/demo/manifest.json'), 'utf8')) as Parameters<typeof demoImageNames>[0] extends infer I ? { images: I } : never;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** axe-core's serious and critical findings on the page as it is now, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(', ')}${v.nodes.length > 4 ? ` (+${v.nodes.length - 4})` : ''}`);
}

/** What has the focus: its role or tag, its accessible label, and where it is in the page's reading order. */
async function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return undefined;
    const scroller = el.closest('.controls-scroll, .results-col');
    const rect = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      role: el.getAttribute('role'),
      label: el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 40) ?? '',
      testId: el.getAttribute('data-testid'),
      column: (el.closest('.controls-col') ? 'controls' : el.closest('.results-col') ? 'results' : 'top') as 'controls' | 'results' | 'top',
      inFooter: !!el.closest('.run-row'),
      // position in the column's content, whatever its scroll
      y: rect.top + (scroller?.scrollTop ?? 0),
      x: rect.left,
    };
  });
}

describe.skipIf(!browserTestsRunnable())('keyboard and screen readers in Chromium', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  it('axe-core: no serious or critical violations at start and with the preprocessing settings open', async () => {
    const page = dashboard.session.page;
    expect(await seriousViolations(page)).toEqual([]);
    await page.click('[data-testid="preprocess-toggle"]');
    expect(await seriousViolations(page)).toEqual([]);
    await page.click('[data-testid="preprocess-toggle"]');
  });

  it('each gallery thumbnail has its own accessible name from the manifest', async () => {
    const page = dashboard.session.page;
    const names = demoImageNames(manifest.images);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('circle with watermark');
    expect(names).toContain('circle 1');
    const gallery = page.getByRole('group', { name: 'Demo images' });
    for (const name of names) expect(await gallery.getByRole('button', { name, exact: true }).count()).toBe(1);
  });

  it('Tab reaches the prediction rows; the arrows move, Enter and Space choose the class to explain', async () => {
    const page = dashboard.session.page;
    const explainTarget = () => page.textContent('[data-testid="explain-panel"]');
    await page.locator('select[aria-label="Top k"]').focus();
    // Tab from the control just before the list lands on the selected row (one tab stop for the list)
    for (let i = 0; i < 5 && (await focused(page))?.role !== 'option'; i++) await page.keyboard.press('Tab');
    const first = (await focused(page))!;
    expect(first.role).toBe('option');
    const listbox = page.getByRole('listbox', { name: /Predicted classes/ });
    const options = listbox.getByRole('option');
    expect(await options.count()).toBeGreaterThan(1);
    const selectedBefore = await page.getAttribute('[role="option"][aria-selected="true"]', 'data-class-index');
    const [label2, index2] = await options.nth(1).evaluate((r) => [r.querySelector('.label')!.textContent!, r.getAttribute('data-class-index')!]);
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-class-index'))).toBe(index2);
    expect(await explainTarget()).not.toContain(`#${index2} ${label2}`);
    await page.keyboard.press('Enter');
    await page.waitForFunction((i) => document.querySelector('[role="option"][aria-selected="true"]')?.getAttribute('data-class-index') === i, index2);
    expect(await explainTarget()).toContain(`#${index2} ${label2}`);
    // and back with Space
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press(' ');
    await page.waitForFunction((i) => document.querySelector('[role="option"][aria-selected="true"]')?.getAttribute('data-class-index') === i, selectedBefore);
  });

  it('Tab follows the visual order: top bar, then the controls top to bottom with Run after the parameters, then the results', async () => {
    const page = dashboard.session.page;
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.locator('body').focus();
    const stops: NonNullable<Awaited<ReturnType<typeof focused>>>[] = [];
    for (let i = 0; i < 150; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (!f || (stops.length && f.column === 'results')) {
        if (f) stops.push(f);
        break;
      }
      stops.push(f);
    }
    const columns = stops.map((s) => s.column);
    // top bar first, then the controls column, then the results: never back
    const rank = { top: 0, controls: 1, results: 2 } as const;
    for (let i = 1; i < columns.length; i++) expect(rank[columns[i]]).toBeGreaterThanOrEqual(rank[columns[i - 1]]);
    const controls = stops.filter((s) => s.column === 'controls');
    const flow = controls.filter((s) => !s.inFooter);
    // within the column: top to bottom, and left to right on one line
    for (let i = 1; i < flow.length; i++) {
      const [a, b] = [flow[i - 1], flow[i]];
      const sameLine = Math.abs(b.y - a.y) <= 12;
      if (sameLine ? b.x < a.x - 2 : b.y < a.y) throw new Error(`focus went back: "${a.label}" (${Math.round(a.x)}, ${Math.round(a.y)}) then "${b.label}" (${Math.round(b.x)}, ${Math.round(b.y)})`);
    }
    // Run (pinned at the foot of the column) comes after every parameter of the method
    const runAt = controls.findIndex((s) => s.testId === 'run-explain');
    expect(runAt).toBeGreaterThan(-1);
    expect(runAt).toBeGreaterThan(controls.findIndex((s) => s.testId === 'method-picker'));
    expect(controls.slice(runAt + 1).every((s) => s.inFooter)).toBe(true);
  });

  it('a polite live region says when a run finished, stopped or failed', async () => {
    const page = dashboard.session.page;
    const region = page.locator('[role="status"][aria-live="polite"][data-testid="live-region"]');
    await page.selectOption('[data-testid="method-picker"]', 'gradcam');
    await page.click('[data-testid="run-explain"]');
    await page.waitForFunction(() => /Grad-CAM finished for class .+ \(#\d+\) in /.test(document.querySelector('[data-testid="live-region"]')?.textContent ?? ''), undefined, { timeout: 120_000 });
    // a failure the worker reports ends the run with its message (the store is the app's own, on window.glassbox)
    await page.evaluate(() => {
      const store = (window as unknown as { glassbox: { setState(s: object): void; getState(): { report(e: unknown, c: string): void } } }).glassbox;
      store.setState({ run: { jobId: 'job-a11y', kind: 'explain', method: 'lime', startedAt: Date.now() } });
      store.getState().report(Object.assign(new Error('The model ran out of memory.'), { code: 'INFERENCE_FAILED' }), 'Explaining');
      store.setState({ run: undefined });
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="live-region"]')?.textContent?.includes('LIME failed: The model ran out of memory.'));
    expect(await region.count()).toBe(1);
    await page.click('[data-testid="messages"] button[aria-label="Dismiss"]');
    // a cancelled run keeps the earlier result, and says so
    await page.selectOption('[data-testid="method-picker"]', 'lime');
    await page.fill('input[aria-label="Samples"]', '50000');
    await page.click('[data-testid="run-explain"]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="explain-progress"]')?.getAttribute('aria-valuenow')) > 0, undefined, { timeout: 60_000 });
    await page.click('[data-testid="cancel-explain"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="live-region"]')?.textContent?.includes('LIME stopped; the earlier result is kept.'), undefined, { timeout: 20_000 });
  });

  it('axe-core: no serious or critical violations with a result on screen (Grad-CAM, then LIME)', async () => {
    const page = dashboard.session.page;
    await page.waitForSelector('[data-testid="explanation-view"]');
    expect(await seriousViolations(page)).toEqual([]);
    await page.fill('input[aria-label="Samples"]', '300');
    await page.click('[data-testid="run-explain"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="live-region"]')?.textContent?.includes('LIME finished'), undefined, { timeout: 120_000 });
    await page.waitForSelector('[data-testid="run-explain"]', { timeout: 60_000 });
    expect(await seriousViolations(page)).toEqual([]);
  });
});
