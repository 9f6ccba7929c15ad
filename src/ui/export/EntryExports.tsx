/** Export buttons for any run (a history entry, a compared run): its figure, its map as .npy and its result file. */
import type { ExplanationState } from '../../store/app-store';
import { exportFigure, exportMap, exportResult, useExportAction } from './actions';

export function EntryExports(props: { entry: ExplanationState; testId?: string }) {
  const action = useExportAction();
  const { entry } = props;
  return (
    <div className="export-row" role="group" aria-label="Export this run" data-testid={props.testId}>
      <span className="muted small">Export:</span>
      <button type="button" onClick={action('the figure', () => exportFigure(entry))}>
        figure (PNG)
      </button>
      <button type="button" onClick={action('the map', () => exportMap(entry))}>
        map (.npy)
      </button>
      <button type="button" onClick={action('the result', () => exportResult(entry))}>
        result (JSON)
      </button>
    </div>
  );
}
