/**
 * Result files and reports dropped (or picked) on the page: read, checked and handed to the store, which re-opens
 * their runs in the history. A .json that is not a result file is a labels file, as before.
 */
import { parseReport, reportInputImages } from '../../engine/export/report';
import { parseResultFile, RESULT_FORMAT } from '../../engine/export/result-json';
import type { RgbaImage } from '../../engine/image/types';
import type { OpenedResult } from '../../store/app-store';

/** Whether a JSON text is a Glassbox result file (rather than a labels list or map). */
export function isResultFileText(text: string): boolean {
  try {
    const o = JSON.parse(text) as { format?: unknown } | null;
    return !!o && typeof o === 'object' && !Array.isArray(o) && o.format === RESULT_FORMAT;
  } catch {
    return false;
  }
}

export const isReportName = (name: string) => /\.html?$/i.test(name);

/** A PNG data URL's pixels (small: the model-input picture a report carries). */
async function decodePng(url: string): Promise<RgbaImage | undefined> {
  try {
    const bitmap = await createImageBitmap(await (await fetch(url)).blob());
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    return { width: bitmap.width, height: bitmap.height, data };
  } catch {
    return undefined; // the run opens over grey instead
  }
}

/** The runs a result file or a report holds; throws a GlassboxError saying what is wrong with the file. */
export async function readResults(text: string, name: string): Promise<OpenedResult[]> {
  if (!isReportName(name)) return [{ file: parseResultFile(text) }];
  const files = parseReport(text);
  const images = reportInputImages(text);
  return Promise.all(files.map(async (file, i) => ({ file, baseImage: images[i] ? await decodePng(images[i]!) : undefined })));
}
