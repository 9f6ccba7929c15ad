/**
 * Browser-test harness: serves the production build (dist/) with `vite preview` and drives Debian's Chromium
 * through playwright-core. Records every request so tests can prove nothing leaves the page's origin.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ROOT = path.resolve(import.meta.dirname, '../..');
/** The build the tests serve: dist/, or another folder (GLASSBOX_DIST=dist-x after `vite build --outDir dist-x`). */
export const DIST = path.resolve(ROOT, process.env.GLASSBOX_DIST ?? 'dist');

/** Chromium and a build are required; outside CI a missing browser skips the browser tests with a note. */
export function browserTestsRunnable(): boolean {
  const problems: string[] = [];
  if (!fs.existsSync(CHROMIUM)) problems.push(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  if (!fs.existsSync(path.join(DIST, 'index.html'))) problems.push(`no production build in ${path.relative(ROOT, DIST)}/ (npm run build)`);
  if (problems.length === 0) return true;
  if (process.env.CI) throw new Error(`Browser tests cannot run: ${problems.join('; ')}`);
  console.warn(`[skip] browser tests: ${problems.join('; ')}`);
  return false;
}

export async function startServer(options: { isolationHeaders: boolean }): Promise<{ server: PreviewServer; url: string }> {
  if (options.isolationHeaders) delete process.env.GLASSBOX_NO_ISOLATION;
  else process.env.GLASSBOX_NO_ISOLATION = '1';
  const server = await preview({ root: ROOT, configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir: DIST }, preview: { port: 0, host: '127.0.0.1' } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // the last two let a test measure the worker's memory after a forced collection (dataset mode stays flat)
    args: ['--no-sandbox', '--disable-gpu', '--enable-unsafe-webgpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--js-flags=--expose-gc', '--enable-blink-features=ForceEagerMeasureMemory'],
  });
}

export interface RecordedPage {
  context: BrowserContext;
  page: Page;
  /** Every URL requested by any page or worker of the context. */
  requests: string[];
  consoleErrors: string[];
}

/**
 * `enforceCsp: false` (the default) lets the test tooling evaluate strings in the page — axe-core's injection,
 * waitForFunction with an expression — which the app's Content-Security-Policy (no 'unsafe-eval') would block;
 * csp.test.ts keeps the policy enforced and runs a whole session under it.
 */
export async function openPage(browser: Browser, url: string, options: { enforceCsp?: boolean } = {}): Promise<RecordedPage> {
  const context = await browser.newContext({ bypassCSP: !options.enforceCsp });
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(url);
  return { context, page, requests, consoleErrors };
}

/** Wait until the top-k table shows a prediction and return its rows (class index and label). */
export async function readTopK(page: Page, timeout = 60_000): Promise<{ index: number; label: string }[]> {
  await page.waitForSelector('[data-testid="topk"] tbody tr', { timeout });
  return page.$$eval('[data-testid="topk"] tbody tr', (rows) =>
    rows.map((r) => ({ index: Number(r.getAttribute('data-class-index')), label: r.querySelector('.label')?.textContent ?? '' })),
  );
}

/** Dispatch a real `drop` event on the page carrying the given files, as a user dragging them in would. */
export async function dropFiles(page: Page, files: { name: string; type: string; bytes: Buffer }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type, base64: f.bytes.toString('base64') }));
  const dataTransfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const item of items) {
      const bin = atob(item.base64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], item.name, { type: item.type }));
    }
    return dt;
  }, payload);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer });
}

/**
 * For a describe block: serve the build with isolation headers, open the dashboard once before its tests, wait
 * for the demo prediction, and close everything after. Returns the live session (read it inside tests).
 */
export function useDashboard(hooks: { beforeAll: (f: () => Promise<void>) => void; afterAll: (f: () => Promise<void>) => void }, options: { enforceCsp?: boolean } = {}): { readonly session: RecordedPage } {
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  let session: RecordedPage | undefined;
  hooks.beforeAll(async () => {
    const started = await startServer({ isolationHeaders: true });
    server = started.server;
    browser = await launchBrowser();
    session = await openPage(browser, started.url, options);
    await readTopK(session.page);
  });
  hooks.afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get session() {
      if (!session) throw new Error('the dashboard is not open yet');
      return session;
    },
  };
}

/**
 * Bytes of the compute worker's JavaScript heap after a full collection in it (performance.measureUserAgentSpecificMemory
 * from the cross-origin-isolated page; the browser runs with --expose-gc and eager measurement).
 */
export async function workerHeapBytes(page: Page): Promise<number> {
  const worker = page.workers().find((w) => w.url().includes('compute.worker'));
  if (!worker) throw new Error('no compute worker');
  await worker.evaluate(() => (globalThis as unknown as { gc(): void }).gc());
  return page.evaluate(async () => {
    const m = await (performance as unknown as { measureUserAgentSpecificMemory(): Promise<{ breakdown: { bytes: number; attribution: { url: string }[] }[] }> }).measureUserAgentSpecificMemory();
    return m.breakdown.filter((b) => b.attribution.some((a) => a.url.includes('compute.worker'))).reduce((sum, b) => sum + b.bytes, 0);
  });
}

const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical findings inside one panel (by its data-testid), one line each. */
export async function panelViolations(page: Page, panelTestId: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async (selector) => {
    type Violation = { id: string; impact: string | null; nodes: { target: string[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: string, opts: object): Promise<{ violations: Violation[] }> } }).axe;
    const { violations } = await axe.run(selector, { resultTypes: ['violations'] });
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }, `[data-testid="${panelTestId}"]`);
}
