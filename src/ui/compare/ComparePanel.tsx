import { useMemo } from 'react';
import { methodUnavailable } from '../../engine/explain/availability';
import { descriptorOf, type MethodId } from '../../engine/explain/registry';
import { symmetricLimit } from '../../engine/render/colormap';
import { renderHeatmapOverlay } from '../../engine/render/heatmap';
import { ImageCanvas } from '../common/ImageCanvas';
import { formatMs } from '../common/format';
import { methodsByGroup } from '../explain/MethodPicker';
import { useApp } from '../store-context';

/**
 * Several methods on the same image and class, side by side: the maps on one shared diverging scale (the same
 * colour is the same attribution value everywhere) or each on its own, with each method's cost and its deletion
 * and insertion AUC — the seed reports' cost table, live.
 */
export function ComparePanel() {
  const methods = useApp((s) => s.compareMethods);
  const scale = useApp((s) => s.compareScale);
  const comparison = useApp((s) => s.comparison);
  const support = useApp((s) => s.support);
  const run = useApp((s) => s.run);
  const model = useApp((s) => s.model);
  const modelInput = useApp((s) => s.prediction?.result.modelInput);
  const setMethods = useApp((s) => s.setCompareMethods);
  const setScale = useApp((s) => s.setCompareScale);
  const runComparison = useApp((s) => s.runComparison);
  const cancel = useApp((s) => s.cancelExplanation);
  const layer = useApp((s) => s.explainSettings.layer);
  // the picker's order: by group, registry order within a group
  const available: MethodId[] = methodsByGroup().flatMap((g) => g.methods);
  const toggle = (m: MethodId, on: boolean) => setMethods(on ? available.filter((x) => x === m || methods.includes(x)) : methods.filter((x) => x !== m));
  const results = comparison?.entries.filter((e) => e.result) ?? [];
  const sharedLimit = useMemo(() => Math.max(0, ...results.map((e) => symmetricLimit(e.result!.map))) || 1, [results]);
  const overlays = useMemo(
    () =>
      (comparison?.entries ?? []).map((e) => {
        const r = e.result;
        if (!r || !modelInput || modelInput.width !== r.width || modelInput.height !== r.height) return undefined;
        const limit = scale === 'shared' ? sharedLimit : symmetricLimit(r.map) || 1;
        return renderHeatmapOverlay(modelInput, r.map, [-limit, limit], 'diverging', 0.6);
      }),
    [comparison, modelInput, scale, sharedLimit],
  );
  return (
    <section className="panel" aria-labelledby="compare-h" data-testid="compare-panel">
      <header>
        <h2 id="compare-h">Compare methods</h2>
        {run?.step ? (
          <button type="button" onClick={() => void cancel()} data-testid="cancel-compare">
            Cancel
          </button>
        ) : (
          <button type="button" className="primary" disabled={!model || !!run || !methods.length} onClick={() => void runComparison()} data-testid="run-compare">
            Run comparison
          </button>
        )}
      </header>
      <div className="method-checks">
        {available.map((m) => {
          const why = methodUnavailable(m, support, layer);
          return (
            <label key={m} title={why ?? descriptorOf(m).reference} className={why ? 'muted' : undefined}>
              <input type="checkbox" aria-label={`Compare ${descriptorOf(m).label}`} checked={methods.includes(m)} disabled={!!why} onChange={(e) => toggle(m, e.target.checked)} /> {descriptorOf(m).label}
            </label>
          );
        })}
      </div>
      <label>
        Colour scale{' '}
        <select aria-label="Comparison scale" value={scale} onChange={(e) => setScale(e.target.value as 'shared' | 'normalised')}>
          <option value="normalised">each map on its own scale</option>
          <option value="shared">one shared scale</option>
        </select>
      </label>
      {comparison && (
        <>
          <p className="muted small">
            Class #{comparison.target} {comparison.label} · {comparison.imageName} on {comparison.modelName}
            {scale === 'shared' && results.length > 0 && <> · shared scale ±{sharedLimit.toPrecision(2)}</>}
          </p>
          <div className="compare-grid" data-testid="compare-grid">
            {comparison.entries.map((e, i) => (
              <figure key={e.method} data-method={e.method} className="compare-cell">
                {overlays[i] ? (
                  <ImageCanvas image={overlays[i]!} label={`${descriptorOf(e.method).label} map`} pixelated testId={`compare-map-${e.method}`} className="overlay small" />
                ) : (
                  <div className="placeholder">{e.error ?? (run?.method === e.method ? 'running…' : 'waiting')}</div>
                )}
                <figcaption>{descriptorOf(e.method).label}</figcaption>
              </figure>
            ))}
          </div>
          <table className="compare-table" data-testid="compare-table">
            <thead>
              <tr>
                <th>method</th>
                <th>time</th>
                <th>model calls</th>
                <th title="lower is better">deletion AUC</th>
                <th title="higher is better">insertion AUC</th>
              </tr>
            </thead>
            <tbody>
              {comparison.entries.map((e) => (
                <tr key={e.method} data-method={e.method}>
                  <td>{descriptorOf(e.method).label}</td>
                  <td>{e.result ? formatMs(e.result.timings.totalMs) : (e.error ?? '…')}</td>
                  <td>{e.result ? e.result.timings.modelCalls : ''}</td>
                  <td>{e.result?.metrics ? e.result.metrics.deletion.auc.toFixed(3) : ''}</td>
                  <td>{e.result?.metrics ? e.result.metrics.insertion.auc.toFixed(3) : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
