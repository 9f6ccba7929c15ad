/**
 * First visit: time from navigation to the demo prediction on a fresh browser profile (no HTTP cache, no code
 * cache, no service worker), against the production build served locally by `vite preview`.
 * `npx tsx bench/first-visit.ts` (also run by `npm run bench`) prints the median of 3 fresh profiles for a host
 * that sends COOP/COEP (as `npm run preview` does) and for a static host that sends none, plus what the page
 * spent its time on in the median run (wasm and model downloads, the service worker's reload).
 * Serves GLASSBOX_DIST when set (a folder built with `vite build --outDir`), else builds into .bench/dist.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';

const ROOT = path.resolve(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const GOAL_MS = 3000;

interface Visit {
  totalMs: number;
  reloaded: boolean;
  resources: { name: string; ms: number; kb: number }[];
}

function median<T>(items: T[], key: (t: T) => number): T {
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)];
}

async function distFolder(): Promise<string> {
  if (process.env.GLASSBOX_DIST) return path.resolve(ROOT, process.env.GLASSBOX_DIST);
  const outDir = path.join(ROOT, '.bench/dist');
  await build({ root: ROOT, configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true } });
  return outDir;
}

/** One visit with a brand-new profile: the clock starts just before navigation and stops when the first prediction row is in the DOM. */
async function visit(url: string): Promise<Visit> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-first-visit-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 720 },
    args: [...(process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean), '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    let navigations = 0;
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations++);
    // Stamp the wall-clock moment the first prediction row appears, from inside the page (no polling delay).
    await page.addInitScript(() => {
      const w = window as unknown as { __firstPrediction?: number };
      new MutationObserver((_, observer) => {
        if (document.querySelector('[data-testid="topk"] tbody tr')) {
          w.__firstPrediction = performance.timeOrigin + performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const started = Date.now();
    await page.goto(url, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(() => (window as unknown as { __firstPrediction?: number }).__firstPrediction, undefined, { timeout: 120_000, polling: 100 });
    const shownAt = (await handle.jsonValue()) as number;
    const resources = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => e as PerformanceResourceTiming)
        .filter((e) => /\.(wasm|onnx|mjs)$|\.js$/.test(e.name))
        .map((e) => ({ name: e.name.replace(/^.*\//, ''), ms: Math.round(e.responseEnd - e.startTime), kb: Math.round(e.transferSize / 1024) })),
    );
    return { totalMs: shownAt - started, reloaded: navigations > 1, resources };
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function measure(dist: string, isolationHeaders: boolean): Promise<Visit[]> {
  if (isolationHeaders) delete process.env.GLASSBOX_NO_ISOLATION;
  else process.env.GLASSBOX_NO_ISOLATION = '1';
  const server = await preview({ root: ROOT, configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir: dist }, preview: { port: 0, host: '127.0.0.1' } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  try {
    const visits: Visit[] = [];
    for (let i = 0; i < RUNS; i++) visits.push(await visit(`http://127.0.0.1:${address.port}/`));
    return visits;
  } finally {
    await server.close();
  }
}

const dist = await distFolder();
console.log(`First visit to ${path.relative(ROOT, dist)}/ (fresh profile each time, median of ${RUNS}, ${os.cpus().length} CPUs): navigation → demo prediction`);
for (const isolationHeaders of [true, false]) {
  const visits = await measure(dist, isolationHeaders);
  const mid = median(visits, (v) => v.totalMs);
  const host = isolationHeaders ? 'host sends COOP/COEP  ' : 'host sends no headers ';
  const all = visits.map((v) => `${(v.totalMs / 1000).toFixed(2)} s${v.reloaded ? ' (reloaded)' : ''}`).join(', ');
  const verdict = mid.totalMs <= GOAL_MS ? 'within' : 'OVER';
  console.log(`  ${host} ${(mid.totalMs / 1000).toFixed(2)} s  [${all}]  ${verdict} the ${GOAL_MS / 1000} s goal`);
  for (const r of mid.resources.filter((r) => r.kb > 100 || r.ms > 300)) console.log(`      ${r.name}: ${r.ms} ms, ${r.kb} KiB transferred`);
}
