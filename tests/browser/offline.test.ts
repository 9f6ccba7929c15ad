/**
 * Offline and isolation on a static host that sends no COOP/COEP headers: the service worker installs on the
 * first visit, reloads the page once and makes it cross-origin isolated (WASM threads); then, with the network
 * gone, a reload still opens the dashboard and predicts from the precache.
 */
import type { Browser } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, launchBrowser, openPage, readTopK, startServer, type RecordedPage } from './harness';

describe.skipIf(!browserTestsRunnable())('offline after the first load, on a host without isolation headers', () => {
  let server: PreviewServer;
  let url: string;
  let browser: Browser;
  let session: RecordedPage;

  beforeAll(async () => {
    ({ server, url } = await startServer({ isolationHeaders: false }));
    browser = await launchBrowser();
    session = await openPage(browser, url);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the server really sends no isolation headers', async () => {
    const response = await fetch(url);
    expect(response.headers.get('cross-origin-embedder-policy')).toBeNull();
  });

  it('the service worker makes the page cross-origin isolated after one automatic reload', async () => {
    await session.page.waitForFunction(() => self.crossOriginIsolated, undefined, { timeout: 60_000 });
    const top = await readTopK(session.page);
    expect(top.length).toBeGreaterThan(0);
    expect(await session.page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  });

  it('with the network off, a reload still shows the dashboard and predicts', async () => {
    const online = await readTopK(session.page);
    await session.context.setOffline(true);
    await session.page.reload();
    const offline = await readTopK(session.page);
    expect(offline).toEqual(online);
    // The network really is off: anything not precached fails to load (navigator.onLine is not reliable
    // under emulation in every Chromium version).
    const uncached = await session.page.evaluate(() => fetch(`/not-precached-${Date.now()}.txt`).then(() => 'loaded', () => 'failed'));
    expect(uncached).toBe('failed');
    // Switching demo images works offline too: the demo assets are precached.
    await session.page.click('.thumbs button:nth-child(2)');
    await session.page.waitForSelector('[data-testid="image-caption"]');
    expect(await session.page.$('[data-testid="messages"]')).toBeNull();
    await session.context.setOffline(false);
  });
});
