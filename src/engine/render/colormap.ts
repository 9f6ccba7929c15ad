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

/** Symmetric scale for signed maps: the largest |value|, so 0 always sits in the middle of the colour map. */
export function symmetricLimit(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}
