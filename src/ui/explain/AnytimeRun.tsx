/**
 * What every explanation view shows below its map about how the run went on and what it can still do: an anytime
 * run's stability curve and how to continue it, the rows an earlier run had computed, and the deletion/insertion
 * curves (or the button that computes them).
 */
import type { Explanation } from '../../engine/explain/types';
import { continuation } from '../../store/slices/explanation';
import type { ExplanationState } from '../../store/types';
import { useApp } from '../store-context';
import { FaithfulnessPlots } from './FaithfulnessPlots';
import { StabilityCurve } from './StabilityCurve';

/**
 * An anytime run's stability curve beside the way to continue it: to its whole budget when it stopped once stable,
 * with more samples when it was not stable within its budget.
 */
export function AnytimeRun(props: { entry: ExplanationState }) {
  const { result, id } = props.entry;
  const busy = useApp((s) => !!s.run);
  const continueRun = useApp((s) => s.continueRun);
  const anytime = result.stability?.anytime;
  const next = continuation(result);
  if (!anytime || (anytime.curve.length === 0 && !next)) return null;
  return (
    <div className="anytime-run">
      {anytime.curve.length > 0 && <StabilityCurve record={anytime} samples={result.timings.samples} />}
      {next && (
        <button type="button" data-testid="anytime-continue" disabled={busy} title={next.detail} onClick={() => void continueRun(id)}>
          {next.label}
        </button>
      )}
    </div>
  );
}

/** A result's deletion/insertion curves, or the button that computes them for a result that has none. */
export function CurvesOrCompute(props: { entry: ExplanationState }) {
  const { result, id } = props.entry;
  const busy = useApp((s) => !!s.run);
  const computeCurves = useApp((s) => s.computeCurves);
  if (result.metrics) return <FaithfulnessPlots metrics={result.metrics} />;
  if (busy) return null;
  return (
    <p className="compute-curves">
      <button type="button" data-testid="compute-curves" onClick={() => void computeCurves(id)} title="How fast the class score falls as the map's most important pixels are deleted, and rises as they are inserted">
        Compute deletion/insertion curves
      </button>
    </p>
  );
}


/** " · N reused from earlier runs" when rows came from the worker's reuse cache. */
export function ReusedRows(props: { result: Explanation }) {
  const reused = props.result.timings.reusedRows ?? 0;
  return reused > 0 ? <span data-testid="reused-rows"> · {reused} reused from earlier runs</span> : null;
}

/** Says when the masked inputs were composed on the GPU (WebGPU): each call uploaded weights, not images. */
export function InputsOnGpu(props: { result: Explanation }) {
  return props.result.timings.inputsOnGpu ? (
    <span data-testid="inputs-on-gpu" title="Each batch uploaded one weight per superpixel or pixel; the masked images were composed on the GPU and read by the model there">
      {' '}
      · inputs composed on the GPU
    </span>
  ) : null;
}
