import { useMemo, useState } from 'react';
import { methodUnavailable } from '../../engine/explain/availability';
import { runCost } from '../../engine/explain/cost';
import { descriptorOf } from '../../engine/explain/registry';
import { STABILITY_K_MAX, STABILITY_K_MIN, UNSTABLE_RANK_CORRELATION } from '../../engine/explain/stability';
import { describeUnits } from '../../engine/explain/units';
import type { RgbaImage } from '../../engine/image/types';
import { resolveView } from '../../engine/render/defaults';
import { renderHeatmapOverlay } from '../../engine/render/heatmap';
import { clippedEnds, formatValue, mapRange, sharedRange } from '../../engine/render/scale';
import { autoBatch, paramsForJob } from '../../store/app-store';
import { sameInputs, screenInputs } from '../../store/inputs';
import type { StabilityState } from '../../store/slices/stability';
import { ColorBar } from '../common/ColorBar';
import { ImageCanvas } from '../common/ImageCanvas';
import { OpacityField } from '../common/OpacityField';
import { formatMs } from '../common/format';
import { JobProgress } from '../common/JobProgress';
import { useMaskOutliner } from '../mask/use-ground-truth';
import { useApp } from '../store-context';
import './stability.css';

/** The std map's colour map: sequential (0 = no change from seed to seed), unlike any method's default. */
const STD_COLORMAP = 'viridis';

/** The model calls of k runs of the current method with its current parameters (one class), or 0 when unknown. */
function useStabilityCalls(k: number | undefined): number {
  const settings = useApp((s) => s.explainSettings);
  const preprocess = useApp((s) => s.preprocess);
  const dynamicBatch = useApp((s) => s.model?.spec.dynamicBatch ?? false);
  const channels = useApp((s) => s.support?.catalog.candidates.find((c) => c.name === (s.explainSettings.layer || s.support?.catalog.suggested))?.channels);
  const batch = useApp(autoBatch);
  return useMemo(() => {
    if (!preprocess || k === undefined) return 0;
    try {
      const method = settings.method;
      return k * runCost(descriptorOf(method), paramsForJob(settings, method, batch) as never, { width: preprocess.width, height: preprocess.height, targets: 1, channels, dynamicBatch }).calls;
    } catch {
      return 0; // parameters out of range: the run says so
    }
  }, [k, settings, preprocess, dynamicBatch, channels, batch]);
}

/** How far the k rankings agree, in words. */
function agreementInWords(rho: number): string {
  if (rho >= 0.95) return 'the map’s ranking of the pixels barely moves with the seed.';
  if (rho >= 0.9) return 'the ranking moves a little with the seed: the strongest regions are reliable, fine detail less so.';
  if (rho >= UNSTABLE_RANK_CORRELATION) return 'the ranking moves noticeably with the seed: read only the broad shape of the map.';
  return 'the ranking changes a lot from seed to seed: more samples are needed before the map can be trusted.';
}

/**
 * The stability view: the current method rerun over k seeds (seed … seed + k − 1) with the parameters the Explain
 * button would use. The mean map, the per-pixel standard deviation (in the map's units), how well the k rankings
 * agree (Spearman ρ, mean and worst pair) in words, and each seed's map. Drawn only over the inputs the runs used.
 */
