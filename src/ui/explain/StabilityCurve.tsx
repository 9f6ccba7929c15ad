/**
 * An anytime run's stability curve: the predicted agreement (Spearman ρ) of the map with any larger budget after
 * each check, the target it waited for (dashed) and where it stopped (for a run continued past its stop, that stop
 * on the longer curve). Presentational: the record and the run's
 * samples in, an inline SVG out.
 */
import { anytimeCount, type AnytimeRecord } from '../../engine/explain/anytime';

const W = 200, H = 70;
const PLOT = { left: 30, right: W - 8, top: 6, bottom: H - 20 };

const rho = (v: number) => v.toFixed(2);

/** The y range: 0.5–1, lower when a check (or the target) fell below 0.5; never above 1. */
export function agreementRange(record: AnytimeRecord): [number, number] {
  const lowest = Math.min(record.target, ...record.curve.map((c) => c.agreement));
  return [Math.max(0, Math.min(0.5, Math.floor(lowest * 10) / 10)), 1];
}

/** The x range: from 0 to the run's budget (its samples in results saved before; or the last check, if later). */
function samplesRange(record: AnytimeRecord, samples: number): number {
  return Math.max(1, anytimeCount(record, samples).budget, ...record.curve.map((c) => c.samples));
}

/** Plot coordinates of each check (x: samples, y: predicted agreement), within the plot area. */
export function curvePoints(record: AnytimeRecord, samples: number): { x: number; y: number }[] {
  const [lo, hi] = agreementRange(record);
  const xMax = samplesRange(record, samples);
  return record.curve.map((c) => ({
    x: PLOT.left + (c.samples / xMax) * (PLOT.right - PLOT.left),
    y: PLOT.bottom - ((Math.min(hi, Math.max(lo, c.agreement)) - lo) / (hi - lo)) * (PLOT.bottom - PLOT.top),
  }));
}

/** The curve in words: "Predicted agreement rose from 0.71 at 100 samples to 0.96 at 1344; stopped at 1344 (target 0.95)". */
export function stabilityCurveText(record: AnytimeRecord, samples: number): string {
  const first = record.curve[0], last = record.curve[record.curve.length - 1];
  const { unit, budget } = anytimeCount(record, samples);
  if (!first) return `No stability check ran (target ${record.target}).`;
  const course =
    record.curve.length === 1
      ? `Predicted agreement ${rho(first.agreement)} at ${first.samples} ${unit}`
      : `Predicted agreement ${last.agreement > first.agreement ? 'rose' : last.agreement < first.agreement ? 'fell' : 'stayed'} from ${rho(first.agreement)} at ${first.samples} ${unit} to ${rho(last.agreement)} at ${last.samples}`;
  const end =
    record.stoppedAt !== undefined
      ? `stopped at ${record.stoppedAt}`
      : record.continuedFrom !== undefined
        ? `stopped at ${record.continuedFrom}, then continued to ${budget}`
        : `not stable within the budget of ${budget} ${unit}`;
  return `${course}; ${end} (target ${record.target})`;
}

export function StabilityCurve(props: { record: AnytimeRecord; samples: number }) {
  const { record, samples } = props;
  const [lo, hi] = agreementRange(record);
  const points = curvePoints(record, samples);
  const yOf = (v: number) => PLOT.bottom - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * (PLOT.bottom - PLOT.top);
  const xMax = samplesRange(record, samples);
  // where it stopped: its last check, or (a continued run) the check at the earlier stop
  const stopAt = record.stoppedAt ?? record.continuedFrom;
  const stopIndex = stopAt === undefined ? -1 : record.curve.findIndex((c) => c.samples === stopAt);
  const stop = record.stoppedAt !== undefined ? points[points.length - 1] : stopIndex >= 0 ? points[stopIndex] : undefined;
  const text = stabilityCurveText(record, samples);
  return (
    <figure className="stability-curve" data-testid="stability-curve">
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={text}>
        <title>{text}</title>
        <rect className="frame" x={PLOT.left} y={PLOT.top} width={PLOT.right - PLOT.left} height={PLOT.bottom - PLOT.top} />
        {[lo, hi].map((t) => (
          <text key={t} className="tick" x={PLOT.left - 3} y={yOf(t) + 3} textAnchor="end">
            {t.toFixed(1)}
          </text>
        ))}
        <text className="tick" x={PLOT.left} y={PLOT.bottom + 9} textAnchor="start">
          0
        </text>
        <text className="tick" x={PLOT.right} y={PLOT.bottom + 9} textAnchor="end">
          {xMax}
        </text>
        <text className="tick" x={PLOT.left + 3} y={yOf(record.target) - 2.5} textAnchor="start">
          target {record.target}
        </text>
        <line className="target" x1={PLOT.left} x2={PLOT.right} y1={yOf(record.target)} y2={yOf(record.target)} data-testid="stability-target" />
        {points.length > 1 && <polyline className="line" points={points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')} />}
        {points.map((p, i) => (
          <circle key={i} className="check" cx={p.x} cy={p.y} r={1.6} />
        ))}
        {stop && <circle className="stop" cx={stop.x} cy={stop.y} r={3.5} data-testid="stability-stop" />}
        <text className="axis-label" x={(PLOT.left + PLOT.right) / 2} y={H - 2} textAnchor="middle">
          {anytimeCount(record, props.samples).unit}
        </text>
        <text className="axis-label" transform={`translate(8 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)`} textAnchor="middle">
          predicted ρ
        </text>
      </svg>
    </figure>
  );
}
