import '../explain/views.css';

/** The overlay opacity slider, 0–1, with its value. */
export function OpacityField(props: { value: number; onChange: (opacity: number) => void }) {
  const percent = `${Math.round(props.value * 100)} %`;
  return (
    <label className="opacity-field">
      Opacity
      <span className="opacity-slider">
        <input aria-label="Opacity" aria-valuetext={percent} type="range" min={0} max={1} step={0.05} value={props.value} onChange={(e) => props.onChange(Number(e.target.value))} />
        <output data-testid="opacity-value">{percent}</output>
      </span>
    </label>
  );
}
