type Rgb = [number, number, number];

/** A labelled colour picker over an [r, g, b] value in 0–255. */
export function ColorField(props: { label: string; ariaLabel: string; value: Rgb | undefined; fallback?: Rgb; onChange: (rgb: Rgb) => void }) {
  const rgb = props.value ?? props.fallback ?? [0, 0, 0];
  return (
    <label>
      {props.label}
      <input
        aria-label={props.ariaLabel}
        type="color"
        value={`#${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`}
        onChange={(e) => {
          const hex = e.target.value.slice(1);
          props.onChange([0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb);
        }}
      />
    </label>
  );
}
