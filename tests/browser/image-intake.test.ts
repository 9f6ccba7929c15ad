/**
 * Image intake in the browser's own decoder (createImageBitmap in the worker): every supported format, EXIF
 * orientation, transparency, greyscale, a 24-megapixel photo downscaled on decode, and broken files refused
 * with their message while the previous image stays.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsRunnable, dropFiles, launchBrowser, openPage, readTopK, ROOT, startServer } from './harness';

const corpus = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/corpus/bad-inputs.json'), 'utf8')) as { images: { file: string; code: string; message: string }[] };
const fixture = (name: string) => fs.readFileSync(path.join(ROOT, 'tests/fixtures/images', name));

async function dropImage(page: Page, name: string, type: string): Promise<void> {
  await dropFiles(page, [{ name, type, bytes: fixture(name) }]);
}

/** Wait for the caption to name the file and return the decoded size and a few pixels from the source canvas. */
async function decoded(page: Page, name: string, probes: [number, number][] = []) {
  await page.waitForFunction((n) => document.querySelector('[data-testid="image-caption"]')?.textContent?.startsWith(n), name);
  return page.evaluate((points) => {
    const canvas = document.querySelector('[data-testid="source-canvas"]') as HTMLCanvasElement;
    const ctx = canvas.getContext('2d')!;
    return {
      width: canvas.width,
      height: canvas.height,
      caption: document.querySelector('[data-testid="image-caption"]')!.textContent!,
      pixels: points.map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data)),
    };
  }, probes);
}

describe.skipIf(!browserTestsRunnable())('image intake in Chromium', () => {
  let server: PreviewServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const started = await startServer({ isolationHeaders: true });
    server = started.server;
    browser = await launchBrowser();
    ({ page } = await openPage(browser, started.url));
    await readTopK(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('JPEG with EXIF orientation 6 is rotated upright: 40×20 stored → 20×40 shown, red half on top', async () => {
    await dropImage(page, 'exif_rotate90.jpg', 'image/jpeg');
    const r = await decoded(page, 'exif_rotate90.jpg', [[10, 5], [10, 34]]);
    expect([r.width, r.height]).toEqual([20, 40]);
    const [top, bottom] = r.pixels;
    expect(top[0]).toBeGreaterThan(200); // red
    expect(top[2]).toBeLessThan(60);
    expect(bottom[2]).toBeGreaterThan(200); // blue
    expect(bottom[0]).toBeLessThan(60);
  });

  it('formats: WebP, GIF (first frame), BMP, RGBA PNG, greyscale PNG', async () => {
    await dropImage(page, 'tiny.webp', 'image/webp');
    const webp = await decoded(page, 'tiny.webp', [[4, 4]]);
    expect(webp.width).toBe(8);
    expect(webp.pixels[0][1]).toBeGreaterThan(240); // green (lossy WebP may shift a little)
    expect(webp.pixels[0][0]).toBeLessThan(15);

    await dropImage(page, 'anim.gif', 'image/gif');
    const gif = await decoded(page, 'anim.gif', [[4, 4]]);
    expect(gif.pixels[0][0]).toBeGreaterThan(200); // first frame is red
    expect(gif.pixels[0][2]).toBeLessThan(50);

    await dropImage(page, 'tiny.bmp', 'image/bmp');
    const bmp = await decoded(page, 'tiny.bmp', [[4, 4]]);
    expect(bmp.pixels[0].slice(0, 3)).toEqual([255, 255, 0]);

    await dropImage(page, 'gray.png', 'image/png');
    const gray = await decoded(page, 'gray.png', [[0, 0]]);
    expect(gray.pixels[0][0]).toBe(gray.pixels[0][1]);
    expect(gray.pixels[0][1]).toBe(gray.pixels[0][2]);

    await dropImage(page, 'rgba.png', 'image/png');
    expect((await decoded(page, 'rgba.png')).width).toBe(8);
  });

  it('a very large image is downscaled on decode and still predicts', async () => {
    await dropImage(page, 'big.png', 'image/png');
    const big = await decoded(page, 'big.png');
    expect(Math.max(big.width, big.height)).toBe(4096);
    expect(big.caption).toMatch(/downscaled to/);
    expect((await readTopK(page)).length).toBeGreaterThan(0);
  });

  it.each(corpus.images)('$file is refused with $code and the previous image stays', async ({ file, code, message }) => {
    await dropImage(page, 'tiny.bmp', 'image/bmp');
    await decoded(page, 'tiny.bmp');
    await page.evaluate(() => document.querySelectorAll('[data-testid="messages"] button').forEach((b) => (b as HTMLButtonElement).click()));
    await dropImage(page, path.basename(file), 'image/png');
    const el = await page.waitForSelector(`[data-testid="messages"] [data-code="${code}"]`);
    expect(await el.$eval('[data-testid="message-text"]', (e) => e.textContent)).toBe(`Loading image ${path.basename(file)} failed. ${message}`);
    // The decoder's own words are folded away under "details".
    expect(await el.$eval('[data-testid="message-detail"]', (e) => e.textContent)).toMatch(/^detailscreateImageBitmap \(image\/png\): ./);
    expect(await page.textContent('[data-testid="image-caption"]')).toMatch(/^tiny\.bmp/);
  });
});
