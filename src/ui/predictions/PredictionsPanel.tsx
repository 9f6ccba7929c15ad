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
  return (
    <section className="panel" aria-labelledby="pred-h" data-testid="predictions-panel">
      <header>
        <h2 id="pred-h">Prediction {predicting && <span className="spinner" aria-label="predicting" />}</h2>
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
      {prediction && (
        <>
          <table className="topk" data-testid="topk">
            <thead>
              <tr>
                <th>#</th>
                <th>class</th>
                <th>probability</th>
                {showRaw && <th>raw</th>}
              </tr>
            </thead>
            <tbody>
              {prediction.ranked.top.map((row, rank) => (
                <tr
                  key={row.index}
                  className={row.index === target ? 'selected' : undefined}
                  onClick={() => setTarget(row.index)}
                  data-class-index={row.index}
                  aria-selected={row.index === target}
                  title="Click to explain this class"
                >
                  <td>{rank + 1}</td>
                  <td>
                    <span className="label">{row.label}</span> <span className="muted">#{row.index}</span>
                  </td>
                  <td>
                    <div className="bar" style={{ width: `${Math.max(1, row.score * 100)}%` }} />
                    {(row.score * 100).toFixed(row.score > 0.001 ? 1 : 3)}%
                  </td>
                  {showRaw && <td className="mono">{row.raw.toPrecision(4)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
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
