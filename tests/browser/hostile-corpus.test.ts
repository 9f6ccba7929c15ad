/**
 * The hostile-input corpus (tests/corpus/hostile.json) dropped on one dashboard page, one file at a time, through a
 * real drop event: each refused file shows its exact message (`<context> failed. <message>`) with its code, the
 * page answers at once afterwards, the model, image and prediction on screen before the drop are still there, and
 * each drop stays within the corpus's time and worker-heap ceilings. Accepted files (odd but valid) replace what
 * they should and show no error; they run after all the refusals.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, loadHostileCorpus, RUN_RUNAWAYS, type HostileCase } from '../corpus/generators';
import { browserTestsRunnable, dropFiles, useDashboard, workerHeapBytes } from './harness';

const corpus = loadHostileCorpus();

/** What the page must show for a case: the CLI's expectation unless `browser` overrides it. */
function pageExpectation(c: HostileCase) {
  const b = c.browser ?? {};
  const code = b.code !== undefined ? b.code : c.code;
  const name = c.input!.name;
  const context = b.context ?? `Loading ${c.kind} ${name}`;
  return { code, message: code ? `${context} failed. ${b.message ?? c.message}` : undefined, warning: b.code === undefined ? c.warning : undefined, loads: Boolean(b.loads) };
}

/**
 * Refusals that leave the page as it was run first, against the demo model and photo; then accepted labels,
 * images and models (each replaces what the next ones see); last the models that are taken and then fail.
 */
function runOrder(c: HostileCase): number {
  const e = pageExpectation(c);
  if (e.code) return e.loads ? 4 : 0;
  return c.kind === 'labels' ? 1 : c.kind === 'image' ? 2 : 3;
}

const browserCases = corpus.cases.filter((c) => c.surfaces.includes('browser'));
const ordered = [...browserCases].sort((a, b) => runOrder(a) - runOrder(b));

const MIME: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', bmp: 'image/bmp', tiff: 'image/tiff', svg: 'image/svg+xml',
  txt: 'text/plain', json: 'application/json',
};

/** What is on screen that a refused drop must leave alone. */
function screenState(page: Page) {
  return page.evaluate(() => ({
    model: document.querySelector('[data-testid="model-name"]')?.textContent ?? '',
    image: document.querySelector('[data-testid="image-caption"]')?.textContent ?? '',
    prediction: Array.from(document.querySelectorAll('[data-testid="topk"] tbody tr')).map((r) => `${r.getAttribute('data-class-index')} ${r.querySelector('.label')?.textContent ?? ''}`),
    labelsWarning: document.querySelector('[data-testid="predictions-panel"] .warning')?.textContent ?? '',
  }));
}

async function dismissAll(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('[data-testid="messages"] button[aria-label="Dismiss"]').forEach((b) => b.click()));
  await page.waitForFunction(() => !document.querySelector('[data-testid="messages"]'));
}

/** The page answers a script call and paints a frame within a second. */
async function expectResponsive(page: Page): Promise<void> {
  const t0 = performance.now();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined))));
  expect(performance.now() - t0).toBeLessThan(1000);
}

describe.skipIf(!browserTestsRunnable())('hostile inputs dropped on the dashboard', () => {
  const dashboard = useDashboard({ beforeAll, afterAll });

  for (const c of ordered) {
    const expected = pageExpectation(c);
    const test = c.runaway && !RUN_RUNAWAYS ? it.skip : c.knownIssue && !c.browser ? it.fails : it;
    test(`${c.id} → ${expected.code ?? 'accepted'}${c.knownIssue && !c.browser ? ' (known issue)' : ''}`, async () => {
      const page = dashboard.session.page;
      await dismissAll(page);
      const before = await screenState(page);
      const name = c.input!.name;
      const bytes = await generate(c.input!);
      const type = c.browser?.type ?? MIME[name.split('.').pop()!.toLowerCase()] ?? '';
      const ceilingMs = corpus.ceilings.wallSeconds * 1000;
      const t0 = performance.now();
      await dropFiles(page, [{ name, type, bytes }]);
      if (expected.code) {
        const message = await page.waitForSelector('[data-testid="messages"] [data-code]', { timeout: ceilingMs });
        const shown = { code: await message.getAttribute('data-code'), text: await message.$eval('[data-testid="message-text"]', (e) => e.textContent ?? '') };
        expect(performance.now() - t0).toBeLessThanOrEqual(ceilingMs);
        expect(shown).toEqual({ code: expected.code, text: expected.message });
        const after = await screenState(page);
        if (expected.loads) {
          // taken as the current model before its first prediction failed: the image stays
          expect(after.model).toContain(name);
          expect(after.image).toBe(before.image);
        } else {
          expect(after).toEqual(before);
        }
      } else {
        // accepted: the file becomes the current model, image or labels, and a prediction follows
        const shownAs = c.kind === 'model' ? 'model-name' : c.kind === 'image' ? 'image-caption' : undefined;
        if (shownAs) await page.waitForFunction(([id, n]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.includes(n), [shownAs, name], { timeout: ceilingMs });
        // the model's warnings sit in the model panel, the labels' in the predictions panel
        if (expected.warning) await page.waitForFunction((w) => Array.from(document.querySelectorAll('.warning')).some((e) => e.textContent === w), expected.warning, { timeout: ceilingMs });
        await page.waitForSelector('[data-testid="topk"] tbody tr', { timeout: ceilingMs });
        expect(performance.now() - t0).toBeLessThanOrEqual(ceilingMs);
        expect(await page.$('[data-testid="messages"]')).toBeNull();
      }
      await expectResponsive(page);
      expect(await workerHeapBytes(page)).toBeLessThanOrEqual(corpus.ceilings.workerHeapMiB * 1024 * 1024);
    });
  }
});
