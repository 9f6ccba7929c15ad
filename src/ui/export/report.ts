/** The HTML report of history entries or a comparison, made in the page (the CLI's --report makes the same file). */
import { renderFigure } from '../../engine/export/figure';
import { buildReport, type ReportRun } from '../../engine/export/report';
import { serializeResultFile } from '../../engine/export/result-json';
import type { ExplanationState } from '../../store/app-store';
import { GLASSBOX_VERSION, resultContextOf } from './context';
import { dataUrl, figurePng, rgbaPng } from './files';

/** One self-contained HTML page with every entry's figure, tables and curves, and its result file for re-opening. */
export async function reportHtml(entries: ExplanationState[], title: string): Promise<string> {
  const runs: ReportRun[] = [];
  for (const entry of entries) {
    runs.push({
      resultJson: serializeResultFile(entry.result, resultContextOf(entry)),
      figurePng: await dataUrl(await figurePng(renderFigure(entry.result, entry.baseImage, entry.modelName))),
      // the picture the model saw, so a re-opened report draws each run over its own image
      ...(entry.imageMissing ? {} : { inputPng: await dataUrl(await rgbaPng(entry.baseImage)) }),
    });
  }
  return buildReport(runs, { title, generatedAt: new Date().toISOString(), glassbox: GLASSBOX_VERSION });
}
