/** A partition of an image into features (superpixels or cells). */
export interface Segmentation {
  width: number;
  height: number;
  /** Per pixel, row-major, 0..count−1. */
  labels: Int32Array;
  count: number;
}
