import { descriptorOf, type MethodId } from '../../engine/explain/registry';

/** One line of the chart: a method's value at the original model (x = 0) and after each randomisation step. */
export interface SanitySeries {
  method: MethodId;
  values: number[];
}

/** Colours and dashes of the methods' lines (and their legend entries), in the order checked; dashes tell them apart without colour. */
export const SERIES_COLOURS = ['#7aa2f7', '#f7768e', '#9ece6a', '#e0af68', '#bb9af7', '#7dcfff', '#ff9e64', '#c0caf5'];
const DASHES = ['', '7 4', '2 3', '10 3 2 3'];
export const seriesStyle = (i: number) => ({ stroke: SERIES_COLOURS[i % SERIES_COLOURS.length], dash: DASHES[i % DASHES.length] });

const W = 440, H = 250;
const PLOT = { left: 44, right: W - 12, top: 12, bottom: H - 86 };
/** A layer name short enough for a tick: the last path segments that fit ("features.17/Conv"), else its tail. */
function shorten(name: string, n = 18): string {
  const parts = name.split('/').filter(Boolean);
  let out = parts.pop() ?? name;
  while (parts.length && parts[parts.length - 1].length + out.length + 1 <= n) out = `${parts.pop()}/${out}`;
  return out.length > n ? `…${out.slice(-(n - 1))}` : out;
}

/**
 * A metric (Spearman ρ of |map|, or SSIM) against the number of weight layers randomised, one line per method, as
 * Adebayo et al.'s cascading-randomisation plots: x = 0 is the trained model (1 by definition), then each step,
 * labelled with the layer randomised last (from the output down). An optional dashed line marks the verdict's threshold.
 */
export function SanityChart(props: { title: string; metric: string; xLabels: string[]; xTitles: string[]; series: SanitySeries[]; threshold?: number; testId: string }) {
  const { xLabels, series, threshold } = props;
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const yMin = Math.min(0, Math.floor(Math.min(...all, 0) * 4) / 4);
  const yTicks: number[] = [];
  for (let t = yMin; t <= 1 + 1e-9; t += 0.25) yTicks.push(Math.round(t * 100) / 100);
  const n = Math.max(2, xLabels.length);
  const px = (i: number) => PLOT.left + ((i + 0.5) / n) * (PLOT.right - PLOT.left);
  const py = (y: number) => PLOT.bottom - ((Math.max(yMin, Math.min(1, y)) - yMin) / (1 - yMin)) * (PLOT.bottom - PLOT.top);
  const summary = series.map((s) => `${descriptorOf(s.method).label}: ${s.values.map((v) => v.toFixed(2)).join(', ')}`).join('; ');
  return (
    <figure className="sanity-chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${props.title} at 0 … ${xLabels.length - 1} randomisation steps. ${summary}`}>
        {yTicks.map((t) => (
          <g key={`y${t}`}>
            <line className="grid-line" x1={PLOT.left} x2={PLOT.right} y1={py(t)} y2={py(t)} />
            <text className="tick" x={PLOT.left - 5} y={py(t) + 3.5} textAnchor="end">
              {t}
            </text>
          </g>
        ))}
        <rect className="frame" x={PLOT.left} y={PLOT.top} width={PLOT.right - PLOT.left} height={PLOT.bottom - PLOT.top} />
        {threshold !== undefined && (
          <g data-testid={`${props.testId}-threshold`}>
            <line className="threshold" x1={PLOT.left} x2={PLOT.right} y1={py(threshold)} y2={py(threshold)} />
            <text className="tick" x={PLOT.right - 3} y={py(threshold) - 4} textAnchor="end">
              verdict threshold {threshold}
            </text>
          </g>
        )}
        {xLabels.map((label, i) => (
          <g key={`x${i}`}>
            <title>{props.xTitles[i]}</title>
            <line className="axis" x1={px(i)} x2={px(i)} y1={PLOT.bottom} y2={PLOT.bottom + 4} />
            <text className="sanity-x-label" x={px(i)} y={PLOT.bottom + 12} textAnchor="end" transform={`rotate(-35 ${px(i)} ${PLOT.bottom + 12})`}>
              {shorten(label)}
            </text>
          </g>
        ))}
        {series.map((s, i) => {
          const style = seriesStyle(i);
          const points = s.values.map((v, x) => `${px(x).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
          return (
            <g key={s.method} data-method={s.method} className="sanity-series">
              <polyline points={points} fill="none" stroke={style.stroke} strokeWidth={2} strokeDasharray={style.dash || undefined} data-testid={`${props.testId}-line-${s.method}`} />
              {s.values.map((v, x) => (
                <circle key={x} cx={px(x)} cy={py(v)} r={2.8} fill={style.stroke}>
                  <title>{`${descriptorOf(s.method).label}, ${props.xTitles[x]}: ${props.metric} ${v.toFixed(3)}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
        <text className="axis-label" x={(PLOT.left + PLOT.right) / 2} y={H - 4} textAnchor="middle" data-testid={`${props.testId}-x-title`}>
          weight layers randomised (the last one named), from the output down
        </text>
        <text className="axis-label" transform={`translate(11 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)`} textAnchor="middle" data-testid={`${props.testId}-y-title`}>
          {props.metric}
        </text>
      </svg>
    </figure>
  );
}
