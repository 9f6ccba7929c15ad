import type { Segmentation } from './types';

/** A regular grid of about `nSegments` near-square cells, numbered row by row. */
export function gridSegmentation(width: number, height: number, nSegments: number): Segmentation {
  const cellSide = Math.sqrt((width * height) / Math.max(1, nSegments));
  const cols = Math.max(1, Math.min(width, Math.round(width / cellSide)));
  const rows = Math.max(1, Math.min(height, Math.round(height / cellSide)));
  const labels = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    const r = Math.min(rows - 1, Math.floor((y * rows) / height));
    for (let x = 0; x < width; x++) labels[y * width + x] = r * cols + Math.min(cols - 1, Math.floor((x * cols) / width));
  }
  return { width, height, labels, count: rows * cols };
}