export function StabilityPanel() {
  const storedK = useApp((s) => s.stabilityK);
  const method = useApp((s) => s.explainSettings.method);
  const layer = useApp((s) => s.explainSettings.layer);
  const support = useApp((s) => s.support);
  const model = useApp((s) => s.model);
  const restarting = useApp((s) => s.engine === 'restarting');
  const running = useApp((s) => !!s.run);
  const mine = useApp((s) => s.run?.kind === 'stability');
  const stability = useApp((s) => s.stability);
  const modelInput = useApp((s) => s.prediction?.result.modelInput);
  const onScreen = useApp((s) => sameInputs(s.stability?.inputs, screenInputs(s)));
  const runStability = useApp((s) => s.runStability);
  const setStabilityK = useApp((s) => s.setStabilityK);
  const cancel = useApp((s) => s.cancelExplanation);
  const [text, setText] = useState(String(storedK));
  const [opacity, setOpacity] = useState(0.6);

  const parsed = text.trim() === '' ? NaN : Number(text);
  const kValid = Number.isInteger(parsed) && parsed >= STABILITY_K_MIN && parsed <= STABILITY_K_MAX;
  const k = kValid ? parsed : undefined;
  const calls = useStabilityCalls(k);
  const meta = descriptorOf(method);
  const unavailable = methodUnavailable(method, support, layer);
  const onK = (value: string) => {
    setText(value);
    const n = Number(value);
    if (value.trim() !== '' && Number.isInteger(n) && n >= STABILITY_K_MIN && n <= STABILITY_K_MAX) setStabilityK(n);
  };

  return (
    <section className="panel stability-panel" aria-labelledby="stability-h" data-testid="stability-panel">
      <header>
        <h2 id="stability-h">Stability over seeds · {meta.label}</h2>
      </header>
      <p className="muted small">
        The method you picked, with its current parameters, run again with seeds s, s + 1, …, s + k − 1: how much does its map move when only the random samples change?
        {!meta.seeded && ` ${meta.label} does not sample: every seed gives the same map.`}
      </p>
      <div className="controls-row">
        <label title={`Number of runs, each with its own seed (${STABILITY_K_MIN}–${STABILITY_K_MAX})`}>
          Seeds (k)
          <input aria-label="Seeds" type="number" min={STABILITY_K_MIN} max={STABILITY_K_MAX} step={1} value={text} onChange={(e) => onK(e.target.value)} aria-invalid={!kValid} aria-describedby={kValid ? undefined : 'stability-k-error'} />
        </label>
        {mine ? (
          <button type="button" onClick={() => void cancel()} data-testid="cancel-stability">
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            disabled={!model || running || !kValid || !!unavailable || restarting}
            onClick={() => k !== undefined && void runStability(k)}
            data-testid="run-stability"
            title={unavailable ?? (running ? 'another run is going' : undefined)}
          >
            Run {k ?? 'k'} seeds{calls ? ` · ${calls} model call${calls === 1 ? '' : 's'}` : ''}
          </button>
        )}
        {stability?.stats && onScreen && <OpacityField value={opacity} onChange={setOpacity} />}
      </div>
      {!kValid && (
        <p className="warning small" id="stability-k-error" data-testid="stability-k-error" role="alert">
          The number of seeds must be a whole number from {STABILITY_K_MIN} to {STABILITY_K_MAX}: two runs are the least that can disagree.
        </p>
      )}
      <JobProgress kind="stability" label="Stability progress" testId="stability-progress" />
      {stability && <StabilityResult stability={stability} onScreen={onScreen} modelInput={modelInput} opacity={opacity} />}
    </section>
  );
}

