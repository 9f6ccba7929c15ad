/**
 * The value range a map is drawn with, and its colour bar. A map's colours span [lo, hi]: a signed map is
 * symmetric around 0 (0 is the colour map's centre), an unsigned one runs from its minimum to its maximum.
 * Gradient maps are dominated by a few extreme pixels, so by default their range ends at a high percentile
 * (99th of |value| for signed maps, of the value for unsigned ones) and the rest saturates — the same idea as
 * captum's visualize_image_attr(outlier_perc=2), which cuts where the sorted |values| reach 98 % of their sum.
 */

/** The p-th percentile (0 … 100) of the values, linearly interpolated between order statistics (numpy's default). */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const rank = (Math.max(0, Math.min(100, p)) / 100) * (sorted.length - 1);
  const k = Math.floor(rank);
  return k + 1 < sorted.length ? sorted[k] + (sorted[k + 1] - sorted[k]) * (rank - k) : sorted[k];
}

function magnitudes(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.abs(values[i]);
  return out;
}

/**
 * The range [lo, hi] one map is drawn with. Signed: [−L, L] with L its largest |value| (or the percentile of
 * |value|); unsigned: [min, max] (or [min, percentile]).
 */
export function mapRange(map: ArrayLike<number>, signed: boolean, clipPercentile?: number): [number, number] {
  if (signed) {
    const l = clipPercentile === undefined ? magnitudeMax(map) : percentile(magnitudes(map), clipPercentile);
    return [-l, l];
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < map.length; i++) (lo = Math.min(lo, map[i])), (hi = Math.max(hi, map[i]));
  if (!(lo <= hi)) return [0, 0];
  if (clipPercentile !== undefined) hi = Math.max(lo, percentile(map, clipPercentile));
  return [lo, hi];
}

function magnitudeMax(map: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < map.length; i++) m = Math.max(m, Math.abs(map[i]));
  return m;
}

/** One range for several maps of the same quantity: the union of their own ranges. */
export function sharedRange(maps: ArrayLike<number>[], signed: boolean, clipPercentile?: number): [number, number] {
  const ranges = maps.map((m) => mapRange(m, signed, clipPercentile));
  if (ranges.length === 0) return [0, 0];
  return [Math.min(...ranges.map((r) => r[0])), Math.max(...ranges.map((r) => r[1]))];
}

/** Whether any value lies beyond the range (it saturates at the colour map's end). */
export function clippedEnds(map: ArrayLike<number>, range: [number, number]): { lo: boolean; hi: boolean } {
  let lo = false, hi = false;
  for (let i = 0; i < map.length && !(lo && hi); i++) {
    if (map[i] < range[0]) lo = true;
    if (map[i] > range[1]) hi = true;
  }
  return { lo, hi };
}

/** A number as a colour-bar label: two significant digits, a true minus sign, exponents outside 0.001 … 10⁴. */
export function formatValue(v: number, plus = false): string {
  if (v === 0 || !Number.isFinite(v)) return v === 0 ? '0' : String(v);
  const a = Math.abs(v);
  const digits = a >= 1e-3 && a < 1e4 ? String(Number(a.toPrecision(2))) : a.toExponential(1);
  return (v < 0 ? '−' : plus ? '+' : '') + digits;
}

export interface ColorBarTick {
  value: number;
  /** Position along the bar, 0 (left) … 1 (right). */
  position: number;
  label: string;
}

export interface ColorBarScale {
  range: [number, number];
  /** Signed maps: symmetric, 0 in the middle, '+' on positive labels. */
  signed: boolean;
  /** Label the ticks relative to the map (±1, or 0 … 1) instead of in its units. */
  normalised: boolean;
  /** Values beyond an end exist: its label says "≤" / "≥". */
  clipped?: { lo: boolean; hi: boolean };
}

/**
 * Ticks at the minimum, 0 (when it lies inside the range) and the maximum. Normalised labels are the map
 * divided by its limit (signed: −1 … +1) or min-max scaled (unsigned: 0 … 1).
 */
export function colorBarTicks(scale: ColorBarScale): ColorBarTick[] {
  const [lo, hi] = scale.range;
  const span = hi - lo;
  const position = (v: number) => (span > 0 ? (v - lo) / span : 0.5);
  const relative = (v: number) => (scale.signed ? (hi > 0 ? v / hi : 0) : span > 0 ? (v - lo) / span : 0);
  const text = (v: number) => formatValue(scale.normalised ? relative(v) : v, scale.signed);
  const ticks: ColorBarTick[] = [{ value: lo, position: 0, label: (scale.clipped?.lo ? '≤ ' : '') + text(lo) }];
  if (lo < 0 && hi > 0) ticks.push({ value: 0, position: position(0), label: '0' });
  if (span > 0) ticks.push({ value: hi, position: 1, label: (scale.clipped?.hi ? '≥ ' : '') + text(hi) });
  return ticks;
}
