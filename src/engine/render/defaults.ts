/**
 * How each kind of result is drawn unless the user says otherwise:
 * - CAMs and RISE in jet, as pytorch-grad-cam's show_cam_on_image and the RISE notebooks show them;
 * - signed weights (LIME, SHAP, Integrated Gradients, Occlusion, …) in a red–blue map centred on 0 that fades to
 *   transparent at 0, over the image in grey, as shap's image_plot (red_transparent_blue over a grey image), so
 *   an object's own colour cannot pass for a sign;
 * - unsigned gradient maps (Saliency, SmoothGrad) in a sequential map (inferno: dark is 0);
 * - gradient maps clipped at the 99th percentile (scale.ts), so a few extreme pixels don't make the rest faint.
 */
import { descriptorOf } from '../explain/registry';
import type { Explanation } from '../explain/types';
import type { ColormapName } from './colormap';

/** What the defaults depend on. */
export type MapKind = Pick<Explanation, 'kind' | 'method' | 'signed'>;

/** The percentile gradient maps are clipped at by default. */
export const CLIP_PERCENTILE = 99;

/** The user's view choices; 'auto' takes the default for the result's kind. */
export interface ViewChoices {
  colormap: ColormapName | 'auto';
  /** 'grey': the image in greyscale under the colours; 'colour': the image as it is. */
  underlay?: 'auto' | 'grey' | 'colour';
  /** Clip the range at CLIP_PERCENTILE ('on'), at the map's extremes ('off'), or by kind ('auto'). */
  clip?: 'auto' | 'on' | 'off';
}

export interface ResolvedView {
  colormap: ColormapName;
  greyUnderlay: boolean;
  /** The percentile the range ends at, or undefined for the map's extremes. */
  clipPercentile?: number;
  /** Signed maps in the diverging map fade to transparent at 0 (opacity ∝ |value|). */
  fadeAtZero: boolean;
}

export function defaultColormap(r: MapKind): ColormapName {
  if (r.kind === 'cam' || r.method === 'rise') return 'jet';
  return r.signed ? 'diverging' : 'inferno';
}

export function clipsByDefault(r: MapKind): boolean {
  return descriptorOf(r.method).group === 'Gradients';
}

export function resolveView(view: ViewChoices, r: MapKind): ResolvedView {
  const colormap = view.colormap === 'auto' ? defaultColormap(r) : view.colormap;
  const underlay = view.underlay ?? 'auto';
  const clip = view.clip ?? 'auto';
  return {
    colormap,
    greyUnderlay: underlay === 'auto' ? r.signed : underlay === 'grey',
    clipPercentile: (clip === 'auto' ? clipsByDefault(r) : clip === 'on') ? CLIP_PERCENTILE : undefined,
    fadeAtZero: r.signed && colormap === 'diverging',
  };
}