function StabilityResult(props: { stability: StabilityState; onScreen: boolean; modelInput?: RgbaImage; opacity: number }) {
  const { stability, onScreen, modelInput, opacity } = props;
  const { stats, maps, look } = stability;
  const meta = descriptorOf(stability.method);
  const drawable = onScreen && !!modelInput && !!look && !!maps && modelInput.width === look.width && modelInput.height === look.height;
  const outline = useMaskOutliner(stability.inputs);

  const drawn = useMemo(() => {
    if (!drawable || !stats || !maps || !look || !modelInput) return undefined;
    const view = resolveView({ colormap: 'auto' }, look);
    const meanRange = mapRange(stats.mean, look.signed, view.clipPercentile);
    const seedRange = sharedRange(maps, look.signed, view.clipPercentile);
    const stdRange: [number, number] = [0, stats.maxStd];
    const overlay = { greyUnderlay: view.greyUnderlay, fadeAtZero: view.fadeAtZero };
    return {
      view,
      meanRange,
      seedRange,
      stdRange,
      mean: outline(renderHeatmapOverlay(modelInput, stats.mean, meanRange, view.colormap, opacity, overlay)),
      std: outline(renderHeatmapOverlay(modelInput, stats.std, stdRange, STD_COLORMAP, opacity)),
      seeds: maps.map((m) => outline(renderHeatmapOverlay(modelInput, m, seedRange, view.colormap, opacity, overlay))),
      meanClipped: clippedEnds(stats.mean, meanRange),
      seedClipped: { lo: maps.some((m) => clippedEnds(m, seedRange).lo), hi: maps.some((m) => clippedEnds(m, seedRange).hi) },
    };
  }, [drawable, stats, maps, look, modelInput, opacity, outline]);

  const units = look ? (look.units ?? describeUnits({ method: look.method, scoreSpace: 'probability' })) : '';
  const heading = `${meta.label} over ${stability.k} seeds · #${stability.target} ${stability.label} · ${stability.imageName}`;
  const seedsText = `${stability.seeds[0]}–${stability.seeds.at(-1)}`;
  return (
    <div className="stability-result" data-testid="stability-result">
      <h3 data-testid="stability-heading">{heading}</h3>
      <p className="muted small">
        Seeds {seedsText} · {stability.modelName}
        {stability.totalMs !== undefined ? ` · ${formatMs(stability.totalMs)}` : ''}
        {stability.modelCalls !== undefined ? ` · ${stability.modelCalls} model calls` : ''}
      </p>
      {!stability.done && <p className="muted small">running…</p>}
      {stability.error && (
        <p className="warning small" data-testid="stability-error">
          {stability.error === 'cancelled' ? 'Cancelled: no statistics (they need all k runs).' : `Failed: ${stability.error}`}
        </p>
      )}
      {stats && (
        <>
          {!meta.seeded && (
            <p className="stability-note" data-testid="stability-deterministic">
              {meta.label} does not sample: every seed gives the same map
              {stats.identical ? ', so the standard deviation is 0 everywhere and every pair of maps has ρ = 1.' : `. The ${stats.k} runs still differ by up to ${formatValue(stats.maxStd)} (std): floating-point differences of the backend, not sampling.`}
            </p>
          )}
          {meta.seeded && stats.identical && (
            <p className="stability-note" data-testid="stability-identical">
              Every seed gave exactly the same map: with these parameters nothing random changes the result.
            </p>
          )}
          <p className="stability-rho" data-testid="stability-rho">
            Mean pairwise Spearman ρ{' '}
            <strong data-testid="stability-rho-value">{stats.meanRankCorrelation.toFixed(3)}</strong>
            {stats.k > 2 && (
              <>
                {' '}
                (lowest pair: seeds {stability.seeds[stats.minPair[0]]} and {stability.seeds[stats.minPair[1]]}, ρ <span data-testid="stability-rho-min">{stats.minRankCorrelation.toFixed(3)}</span>)
              </>
            )}
            : {agreementInWords(stats.meanRankCorrelation)}
          </p>
          {drawn ? (
            <>
              <div className="stability-maps">
                <figure className="stability-figure">
                  <figcaption>Mean of the {stats.k} maps</figcaption>
                  <ImageCanvas image={drawn.mean} label={`Mean ${meta.label} map over ${stats.k} seeds`} pixelated testId="stability-mean" />
                  <ColorBar
                    colormap={drawn.view.colormap}
                    fadeAtZero={drawn.view.fadeAtZero}
                    scale={{ range: drawn.meanRange, signed: look!.signed, normalised: false, clipped: drawn.meanClipped }}
                    quantity={`mean across seeds, ${units}`}
                    note={drawn.view.clipPercentile !== undefined ? `ends at the ${drawn.view.clipPercentile}th percentile` : 'own range'}
                    testId="stability-mean-scale"
                  />
                </figure>
                <figure className="stability-figure">
                  <figcaption>Standard deviation across seeds</figcaption>
                  <ImageCanvas image={drawn.std} label={`Standard deviation of the ${meta.label} map across ${stats.k} seeds`} pixelated testId="stability-std" />
                  <ColorBar
                    colormap={STD_COLORMAP}
                    scale={{ range: drawn.stdRange, signed: false, normalised: false }}
                    quantity={`standard deviation across seeds, ${units}`}
                    note={`sample std (k − 1); mean over the pixels ${formatValue(stats.meanStd)}`}
                    testId="stability-std-scale"
                  />
                </figure>
              </div>
              <h4 className="stability-seeds-h">Each seed’s map (one shared range)</h4>
              <div className="stability-seeds" data-testid="stability-seeds">
                {drawn.seeds.map((image, i) => (
                  <figure key={stability.seeds[i]} className="stability-seed">
                    <ImageCanvas image={image} label={`${meta.label} map, seed ${stability.seeds[i]}`} pixelated testId={`stability-seed-${stability.seeds[i]}`} />
                    <figcaption>seed {stability.seeds[i]}</figcaption>
                  </figure>
                ))}
              </div>
              <ColorBar colormap={drawn.view.colormap} fadeAtZero={drawn.view.fadeAtZero} scale={{ range: drawn.seedRange, signed: look!.signed, normalised: false, clipped: drawn.seedClipped }} quantity={units} note="shared by the seeds’ maps" compact testId="stability-seeds-scale" />
            </>
          ) : (
            <p className="muted small" data-testid="stability-elsewhere">
              These runs were computed for {stability.imageName} on {stability.modelName} with other inputs than the ones on screen: the maps are drawn only over the image they were computed from.
            </p>
          )}
          <p className="muted small" data-testid="stability-how-to-read">
            How to read: ρ compares how two maps rank the pixels (1: the same order, 0: unrelated). Near 1 the map’s ranking barely moves with the seed; below about{' '}
            {UNSTABLE_RANK_CORRELATION} rankings change a lot and more samples are needed. The standard deviation map shows where the values move: bright where the seed matters.
            {stats.constantPairs > 0 && ` ${stats.constantPairs} pair${stats.constantPairs === 1 ? '' : 's'} involved a constant map (ρ taken as 1 when both maps are the same, else 0).`}
          </p>
        </>
      )}
    </div>
  );
}
