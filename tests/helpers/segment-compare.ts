/** Measures for comparing two segmentations of the same image (tests only). */
import type { Segmentation } from '../../src/engine/segment/types';

/** Pixels with a 4-neighbour (right or below) of another label: both sides of every edge are marked. */
export function boundaryPixels(labels: ArrayLike<number>, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const j = y * width + x;
      if (x + 1 < width && labels[j] !== labels[j + 1]) out[j] = out[j + 1] = 1;
      if (y + 1 < height && labels[j] !== labels[j + width]) out[j] = out[j + width] = 1;
    }
  }
  return out;
}

/**
 * Boundary recall: the fraction of `reference` boundary pixels that have a `candidate` boundary pixel within
 * `tolerance` pixels (Chebyshev distance), the standard superpixel benchmark measure.
 */
export function boundaryRecall(reference: Uint8Array, candidate: Uint8Array, width: number, height: number, tolerance = 2): number {
  let hit = 0, total = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!reference[y * width + x]) continue;
      total++;
      search: for (let yy = Math.max(0, y - tolerance); yy <= Math.min(height - 1, y + tolerance); yy++) {
        for (let xx = Math.max(0, x - tolerance); xx <= Math.min(width - 1, x + tolerance); xx++) {
          if (candidate[yy * width + xx]) {
            hit++;
            break search;
          }
        }
      }
    }
  }
  return total ? hit / total : 1;
}

/**
 * Achievable segmentation accuracy: assign each candidate segment to the reference segment it overlaps most; the
 * fraction of pixels whose reference label that assignment gets right (1 = no candidate segment straddles two
 * reference segments).
 */
export function achievableAccuracy(reference: ArrayLike<number>, candidate: Segmentation): number {
  const overlaps = new Map<number, Map<number, number>>();
  for (let j = 0; j < candidate.labels.length; j++) {
    let m = overlaps.get(candidate.labels[j]);
    if (!m) overlaps.set(candidate.labels[j], (m = new Map()));
    m.set(reference[j], (m.get(reference[j]) ?? 0) + 1);
  }
  let correct = 0;
  for (const m of overlaps.values()) correct += Math.max(...m.values());
  return correct / candidate.labels.length;
}

/** Number of 4-connected components of each label. */
export function componentsPerLabel(seg: Segmentation): number[] {
  const { width, labels } = seg;
  const seen = new Uint8Array(labels.length);
  const counts = new Array(seg.count).fill(0);
  const stack: number[] = [];
  for (let s = 0; s < labels.length; s++) {
    if (seen[s]) continue;
    counts[labels[s]]++;
    stack.push(s);
    seen[s] = 1;
    while (stack.length) {
      const j = stack.pop()!;
      const x = j % width;
      for (const m of [x > 0 ? j - 1 : -1, x + 1 < width ? j + 1 : -1, j - width, j + width]) {
        if (m >= 0 && m < labels.length && !seen[m] && labels[m] === labels[j]) {
          seen[m] = 1;
          stack.push(m);
        }
      }
    }
  }
  return counts;
}
