/** The exports of one run, shared by the result view, the comparison and the history: each one a download. */
import { useCallback } from 'react';
import { renderFigure, type FigureOptions } from '../../engine/export/figure';
import { float32MapNpy, int32LabelsNpy } from '../../engine/export/npy';
import { serializeResultFile } from '../../engine/export/result-json';
import type { ExplanationState } from '../../store/app-store';
import { useApp } from '../store-context';
import { resultContextOf, stemOf } from './context';
import { download, figurePng } from './files';

const npyBlob = (bytes: Uint8Array) => new Blob([bytes as Uint8Array<ArrayBuffer>]);

/** The figure as PNG (`<stem>.png`; the bare map as `<stem>.map.png`). */
export async function exportFigure(entry: ExplanationState, options: FigureOptions = {}): Promise<void> {
  download(`${stemOf(entry)}${options.bare ? '.map' : ''}.png`, await figurePng(renderFigure(entry.result, entry.baseImage, entry.modelName, options)));
}

/** The first class's map as float32 H×W .npy. */
export function exportMap(entry: ExplanationState): void {
  download(`${stemOf(entry)}.npy`, npyBlob(float32MapNpy(entry.result.map, entry.result.height, entry.result.width)));
}

/** Superpixel ids as int32 H×W .npy (surrogate methods only). */
export function exportSegments(entry: ExplanationState): void {
  if (entry.result.kind !== 'superpixel-weights') return;
  download(`${stemOf(entry)}.segments.npy`, npyBlob(int32LabelsNpy(entry.result.segments, entry.result.height, entry.result.width)));
}

/** The reproducible result file. */
export function exportResult(entry: ExplanationState): void {
  download(`${stemOf(entry)}.json`, new Blob([serializeResultFile(entry.result, resultContextOf(entry))], { type: 'application/json' }));
}

/** A click handler that runs an export and reports what went wrong ("Exporting the figure: …"). */
export function useExportAction(): (what: string, f: () => Promise<void> | void) => () => Promise<void> {
  const report = useApp((s) => s.report);
  return useCallback(
    (what, f) => async () => {
      try {
        await f();
      } catch (e) {
        report(e, `Exporting ${what}`);
      }
    },
    [report],
  );
}
