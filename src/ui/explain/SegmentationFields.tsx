import { ColorField } from '../common/ColorField';
import { HIDE_MODE_LABELS, DEFAULT_BLUR_SIGMA, type HideMode, type HideSpec } from '../../engine/explain/hide';
import { SEGMENTATION_CHOICES, SEGMENTATION_FIELDS, segmentationDefaults, type SegmentationMethod } from '../../engine/explain/meta/segmentation';
import type { SegmentationSpec } from '../../engine/explain/segmentation';
import { NumberField } from '../common/NumberField';

/** The segmentation a surrogate method uses and its fields, from the shared segmentation field group. */
export function SegmentationFields(props: { value: SegmentationSpec; onChange: (v: SegmentationSpec) => void }) {
  const seg = props.value as SegmentationSpec & Record<string, number>;
  const fields = SEGMENTATION_FIELDS[seg.method] ?? [];
  return (
    <>
      <label title="How the image is cut into features">
        Segmentation
        <select aria-label="Segmentation" value={seg.method} onChange={(e) => props.onChange(segmentationDefaults(e.target.value as SegmentationMethod))}>
          {SEGMENTATION_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      {fields.map((f) => (
        <NumberField key={f.name} label={f.label} value={seg[f.name] ?? f.default} min={f.min} max={f.max} step={f.step ?? 1} title={f.help} onChange={(v) => props.onChange({ ...seg, [f.name]: v } as SegmentationSpec)} />
      ))}
    </>
  );
}

/** What hidden pixels show, with the modes this method offers. */
export function HideFields(props: { label: string; modes: readonly HideMode[]; value: HideSpec; onChange: (v: HideSpec) => void }) {
  const hide = props.value;
  return (
    <>
      <label>
        {props.label}
        <select aria-label={props.label} value={hide.mode} onChange={(e) => props.onChange({ ...hide, mode: e.target.value as HideMode })}>
          {props.modes.map((m) => (
            <option key={m} value={m}>
              {HIDE_MODE_LABELS[m]}
            </option>
          ))}
        </select>
      </label>
      {hide.mode === 'color' && (
        <ColorField label="Colour" ariaLabel={`${props.label} colour`} value={hide.color} fallback={[128, 128, 128]} onChange={(color) => props.onChange({ ...hide, mode: 'color', color })} />
      )}
      {hide.mode === 'blur' && <NumberField label="Blur σ" value={hide.blurSigma ?? DEFAULT_BLUR_SIGMA} min={0.5} step={0.5} onChange={(blurSigma) => props.onChange({ ...hide, blurSigma })} />}
    </>
  );
}
