import { useMemo } from 'react';
import { describeUnits } from '../../engine/explain/units';
import { anytimeSummary } from '../../engine/explain/summary';
import { boundaryThickness, overlayScale, renderSurrogateOverlay, surrogateLook, visibleFeatures, type Polarity, type SurrogateView } from '../../engine/render/lime-view';
import { formatValue } from '../../engine/render/scale';
import { ColorBar } from '../common/ColorBar';
import { descriptorOf } from '../../engine/explain/registry';
import { ColormapSelect } from '../common/ColormapSelect';
import { ImageCanvas } from '../common/ImageCanvas';
import { OpacityField } from '../common/OpacityField';
import { formatMs } from '../common/format';
import { useApp } from '../store-context';
import { ExplanationHeader } from './ExplanationHeader';
import { withMaskOutline } from '../../engine/render/outline';
import { GroundTruthMetrics } from '../mask/GroundTruthMetrics';
import { useAlignedMask, useOutlineShown } from '../mask/use-ground-truth';
import { HeatmapExplanation } from './HeatmapExplanation';
import { AnytimeRun, CurvesOrCompute, ReusedRows, InputsOnGpu } from './AnytimeRun';
import { WeightsChart } from './WeightsChart';
import './views.css';

const sum = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);
const largestMagnitude = (values: number[] | undefined) => (values ?? []).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** The finished explanation: overlay with lime's views and its colour bar, the coefficients, fit quality and cost. */
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
  // the image the result was computed from, else the current model input when it has the result's size
  const base = explanation?.baseImage ?? (result && modelInput && modelInput.width === result.width && modelInput.height === result.height ? modelInput : undefined);
  // settings stored before these fields existed lack them
  const scale = view.scale ?? 'normalised';
  const raw = scale === 'raw' && (result?.classes.length ?? 0) > 1;
  const sharedLimit = useMemo(() => Math.max(0, ...(result?.classes ?? []).map((c) => largestMagnitude(c.weights))), [result]);
  const limit = (raw ? sharedLimit : largestMagnitude(cls?.weights)) || 1;
  const mask = useAlignedMask(explanation?.inputs, result);
  const outlined = useOutlineShown() && !!mask;
  const overlay = useMemo(() => {
    if (result?.kind !== 'superpixel-weights' || !cls?.weights || !base) return undefined;
    const s = overlayScale(base.width, base.height);
    const picture = renderSurrogateOverlay(base, result.segments, cls.weights, view, hover, { scale: s, thickness: boundaryThickness(base.width, base.height, s), limit });
    return outlined ? withMaskOutline(picture, mask!) : picture;
  }, [result, cls, base, view, hover, limit, outlined, mask]);
  if (!explanation || !result || !cls) return null;
  if (result.kind !== 'superpixel-weights') return <HeatmapExplanation />;
  const look = surrogateLook(view);
  const units = result.units ?? describeUnits(result);
  const shown = cls.weights ? visibleFeatures(cls.weights, view) : [];
  const onPointer = (e: React.PointerEvent<HTMLElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const x = Math.floor(((e.clientX - rect.left) / rect.width) * result.width);
    const y = Math.floor(((e.clientY - rect.top) / rect.height) * result.height);
    if (x >= 0 && y >= 0 && x < result.width && y < result.height) setHover(result.segments?.[y * result.width + x]);
  };
  const set = (patch: Partial<SurrogateView>) => setView(patch);
  const note = raw ? `Raw weights, one range shared by the ${result.classes.length} explained classes.` : `Symmetric around 0: ±${formatValue(limit)} is this class’s largest |weight|.`;
  return (
    <section className="panel" aria-labelledby="result-h" data-testid="explanation-view">
      <ExplanationHeader />
      <div className="views-layout">
        <figure className="map-figure">
          {overlay ? (
            <div onPointerMove={onPointer} onPointerLeave={() => setHover(undefined)}>
              <ImageCanvas image={overlay} label={`${descriptorOf(result.method).label} overlay`} pixelated testId="overlay-canvas" className="map-canvas" />
            </div>
          ) : (
            <p className="muted">Preprocessing changed since this run.</p>
          )}
          <ColorBar colormap={look.colormap} fadeAtZero={look.fadeAtZero} scale={{ range: [-limit, limit], signed: true, normalised: false }} quantity={units} note={note} testId="heatmap-scale" />
        </figure>
        <div className="views-side">
          {cls.weights && <WeightsChart weights={cls.weights} shown={shown} colormap={look.colormap} limit={limit} units={units} />}
        </div>
      </div>
      <div className="controls-row">
        <label>
          Show
          <select aria-label="Polarity" value={view.polarity} onChange={(e) => set({ polarity: e.target.value as Polarity })}>
            <option value="both">positive and negative</option>
            <option value="positive">positive only</option>
            <option value="negative">negative only</option>
          </select>
        </label>
        <label title="The strongest features only, on the map and in the chart; 0 shows all">
          Top features
          <input aria-label="Top features" type="number" min={0} value={view.numFeatures} onChange={(e) => set({ numFeatures: Math.max(0, Math.floor(Number(e.target.value))) })} />
        </label>
        <label>
          Min |weight|
          <input aria-label="Minimum weight" type="number" min={0} step={0.001} value={view.minWeight} onChange={(e) => set({ minWeight: Math.max(0, Number(e.target.value)) })} />
        </label>
        <label>
          <input type="checkbox" checked={view.hideRest} onChange={(e) => set({ hideRest: e.target.checked })} /> hide rest
        </label>
        <label>
          <input aria-label="Boundaries" type="checkbox" checked={view.boundaries} onChange={(e) => set({ boundaries: e.target.checked })} /> boundaries
        </label>
        <OpacityField value={view.opacity} onChange={(opacity) => set({ opacity })} />
        <ColormapSelect value={view.colormap} autoLabel="red–blue" onChange={(colormap) => set({ colormap })} />
        <label title="Under signed weights the image's own colours can pass for a sign: grey by default">
          Image
          <select aria-label="Underlay" value={view.underlay ?? 'auto'} onChange={(e) => set({ underlay: e.target.value as SurrogateView['underlay'] })}>
            <option value="auto">auto (greyscale)</option>
            <option value="grey">greyscale</option>
            <option value="colour">in colour</option>
          </select>
        </label>
        {result.classes.length > 1 && (
          <label>
            Scale
            <select aria-label="Scale" value={scale} onChange={(e) => set({ scale: e.target.value as SurrogateView['scale'] })}>
              <option value="normalised">per class</option>
              <option value="raw">shared across classes</option>
            </select>
          </label>
        )}
      </div>
      <p className="muted small" data-testid="explanation-meta">
        Class #{cls.target} · {result.segmentCount} superpixels ·{' '}
        {result.additivity ? (
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
        {formatMs(result.timings.inferenceMs)})
        <ReusedRows result={result} />
        <InputsOnGpu result={result} /> · seed {result.seed}
        {result.stability?.anytime && <span data-testid="anytime-summary"> · {anytimeSummary(result.stability.anytime, result.timings.samples)}</span>}
        {hover !== undefined && cls.weights && <> · superpixel #{hover}: {cls.weights[hover]?.toPrecision(3)}</>}
      </p>
      <AnytimeRun entry={explanation} />
      {mask && <GroundTruthMetrics map={cls.map} mask={mask} />}
      <CurvesOrCompute entry={explanation} />
    </section>
  );
}
