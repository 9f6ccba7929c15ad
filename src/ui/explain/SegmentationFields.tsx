import { ColorField } from '../common/ColorField';
import type { SegmentationSpec } from '../../engine/explain/segmentation';
import type { HideMode, HideSpec } from '../../engine/explain/perturb';
import { NumberField } from '../common/NumberField';

type SegMethod = SegmentationSpec['method'];
type SegPatch = { method?: SegMethod; nSegments?: number; compactness?: number; sigma?: number; scale?: number; minSize?: number; kernelSize?: number; maxDist?: number; ratio?: number };

/** The segmentation a surrogate method (LIME, KernelSHAP) uses, and its parameters. */
export function SegmentationFields(props: { value: SegmentationSpec; onChange: (v: SegmentationSpec) => void }) {
  const seg = props.value;
  const setSeg = (patch: SegPatch) => props.onChange({ ...seg, ...patch } as SegmentationSpec);
  const field = (key: keyof SegPatch, fallback: number): number => ((seg as SegPatch)[key] as number | undefined) ?? fallback;
  return (
    <>
      <label>
        Segmentation
        <select aria-label="Segmentation" value={seg.method} onChange={(e) => setSeg({ method: e.target.value as SegMethod })}>
          <option value="slic">SLIC superpixels</option>
          <option value="quickshift">quickshift (lime's default)</option>
          <option value="felzenszwalb">Felzenszwalb graph</option>
          <option value="grid">regular grid</option>
        </select>
      </label>
      {(seg.method === 'slic' || seg.method === 'grid') && <NumberField label="Segments" value={field('nSegments', 50)} min={1} onChange={(nSegments) => setSeg({ nSegments })} />}
      {seg.method === 'slic' && (
        <>
          <NumberField label="Compactness" value={field('compactness', 10)} min={0.01} step={1} onChange={(compactness) => setSeg({ compactness })} />
          <NumberField label="Smoothing σ" value={field('sigma', 1)} min={0} step={0.5} onChange={(sigma) => setSeg({ sigma })} />
        </>
      )}
      {seg.method === 'quickshift' && (
        <>
          <NumberField label="Kernel size" value={field('kernelSize', 4)} min={0.5} max={50} step={0.5} onChange={(kernelSize) => setSeg({ kernelSize })} title="Width of the density kernel: larger, fewer segments" />
          <NumberField label="Max distance" value={field('maxDist', 200)} min={1} step={10} onChange={(maxDist) => setSeg({ maxDist })} title="Links longer than this are cut" />
          <NumberField label="Ratio" value={field('ratio', 0.2)} min={0} max={1} step={0.05} onChange={(ratio) => setSeg({ ratio })} title="Weight of colour against position" />
        </>
      )}
      {seg.method === 'felzenszwalb' && (
        <>
          <NumberField label="Scale" value={field('scale', 100)} min={1} step={10} onChange={(scale) => setSeg({ scale })} title="Higher: fewer, larger regions" />
          <NumberField label="Smoothing σ" value={field('sigma', 0.8)} min={0} step={0.1} onChange={(sigma) => setSeg({ sigma })} />
          <NumberField label="Min size" value={field('minSize', 20)} min={1} step={5} onChange={(minSize) => setSeg({ minSize })} title="Smaller regions merge into a neighbour" />
        </>
      )}
    </>
  );
}

/** What hidden features show: their mean colour, black, grey, a blur or a colour. */
export function HideFields(props: { label: string; value: HideSpec; onChange: (v: HideSpec) => void }) {
  const hide = props.value;
  return (
    <>
      <label>
        {props.label}
        <select aria-label="Hide colour" value={hide.mode} onChange={(e) => props.onChange({ ...hide, mode: e.target.value as HideMode })}>
          <option value="mean">superpixel mean (lime)</option>
          <option value="black">black</option>
          <option value="grey">grey</option>
          <option value="blur">blurred image</option>
          <option value="color">custom colour</option>
        </select>
      </label>
      {hide.mode === 'color' && (
        <ColorField label="Colour" ariaLabel="Custom hide colour" value={hide.color} onChange={(color) => props.onChange({ mode: 'color', color })} />
      )}
      {hide.mode === 'blur' && <NumberField label="Blur σ" value={hide.blurSigma ?? 5} min={0.5} step={0.5} onChange={(blurSigma) => props.onChange({ ...hide, blurSigma })} />}
    </>
  );
}
