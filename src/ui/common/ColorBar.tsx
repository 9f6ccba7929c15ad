import type { ReactNode } from 'react';
import { colorBarStops, type ColormapName } from '../../engine/render/colormap';
import { colorBarTicks, type ColorBarScale } from '../../engine/render/scale';
import '../explain/views.css';

/** The CSS gradient of a colour map; a fading map is drawn over grey, which stands for the image under it. */
export function colorBarBackground(colormap: ColormapName, fadeAtZero: boolean): string {
  const stops = colorBarStops(colormap, fadeAtZero).map((s) => `rgba(${s.rgb.join(', ')}, ${s.alpha.toFixed(3)}) ${(100 * s.position).toFixed(1)}%`);
  return `linear-gradient(to right, ${stops.join(', ')})${fadeAtZero ? ', #8c8c8c' : ''}`;
}

/**
 * A labelled colour bar: what the colours measure (the result's units), the ramp, ticks at the minimum, 0 and
 * the maximum, and a note on the range used (normalised, shared, clipped).
 */
export function ColorBar(props: { colormap: ColormapName; fadeAtZero?: boolean; scale: ColorBarScale; quantity: string; note?: ReactNode; testId?: string; compact?: boolean }) {
  const ticks = colorBarTicks(props.scale);
  const from = ticks[0]?.label ?? '', to = ticks.at(-1)?.label ?? '';
  return (
    <figure className={props.compact ? 'colorbar compact' : 'colorbar'} data-testid={props.testId}>
      <figcaption className="colorbar-quantity" title={props.quantity}>
        {props.quantity}
      </figcaption>
      <div className="colorbar-ramp" style={{ background: colorBarBackground(props.colormap, !!props.fadeAtZero) }} role="img" aria-label={`colour scale from ${from} to ${to}`} />
      <div className="colorbar-ticks">
        {ticks.map((t) => (
          <span key={t.position} className={`colorbar-tick${t.position === 0 ? ' start' : t.position === 1 ? ' end' : ''}`} style={{ left: `${100 * t.position}%` }} data-value={t.value}>
            {t.label}
          </span>
        ))}
      </div>
      {props.note && <p className="colorbar-note">{props.note}</p>}
    </figure>
  );
}
