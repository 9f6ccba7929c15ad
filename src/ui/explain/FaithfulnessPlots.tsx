import type { FaithfulnessCurve, FaithfulnessMetrics } from '../../engine/explain/types';

/** One curve as a small SVG plot: class probability against the fraction of pixels changed. */
export function CurvePlot(props: { curve: FaithfulnessCurve; title: string; better: string; testId: string }) {
  const { curve } = props;
  const w = 160, h = 72, pad = 4;
  const points = curve.x.map((x, i) => `${(pad + x * (w - 2 * pad)).toFixed(1)},${(h - pad - curve.y[i] * (h - 2 * pad)).toFixed(1)}`).join(' ');
  return (
    <figure className="curve" data-testid={props.testId}>
      <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`${props.title} curve, AUC ${curve.auc.toFixed(3)}`}>
        <rect x={pad} y={pad} width={w - 2 * pad} height={h - 2 * pad} className="frame" />
        <polygon points={`${pad},${h - pad} ${points} ${w - pad},${h - pad}`} className="area" />
        <polyline points={points} className="line" />
      </svg>
      <figcaption>
        {props.title} AUC <strong>{curve.auc.toFixed(3)}</strong> <span className="muted">({props.better})</span>
      </figcaption>
    </figure>
  );
}

/** Deletion and insertion curves beside an explanation. */
export function FaithfulnessPlots(props: { metrics: FaithfulnessMetrics }) {
  return (
    <div className="curves" title={`${props.metrics.steps} steps, ${props.metrics.timings.modelCalls} model calls`}>
      <CurvePlot curve={props.metrics.deletion} title="Deletion" better="lower is better" testId="deletion-curve" />
      <CurvePlot curve={props.metrics.insertion} title="Insertion" better="higher is better" testId="insertion-curve" />
    </div>
  );
}
