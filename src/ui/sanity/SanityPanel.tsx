import { useMemo, useState } from 'react';
import { methodUnavailable } from '../../engine/explain/availability';
import { descriptorOf, type MethodId } from '../../engine/explain/registry';
import type { RgbaImage } from '../../engine/image/types';
import { resolveView } from '../../engine/render/defaults';
import { renderHeatmapOverlay } from '../../engine/render/heatmap';
import { mapRange } from '../../engine/render/scale';
import { sameInputs, screenInputs } from '../../store/inputs';
import { SANITY_STEPS_DEFAULT, SANITY_STEPS_MAX, SANITY_STEPS_MIN, type SanityState } from '../../store/slices/sanity';
import type { SanityRun, SanityRunMethod } from '../../worker-api';
import { ImageCanvas } from '../common/ImageCanvas';
import { OpacityField } from '../common/OpacityField';
import { formatMs } from '../common/format';
import { methodsByGroup } from '../explain/MethodPicker';
import { JobProgress } from '../common/JobProgress';
import { useMaskOutliner } from '../mask/use-ground-truth';
import { useApp } from '../store-context';
import { SanityChart, seriesStyle } from './SanityChart';
import './sanity.css';

const labelOf = (m: MethodId) => descriptorOf(m).label;

/**
 * The sanity check of Adebayo et al. 2018 (cascading model-parameter randomisation): the picked methods, with the
 * parameters the Explain button would use, rerun with the top 1 … all weight layers re-initialised. Two charts
 * (Spearman ρ of |map| and SSIM with the trained model's map, one line per method), each method's verdict in words,
 * and its maps step by step, drawn over the inputs the check used only.
 */
export function SanityPanel() {
  const methods = useApp((s) => s.sanityMethods);
  const storedSteps = useApp((s) => s.sanitySteps);
  const setMethods = useApp((s) => s.setSanityMethods);
  const setSteps = useApp((s) => s.setSanitySteps);
  const runSanityCheck = useApp((s) => s.runSanityCheck);
  const cancel = useApp((s) => s.cancelExplanation);
  const support = useApp((s) => s.support);
  const layer = useApp((s) => s.explainSettings.layer);
  const model = useApp((s) => s.model);
  const restarting = useApp((s) => s.engine === 'restarting');
  const running = useApp((s) => !!s.run);
  const mine = useApp((s) => s.run?.kind === 'sanity');
  const sanity = useApp((s) => s.sanity);
  const modelInput = useApp((s) => s.prediction?.result.modelInput);
  const onScreen = useApp((s) => sameInputs(s.sanity?.inputs, screenInputs(s)));
  const [text, setText] = useState(String(storedSteps ?? SANITY_STEPS_DEFAULT));
  const [opacity, setOpacity] = useState(0.6);

  const available: MethodId[] = methodsByGroup().flatMap((g) => g.methods);
  const toggle = (m: MethodId, on: boolean) => setMethods(on ? available.filter((x) => x === m || methods.includes(x)) : methods.filter((x) => x !== m));
  const runnable = methods.filter((m) => !methodUnavailable(m, support, layer));
  const parsed = text.trim() === '' ? NaN : Number(text);
  const stepsValid = Number.isInteger(parsed) && parsed >= SANITY_STEPS_MIN && parsed <= SANITY_STEPS_MAX;
  const onSteps = (value: string) => {
    setText(value);
    const n = Number(value);
    if (value.trim() !== '' && Number.isInteger(n) && n >= SANITY_STEPS_MIN && n <= SANITY_STEPS_MAX) setSteps(n);
  };

  return (
    <section className="panel sanity-panel" aria-labelledby="sanity-h" data-testid="sanity-panel">
      <header>
        <h2 id="sanity-h">Sanity check · model randomisation</h2>
      </header>
      <p className="muted small">
        Does the map show what the model learned? Each method is run again on copies of the model whose weight layers are replaced by random ones, one more at a time from the output down (Adebayo et al. 2018). A map that stays the same once the
        top layers are random is made by the image and the lower layers, not by what the model learned.
      </p>
      <div className="method-checks" role="group" aria-label="Methods to check">
        {available.map((m) => {
          const why = methodUnavailable(m, support, layer);
          return (
            <label key={m} title={why ?? descriptorOf(m).reference} className={why ? 'muted' : undefined}>
              <input type="checkbox" aria-label={`Check ${labelOf(m)}`} checked={methods.includes(m) && !why} disabled={!!why} onChange={(e) => toggle(m, e.target.checked)} /> {labelOf(m)}
            </label>
          );
        })}
      </div>
      <div className="controls-row">
        <label title={`Randomisation steps measured, spread over the weight layers; the last randomises all of them (${SANITY_STEPS_MIN}–${SANITY_STEPS_MAX})`}>
          Steps
          <input
            aria-label="Randomisation steps"
            type="number"
            min={SANITY_STEPS_MIN}
            max={SANITY_STEPS_MAX}
            step={1}
            value={text}
            onChange={(e) => onSteps(e.target.value)}
            aria-invalid={!stepsValid}
            aria-describedby={stepsValid ? undefined : 'sanity-steps-error'}
          />
        </label>
        {mine ? (
          <button type="button" onClick={() => void cancel()} data-testid="cancel-sanity">
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            disabled={!model || running || !stepsValid || !runnable.length || restarting}
            onClick={() => stepsValid && void runSanityCheck(parsed)}
            data-testid="run-sanity"
            title={running ? 'another run is going' : !runnable.length ? 'pick a method this model can run' : undefined}
          >
            Run sanity check{runnable.length ? ` · ${runnable.length} method${runnable.length === 1 ? '' : 's'}` : ''}
          </button>
        )}
        {sanity?.result && onScreen && <OpacityField value={opacity} onChange={setOpacity} />}
      </div>
      {!stepsValid && (
        <p className="warning small" id="sanity-steps-error" data-testid="sanity-steps-error" role="alert">
          The number of steps must be a whole number from {SANITY_STEPS_MIN} to {SANITY_STEPS_MAX}.
        </p>
      )}
      <JobProgress kind="sanity" label="Sanity check progress" testId="sanity-progress" />
      {sanity && <SanityResult sanity={sanity} onScreen={onScreen} modelInput={modelInput} opacity={opacity} />}
    </section>
  );
}

