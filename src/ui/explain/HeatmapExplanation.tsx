import { OpacityField } from '../common/OpacityField';
import { useMemo } from 'react';
import { descriptorOf } from '../../engine/explain/registry';
import { scoreSpaceLabel } from '../../engine/explain/units';
import { symmetricLimit, type ColormapName } from '../../engine/render/colormap';
import { effectiveColormap, heatmapRange, renderHeatmapOverlay } from '../../engine/render/heatmap';
import { ImageCanvas } from '../common/ImageCanvas';
import { formatMs } from '../common/format';
import { useApp } from '../store-context';
import { ExplanationHeader } from './ExplanationHeader';
import { COLORMAP_OPTIONS } from './MethodPicker';
import { FaithfulnessPlots } from './FaithfulnessPlots';
import { RiseExamples } from './RiseExamples';

/** A per-pixel map (CAM or gradient attribution) over the image, with its scale, colour map and cost. */
export function HeatmapExplanation() {
  const explanation = useApp((s) => s.explanation)!;
  const modelInput = useApp((s) => s.prediction?.result.modelInput);
  const view = useApp((s) => s.heatmapView);
  const setView = useApp((s) => s.setHeatmapView);
  const viewClass = useApp((s) => s.viewClass);
  const result = explanation.result;
  const cls = result.classes[Math.min(viewClass, result.classes.length - 1)];
  const signed = result.signed;
  const colormap = effectiveColormap(view, signed);
  // one raw scale for every class of the run
  const sharedLimit = useMemo(() => Math.max(...result.classes.map((c) => symmetricLimit(c.map))) || 1, [result]);
  const range = useMemo(() => heatmapRange(cls.map, signed, view.scale, sharedLimit), [cls, signed, view.scale, sharedLimit]);
  const base = modelInput && modelInput.width === result.width && modelInput.height === result.height ? modelInput : undefined;
  const overlay = useMemo(() => (base ? renderHeatmapOverlay(base, cls.map, range, colormap, view.opacity) : undefined), [base, cls, range, colormap, view.opacity]);
  const label = descriptorOf(result.method).label;
  return (
    <section className="panel" aria-labelledby="result-h" data-testid="explanation-view">
      <ExplanationHeader />
      <div className="explain-layout">
        <div className="overlay-box">
          {overlay ? <ImageCanvas image={overlay} label={`${label} overlay`} pixelated testId="overlay-canvas" className="overlay" /> : <p className="muted">Preprocessing changed since this run.</p>}
          <div className="scale" title={view.scale === 'raw' ? 'One scale for every explained class of this run' : 'Stretched to this map’s own range'} data-testid="heatmap-scale">
            <span>{range[0].toPrecision(2)}</span>
            <div className={`gradient ${colormap}`} />
            <span>{range[1].toPrecision(2)}</span>
          </div>
        </div>
      </div>
      <div className="controls wrap">
        <label>
          Scale
          <select aria-label="Scale" value={view.scale} onChange={(e) => setView({ scale: e.target.value as 'raw' | 'normalised' })}>
            <option value="normalised">normalised per map</option>
            <option value="raw">raw (shared across classes)</option>
          </select>
        </label>
        <OpacityField value={view.opacity} onChange={(opacity) => setView({ opacity })} />
        <label>
          Colours
          <select aria-label="Colour map" value={view.colormap} onChange={(e) => setView({ colormap: e.target.value as ColormapName | 'auto' })}>
            {COLORMAP_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted small" data-testid="explanation-meta">
        Class #{cls.target}
        {result.kind === 'cam' && (
          <>
            {' '}· layer {result.layer} ({result.camWidth}×{result.camHeight})
          </>
        )}
        {result.additivity && (
          <span data-testid="shap-sum">
            {' '}· base value {result.additivity.baseValue.toPrecision(4)} + Σ {result.additivity.sum.toPrecision(4)} = {(result.additivity.baseValue + result.additivity.sum).toPrecision(4)} (model output{' '}
            {result.additivity.output.toPrecision(4)})
          </span>
        )}
        {result.params.p1Chosen !== undefined && <> · keep probability {String(result.params.p1Chosen)}</>}
        {result.kind === 'pixel-map' && result.completeness && (
          <>
            {' '}· completeness: Σ attributions {result.completeness.sum.toPrecision(4)} vs f(x) − f(baseline) {result.completeness.delta.toPrecision(4)} (error{' '}
            {(100 * result.completeness.relativeError).toFixed(2)} %)
          </>
        )}
        {' '}· scores: {scoreSpaceLabel(result.scoreSpace)} · {result.timings.samples} inputs in {result.timings.modelCalls} model calls ·{' '}
        {formatMs(result.timings.totalMs)} (inference {formatMs(result.timings.inferenceMs)})
      </p>
      {result.kind === 'pixel-map' && result.examples && base && <RiseExamples image={base} examples={result.examples} />}
      {result.metrics && <FaithfulnessPlots metrics={result.metrics} />}
    </section>
  );
}
