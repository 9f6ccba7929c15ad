import type { LimeParams } from '../../engine/explain/lime';
import type { HideMode } from '../../engine/explain/perturb';
import { EXPLAINERS } from '../../engine/explain/registry';
import { formatMs } from '../common/format';
import { NumberField } from '../common/NumberField';
import { GradientParamsFields, MethodPicker, methodUnavailable } from './MethodPicker';
import { useApp } from '../store-context';

/** The method picker, each method's parameters, run/cancel, progress with ETA. */
type SegMethod = LimeParams['segmentation']['method'];

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
  type SegPatch = { method?: SegMethod; nSegments?: number; compactness?: number; sigma?: number; scale?: number; minSize?: number };
  const setSeg = (patch: SegPatch) => setLime({ segmentation: { ...seg, ...patch } as LimeParams['segmentation'] });
  const segField = <K extends keyof SegPatch>(key: K, fallback: number): number => ((seg as SegPatch)[key] as number | undefined) ?? fallback;
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
            {progress ? `${progress.done} / ${progress.total} samples` : 'starting…'}
            {progress?.etaMs !== undefined && progress.done < progress.total ? ` · ${formatMs(progress.etaMs)} left` : ''}
          </span>
        </div>
      )}
      {method !== 'lime' ? (
        <GradientParamsFields />
      ) : (
      <div className="form-grid">
        <NumberField label="Samples" value={p.samples} min={2} max={200000} onChange={(samples) => setLime({ samples })} title="num_samples: perturbed images evaluated" />
        <label>
          Segmentation
          <select aria-label="Segmentation" value={seg.method} onChange={(e) => setSeg({ method: e.target.value as SegMethod })}>
            <option value="slic">SLIC superpixels</option>
            <option value="felzenszwalb">Felzenszwalb graph</option>
            <option value="grid">regular grid</option>
          </select>
        </label>
        {seg.method !== 'felzenszwalb' && <NumberField label="Segments" value={segField('nSegments', 50)} min={1} onChange={(nSegments) => setSeg({ nSegments })} />}
        {seg.method === 'slic' && (
          <>
            <NumberField label="Compactness" value={segField('compactness', 10)} min={0.01} step={1} onChange={(compactness) => setSeg({ compactness })} />
            <NumberField label="Smoothing σ" value={segField('sigma', 1)} min={0} step={0.5} onChange={(sigma) => setSeg({ sigma })} />
          </>
        )}
        {seg.method === 'felzenszwalb' && (
          <>
            <NumberField label="Scale" value={segField('scale', 100)} min={1} step={10} onChange={(scale) => setSeg({ scale })} title="Higher: fewer, larger regions" />
            <NumberField label="Smoothing σ" value={segField('sigma', 0.8)} min={0} step={0.1} onChange={(sigma) => setSeg({ sigma })} />
            <NumberField label="Min size" value={segField('minSize', 20)} min={1} step={5} onChange={(minSize) => setSeg({ minSize })} title="Smaller regions merge into a neighbour" />
          </>
        )}
        <label>
          Hide with
          <select aria-label="Hide colour" value={p.hide.mode} onChange={(e) => setLime({ hide: { ...p.hide, mode: e.target.value as HideMode } })}>
            <option value="mean">superpixel mean (lime)</option>
            <option value="black">black</option>
            <option value="grey">grey</option>
            <option value="blur">blurred image</option>
            <option value="color">custom colour</option>
          </select>
        </label>
        {p.hide.mode === 'color' && (
          <label>
            Colour
            <input
              aria-label="Custom hide colour"
              type="color"
              value={`#${(p.hide.color ?? [0, 0, 0]).map((v) => v.toString(16).padStart(2, '0')).join('')}`}
              onChange={(e) => {
                const hex = e.target.value.slice(1);
                setLime({ hide: { mode: 'color', color: [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number] } });
              }}
            />
          </label>
        )}
        {p.hide.mode === 'blur' && <NumberField label="Blur σ" value={p.hide.blurSigma ?? 5} min={0.5} step={0.5} onChange={(blurSigma) => setLime({ hide: { ...p.hide, blurSigma } })} />}
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
