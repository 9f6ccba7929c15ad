import { useApp } from '../store-context';

/** Surrogate coefficients as bars sorted by weight; hovering a bar highlights its superpixel on the image. */
export function WeightsChart(props: { weights: number[]; max?: number }) {
  const hover = useApp((s) => s.hoverFeature);
  const setHover = useApp((s) => s.setHoverFeature);
  const order = props.weights.map((w, i) => [w, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  // Long lists show the strongest and weakest dozen, plus whichever superpixel is hovered on the image.
  const half = Math.floor((props.max ?? 60) / 2);
  const shown = order.length > 2 * half ? order.filter(([, i], rank) => rank < half || rank >= order.length - half || i === hover) : order;
  const limit = Math.max(...props.weights.map(Math.abs), 1e-12);
  const rowH = 14;
  return (
    <svg className="weights" width="100%" height={shown.length * rowH + 4} viewBox={`0 0 300 ${shown.length * rowH + 4}`} preserveAspectRatio="none" data-testid="weights-chart" onMouseLeave={() => setHover(undefined)}>
      <line x1={170} x2={170} y1={0} y2={shown.length * rowH + 4} stroke="#555" />
      {shown.map(([w, i], row) => {
        const len = (Math.abs(w) / limit) * 125;
        return (
          <g key={i} data-feature={i} className={hover === i ? 'bar-row active' : 'bar-row'} onMouseEnter={() => setHover(i)}>
            <rect x={0} y={row * rowH} width={300} height={rowH} fill="transparent" />
            <text x={4} y={row * rowH + 11} fontSize={10} fill="#8a93a6">
              #{i}
            </text>
            <text x={40} y={row * rowH + 11} fontSize={10} fill="#8a93a6">
              {w.toPrecision(3)}
            </text>
            <rect x={w >= 0 ? 170 : 170 - len} y={row * rowH + 2} width={Math.max(len, 0.5)} height={rowH - 4} fill={w >= 0 ? '#d6604d' : '#4393c3'} />
          </g>
        );
      })}
    </svg>
  );
}
