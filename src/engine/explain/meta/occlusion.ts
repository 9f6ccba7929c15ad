/** Occlusion: a square window slid over the image, hidden one position at a time (captum Occlusion). */
import { describe } from '../descriptor';
import type { HideSpec } from '../hide';
import { BATCH_PARAM } from './lime';

export interface OcclusionParams {
  /** Side of the square window, in pixels (captum's sliding_window_shapes = (C, window, window)). */
  window: number;
  /** Step between window positions, in pixels (captum's strides = (C, stride, stride)). */
  stride: number;
  /** What the window shows instead of the image (captum's baselines; its default is the zero tensor). */
  baseline: HideSpec;
  batchSize: number;
}

export const OCCLUSION_META = describe<OcclusionParams>({
  id: 'occlusion',
  label: 'Occlusion',
  reference: 'Zeiler & Fergus, ECCV 2014 · captum Occlusion',
  group: 'Perturbation',
  needs: 'inference',
  seeded: false,
  result: 'pixel-map',
  values: 'mean drop in {score} when a window over the pixel is hidden, summed over the colour channels',
  howToRead: 'Red where hiding a square window over the pixel lowers the class score (the model relies on that part), blue where hiding raises it; the value is the mean drop over the windows covering the pixel, summed over its colour channels as captum does. Detail finer than the stride is not resolved, and a window smaller than the object can raise the score by changing its outline: try a window as large as the object.',
  rows: (p, { width, height }) => 1 + Math.max(1, Math.ceil((height - p.window) / p.stride) + 1) * Math.max(1, Math.ceil((width - p.window) / p.stride) + 1),
  params: [
    { kind: 'int', name: 'window', label: 'Window', help: 'Side of the square window hidden at a time (captum sliding_window_shapes)', cli: 'window', default: 16, min: 1, max: 8192, unit: 'px' },
    { kind: 'int', name: 'stride', label: 'Stride', help: 'Step between window positions; at most the window, so every pixel is hidden at least once (captum strides)', cli: 'stride', default: 8, min: 1, max: 8192, unit: 'px' },
    { kind: 'hide', name: 'baseline', label: 'Hide with', help: 'What the window shows instead of the image (captum: the zero tensor)', cli: 'baseline', sigmaCli: 'sigma', default: { mode: 'zeros' }, modes: ['zeros', 'black', 'grey', 'blur', 'color'] },
    BATCH_PARAM(32),
  ],
  check: (p, { width, height }) => {
    const side = Math.min(width, height);
    if (side > 0 && p.window > side) return `the window (${p.window} px) must fit in the ${width}×${height} input.`;
    // captum's rule: a stride larger than the window leaves pixels that are never hidden
    if (p.stride > p.window && !(width > 0 && p.window >= Math.max(width, height))) return `the stride (${p.stride} px) must not exceed the window (${p.window} px), or some pixels are never hidden.`;
    return undefined;
  },
});
