/**
 * The results history in IndexedDB, on the production build: a Grad-CAM run survives a reload and re-opens over its
 * own image (never over another one), delete and clear all stick, and where IndexedDB is blocked the page still
 * runs with the history in memory and says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, dropFiles, launchBrowser, openPage, readTopK, ROOT, startServer, type RecordedPage } from './harness';

interface HistoryView {
  storage: string;
  ids: number[];
  shown?: number;
  /** Whether each entry's stored image is the image the model sees now. */
  ownImage: boolean[];
}

type Glassbox = { glassbox: { getState(): Record<string, unknown> } };

const historyView = (page: Page): Promise<HistoryView> =>
  page.evaluate(() => {
    const s = (window as unknown as Glassbox).glassbox.getState() as {
      historyStorage: string;
      history: { id: number; baseImage: { data: Uint8ClampedArray } }[];
      explanation?: { id: number };
      prediction?: { result: { modelInput: { data: Uint8ClampedArray } } };
    };
    const now = s.prediction?.result.modelInput.data;
    const same = (a: Uint8ClampedArray) => !!now && a.length === now.length && a.every((v, i) => v === now[i]);
    return { storage: s.historyStorage, ids: s.history.map((h) => h.id), shown: s.explanation?.id, ownImage: s.history.map((h) => same(h.baseImage.data)) };
  });

