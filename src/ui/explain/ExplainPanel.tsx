import type { LimeParams } from '../../engine/explain/lime';
import { EXPLAINERS, type MethodId } from '../../engine/explain/registry';
import { formatMs } from '../common/format';
import { NumberField } from '../common/NumberField';
import { GradientParamsFields, MethodPicker, methodUnavailable } from './MethodPicker';
import { HideFields, SegmentationFields } from './SegmentationFields';
import { KernelShapFields, PartitionShapFields, RiseFields } from './ShapFields';
import { RunPreview } from './RunPreview';
import { FAITHFULNESS_DEFAULTS } from '../../engine/explain/faithfulness';
import { useApp } from '../store-context';

/** The method picker, each method's parameters, run/cancel, progress with ETA. */
export function ExplainPanel() {
  const settings = useApp((s) => s.explainSettings);
  const run = useApp((s) => s.run);
  const model = useApp((s) => s.model);
  const target = useApp((s) => s.target);
  const labels = useApp((s) => s.prediction?.labels.labels);
  const setLime = useApp((s) => s.setLimeParams);
  const setSettings = useApp((s) => s.setExplainSettings);
  const runExplanation = useApp((s) => s.runExplanation);
  const cancel = useApp((s) => s.cancelExplanation);
  const p = settings.lime;
  const method = settings.method;
  const support = useApp((s) => s.support);
  const unavailable = methodUnavailable(method, support);
  const seg = p.segmentation;
  const progress = run?.progress;
  return (
    <section className="panel" aria-labelledby="explain-h" data-testid="explain-panel">
      <header>
        <h2 id="explain-h">Explain · {EXPLAINERS[method].label}</h2>
        {run ? (
          <button type="button" onClick={() => void cancel()} data-testid="cancel-explain">
            Cancel
          </button>
        ) : (
          <button type="button" className="primary" disabled={!model || !!unavailable} onClick={() => void runExplanation()} data-testid="run-explain" title={unavailable}>
            Run {EXPLAINERS[method].label}
          </button>
        )}
      </header>
      <MethodPicker />
      <p className="muted small">
        Class {target !== undefined ? `#${target} ${labels?.[target] ?? ''}` : '—'} (click a prediction row to change). {EXPLAINERS[method].reference}
        {method === 'lime' ? '; one seed reproduces the result exactly.' : '.'}
      </p>
      {unavailable && (
        <p className="warning small" data-testid="method-unavailable">
          {unavailable}
        </p>
      )}
      {run && (
        <div className="progress" data-testid="explain-progress" role="progressbar" aria-valuenow={progress?.done ?? 0} aria-valuemax={progress?.total ?? p.samples}>
          <div className="bar" style={{ width: `${progress ? (100 * progress.done) / progress.total : 0}%` }} />
          <span>
            {run.step ? `${EXPLAINERS[run.method as MethodId]?.label ?? run.method} (${run.step.index + 1} of ${run.step.count}) · ` : ''}
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
      {method === 'kernelshap' ? (
        <KernelShapFields />
      ) : method === 'partitionshap' ? (
        <PartitionShapFields />
      ) : method === 'rise' ? (
        <RiseFields />
      ) : method !== 'lime' ? (
        <GradientParamsFields />
      ) : (
      <div className="form-grid">
        <NumberField label="Samples" value={p.samples} min={2} max={200000} onChange={(samples) => setLime({ samples })} title="num_samples: perturbed images evaluated" />
        <SegmentationFields value={seg} onChange={(segmentation) => setLime({ segmentation })} />
        <HideFields label="Hide with" value={p.hide} onChange={(hide) => setLime({ hide })} />
        <NumberField label="Kernel width" value={p.kernelWidth} min={0.01} step={0.05} onChange={(kernelWidth) => setLime({ kernelWidth })} />
        <NumberField label="Ridge α" value={p.alpha} min={0.001} step={0.1} onChange={(alpha) => setLime({ alpha })} />
        <NumberField label="Top labels" value={settings.topLabels} min={1} max={20} onChange={(topLabels) => setSettings({ topLabels })} title="Explain this many classes from the same model calls" />
        <label>
          Seed
          <span className="inline">
            <input aria-label="Seed" type="number" min={0} value={settings.seed} onChange={(e) => setSettings({ seed: Number(e.target.value) })} />
            <button type="button" title="New random seed" onClick={() => setSettings({ seed: Math.floor(Math.random() * 1e6) })}>
              ↻
            </button>
          </span>
        </label>
        <NumberField label="Batch size" value={p.batchSize} min={1} max={1024} onChange={(batchSize) => setLime({ batchSize })} title={model?.spec.dynamicBatch ? 'Images per model call' : 'This model has a fixed batch: images run one by one'} />
        <label>
          Explain
          <select aria-label="Score space" value={p.scoreSpace} onChange={(e) => setLime({ scoreSpace: e.target.value as LimeParams['scoreSpace'] })}>
            <option value="probability">probabilities (lime)</option>
            <option value="raw">raw outputs / logits</option>
          </select>
        </label>
      </div>
      )}
    </section>
  );
}
