/** A labelled number input (the label is also its accessible name). */
export function NumberField(props: { label: string; value: number; min?: number; max?: number; step?: number; onChange: (v: number) => void; title?: string }) {
  return (
    <label title={props.title}>
      {props.label}
      <input aria-label={props.label} type="number" value={props.value} min={props.min} max={props.max} step={props.step ?? 1} onChange={(e) => props.onChange(Number(e.target.value))} />
    </label>
  );
}
