import { startServer, launchBrowser, openPage } from './tests/browser/harness';
const { server, url } = await startServer({ isolationHeaders: true });
const browser = await launchBrowser();
const { page } = await openPage(browser, url);
for (const [w, h] of [[1280, 720], [1440, 900]]) {
  await page.setViewportSize({ width: w, height: h });
  await page.waitForSelector('[data-testid="batch-probe"]', { state: 'attached', timeout: 60_000 });
  // open the model details
  const details = await page.$('details:has([data-testid="batch-probe"])');
  if (details) await details.evaluate((d) => ((d as HTMLDetailsElement).open = true));
  await (await page.$('[data-testid="batch-probe"]'))!.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `/tmp/shots/probe-${w}.png` });
}
await page.selectOption('[data-testid="method-picker"]', 'rise');
await page.fill('input[aria-label="Stop when stable at"]', '0.8');
await page.fill('input[aria-label="Masks"]', '6000');
await page.selectOption('select[aria-label="Score space"]', 'raw');
await page.click('[data-testid="run-explain"]');
await page.waitForSelector('[data-testid="stability-curve"]', { timeout: 120_000 });
await page.waitForFunction(() => !(window as any).glassbox.getState().run, undefined, { timeout: 120_000 });
for (const [w, h] of [[1280, 720], [1440, 900]]) {
  await page.setViewportSize({ width: w, height: h });
  await (await page.$('[data-testid="stability-curve"]'))!.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `/tmp/shots/rise-anytime-${w}.png` });
}
console.log(await page.textContent('[data-testid="batch-probe"]'));
console.log(await page.textContent('[data-testid="anytime-summary"]'));
await browser.close();
await server.close();