/** Run Grad-CAM and wait for the map and its curves (the entry is final, and stored). */
async function runGradcam(page: Page): Promise<number> {
  await page.selectOption('[data-testid="method-picker"]', 'gradcam');
  await page.waitForFunction(() => !(document.querySelector('[data-testid="run-explain"]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 60_000 });
  const before = (await historyView(page)).ids.length;
  await page.click('[data-testid="run-explain"]');
  await page.waitForFunction(
    (n) => {
      const s = (window as unknown as Glassbox).glassbox.getState() as { history: unknown[]; run?: unknown };
      return s.history.length > n && !s.run;
    },
    before,
    { timeout: 120_000 },
  );
  await page.waitForSelector('[data-testid="overlay-canvas"]');
  return (await historyView(page)).ids[0];
}

async function reload(page: Page) {
  await page.reload();
  await readTopK(page);
  await page.waitForFunction(() => ((window as unknown as Glassbox).glassbox.getState() as { historyStorage: string }).historyStorage !== 'loading', undefined, { timeout: 30_000 });
  await page.waitForFunction(() => !((window as unknown as Glassbox).glassbox.getState() as { predicting: boolean }).predicting, undefined, { timeout: 60_000 });
}

describe.skipIf(!browserTestsRunnable())('results history in IndexedDB', () => {
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  let url: string;
  let session: RecordedPage;

  beforeAll(async () => {
    ({ server, url } = await startServer({ isolationHeaders: true }));
    browser = await launchBrowser();
    session = await openPage(browser, url);
    await readTopK(session.page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a Grad-CAM result survives a reload and re-opens over its own image', async () => {
    const page = session.page;
    const id = await runGradcam(page);
    expect((await historyView(page)).storage).toBe('saved');
    const label = await page.getAttribute(`[data-testid="history-${id}"]`, 'aria-label');
    expect(label).toMatch(/^Grad-CAM · #\d+ \w+ · \S+\.png on shapes\.onnx \(shown\)$/);

    await reload(page);
    expect(await page.$('[data-testid="overlay-canvas"]')).toBeNull(); // nothing is shown before a click
    await page.waitForSelector(`[data-testid="history-${id}"] canvas`);
    expect(await page.textContent('[data-testid="history-storage"]')).toBe('saved in this browser');
    expect(await page.getAttribute(`[data-testid="history-${id}"]`, 'aria-label')).toBe(label!.replace(' (shown)', ''));
    await page.click(`[data-testid="history-${id}"]`);
    await page.waitForSelector('[data-testid="overlay-canvas"]');
    expect(await page.textContent('#result-h')).toMatch(/^Grad-CAM explanation · #\d+ /);
    const view = await historyView(page);
    expect(view).toMatchObject({ storage: 'saved', ids: [id], shown: id, ownImage: [true] });
    expect(session.consoleErrors).toEqual([]);
  });

  it('after a reload with another image on screen, the stored result opens in a dialog over its own image only', async () => {
    const page = session.page;
    const [id] = (await historyView(page)).ids;
    await dropFiles(page, [{ name: 'circle-1.png', type: 'image/png', bytes: fs.readFileSync(path.join(ROOT, 'public/demo/images/circle-1.png')) }]);
    await page.waitForFunction(() => document.querySelector('[data-testid="image-caption"]')?.textContent?.includes('circle-1.png'), undefined, { timeout: 60_000 });
    await page.waitForFunction(() => !((window as unknown as Glassbox).glassbox.getState() as { predicting: boolean }).predicting, undefined, { timeout: 60_000 });
    // the stored result belongs to the demo's default image (star-1.png), not circle-1.png: never drawn over it
    expect((await historyView(page)).ownImage).toEqual([false]);
    await page.click(`[data-testid="history-${id}"]`);
    await page.waitForSelector('[data-testid="history-dialog-canvas"]');
    expect(await page.$('[data-testid="overlay-canvas"]')).toBeNull();
    expect((await historyView(page)).shown).toBeUndefined();
    await page.keyboard.press('Escape');
  });

  it('delete and clear all stick across reloads', async () => {
    const page = session.page;
    const second = await runGradcam(page);
    const third = await runGradcam(page);
    const [, , first] = (await historyView(page)).ids;
    expect((await historyView(page)).ids).toEqual([third, second, first]);
    await page.click(`[data-testid="delete-history-${second}"]`);
    await page.click(`[data-testid="pin-history-${first}"]`);
    expect(await page.getAttribute(`[data-testid="pin-history-${first}"]`, 'aria-pressed')).toBe('true');
    // a reload in the same instant could abort the write: wait until IndexedDB holds the pin (and the delete)
    await page.waitForFunction(
      ([pinnedId, deletedId]) =>
        new Promise<boolean>((resolve) => {
          const open = indexedDB.open('glassbox', 1);
          open.onerror = () => resolve(false);
          open.onsuccess = () => {
            const all = open.result.transaction('history', 'readonly').objectStore('history').getAll();
            all.onsuccess = () => {
              const rows = all.result as { id: number; pinned?: boolean }[];
              open.result.close();
              resolve(rows.some((r) => r.id === pinnedId && r.pinned) && !rows.some((r) => r.id === deletedId));
            };
            all.onerror = () => resolve(false);
          };
        }),
      [first, second],
      { timeout: 10_000 },
    );
    await reload(page);
    expect((await historyView(page)).ids).toEqual([third, first]);
    expect(await page.getAttribute(`[data-testid="pin-history-${first}"]`, 'aria-pressed')).toBe('true');

    await page.click('[data-testid="clear-history"]');
    await page.waitForSelector('[data-testid="history-strip"]', { state: 'detached' });
    await page.waitForFunction(
      () =>
        new Promise<boolean>((resolve) => {
          const open = indexedDB.open('glassbox', 1);
          open.onerror = () => resolve(false);
          open.onsuccess = () => {
            const count = open.result.transaction('history', 'readonly').objectStore('history').count();
            count.onsuccess = () => (open.result.close(), resolve(count.result === 0));
            count.onerror = () => resolve(false);
          };
        }),
      undefined,
      { timeout: 10_000 },
    );
    await reload(page);
    expect((await historyView(page)).ids).toEqual([]);
    expect(await page.$('[data-testid="history-strip"]')).toBeNull();
    expect(session.consoleErrors).toEqual([]);
  });

  it('with IndexedDB blocked the page still explains, keeps the history in memory and says so', async () => {
    const context = await browser!.newContext();
    await context.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', {
        get() {
          throw new Error('blocked');
        },
      });
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(url);
    await readTopK(page);
    await page.waitForSelector('[data-testid="history-notice"]');
    expect(await page.textContent('[data-testid="history-notice"]')).toMatch(/kept in this page only.*\(blocked\).*gone after a reload/);
    const id = await runGradcam(page);
    expect(await historyView(page)).toMatchObject({ storage: 'memory', ids: [id], shown: id });
    expect(await page.textContent('[data-testid="history-storage"]')).toBe('this page only');
    await page.waitForSelector(`[data-testid="history-${id}"] canvas`);
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
