/**
 * Screenshot of the dashboard for the README: serves dist/, loads squeezenet1.1 and the cat photo from
 * ../shared/models (or stays on the demo if that folder is absent), runs Grad-CAM, saves tools/screenshot.png.
 *   npm run build && npx tsx tools/screenshot.ts [out.png]
 */
import fs from 'node:fs';
import { dropFiles, launchBrowser, openPage, readTopK, startServer } from '../tests/browser/harness';
import { sharedModelsAvailable, sharedPath } from '../tests/helpers/shared-models';

const out = process.argv[2] ?? 'tools/screenshot.png';
const { server, url } = await startServer({ isolationHeaders: true });
const browser = await launchBrowser();
try {
  const { page } = await openPage(browser, url);
  await page.setViewportSize({ width: 1280, height: 900 });
  await readTopK(page);
  if (sharedModelsAvailable()) {
    await dropFiles(page, [
      { name: 'squeezenet1.1-fp32.onnx', type: '', bytes: fs.readFileSync(sharedPath('squeezenet1.1-fp32.onnx')) },
      { name: 'chelsea.png', type: 'image/png', bytes: fs.readFileSync(sharedPath('images/chelsea.png')) },
    ]);
    await page.waitForFunction(() => document.querySelector('[data-testid="image-caption"]')?.textContent?.includes('chelsea'));
    await page.waitForFunction(() => document.querySelector('[data-testid="model-name"]')?.textContent?.includes('squeezenet'));
    await page.waitForTimeout(1500);
  }
  await page.selectOption('[data-testid="method-picker"]', 'gradcam');
  await page.waitForFunction(() => !(document.querySelector('[data-testid="run-explain"]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 60_000 });
  await page.click('[data-testid="run-explain"]');
  await page.waitForSelector('[data-testid="overlay-canvas"]', { timeout: 120_000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
  await server.close();
}
