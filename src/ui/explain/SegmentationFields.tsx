import { useMemo, useSyncExternalStore } from 'react';
import { ColorField } from '../common/ColorField';
import { FileButton } from '../common/FileButton';
import { HIDE_MODE_LABELS, DEFAULT_BLUR_SIGMA, type HideMode, type HideSpec } from '../../engine/explain/hide';
import { SEGMENTATION_CHOICES, SEGMENTATION_FIELDS, segmentationDefaults, type SegmentationMethod } from '../../engine/explain/meta/segmentation';
import type { CustomSegmentationSpec, SegmentationSpec } from '../../engine/explain/segmentation';
import { labelsCoverImage, labelsForModel, regionCount } from '../../engine/segment/custom';
import { loadedRegions, setLoadedRegions, subscribeLoadedRegions } from '../../store/custom-segments';
import { NumberField } from '../common/NumberField';
import { useApp } from '../store-context';
import { LABEL_FILE_ACCEPT, readLabelFile } from './label-file';

/** A method's defaults; custom regions name the label file already loaded, if any. */
function defaultsFor(method: SegmentationMethod): SegmentationSpec {
  const loaded = loadedRegions();
  return method === 'custom' && loaded ? { method, name: loaded.name } : segmentationDefaults(method);
}

/** The segmentation a surrogate method uses and its fields, from the shared segmentation field group. */
export function SegmentationFields(props: { value: SegmentationSpec; onChange: (v: SegmentationSpec) => void }) {
  const seg = props.value as SegmentationSpec & Record<string, number>;
  const fields = SEGMENTATION_FIELDS[seg.method] ?? [];
  return (
    <>
      <label title="How the image is cut into features">
        Segmentation
        <select aria-label="Segmentation" value={seg.method} onChange={(e) => props.onChange(defaultsFor(e.target.value as SegmentationMethod))}>
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
      {props.value.method === 'custom' && <CustomRegionsField value={props.value} onChange={props.onChange} />}
    </>
  );
}

/**
 * Custom regions: a label file (.npy of ids, or a PNG where each colour — black too — is one region), held in
 * memory only (store/custom-segments.ts); the settings keep its name. Says how many regions it holds and how many
 * land on the model input with the current preprocessing, and that Run needs a file when none is loaded.
 */
function CustomRegionsField(props: { value: CustomSegmentationSpec; onChange: (v: SegmentationSpec) => void }) {
  const loaded = useSyncExternalStore(subscribeLoadedRegions, loadedRegions, loadedRegions);
  const preprocess = useApp((s) => s.preprocess);
  const image = useApp((s) => s.image);
  const report = useApp((s) => s.report);
  const onModel = useMemo(() => {
    if (!loaded || !preprocess) return undefined;
    try {
      return regionCount(labelsForModel(loaded.labels, loaded.width, loaded.height, preprocess));
    } catch {
      return undefined;
    }
  }, [loaded, preprocess]);
  const mismatch = loaded && image && preprocess ? labelsCoverImage(loaded, image, preprocess) : undefined;
  const choose = async (files: File[]) => {
    try {
      const regions = await readLabelFile(files[0]);
      setLoadedRegions(regions);
      props.onChange({ method: 'custom', name: regions.name });
    } catch (e) {
      report(e, 'Reading the label file');
    }
  };
  return (
    <div className="wide" data-testid="custom-regions">
      <FileButton accept={LABEL_FILE_ACCEPT} onFiles={(files) => void choose(files)} testId="label-file-input">
        {loaded ? 'Other label file…' : 'Choose label file…'}
      </FileButton>
      {loaded ? (
        <p className="muted small">
          {loaded.regions} regions from {loaded.name} ({loaded.width}×{loaded.height})
          {preprocess && onModel !== undefined && (loaded.width !== preprocess.width || loaded.height !== preprocess.height)
            ? `; resampled (nearest) to the model input ${preprocess.width}×${preprocess.height} with ${preprocess.resize === 'crop' ? 'resize + centre crop' : 'stretch'}: ${onModel} regions`
            : ''}
          . Kept in memory only: after a reload, choose the file again.
        </p>
      ) : (
        <p className="muted small" role="note">
          No labels loaded{props.value.name ? ` (${props.value.name} was chosen before; label files are not saved)` : ''}: choose a .npy of region ids (height × width) or a PNG where each colour is one region (black too). Run needs them.
        </p>
      )}
      {mismatch && <p className="warning small">These labels do not fit this image: {mismatch}.</p>}
      {loaded && onModel !== undefined && onModel < 2 && <p className="warning small">Fewer than 2 regions reach the model input: Run will refuse.</p>}
    </div>
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
