import { colourAt, type ColormapName } from '../../engine/render/colormap';
import { formatValue } from '../../engine/render/scale';
import { useApp } from '../store-context';
import './views.css';

const W = 300, ROW = 14, TOP = 14, ZERO = 192, HALF = 104;

/**
 * Surrogate coefficients as bars sorted by weight, coloured as on the map; only the features the view shows
 * (polarity, top features, minimum weight). Hovering a bar highlights its superpixel on the image.
 */
export function WeightsChart(props: { weights: number[]; shown?: number[]; colormap?: ColormapName; limit?: number; units?: string; max?: number }) {
  const hover = useApp((s) => s.hoverFeature);
  const setHover = useApp((s) => s.setHoverFeature);
  const visible = props.shown ? new Set(props.shown) : undefined;
  const order = props.weights
    .map((w, i) => [w, i] as const)
    .filter(([, i]) => !visible || visible.has(i))
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  // Long lists show the strongest and weakest features, plus whichever superpixel is hovered on the image.
  const half = Math.floor((props.max ?? 30) / 2);
  const rows = order.length > 2 * half ? order.filter(([, i], rank) => rank < half || rank >= order.length - half || i === hover) : order;
  const limit = props.limit || Math.max(...props.weights.map(Math.abs), 1e-12);
  const colormap = props.colormap ?? 'diverging';
  const height = TOP + rows.length * ROW + 4;
  return (
    <div className="weights-box">
      <p className="weights-caption">
        Weight per superpixel{props.units ? ` (${props.units})` : ''} · {order.length} of {props.weights.length} shown
        {rows.length < order.length && ` (the ${half} highest and ${half} lowest listed)`}
      </p>
      <svg className="weights-chart" viewBox={`0 0 ${W} ${height}`} width={W} height={height} data-testid="weights-chart" onMouseLeave={() => setHover(undefined)} role="img" aria-label="Weights per superpixel">
        <text x={ZERO - HALF} y={10} textAnchor="start">
          {formatValue(-limit)}
        </text>
        <text x={ZERO} y={10} textAnchor="middle">
          0
        </text>
        <text x={ZERO + HALF} y={10} textAnchor="end">
          {formatValue(limit, true)}
        </text>
        <line x1={ZERO} x2={ZERO} y1={TOP - 2} y2={height} stroke="#8a93a6" />
        {rows.map(([w, i], row) => {
          const len = Math.min(1, Math.abs(w) / limit) * HALF;
          const y = TOP + row * ROW;
          const [r, g, b] = colourAt(colormap, Math.max(0, Math.min(1, (w / limit + 1) / 2)));
          return (
            <g key={i} data-feature={i} className={hover === i ? 'bar-row active' : 'bar-row'} onMouseEnter={() => setHover(i)}>
              <rect className="row-bg" x={0} y={y} width={W} height={ROW} fill="transparent" />
              <text x={4} y={y + 11}>
                #{i}
              </text>
              <text x={30} y={y + 11}>
                {formatValue(w, true)}
              </text>
              <rect x={w >= 0 ? ZERO : ZERO - len} y={y + 2} width={Math.max(len, 0.5)} height={ROW - 4} fill={`rgb(${r}, ${g}, ${b})`} />
            </g>
          );
        })}
      </svg>
    </div>
  );
}
