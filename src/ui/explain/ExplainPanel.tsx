import { methodUnavailable } from '../../engine/explain/availability';
import { FAITHFULNESS_DEFAULTS } from '../../engine/explain/faithfulness-params';
import { descriptorOf } from '../../engine/explain/registry';
import { formatMs } from '../common/format';
import { useApp } from '../store-context';
import { MethodPicker } from './MethodPicker';
import { ParamsForm } from './ParamsForm';
import { RunPreview } from './RunPreview';

/** The method picker, the method's parameters (from its descriptor), run/cancel, progress with ETA. */
export function ExplainPanel() {
  const settings = useApp((s) => s.explainSettings);
  const run = useApp((s) => s.run);
  const model = useApp((s) => s.model);
  const target = useApp((s) => s.target);
  const labels = useApp((s) => s.prediction?.labels.labels);
  const setSettings = useApp((s) => s.setExplainSettings);
  const runExplanation = useApp((s) => s.runExplanation);
  const cancel = useApp((s) => s.cancelExplanation);
  const support = useApp((s) => s.support);
  const method = settings.method;
  const meta = descriptorOf(method);
  const unavailable = methodUnavailable(method, support, settings.layer);
  const progress = run?.progress;
  return (
    <section className="panel" aria-labelledby="explain-h" data-testid="explain-panel">
      <header>
        <h2 id="explain-h">Explain · {meta.label}</h2>
        {run ? (
          <button type="button" onClick={() => void cancel()} data-testid="cancel-explain">
            Cancel
          </button>
        ) : (
          <button type="button" className="primary" disabled={!model || !!unavailable} onClick={() => void runExplanation()} data-testid="run-explain" title={unavailable}>
            Run {meta.label}
          </button>
        )}
      </header>
      <MethodPicker />
      <p className="muted small">
        Class {target !== undefined ? `#${target} ${labels?.[target] ?? ''}` : '—'} (click a prediction row to change). {meta.reference}
        {meta.seeded ? '; one seed reproduces the result exactly.' : '.'}
      </p>
      <p className="muted small" data-testid="how-to-read">
        {meta.howToRead}
      </p>
      {unavailable && (
        <p className="warning small" data-testid="method-unavailable">
          {unavailable}
        </p>
      )}
      {run && (
        <div className="progress" data-testid="explain-progress" role="progressbar" aria-valuenow={progress?.done ?? 0} aria-valuemax={progress?.total ?? 1}>
          <div className="bar" style={{ width: `${progress ? (100 * progress.done) / progress.total : 0}%` }} />
          <span>
            {run.step ? `${descriptorOf(run.method).label} (${run.step.index + 1} of ${run.step.count}) · ` : ''}
            {progress ? `${progress.phase}: ${progress.done} / ${progress.total}` : 'starting…'}
            {progress?.etaMs !== undefined && progress.done < progress.total ? ` · ${formatMs(progress.etaMs)} left` : ''}
          </span>
        </div>
      )}
      {run?.progress?.preview && <RunPreview preview={run.progress.preview} />}
      <div className="controls">
        <label title="Deletion and insertion curves of the map (RISE's metrics), computed after the run">
          <input aria-label="Faithfulness curves" type="checkbox" checked={!!settings.metrics} onChange={(e) => setSettings({ metrics: e.target.checked ? FAITHFULNESS_DEFAULTS : null })} /> deletion/insertion curves
        </label>
      </div>
      <ParamsForm key={method} method={method} />
    </section>
  );
}
