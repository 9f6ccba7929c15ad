/** The overlay opacity slider, 0–1. */
export function OpacityField(props: { value: number; onChange: (opacity: number) => void }) {
  return (
    <label>
      Opacity
      <input aria-label="Opacity" type="range" min={0} max={1} step={0.05} value={props.value} onChange={(e) => props.onChange(Number(e.target.value))} />
    </label>
  );
}
