import { useMemo } from 'react';
import { descriptorOf } from '../../engine/explain/registry';
import { anytimeSummary } from '../../engine/explain/summary';
import { describeUnits, scoreSpaceLabel } from '../../engine/explain/units';
import { CLIP_PERCENTILE, defaultColormap, resolveView } from '../../engine/render/defaults';
import { renderHeatmapOverlay, type HeatmapView } from '../../engine/render/heatmap';
import { clippedEnds, formatValue, mapRange, sharedRange } from '../../engine/render/scale';
import { ColorBar } from '../common/ColorBar';
import { ColormapSelect, colormapLabel } from '../common/ColormapSelect';
import { ImageCanvas } from '../common/ImageCanvas';
import { OpacityField } from '../common/OpacityField';
import { formatMs } from '../common/format';
import { useApp } from '../store-context';
import { ExplanationHeader } from './ExplanationHeader';
import { AnytimeRun, CurvesOrCompute, ReusedRows, InputsOnGpu } from './AnytimeRun';
import { withMaskOutline } from '../../engine/render/outline';
import { GroundTruthMetrics } from '../mask/GroundTruthMetrics';
import { useAlignedMask, useOutlineShown } from '../mask/use-ground-truth';
import { RiseExamples } from './RiseExamples';
import './views.css';


/** A per-pixel map (CAM, gradients, RISE, SHAP, occlusion) over the image, with its colour bar, view choices and cost. */
export function HeatmapExplanation() {
  const explanation = useApp((s) => s.explanation)!;
  const modelInput = useApp((s) => s.prediction?.result.modelInput);
  const view = useApp((s) => s.heatmapView);
  const setView = useApp((s) => s.setHeatmapView);
  const viewClass = useApp((s) => s.viewClass);
  const result = explanation.result;
  const cls = result.classes[Math.min(viewClass, result.classes.length - 1)];
  const signed = result.signed;
  const look = resolveView(view, result);
  const raw = view.scale === 'raw';
  // raw: one range for every class of the run; normalised: this map's own range
  const shared = useMemo(() => sharedRange(result.classes.map((c) => c.map), signed, look.clipPercentile), [result, signed, look.clipPercentile]);
  const own = useMemo(() => mapRange(cls.map, signed, look.clipPercentile), [cls, signed, look.clipPercentile]);
  const range = raw ? shared : own;
  const clipped = useMemo(() => clippedEnds(cls.map, range), [cls, range]);
  // the image the result was computed from, else the current model input when it has the result's size
  const base = explanation.baseImage ?? (modelInput && modelInput.width === result.width && modelInput.height === result.height ? modelInput : undefined);
  const mask = useAlignedMask(explanation.inputs, result);
  const outlined = useOutlineShown() && !!mask;
  const overlay = useMemo(() => {
    if (!base) return undefined;
    const picture = renderHeatmapOverlay(base, cls.map, range, look.colormap, view.opacity, { greyUnderlay: look.greyUnderlay, fadeAtZero: look.fadeAtZero });
    return outlined ? withMaskOutline(picture, mask!) : picture;
  }, [base, cls, range, look.colormap, look.greyUnderlay, look.fadeAtZero, view.opacity, outlined, mask]);
  const label = descriptorOf(result.method).label;
  const units = result.units ?? describeUnits(result);
  const clipNote = look.clipPercentile !== undefined ? `; ends at the ${look.clipPercentile}th percentile of ${signed ? '|value|' : 'the values'}, beyond it colours saturate` : '';
  const note = raw
    ? `Raw values${result.classes.length > 1 ? `, one range shared by the ${result.classes.length} explained classes` : ' (one class explained)'}${clipNote}.`
    : signed
      ? `Normalised per map: ±1 = ±${formatValue(range[1])}${clipNote}.`
      : `Normalised per map: 0 = ${formatValue(range[0])}, 1 = ${formatValue(range[1])}${clipNote}.`;
  const kindName = result.kind === 'cam' ? 'CAM' : `${descriptorOf(result.method).label} map`;
  const set = (patch: Partial<HeatmapView>) => setView(patch);
  return (
    <section className="panel" aria-labelledby="result-h" data-testid="explanation-view">
      <ExplanationHeader />
      <div className="views-layout">
        <figure className="map-figure">
          {overlay ? <ImageCanvas image={overlay} label={`${label} overlay`} pixelated testId="overlay-canvas" className="map-canvas" /> : <p className="muted">Preprocessing changed since this run.</p>}
          <ColorBar colormap={look.colormap} fadeAtZero={look.fadeAtZero} scale={{ range, signed, normalised: !raw, clipped }} quantity={units} note={note} testId="heatmap-scale" />
        </figure>
        <div className="views-side">
          <div className="view-controls">
            <label>
              Scale
              <select aria-label="Scale" value={view.scale} onChange={(e) => set({ scale: e.target.value as HeatmapView['scale'] })}>
                <option value="normalised">normalised per map</option>
                <option value="raw">raw values (shared across classes)</option>
              </select>
            </label>
            <ColormapSelect value={view.colormap} autoLabel={colormapLabel(defaultColormap(result))} onChange={(colormap) => set({ colormap })} title={`auto: the default for a ${kindName}`} />
            <label>
              Image
              <select aria-label="Underlay" value={view.underlay} onChange={(e) => set({ underlay: e.target.value as HeatmapView['underlay'] })} title="Under a signed map the image's own colours can pass for a sign: grey by default">
                <option value="auto">auto ({signed ? 'greyscale' : 'in colour'})</option>
                <option value="grey">greyscale</option>
                <option value="colour">in colour</option>
              </select>
            </label>
            <label>
              Clip
              <select aria-label="Clip" value={view.clip} onChange={(e) => set({ clip: e.target.value as HeatmapView['clip'] })} title="A few extreme pixels can make the rest of a gradient map faint: end the colour range at a high percentile">
                <option value="auto">auto ({descriptorOf(result.method).group === 'Gradients' ? `${CLIP_PERCENTILE}th percentile` : 'none'})</option>
                <option value="on">at the {CLIP_PERCENTILE}th percentile</option>
                <option value="off">none (the map’s extremes)</option>
              </select>
            </label>
            <OpacityField value={view.opacity} onChange={(opacity) => set({ opacity })} />
          </div>
        </div>
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
        <ReusedRows result={result} />
        <InputsOnGpu result={result} />
        {result.stability?.anytime && <span data-testid="anytime-summary"> · {anytimeSummary(result.stability.anytime, result.timings.samples)}</span>}
      </p>
      <AnytimeRun entry={explanation} />
      {result.kind === 'pixel-map' && result.examples && base && <RiseExamples image={base} examples={result.examples} />}
      {mask && <GroundTruthMetrics map={cls.map} mask={mask} />}
      <CurvesOrCompute entry={explanation} />
    </section>
  );
}
