import { OpacityField } from '../common/OpacityField';
import { useMemo } from 'react';
import { renderSurrogateOverlay, type Polarity } from '../../engine/render/lime-view';
import type { ColormapName } from '../../engine/render/colormap';
import { ImageCanvas } from '../common/ImageCanvas';
import { formatMs } from '../common/format';
import { useApp } from '../store-context';
import { ExplanationHeader } from './ExplanationHeader';
import { FaithfulnessPlots } from './FaithfulnessPlots';

const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);
import { WeightsChart } from './WeightsChart';
import { HeatmapExplanation } from './HeatmapExplanation';

/** The finished explanation: overlay with lime's views, the coefficients, fit quality and cost. */
export function ExplanationView() {
  const explanation = useApp((s) => s.explanation);
  const modelInput = useApp((s) => s.prediction?.result.modelInput);
  const view = useApp((s) => s.view);
  const viewClass = useApp((s) => s.viewClass);
  const hover = useApp((s) => s.hoverFeature);
  const setView = useApp((s) => s.setView);
  const setHover = useApp((s) => s.setHoverFeature);
  const result = explanation?.result;
  const cls = result?.classes[Math.min(viewClass, (result?.classes.length ?? 1) - 1)];
  const base = explanation?.result && modelInput && modelInput.width === result!.width && modelInput.height === result!.height ? modelInput : undefined;
  const overlay = useMemo(
    () => (result?.kind === 'superpixel-weights' && cls?.weights && base ? renderSurrogateOverlay(base, result.segments, cls.weights, view, hover) : undefined),
    [result, cls, base, view, hover],
  );
  if (!explanation || !result || !cls) return null;
  if (result.kind !== 'superpixel-weights') return <HeatmapExplanation />;
  const onPointer = (e: React.PointerEvent<HTMLDivElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const x = Math.floor(((e.clientX - rect.left) / rect.width) * result.width);
    const y = Math.floor(((e.clientY - rect.top) / rect.height) * result.height);
    if (x >= 0 && y >= 0 && x < result.width && y < result.height) setHover(result.segments?.[y * result.width + x]);
  };
  return (
    <section className="panel" aria-labelledby="result-h" data-testid="explanation-view">
      <ExplanationHeader />
      <div className="explain-layout">
        <div className="overlay-box" onPointerMove={onPointer} onPointerLeave={() => setHover(undefined)}>
          {overlay ? <ImageCanvas image={overlay} label="LIME overlay" pixelated testId="overlay-canvas" className="overlay" /> : <p className="muted">Preprocessing changed since this run.</p>}
          <div className="scale" title="Symmetric scale: white is 0">
            <span>−{Math.max(...(cls.weights ?? [0]).map(Math.abs)).toPrecision(2)}</span>
            <div className="gradient" />
            <span>+{Math.max(...(cls.weights ?? [0]).map(Math.abs)).toPrecision(2)}</span>
          </div>
        </div>
        <div className="chart-box">{cls.weights && <WeightsChart weights={cls.weights} />}</div>
      </div>
      <div className="controls wrap">
        <label>
          Show
          <select aria-label="Polarity" value={view.polarity} onChange={(e) => setView({ polarity: e.target.value as Polarity })}>
            <option value="both">positive and negative</option>
            <option value="positive">positive only</option>
            <option value="negative">negative only</option>
          </select>
        </label>
        <label>
          Top features
          <input aria-label="Top features" type="number" min={0} value={view.numFeatures} onChange={(e) => setView({ numFeatures: Math.max(0, Math.floor(Number(e.target.value))) })} title="0 shows all" />
        </label>
        <label>
          Min |weight|
          <input aria-label="Minimum weight" type="number" min={0} step={0.001} value={view.minWeight} onChange={(e) => setView({ minWeight: Math.max(0, Number(e.target.value)) })} />
        </label>
        <label>
          <input type="checkbox" checked={view.hideRest} onChange={(e) => setView({ hideRest: e.target.checked })} /> hide rest
        </label>
        <label>
          <input aria-label="Boundaries" type="checkbox" checked={view.boundaries} onChange={(e) => setView({ boundaries: e.target.checked })} /> boundaries
        </label>
        <OpacityField value={view.opacity} onChange={(opacity) => setView({ opacity })} />
        <label>
          Colours
          <select aria-label="Colour map" value={view.colormap} onChange={(e) => setView({ colormap: e.target.value as ColormapName })}>
            <option value="diverging">diverging (signed)</option>
            <option value="jet">jet</option>
            <option value="viridis">viridis</option>
            <option value="inferno">inferno</option>
          </select>
        </label>
      </div>
      <p className="muted small" data-testid="explanation-meta">
        Class #{cls.target} · {result.segmentCount} superpixels ·{' '}
        {result.method === 'kernelshap' ? (
          <span data-testid="shap-sum">
            base value {cls.intercept?.toPrecision(4)} + Σ φ {sum(cls.weights).toPrecision(4)} = {((cls.intercept ?? 0) + sum(cls.weights)).toPrecision(4)} (model output{' '}
            {cls.modelPrediction?.toPrecision(4)}) · {result.params.exact ? 'exact Shapley values (all coalitions)' : 'sampled coalitions'}
          </span>
        ) : (
          <>
            R² {cls.score?.toFixed(3)} · intercept {cls.intercept?.toPrecision(3)} · surrogate at the original image {cls.localPrediction?.toPrecision(3)} (model {cls.modelPrediction?.toPrecision(3)})
          </>
        )}{' '}
        · {result.timings.samples} samples in {result.timings.modelCalls} model calls · {formatMs(result.timings.totalMs)} (inference{' '}
        {formatMs(result.timings.inferenceMs)}) · seed {result.seed}
        {hover !== undefined && cls.weights && <> · superpixel #{hover}: {cls.weights[hover]?.toPrecision(3)}</>}
      </p>
      {result.metrics && <FaithfulnessPlots metrics={result.metrics} />}
    </section>
  );
}
