import { COLORMAP_NAMES, type ColormapName } from '../../engine/render/colormap';

/** The colour-map choice of a view: 'auto' (the result kind's default, named) or any colour map. */
export function ColormapSelect(props: { value: ColormapName | 'auto'; autoLabel: string; onChange: (v: ColormapName | 'auto') => void; title?: string }) {
  return (
    <label>
      Colours
      <select aria-label="Colour map" value={props.value} onChange={(e) => props.onChange(e.target.value as ColormapName | 'auto')} title={props.title}>
        <option value="auto">auto ({props.autoLabel})</option>
        {COLORMAP_NAMES.map((c) => (
          <option key={c.name} value={c.name}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}

export const colormapLabel = (name: ColormapName) => COLORMAP_NAMES.find((c) => c.name === name)?.label ?? name;
