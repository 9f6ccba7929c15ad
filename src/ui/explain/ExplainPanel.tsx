import { methodUnavailable } from '../../engine/explain/availability';
import { curvesRows, runCost } from '../../engine/explain/cost';
import { FAITHFULNESS_DEFAULTS } from '../../engine/explain/faithfulness-params';
import { descriptorOf } from '../../engine/explain/registry';
import { autoBatch, paramsForJob, rowKey } from '../../store/app-store';
import { batchDefault } from '../../store/explain-settings';
import { formatMs } from '../common/format';
import { useApp } from '../store-context';
import { MethodPicker } from './MethodPicker';
import { ParamsForm } from './ParamsForm';
import { RunPreview } from './RunPreview';
import './panel.css';

/** Runs longer than this say so before they start. */
export const LONG_RUN_MS = 30_000;

/**
 * The cost of the run the button would start: model calls, and a time from this model's measured rate. `upTo`
 * when the run stops once its map is stable (stableAt > 0): the budget is then the most it will cost.
 */
function useRunEstimate(): { calls: number; ms?: number; upTo: boolean } | undefined {
  const settings = useApp((s) => s.explainSettings);
  const model = useApp((s) => s.model);
  const preprocess = useApp((s) => s.preprocess);
  const support = useApp((s) => s.support);
  const rowMs = useApp((s) => (s.model ? s.rowMs[rowKey(s)] : undefined));
  const predictMs = useApp((s) => (s.model ? s.rowMs[`${rowKey(s)}:predict`] : undefined));
  const batch = useApp(autoBatch);
  if (!model || !preprocess) return undefined;
  const method = settings.method;
  const layerName = settings.layer || support?.catalog.suggested;
  const channels = support?.catalog.candidates.find((c) => c.name === layerName)?.channels;
  try {
    const params = paramsForJob(settings, method, batch);
    const upTo = ((params as { stableAt?: number }).stableAt ?? 0) > 0;
    const cost = runCost(descriptorOf(method), params as never, { width: preprocess.width, height: preprocess.height, targets: settings.topLabels, channels, dynamicBatch: model.spec.dynamicBatch });
    const curves = settings.metrics ? curvesRows(settings.metrics.steps) : 0;
    // measured time per row from earlier runs on this model and backend; else the fastest single prediction's
    // (an upper bound: batches amortise the per-call cost)
    const perRow = rowMs ?? predictMs;
    return { calls: cost.calls, ms: perRow !== undefined ? perRow * (cost.rows + curves) : undefined, upTo };
  } catch {
    return undefined; // parameters out of range: the form says so when run
  }
}

/** When the method's batch size is at its default, runs use the batch the model was measured fastest at. */
function AutoBatchNote() {
  const batch = useApp(autoBatch);
  const method = useApp((s) => s.explainSettings.method);
  const own = useApp((s) => (s.explainSettings.params[s.explainSettings.method] as { batchSize?: number }).batchSize);
  const backend = useApp((s) => s.model?.backend);
  const fallback = batchDefault(method);
  if (batch === undefined || own === undefined || own !== fallback || batch === fallback) return null;
  return (
    <p className="muted small" data-testid="auto-batch">
      Batch size {fallback} is the default: runs use {batch}, the batch this model was measured fastest at per image on {backend?.toUpperCase()} (change the field to choose).
    </p>
  );
}

/** The running job's progress and ETA, and RISE's map so far (its own component: progress re-renders only this). */
function RunProgress() {
  const run = useApp((s) => s.run);
  const progress = run?.progress;
  if (!run) return null;
  return (
    <>
        <div className="progress" data-testid="explain-progress" role="progressbar" aria-label={run.kind === 'curves' ? 'Deletion/insertion curves' : `${descriptorOf(run.method).label} progress`} aria-valuenow={progress?.done ?? 0} aria-valuemax={progress?.total ?? 1}>
          <div className="bar" style={{ width: `${progress ? (100 * progress.done) / progress.total : 0}%` }} />
          <span>
            {run.step ? `${descriptorOf(run.method).label} (${run.step.index + 1} of ${run.step.count}) · ` : ''}
            {run.kind === 'curves' ? 'deletion/insertion curves · ' : ''}
            {run.kind === 'stability' ? 'stability over seeds · ' : ''}
            {run.kind === 'shelf' ? 'model shelf · ' : ''}
            {run.kind === 'sanity' ? 'sanity check · ' : ''}
            {run.kind === 'dataset' ? 'dataset · ' : ''}
            {progress ? `${progress.phase}: ${progress.done} / ${progress.total}` : 'starting…'}
            {progress?.etaMs !== undefined && progress.done < progress.total ? ` · ${formatMs(progress.etaMs)} left` : ''}
          </span>
        </div>
      {run.progress?.preview && <RunPreview preview={run.progress.preview} />}
    </>
  );
}

