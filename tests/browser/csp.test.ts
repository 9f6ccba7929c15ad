/**
 * The strict Content-Security-Policy (src/engine/csp.ts): sent by the preview server and the service worker, carried by
 * index.html's <meta>, and a whole session (prediction, LIME, Grad-CAM, a comparison, exports, a report dropped back,
 * a WebGPU prediction) runs under it without a single violation, in the page or in its workers (a dedicated worker
 * enforces the CSP of its own script response, which carries the same policy).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP, CSP_META } from '../../src/engine/csp';
import { browserTestsRunnable, DIST, dropFiles, readTopK, useDashboard } from './harness';

interface Violation {
  where: string;
  directive: string;
  blocked: string;
  source: string;
  sample: string;
}

/** Parse a policy into directive → sorted source list. */
function directives(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...values] = d.split(/\s+/);
        return [name, values.sort()];
      }),
  );
}

const EXPECTED = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'"],
  'connect-src': ["'self'", 'data:'],
  'img-src': ["'self'", 'blob:', 'data:'],
  'style-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
};

/** Installed before any page script: every violation the page sees, into window.__cspViolations. */
function collectViolations() {
  const list: unknown[] = [];
  (globalThis as unknown as { __cspViolations: unknown[] }).__cspViolations = list;
  globalThis.addEventListener('securitypolicyviolation', (e) => {
    const v = e as SecurityPolicyViolationEvent;
    list.push({ where: String(globalThis.location), directive: v.effectiveDirective, blocked: v.blockedURI, source: `${v.sourceFile}:${v.lineNumber}`, sample: v.sample });
  });
}

async function violations(page: Page): Promise<Violation[]> {
  const found: Violation[] = await page.evaluate(() => (window as unknown as { __cspViolations: Violation[] }).__cspViolations);
  for (const worker of page.workers()) {
    found.push(...(await worker.evaluate(() => (self as unknown as { __cspViolations?: Violation[] }).__cspViolations ?? []).catch(() => [])));
  }
  return found;
}

/** Workers cannot get an init script: install the listener in each as soon as it is seen. */
function watchWorkers(page: Page) {
  const install = (w: import('playwright-core').Worker) => void w.evaluate(collectViolations).catch(() => undefined);
  page.on('worker', install);
  for (const w of page.workers()) install(w);
}

