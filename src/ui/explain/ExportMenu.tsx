/**
 * Exports of the shown result, as the CLI's --out-dir writes them: the figure (PNG: overlay at the image's own
 * resolution scaled up, title, colour bar), the map as .npy (float32 H×W), superpixel ids as .npy (int32 H×W) and
 * the reproducible result JSON. Everything is made here in the page; nothing is uploaded.
 */
import { renderFigure } from '../../engine/export/figure';
import { float32MapNpy, int32LabelsNpy } from '../../engine/export/npy';
import { serializeResultFile, type ResultContext } from '../../engine/export/result-json';
import type { ExplanationState } from '../../store/app-store';
import { useApp } from '../store-context';

function download(name: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The figure's pixels with its SVG text drawn over them, as a PNG. */
async function figurePng(entry: ExplanationState, modelName: string): Promise<Blob> {
  const figure = renderFigure(entry.result, entry.baseImage, modelName);
  const canvas = document.createElement('canvas');
  canvas.width = figure.pixels.width;
  canvas.height = figure.pixels.height;
  const ctx = canvas.getContext('2d')!;
  ctx.putImageData(new ImageData(new Uint8ClampedArray(figure.pixels.data), figure.pixels.width, figure.pixels.height), 0, 0);
  const svgUrl = URL.createObjectURL(new Blob([figure.svg], { type: 'image/svg+xml' }));
  try {
    const text = new Image();
    text.src = svgUrl;
    await text.decode();
    ctx.drawImage(text, 0, 0);
  } finally {
    URL.revokeObjectURL(svgUrl);
  }
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
}

export function ExportMenu() {
  const entry = useApp((s) => s.explanation);
  const model = useApp((s) => s.model);
  const image = useApp((s) => s.image);
  const threads = useApp((s) => s.env?.wasmThreads ?? 1);
  const report = useApp((s) => s.report);
  if (!entry || !model || !image) return null;
  const { result } = entry;
  const stem = `${entry.imageName.replace(/\.[^.]+$/, '')}-${result.method}`;
  const context: ResultContext = {
    glassbox: typeof __GLASSBOX_VERSION__ === 'string' ? __GLASSBOX_VERSION__ : 'dev',
    model: { name: entry.modelName, sha256: entry.inputs.modelSha256, inputs: model.info.inputs, outputs: model.info.outputs },
    image: { name: entry.imageName, sha256: entry.inputs.imageSha256 },
    backend: model.backend,
    threads,
  };
  const guard = (what: string, f: () => Promise<void> | void) => async () => {
    try {
      await f();
    } catch (e) {
      report(e, `Exporting ${what}`);
    }
  };
  return (
    <div className="export-row" role="group" aria-label="Export this result" data-testid="export-menu">
      <span className="muted small">Export:</span>
      <button type="button" onClick={guard('the figure', async () => download(`${stem}.png`, await figurePng(entry, entry.modelName)))} data-testid="export-png">
        figure (PNG)
      </button>
      <button type="button" onClick={guard('the map', () => download(`${stem}.npy`, new Blob([float32MapNpy(result.map, result.height, result.width) as Uint8Array<ArrayBuffer>])))} data-testid="export-npy">
        map (.npy)
      </button>
      {result.kind === 'superpixel-weights' && (
        <button type="button" onClick={guard('the superpixels', () => download(`${stem}.segments.npy`, new Blob([int32LabelsNpy(result.segments, result.height, result.width) as Uint8Array<ArrayBuffer>])))} data-testid="export-segments">
          superpixels (.npy)
        </button>
      )}
      <button type="button" onClick={guard('the result', () => download(`${stem}.json`, new Blob([serializeResultFile(result, context)], { type: 'application/json' })))} data-testid="export-json">
        result (JSON)
      </button>
    </div>
  );
}
