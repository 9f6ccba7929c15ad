/**
 * Anytime runs in Chromium on the demo model: LIME asked to stop when stable at 0.9 with a budget of 3000 samples
 * stops early and draws its stability curve, described in words; "Continue to 3000 samples" runs on to the budget,
 * says how many rows it reused from the stopped run and draws the curve on past the stop; a result computed without deletion/insertion curves gets
 * them from "Compute deletion/insertion curves".
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, useDashboard } from './harness';

async function setNumber(page: Page, label: string, value: number) {
  await page.fill(`input[aria-label="${label}"]`, String(value));
}

/** Wait until no run (map or curves) is going and a result is shown. */
async function settled(page: Page) {
  await page.waitForFunction(
    () => {
      const s = (window as unknown as { glassbox: { getState(): { run?: unknown; explanation?: unknown } } }).glassbox.getState();
      return !s.run && !!s.explanation;
    },
    undefined,
    { timeout: 180_000 },
  );
}

describe.skipIf(!browserTestsRunnable())('anytime runs in Chromium', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });
  let stoppedAt = 0;

  it('on WASM no batch probe runs: the model panel has no probe line and runs keep their batch sizes', async () => {
    const page = dashboard.session.page;
    await page.waitForSelector('[data-testid="model-batch"]', { state: 'attached', timeout: 60_000 });
    expect(await page.$('[data-testid="batch-probe"]')).toBeNull();
    expect(await page.$('[data-testid="auto-batch"]')).toBeNull();
  });

  it('LIME stopping when stable at 0.9 stops before its 3000 samples and draws its stability curve, with its words', async () => {
    const page = dashboard.session.page;
    await page.selectOption('[data-testid="method-picker"]', 'lime');
    await setNumber(page, 'Stop when stable at', 0.9);
    await setNumber(page, 'Samples', 3000);
    await page.click('[data-testid="run-explain"]');
    await page.waitForSelector('[data-testid="stability-curve"]', { timeout: 180_000 });
    await settled(page);
    const summary = await page.textContent('[data-testid="anytime-summary"]');
    stoppedAt = Number(/stable after (\d+) samples/.exec(summary ?? '')?.[1]);
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThan(3000);
    const words = await page.getAttribute('[data-testid="stability-curve"] svg', 'aria-label');
    expect(words).toMatch(new RegExp(`^Predicted agreement (rose|fell|stayed) from 0\\.\\d\\d at \\d+ samples to 0\\.\\d\\d at ${stoppedAt}; stopped at ${stoppedAt} \\(target 0\\.9\\)$`));
    expect(await page.textContent('[data-testid="stability-curve"] svg title')).toBe(words);
    expect(await page.$('[data-testid="stability-stop"]')).not.toBeNull();
    expect(await page.$('[data-testid="reused-rows"]')).toBeNull();
  });

  it('"Continue to 3000 samples" runs on to the budget, reusing the rows the stopped run evaluated', async () => {
    const page = dashboard.session.page;
    expect(await page.textContent('[data-testid="anytime-continue"]')).toBe('Continue to 3000 samples');
    await page.click('[data-testid="anytime-continue"]');
    await page.waitForSelector('[data-testid="reused-rows"]', { timeout: 180_000 });
    await settled(page);
    expect(await page.textContent('[data-testid="reused-rows"]')).toBe(` · ${stoppedAt} reused from earlier runs`);
    expect(await page.textContent('[data-testid="explanation-meta"]')).toMatch(/3000 samples in \d+ model calls/);
    // run to its budget: nothing left to continue; its stability was still checked, so the curve goes on past the
    // stop, which stays marked
    expect(await page.$('[data-testid="anytime-continue"]')).toBeNull();
    const words = await page.getAttribute('[data-testid="stability-curve"] svg', 'aria-label');
    expect(words).toMatch(new RegExp(`; stopped at ${stoppedAt}, then continued to 3000 \\(target 0\\.9\\)$`));
    expect(await page.$('[data-testid="stability-stop"]')).not.toBeNull();
    expect(await page.textContent('[data-testid="anytime-summary"]')).toMatch(new RegExp(`^ · stable after ${stoppedAt} samples, continued to 3000: predicted agreement with any larger budget ρ \\d\\.\\d{3}$`));
  });

  it('a result run without curves offers "Compute deletion/insertion curves", which adds them', async () => {
    const page = dashboard.session.page;
    await page.uncheck('input[aria-label="Faithfulness curves"]');
    await setNumber(page, 'Stop when stable at', 0);
    await setNumber(page, 'Samples', 200);
    await page.click('[data-testid="run-explain"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="explanation-meta"]')?.textContent?.includes('200 samples'), undefined, { timeout: 180_000 });
    await settled(page);
    expect(await page.$('[data-testid="faithfulness-curves"]')).toBeNull();
    await page.click('[data-testid="compute-curves"]');
    await page.waitForSelector('[data-testid="faithfulness-curves"]', { timeout: 180_000 });
    await settled(page);
    expect(await page.$('[data-testid="compute-curves"]')).toBeNull();
  });

  it('RISE (raw scores) stops when stable too, with its curve and its Continue in the pixel-map view', async () => {
    const page = dashboard.session.page;
    await page.selectOption('[data-testid="method-picker"]', 'rise');
    await setNumber(page, 'Stop when stable at', 0.8);
    await setNumber(page, 'Masks', 6000);
    await page.selectOption('select[aria-label="Score space"]', 'raw');
    await page.click('[data-testid="run-explain"]');
    await page.waitForSelector('[data-testid="stability-curve"]', { timeout: 180_000 });
    await settled(page);
    const summary = (await page.textContent('[data-testid="anytime-summary"]')) ?? '';
    const at = Number(/stable after (\d+) masks/.exec(summary)?.[1]);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(6000);
    expect(await page.textContent('[data-testid="anytime-continue"]')).toBe('Continue to 6000 masks');
    expect(await page.textContent('[data-testid="explanation-meta"]')).toMatch(/RISE|masks|inputs in/);
    expect(dashboard.session.consoleErrors).toEqual([]);
  });
});
