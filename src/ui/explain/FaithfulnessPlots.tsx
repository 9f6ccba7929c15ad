import type { FaithfulnessCurve, FaithfulnessMetrics } from '../../engine/explain/types';
import './views.css';

const W = 320, H = 212;
const PLOT = { left: 46, right: W - 10, top: 10, bottom: H - 40 };
const X_TICKS = [0, 0.25, 0.5, 0.75, 1];
const Y_TICKS = [0, 0.25, 0.5, 0.75, 1];

const px = (x: number) => PLOT.left + x * (PLOT.right - PLOT.left);
const py = (y: number) => PLOT.bottom - Math.max(0, Math.min(1, y)) * (PLOT.bottom - PLOT.top);
const points = (c: FaithfulnessCurve) => c.x.map((x, i) => `${px(x).toFixed(1)},${py(c.y[i]).toFixed(1)}`).join(' ');

/**
 * One curve with axes: the class probability against the fraction of pixels changed, the map's order (solid,
 * shaded area = AUC) and a random order (dashed), the baseline the map should beat.
 */
export function CurvePlot(props: { curve: FaithfulnessCurve; random?: FaithfulnessCurve; title: string; action: string; better: string; testId: string }) {
  const { curve, random } = props;
  const line = points(curve);
  return (
    <figure className="curve-plot" data-testid={props.testId}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.title} curve: AUC ${curve.auc.toFixed(3)}${random ? `, random order ${random.auc.toFixed(3)}` : ''}`}>
        {Y_TICKS.map((t) => (
          <g key={`y${t}`}>
            <line className="grid-line" x1={PLOT.left} x2={PLOT.right} y1={py(t)} y2={py(t)} />
            <text x={PLOT.left - 5} y={py(t) + 3.5} textAnchor="end">
              {t}
            </text>
          </g>
        ))}
        {X_TICKS.map((t) => (
          <g key={`x${t}`}>
            <line className="axis" x1={px(t)} x2={px(t)} y1={PLOT.bottom} y2={PLOT.bottom + 4} />
            <text x={px(t)} y={PLOT.bottom + 15} textAnchor="middle">
              {t}
            </text>
          </g>
        ))}
        <rect className="frame" x={PLOT.left} y={PLOT.top} width={PLOT.right - PLOT.left} height={PLOT.bottom - PLOT.top} />
        <polygon className="area" points={`${px(0)},${PLOT.bottom} ${line} ${px(1)},${PLOT.bottom}`} />
        {random && <polyline className="random" points={points(random)} data-testid="random-baseline" />}
        <polyline className="line" points={line} />
        <text className="axis-label" x={(PLOT.left + PLOT.right) / 2} y={H - 6} textAnchor="middle">
          fraction of pixels {props.action}
        </text>
        <text className="axis-label" transform={`translate(12 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)`} textAnchor="middle">
          class probability
        </text>
      </svg>
      <figcaption>
        <strong>{props.title}</strong> <span>({props.better})</span>
        <br />
        <span className="legend-item">
          <span className="legend-swatch" />
          this map: AUC <strong>{curve.auc.toFixed(3)}</strong>
        </span>
        {random && (
          <span className="legend-item">
            <span className="legend-swatch random" />
            random order: AUC <strong>{random.auc.toFixed(3)}</strong>
          </span>
        )}
      </figcaption>
    </figure>
  );
}

/** Deletion and insertion curves beside an explanation, each against a random pixel order. */
export function FaithfulnessPlots(props: { metrics: FaithfulnessMetrics }) {
  const { metrics } = props;
  return (
    <div className="curves-box" title={`${metrics.steps} steps, ${metrics.timings.modelCalls} model calls`} data-testid="faithfulness-curves">
      <CurvePlot curve={metrics.deletion} random={metrics.random?.deletion} title="Deletion: most important pixels removed first" action="deleted" better="lower is better" testId="deletion-curve" />
      <CurvePlot curve={metrics.insertion} random={metrics.random?.insertion} title="Insertion: most important pixels restored first" action="inserted" better="higher is better" testId="insertion-curve" />
    </div>
  );
}