async function idle(page: Page) {
  await page.waitForFunction(() => !(document.querySelector('[data-testid="run-explain"]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 120_000 });
}

describe.skipIf(!browserTestsRunnable())('strict Content-Security-Policy', () => {
  const dashboard = useDashboard({ beforeAll, afterAll }, { enforceCsp: true });
  const cspConsole: string[] = [];

  it('the policy: page and worker headers from the preview server, the same from the service worker, and the <meta>', async () => {
    const { page } = dashboard.session;
    page.on('console', (m) => /Content Security Policy/i.test(m.text()) && cspConsole.push(`${m.type()}: ${m.text()}`));
    expect(directives(CSP)).toEqual({ ...EXPECTED, 'frame-ancestors': ["'none'"] });
    expect(directives(CSP_META)).toEqual(EXPECTED);

    // preview server (Node's fetch: no service worker in between), on the page and on the worker script
    const url = new URL(page.url());
    const worker = fs.readdirSync(path.join(DIST, 'assets')).find((f) => f.startsWith('compute.worker'))!;
    for (const u of [url, new URL(`assets/${worker}`, url)]) {
      const r = await fetch(u);
      expect(r.headers.get('content-security-policy')).toBe(CSP);
      expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    }

    // the service worker (registered after the first prediction) controls the page and sets the same header
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
    const fromSw = await page.evaluate(async (w) => {
      const csp = async (u: string) => (await fetch(u, { cache: 'no-store' })).headers.get('content-security-policy');
      return { controlled: !!navigator.serviceWorker.controller, page: await csp(location.href), worker: await csp(`assets/${w}`) };
    }, worker);
    expect(fromSw).toEqual({ controlled: true, page: CSP, worker: CSP });

    // the <meta> in the built page, first in <head> after the charset
    const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(CSP_META);
    expect(html.indexOf('http-equiv="Content-Security-Policy"')).toBeLessThan(html.indexOf('<script'));
    expect(html).not.toMatch(/\sstyle="/);
    expect(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content')).toBe(CSP_META);
  });

  it('a session runs without a violation: prediction, LIME, Grad-CAM, a comparison, exports, a report dropped back, WebGPU', async () => {
    const { page } = dashboard.session;
    // listen from the very start of a fresh load (service-worker controlled, isolated)
    await page.addInitScript(collectViolations);
    watchWorkers(page);
    await page.reload();
    await readTopK(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

    // LIME with few samples
    await page.selectOption('[data-testid="method-picker"]', 'lime');
    await page.fill('input[aria-label="Samples"]', '100');
    await page.click('[data-testid="run-explain"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="explanation-meta"]')?.textContent?.includes('100 samples'), undefined, { timeout: 120_000 });

    // exports: PNG (SVG text drawn through a blob: image), JSON, the HTML report (pictures as data: URLs)
    const save = async (testId: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid="${testId}"]`)]);
      return { name: download.suggestedFilename(), bytes: fs.readFileSync((await download.path())!) };
    };
    expect((await save('export-png')).bytes.subarray(1, 4).toString()).toBe('PNG');
    expect((await save('export-json')).name).toMatch(/\.json$/);
    const report = await save('export-report');
    expect(report.name).toMatch(/\.html$/);

    // Grad-CAM
    await page.selectOption('[data-testid="method-picker"]', 'gradcam');
    await idle(page);
    await page.click('[data-testid="run-explain"]');
    await page.waitForFunction(() => /Grad-CAM/.test(document.querySelector('#result-h')?.textContent ?? ''), undefined, { timeout: 120_000 });

    // a comparison of two quick methods
    for (const box of await page.$$('[data-testid="compare-panel"] .method-checks input:checked')) await box.uncheck();
    for (const label of ['LIME', 'Grad-CAM']) await page.check(`[data-testid="compare-panel"] input[aria-label="Compare ${label}"]`);
    await page.click('[data-testid="run-compare"]');
    await page.waitForFunction(() => (window as unknown as { glassbox: { getState(): { comparison?: { done: boolean } } } }).glassbox.getState().comparison?.done, undefined, { timeout: 240_000 });
    for (const m of ['lime', 'gradcam']) await page.waitForSelector(`[data-testid="compare-map-${m}"]`);

    // the report dropped back: its pictures are decoded with fetch(data:…) (connect-src data:)
    await dropFiles(page, [{ name: report.name, type: 'text/html', bytes: report.bytes }]);
    await page.waitForFunction((n) => (window as unknown as { glassbox: { getState(): { historyNotice?: string } } }).glassbox.getState().historyNotice?.includes(n), report.name, { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { glassbox: { getState(): { history: { imageMissing?: boolean }[] } } }).glassbox.getState().history[0].imageMissing)).toBeFalsy();

    // WebGPU (SwiftShader): onnxruntime's native WebGPU EP, without 'unsafe-eval'
    await idle(page);
    await page.selectOption('select[aria-label="Backend"]', 'webgpu');
    await page.waitForFunction(() => document.querySelector('[data-testid="backend-badge"]')?.textContent === 'WEBGPU', undefined, { timeout: 120_000 });
    await page.waitForFunction(() => !document.querySelector('[aria-label="predicting"]'), undefined, { timeout: 120_000 });
    await readTopK(page);

    expect(await violations(page)).toEqual([]);
    expect(cspConsole).toEqual([]);
    expect(dashboard.session.consoleErrors.filter((e) => /Content Security Policy|unsafe-eval|EvalError/i.test(e))).toEqual([]);
  });
});
