import { useRef, type KeyboardEvent } from 'react';
import { FileButton } from '../common/FileButton';
import { formatMs } from '../common/format';
import { useApp } from '../store-context';

export function PredictionsPanel() {
  const prediction = useApp((s) => s.prediction);
  const predicting = useApp((s) => s.predicting);
  const topK = useApp((s) => s.topK);
  const showRaw = useApp((s) => s.showRaw);
  const target = useApp((s) => s.target);
  const userLabels = useApp((s) => s.userLabels);
  const setTopK = useApp((s) => s.setTopK);
  const setShowRaw = useApp((s) => s.setShowRaw);
  const setTarget = useApp((s) => s.setTarget);
  const loadLabels = useApp((s) => s.loadLabels);
  const clearLabels = useApp((s) => s.clearLabels);
  const body = useRef<HTMLTableSectionElement>(null);
  const rows = prediction?.ranked.top ?? [];
  // one tab stop: the selected class (else the first row); the arrow keys move between rows, Enter or Space picks one
  const tabStop = rows.some((r) => r.index === target) ? target : rows[0]?.index;
  const onKeyDown = (e: KeyboardEvent<HTMLTableRowElement>, rank: number) => {
    const focusRow = (i: number) => (body.current?.rows[Math.max(0, Math.min(rows.length - 1, i))] as HTMLElement | undefined)?.focus();
    if (e.key === 'Enter' || e.key === ' ') setTarget(rows[rank].index);
    else if (e.key === 'ArrowDown') focusRow(rank + 1);
    else if (e.key === 'ArrowUp') focusRow(rank - 1);
    else if (e.key === 'Home') focusRow(0);
    else if (e.key === 'End') focusRow(rows.length - 1);
    else return;
    e.preventDefault();
  };
  return (
    <section className="panel contained" aria-labelledby="pred-h" data-testid="predictions-panel">
      <header>
        <h2 id="pred-h">Prediction {predicting && <span className="spinner" role="img" aria-label="predicting" />}</h2>
        <FileButton accept=".txt,.json" onFiles={(files) => void files[0].text().then((t) => loadLabels(t, files[0].name))} testId="labels-input">
          Labels…
        </FileButton>
      </header>
      <div className="controls">
        <label>
          Top
          <select aria-label="Top k" value={topK} onChange={(e) => setTopK(Number(e.target.value))}>
            {[1, 3, 5, 10, 20].map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={showRaw} onChange={(e) => setShowRaw(e.target.checked)} /> raw {prediction?.ranked.outputKind === 'logits' ? 'logits' : 'outputs'}
        </label>
      </div>
      {!prediction && (
        <div className="skeleton-rows" aria-hidden="true">
          {[0, 1, 2, 3].map((i) => (
            <div key={i} className="skeleton line" />
          ))}
        </div>
      )}
      {prediction && (
        <>
          <table className="topk" data-testid="topk" role="presentation">
            <thead aria-hidden="true">
              <tr>
                <th>#</th>
                <th>class</th>
                <th>probability</th>
                {showRaw && <th>raw</th>}
              </tr>
            </thead>
            <tbody ref={body} role="listbox" aria-label="Predicted classes: choose the class to explain" aria-describedby="pred-help">
              {rows.map((row, rank) => (
                <tr
                  key={row.index}
                  role="option"
                  tabIndex={row.index === tabStop ? 0 : -1}
                  className={row.index === target ? 'selected' : undefined}
                  onClick={() => setTarget(row.index)}
                  onKeyDown={(e) => onKeyDown(e, rank)}
                  data-class-index={row.index}
                  aria-selected={row.index === target}
                  title="Click (or Enter) to explain this class"
                >
                  <td role="none">{rank + 1}</td>
                  <td role="none">
                    <span className="label">{row.label}</span> <span className="muted">#{row.index}</span>
                  </td>
                  <td role="none">
                    <div className="bar" style={{ width: `${Math.max(1, row.score * 100)}%` }} />
                    {(row.score * 100).toFixed(row.score > 0.001 ? 1 : 3)}%
                  </td>
                  {showRaw && (
                    <td role="none" className="mono">
                      {row.raw.toPrecision(4)}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          <p id="pred-help" className="visually-hidden">
            Arrow keys move between classes; Enter or Space explains the focused class.
          </p>
          <p className="muted small" data-testid="prediction-meta">
            Labels: {prediction.labels.source}
            {userLabels && (
              <>
                {' '}
                ({userLabels.name}{' '}
                <button type="button" className="link" onClick={clearLabels}>
                  remove
                </button>
                )
              </>
            )}
            {' · '}
            {prediction.ranked.outputKind === 'logits' ? 'softmax applied to logits' : 'model outputs probabilities (no softmax applied)'}
            {' · '}preprocess {formatMs(prediction.result.preprocessMs)}, inference {formatMs(prediction.result.inferenceMs)}
            {target !== undefined && <> · explaining class #{target}</>}
          </p>
          {prediction.labels.warning && <p className="warning">{prediction.labels.warning}</p>}
        </>
      )}
    </section>
  );
}
