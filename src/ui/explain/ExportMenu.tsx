/**
 * Exports of the shown result, as the CLI's --out-dir and --report write them: the figure (PNG: the overlay at an
 * automatic size, the image's own resolution or a chosen width, with title and colour bar, or the bare map), the
 * map as .npy (float32 H×W), superpixel ids as .npy (int32 H×W), the reproducible result JSON, the bar chart and
 * the curves as SVG or PNG, and a one-run HTML report. Everything is made here in the page; nothing is uploaded.
 */
import { useState } from 'react';
import { curvesSvg, weightsChartSvg } from '../../engine/export/charts';
import { sourceWindow, type FigureOptions } from '../../engine/export/figure';
import { exportFigure, exportMap, exportResult, exportSegments, useExportAction } from '../export/actions';
import { stemOf } from '../export/context';
import { download, svgBlob, svgPng } from '../export/files';
import { reportHtml } from '../export/report';
import { useApp } from '../store-context';

type SizeChoice = 'auto' | 'image' | '1024' | '2048';

export function ExportMenu() {
  const entry = useApp((s) => s.explanation);
  const image = useApp((s) => s.image);
  const guard = useExportAction();
  const [size, setSize] = useState<SizeChoice>('auto');
  const [bare, setBare] = useState(false);
  if (!entry) return null;
  const { result } = entry;
  const stem = stemOf(entry);
  // the image's own pixels are on screen only when the result is the screen image's (it always is when shown)
  const source = image && image.sha256 === entry.inputs.imageSha256 ? { image: image.image, preprocess: entry.inputs.preprocess } : undefined;
  const window = source ? sourceWindow(source.image.width, source.image.height, source.preprocess) : undefined;
  const options: FigureOptions = { size: size === 'auto' ? 'auto' : size === 'image' ? 'image' : Number(size), bare, source };
  // the first explained class, as the figure and the .npy
  const weights = result.kind === 'superpixel-weights' ? weightsChartSvg(result) : undefined;
  const curves = result.metrics ? curvesSvg(result.metrics) : undefined;
  return (
    <div className="export-box" data-testid="export-menu">
      <div className="export-row" role="group" aria-label="Export this result">
        <span className="muted small">Export:</span>
        <button type="button" onClick={guard('the figure', () => exportFigure(entry, options))} data-testid="export-png">
          figure (PNG)
        </button>
        <button type="button" onClick={guard('the map', () => exportMap(entry))} data-testid="export-npy">
          map (.npy)
        </button>
        {result.kind === 'superpixel-weights' && (
          <button type="button" onClick={guard('the superpixels', () => exportSegments(entry))} data-testid="export-segments">
            superpixels (.npy)
          </button>
        )}
        <button type="button" onClick={guard('the result', () => exportResult(entry))} data-testid="export-json">
          result (JSON)
        </button>
        <button type="button" onClick={guard('the report', async () => download(`${stem}.report.html`, new Blob([await reportHtml([entry], `${stem}`)], { type: 'text/html' })))} data-testid="export-report">
          report (HTML)
        </button>
      </div>
      <div className="export-row" role="group" aria-label="Figure options">
        <label>
          Figure size
          <select aria-label="Figure size" value={size} onChange={(e) => setSize(e.target.value as SizeChoice)} data-testid="figure-size">
            <option value="auto">model input, enlarged ({result.width}×{result.height} map)</option>
            <option value="image" disabled={!window}>
              image’s own resolution{window ? ` (${window.width}×${window.height} px seen by the model)` : ''}
            </option>
            <option value="1024">1024 px wide</option>
            <option value="2048">2048 px wide</option>
          </select>
        </label>
        <label title="Only the overlay: no title, colour bar or margins">
          <input type="checkbox" checked={bare} onChange={(e) => setBare(e.target.checked)} data-testid="figure-bare" /> bare map
        </label>
      </div>
      {(weights || curves) && (
        <div className="export-row" role="group" aria-label="Export the charts">
          <span className="muted small">Charts:</span>
          {weights && (
            <>
              <button type="button" onClick={guard('the bar chart', () => download(`${stem}.weights.svg`, svgBlob(weights)))} data-testid="export-weights-svg">
                weights (SVG)
              </button>
              <button type="button" onClick={guard('the bar chart', async () => download(`${stem}.weights.png`, await svgPng(weights)))} data-testid="export-weights-png">
                weights (PNG)
              </button>
            </>
          )}
          {curves && (
            <>
              <button type="button" onClick={guard('the curves', () => download(`${stem}.curves.svg`, svgBlob(curves)))} data-testid="export-curves-svg">
                curves (SVG)
              </button>
              <button type="button" onClick={guard('the curves', async () => download(`${stem}.curves.png`, await svgPng(curves)))} data-testid="export-curves-png">
                curves (PNG)
              </button>
            </>
          )}
        </div>
      )}
    </div>
  );
}
