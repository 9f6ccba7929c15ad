/**
 * The shared segmentation field group (LIME, KernelSHAP): its methods and each one's fields, with the defaults
 * surrogate methods use (lime's: SLIC with 50 segments, compactness 10, σ 1). Forms and CLI flags derive from this.
 * 'custom' has no number fields: its labels come from a file (the form's file button, the CLI's --segments-file).
 */
import type { IntParam, NumberParam } from '../descriptor';
import type { SegmentationSpec } from '../segmentation';

export type SegmentationMethod = SegmentationSpec['method'];

export const SEGMENTATION_CHOICES: readonly { value: SegmentationMethod; label: string }[] = [
  { value: 'slic', label: 'SLIC superpixels' },
  { value: 'quickshift', label: "quickshift (lime's default)" },
  { value: 'felzenszwalb', label: 'Felzenszwalb graph' },
  { value: 'grid', label: 'regular grid' },
  { value: 'custom', label: 'custom regions (your labels)' },
];

/** The CLI flag that reads custom regions from a label file (.npy or .png). */
export const SEGMENTS_FILE_FLAG = 'segments-file';

const segments = (cli: string): IntParam => ({ kind: 'int', name: 'nSegments', label: 'Segments', help: 'Number of superpixels (about, for SLIC) or grid cells', cli, default: 50, min: 1, max: 100_000 });

/** Each segmentation's own fields, in form order; `cli` is the flag (shared flags mean the same thing). */
export const SEGMENTATION_FIELDS: Record<SegmentationMethod, readonly (IntParam | NumberParam)[]> = {
  slic: [
    segments('segments'),
    { kind: 'number', name: 'compactness', label: 'Compactness', help: 'Colour against space: higher, squarer superpixels', cli: 'compactness', default: 10, min: 0.01, max: 1000, step: 1 },
    { kind: 'number', name: 'sigma', label: 'Smoothing σ', help: 'Gaussian smoothing before segmenting, in pixels', cli: 'sigma', default: 1, min: 0, max: 100, step: 0.5 },
  ],
  quickshift: [
    { kind: 'number', name: 'kernelSize', label: 'Kernel size', help: 'Width of the density kernel: larger, fewer segments', cli: 'kernel-size', default: 4, min: 0.5, max: 50, step: 0.5 },
    { kind: 'number', name: 'maxDist', label: 'Max distance', help: 'Links longer than this are cut', cli: 'max-dist', default: 200, min: 1, max: 1e6, step: 10 },
    { kind: 'number', name: 'ratio', label: 'Ratio', help: 'Weight of colour against position', cli: 'ratio', default: 0.2, min: 0, max: 1, step: 0.05 },
  ],
  felzenszwalb: [
    { kind: 'number', name: 'scale', label: 'Scale', help: 'Higher: fewer, larger regions', cli: 'scale', default: 100, min: 1, max: 1e6, step: 10 },
    { kind: 'number', name: 'sigma', label: 'Smoothing σ', help: 'Gaussian smoothing before segmenting, in pixels', cli: 'sigma', default: 0.8, min: 0, max: 100, step: 0.1 },
    { kind: 'int', name: 'minSize', label: 'Min size', help: 'Smaller regions merge into a neighbour', cli: 'min-size', default: 20, min: 1, max: 1e9, step: 5 },
  ],
  grid: [segments('segments')],
  custom: [],
};

/** A full spec for a segmentation method with every field at its default. */
export function segmentationDefaults(method: SegmentationMethod): SegmentationSpec {
  const spec: Record<string, unknown> = { method };
  for (const f of SEGMENTATION_FIELDS[method]) spec[f.name] = f.default;
  return spec as unknown as SegmentationSpec;
}

export const SURROGATE_SEGMENTATION = segmentationDefaults('slic');
