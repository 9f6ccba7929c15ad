/**
 * Felzenszwalb–Huttenlocher graph-based segmentation ("Efficient Graph-Based Image Segmentation", IJCV 2004), as
 * scikit-image's `segmentation.felzenszwalb`: RGB scaled to [0, 1] and Gaussian-smoothed (`sigma`, reflected
 * edges); an 8-connected pixel graph weighted by colour distance; edges taken in increasing weight, two regions
 * merged when the edge is lighter than both regions' internal difference plus scale/255 ÷ size; finally regions
 * under `minSize` pixels merged along the lightest edges. Labels 0..K−1 in order of first appearance.
 */
import type { RgbaImage } from '../image/types';
import { gaussianBlurPlane } from '../image/blur';
import type { Segmentation } from './types';

export interface FelzenszwalbParams {
  /** Higher → larger regions (skimage's `scale`). */
  scale: number;
  /** Pre-smoothing of the image, in pixels. */
  sigma: number;
  /** Regions smaller than this are merged into a neighbour. */
  minSize: number;
}

export const FELZENSZWALB_DEFAULTS: FelzenszwalbParams = { scale: 100, sigma: 0.8, minSize: 20 };

export function felzenszwalb(image: RgbaImage, params: Partial<FelzenszwalbParams> = {}): Segmentation {
  const p = { ...FELZENSZWALB_DEFAULTS, ...params };
  const { width, height } = image;
  const n = width * height;
  const planes = [0, 1, 2].map((c) => {
    const plane = new Float32Array(n);
    for (let j = 0; j < n; j++) plane[j] = image.data[j * 4 + c] / 255;
    return gaussianBlurPlane(plane, width, height, p.sigma);
  });
  const [r, g, b] = planes;

  // Edges in scikit-image's order: right, down, down-right, up-right neighbours.
  const capacity = 4 * n;
  const from = new Uint32Array(capacity), to = new Uint32Array(capacity);
  const weight = new Float32Array(capacity);
  let m = 0;
  const add = (a: number, c: number) => {
    const dr = r[a] - r[c], dg = g[a] - g[c], db = b[a] - b[c];
    from[m] = a;
    to[m] = c;
    weight[m++] = Math.sqrt(dr * dr + dg * dg + db * db);
  };
  for (let y = 0; y < height; y++) for (let x = 0; x + 1 < width; x++) add(y * width + x + 1, y * width + x);
  for (let y = 0; y + 1 < height; y++) for (let x = 0; x < width; x++) add((y + 1) * width + x, y * width + x);
  for (let y = 0; y + 1 < height; y++) for (let x = 0; x + 1 < width; x++) add((y + 1) * width + x + 1, y * width + x);
  for (let y = 0; y + 1 < height; y++) for (let x = 0; x + 1 < width; x++) add(y * width + x + 1, (y + 1) * width + x);
  const order = sortByWeight(weight, m);
  // Gather the edges into weight order once, so both passes below read them sequentially.
  const sFrom = new Uint32Array(m), sTo = new Uint32Array(m), sWeight = new Float32Array(m);
  for (let q = 0; q < m; q++) {
    const e = order[q];
    sFrom[q] = from[e];
    sTo[q] = to[e];
    sWeight[q] = weight[e];
  }

  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const size = new Int32Array(n).fill(1);
  const internal = new Float64Array(n);
  mergeRegions(sFrom, sTo, sWeight, parent, size, internal, p.scale / 255);
  mergeSmall(sFrom, sTo, parent, size, p.minSize);
  const labels = new Int32Array(n);
  const ids = new Int32Array(n).fill(-1);
  let count = 0;
  for (let j = 0; j < n; j++) {
    const root = find(parent, j);
    if (ids[root] < 0) ids[root] = count++;
    labels[j] = ids[root];
  }
  return { width, height, labels, count };
}

function find(parent: Int32Array, i: number): number {
  let root = i;
  while (parent[root] !== root) root = parent[root];
  while (parent[i] !== root) {
    const next = parent[i];
    parent[i] = root;
    i = next;
  }
  return root;
}

/** Join two roots; the lower index becomes the root, so roots are each region's first pixel in raster order. */
function join(parent: Int32Array, size: Int32Array, a: number, c: number): number {
  const root = a < c ? a : c, other = a < c ? c : a;
  parent[other] = root;
  size[root] += size[other];
  return root;
}

/** The main pass: merge across an edge lighter than both regions' internal difference + k/size. */
function mergeRegions(
  from: Uint32Array, to: Uint32Array, weight: Float32Array, parent: Int32Array, size: Int32Array, internal: Float64Array, k: number,
): void {
  for (let q = 0; q < from.length; q++) {
    const a = find(parent, from[q]), c = find(parent, to[q]);
    if (a === c) continue;
    const w = weight[q];
    const ta = internal[a] + k / size[a], tc = internal[c] + k / size[c];
    if (w < (ta < tc ? ta : tc)) internal[join(parent, size, a, c)] = w;
  }
}

/** Merge regions under minSize pixels along the lightest edges. */
function mergeSmall(from: Uint32Array, to: Uint32Array, parent: Int32Array, size: Int32Array, minSize: number): void {
  for (let q = 0; q < from.length; q++) {
    const a = find(parent, from[q]), c = find(parent, to[q]);
    if (a !== c && (size[a] < minSize || size[c] < minSize)) join(parent, size, a, c);
  }
}

/**
 * Edge indices 0..m−1 sorted by weight, ties by index: a stable LSD radix sort on the float bits (weights are
 * non-negative, so their IEEE-754 bit patterns sort like the numbers).
 */
function sortByWeight(weight: Float32Array, m: number): Uint32Array {
  let keys = new Uint32Array(weight.buffer, weight.byteOffset, m).slice();
  let idx = new Uint32Array(m);
  for (let i = 0; i < m; i++) idx[i] = i;
  let keysOut = new Uint32Array(m), idxOut = new Uint32Array(m);
  const counts = new Uint32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    counts.fill(0);
    for (let i = 0; i < m; i++) counts[(keys[i] >>> shift) & 2047]++;
    for (let d = 0, sum = 0; d < 2048; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < m; i++) {
      const key = keys[i];
      const at = counts[(key >>> shift) & 2047]++;
      keysOut[at] = key;
      idxOut[at] = idx[i];
    }
    [keys, keysOut] = [keysOut, keys];
    [idx, idxOut] = [idxOut, idx];
  }
  return idx;
}