/** A verdict in words: the lead the tests and the eye look for, then the number it rests on. */
function verdictText(m: SanityRunMethod, layerCount: number): { lead: string; detail: string } {
  const v = m.verdict;
  if (!v.judged) return { lead: 'not judged', detail: v.reason.replace(/^Not judged:\s*/, '') };
  const where = `with the top ${v.upTo} of ${layerCount} weight layers randomised`;
  const rho = (v.spearmanAbs ?? 0).toFixed(2);
  if (v.level === 'insensitive') return { lead: 'this map does not depend on what the model learned', detail: `${where}, its ranking of the pixels still agrees with the trained model’s (Spearman ρ of |map| ${rho} ≥ ${v.threshold}).` };
  if (v.level === 'partly') return { lead: 'much of this map survives random weights', detail: `${where}, its ranking still agrees with the trained model’s at Spearman ρ of |map| ${rho} (0.5 to ${v.threshold}): part of what it shows is the image, not the model — read it with care.` };
  return { lead: 'changes as the weights are randomised', detail: `${where}, its agreement with the trained model’s map falls to Spearman ρ of |map| ${rho} (below 0.5): the map depends on what the model learned.` };
}

function SanityResult(props: { sanity: SanityState; onScreen: boolean; modelInput?: RgbaImage; opacity: number }) {
  const { sanity, onScreen, modelInput, opacity } = props;
  const result: SanityRun | undefined = sanity.result;
  const heading = `Sanity check · #${sanity.target} ${sanity.label} · ${sanity.imageName}`;
  const layerCount = result?.layers.length ?? 0;
  const steps = result?.methods[0]?.steps ?? [];
  const xLabels = ['trained', ...steps.map((s) => s.layer)];
  const xTitles = ['the trained model', ...steps.map((s) => `top ${s.upTo} of ${layerCount} layers randomised, down to ${s.layer}`)];
  const size = sanity.inputs.preprocess;
  const drawable = onScreen && !!modelInput && modelInput.width === size.width && modelInput.height === size.height;

  const outline = useMaskOutliner(sanity.inputs);
  const strips = useMemo(() => {
    if (!drawable || !result || !modelInput) return undefined;
    return result.methods.map((m) => {
      const maps = [m.original, ...m.steps.map((s) => s.map)];
      const signed = maps.some((map) => map.some((v) => v < 0));
      const look = resolveView({ colormap: 'auto' }, { kind: descriptorOf(m.method).result, method: m.method, signed });
      // each map on its own range: randomised weights change a map's scale by orders of magnitude (the paper normalises each)
      return maps.map((map) => outline(renderHeatmapOverlay(modelInput, map, mapRange(map, signed, look.clipPercentile), look.colormap, opacity, { greyUnderlay: look.greyUnderlay, fadeAtZero: look.fadeAtZero })));
    });
  }, [drawable, result, modelInput, opacity, outline]);

  return (
    <div className="sanity-result" data-testid="sanity-result">
      <h3 data-testid="sanity-heading">{heading}</h3>
      <p className="muted small">
        {sanity.modelName} · seed {sanity.seed}
        {result ? ` · ${layerCount} weight layers, ${steps.length} steps · ${formatMs(result.totalMs)}` : ''}
      </p>
      {!sanity.done && <p className="muted small">running…</p>}
      {sanity.error && (
        <p className="warning small" data-testid="sanity-error">
          {sanity.error === 'cancelled' ? 'Cancelled: no result (the charts need every step).' : `Failed: ${sanity.error}`}
        </p>
      )}
      {result && (
        <>
          <div className="sanity-legend" data-testid="sanity-legend">
            {result.methods.map((m, i) => {
              const style = seriesStyle(i);
              return (
                <span key={m.method} className="legend-item" data-method={m.method}>
                  <svg width="26" height="10" aria-hidden="true">
                    <line x1="1" x2="25" y1="5" y2="5" stroke={style.stroke} strokeWidth="2.5" strokeDasharray={style.dash || undefined} />
                  </svg>
                  {labelOf(m.method)}
                </span>
              );
            })}
          </div>
          <div className="sanity-charts">
            <SanityChart
              title="Rank correlation with the trained model’s map"
              metric="Spearman ρ of |map|"
              xLabels={xLabels}
              xTitles={xTitles}
              series={result.methods.map((m) => ({ method: m.method, values: [1, ...m.steps.map((s) => s.spearmanAbs)] }))}
              threshold={result.methods[0]?.verdict.threshold}
              testId="sanity-chart-spearman"
            />
            <SanityChart
              title="Structural similarity with the trained model’s map"
              metric="SSIM"
              xLabels={xLabels}
              xTitles={xTitles}
              series={result.methods.map((m) => ({ method: m.method, values: [1, ...m.steps.map((s) => s.ssim)] }))}
              testId="sanity-chart-ssim"
            />
          </div>
          <ul className="sanity-verdicts" data-testid="sanity-verdicts">
            {result.methods.map((m) => {
              const { lead, detail } = verdictText(m, layerCount);
              const cls = m.verdict.level;
              return (
                <li key={m.method} className={`sanity-verdict ${cls}`} data-testid={`sanity-verdict-${m.method}`} data-verdict={cls} title={m.verdict.reason}>
                  <strong>{labelOf(m.method)}</strong>: <span className="lead">{lead}</span> — {detail}
                </li>
              );
            })}
          </ul>
          {strips ? (
            <div className="sanity-strips">
              {result.methods.map((m, j) => (
                <div key={m.method} className="sanity-strip-row">
                  <h4>{labelOf(m.method)}</h4>
                  <div className="sanity-strip" data-testid={`sanity-strip-${m.method}`}>
                    {strips[j].map((image, i) => (
                      <figure key={i} className="sanity-map">
                        <ImageCanvas image={image} label={`${labelOf(m.method)} map, ${xTitles[i]}`} title={xTitles[i]} pixelated testId={`sanity-map-${m.method}-${i}`} />
                        <figcaption>{i === 0 ? 'trained' : `top ${m.steps[i - 1].upTo}`}</figcaption>
                      </figure>
                    ))}
                  </div>
                </div>
              ))}
              <p className="muted small">Each map in its method’s own colours, on its own range: randomised weights change the scale of a map, the check compares the pictures.</p>
            </div>
          ) : (
            <p className="muted small" data-testid="sanity-elsewhere">
              This check was computed for {sanity.imageName} on {sanity.modelName} with other inputs than the ones on screen: its maps are drawn only over the image they were computed from.
            </p>
          )}
          <p className="muted small" data-testid="sanity-how-to-read">
            How to read: at 0 layers every line is at 1 (the trained model’s map compared with itself). A method whose lines fall as the top layers are randomised shows what the model learned; one that stays high (ρ of |map| at least{' '}
            {result.methods[0]?.verdict.threshold} with half of the layers random) draws much the same map whatever the weights — the image’s edges, not the model’s reasons; from 0.5 much of the map survives and it should be read with care. SSIM compares the maps’ pictures (1: the same).
          </p>
        </>
      )}
    </div>
  );
}
