/** Colour maps for attribution overlays, as 256-entry RGB lookup tables. */

export type ColormapName = 'diverging' | 'jet' | 'viridis' | 'inferno';

/** Piecewise-linear table through control colours at evenly spaced positions. */
function table(stops: [number, number, number][]): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * (stops.length - 1);
    const k = Math.min(stops.length - 2, Math.floor(t));
    const f = t - k;
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(stops[k][c] * (1 - f) + stops[k + 1][c] * f);
  }
  return lut;
}

export const COLORMAPS: Record<ColormapName, Uint8Array> = {
  // blue (negative) – white (zero) – red (positive), symmetric: the middle entry is exactly white.
  diverging: table([[5, 48, 97], [67, 147, 195], [247, 247, 247], [214, 96, 77], [103, 0, 31]]),
  jet: table([[0, 0, 131], [0, 60, 170], [5, 255, 255], [255, 255, 0], [250, 0, 0], [128, 0, 0]]),
  viridis: table([[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]]),
  inferno: table([[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]]),
};

/** Every colour map with a short description, for pickers. */
export const COLORMAP_NAMES: { name: ColormapName; label: string }[] = [
  { name: 'jet', label: 'jet' },
  { name: 'diverging', label: 'red–blue' },
  { name: 'inferno', label: 'inferno' },
  { name: 'viridis', label: 'viridis' },
];

/** Symmetric scale for signed maps: the largest |value|, so 0 always sits in the middle of the colour map. */
export function symmetricLimit(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** The colour at position t (0 … 1) of a colour map. */
export function colourAt(colormap: ColormapName, t: number): [number, number, number] {
  const lut = COLORMAPS[colormap];
  const k = Math.max(0, Math.min(255, Math.round(t * 255)));
  return [lut[k * 3], lut[k * 3 + 1], lut[k * 3 + 2]];
}

/**
 * The share of the overlay's opacity at colour-map position u (0 … 1) when a signed map fades at its centre: 0 at
 * the centre (the image shows), 1 at the ends; √ so that mid-sized values stay visible.
 */
export function fade(u: number): number {
  return Math.sqrt(Math.abs(2 * u - 1));
}

/**
 * Evenly spaced stops of a colour bar: position 0 … 1, RGB, and the opacity the overlay gives that colour (1,
 * or √|2t − 1| when a signed map fades to transparent at 0, as `fade`).
 */
export function colorBarStops(colormap: ColormapName, fadeAtCentre: boolean, count = 17): { position: number; rgb: [number, number, number]; alpha: number }[] {
  return Array.from({ length: count }, (_, k) => {
    const position = k / (count - 1);
    return { position, rgb: colourAt(colormap, position), alpha: fadeAtCentre ? fade(position) : 1 };
  });
}