/** The method picker, the method's parameters (from its descriptor), run/cancel with the expected cost, progress with ETA. */
export function ExplainPanel() {
  const settings = useApp((s) => s.explainSettings);
  const runKind = useApp((s) => s.run?.kind);
  const model = useApp((s) => s.model);
  const engine = useApp((s) => s.engine);
  const target = useApp((s) => s.target);
  const pinned = useApp((s) => s.pinned);
  const probability = useApp((s) => (s.target !== undefined ? s.prediction?.ranked.probabilities[s.target] : undefined));
  const labels = useApp((s) => s.prediction?.labels.labels);
  const setSettings = useApp((s) => s.setExplainSettings);
  const runExplanation = useApp((s) => s.runExplanation);
  const cancel = useApp((s) => s.cancelExplanation);
  const unpin = useApp((s) => s.unpinTarget);
  const support = useApp((s) => s.support);
  const method = settings.method;
  const meta = descriptorOf(method);
  const unavailable = methodUnavailable(method, support, settings.layer);
  const estimate = useRunEstimate();
  const restarting = engine === 'restarting';
  const cost = estimate ? ` · ${estimate.upTo ? '≤ ' : ''}${estimate.calls} model call${estimate.calls === 1 ? '' : 's'}${estimate.ms !== undefined ? ` · ~${formatMs(estimate.ms)}` : ''}` : '';
  return (
    <section className="panel" aria-labelledby="explain-h" data-testid="explain-panel">
      <header>
        <h2 id="explain-h">Explain · {meta.label}</h2>
      </header>
      <MethodPicker />
      <p className="small" data-testid="explain-target">
        Class{' '}
        {target !== undefined ? (
          <strong>
            #{target} {labels?.[target] ?? ''}
            {probability !== undefined ? ` (${(100 * probability).toFixed(1)} %)` : ''}
          </strong>
        ) : (
          '—'
        )}{' '}
        {pinned ? (
          <>
            · pinned{' '}
            <button type="button" className="link" onClick={unpin} data-testid="unpin-target" aria-label={`Unpin class ${pinned.label}: follow the top prediction`}>
              unpin
            </button>
          </>
        ) : (
          <span className="muted">· the top prediction (click a prediction row to pin another class)</span>
        )}
      </p>
      <p className="muted small">
        {meta.reference}
        {meta.seeded ? '; one seed reproduces the result exactly.' : '.'}
      </p>
      <p className="muted small" data-testid="how-to-read">
        {meta.howToRead}
      </p>
      <ParamsForm key={method} method={method} />
      <AutoBatchNote />
      <div className="controls">
        <label title="Deletion and insertion curves of the map (RISE's metrics), computed after the map is shown">
          <input aria-label="Faithfulness curves" type="checkbox" checked={!!settings.metrics} onChange={(e) => setSettings({ metrics: e.target.checked ? FAITHFULNESS_DEFAULTS : null })} /> deletion/insertion curves
        </label>
      </div>
      {unavailable && (
        <p className="warning small" data-testid="method-unavailable">
          {unavailable}
        </p>
      )}
      {estimate?.ms !== undefined && estimate.ms > LONG_RUN_MS && !runKind && (
        <p className="warning small" data-testid="long-run">
          {estimate.upTo ? (
            <>
              This run may take up to about {formatMs(estimate.ms)} ({estimate.calls} model calls; it stops sooner once its map is stable).
            </>
          ) : (
            <>This run will take about {formatMs(estimate.ms)} ({estimate.calls} model calls).</>
          )}{' '}
          Fewer samples or a larger batch make it shorter.
        </p>
      )}
      <div className="run-row">
        {runKind ? (
          <button type="button" onClick={() => void cancel()} data-testid={runKind === 'curves' ? 'cancel-curves' : 'cancel-explain'}>
            {runKind === 'curves' ? 'Cancel curves (keep the map)' : 'Cancel'}
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            disabled={!model || !!unavailable || restarting}
            onClick={() => void runExplanation()}
            data-testid="run-explain"
            title={restarting ? 'restarting the engine…' : (unavailable ?? `Run ${meta.label}${cost}${estimate?.upTo ? ': the budget is the most it will cost, the run stops sooner once its map is predicted stable (Stop when stable at)' : ''}`)}
          >
            {restarting ? 'Restarting the engine…' : `Run ${meta.label}${cost}`}
          </button>
        )}
      </div>
      <RunProgress />
    </section>
  );
}
