/** 8-bit RGBA pixels in row-major order, like the DOM's ImageData but usable in Node and workers. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray | Uint8Array;
}

export function createRgbaImage(width: number, height: number): RgbaImage & { data: Uint8ClampedArray } {
  return { width, height, data: new Uint8ClampedArray(width * height * 4) };
}
