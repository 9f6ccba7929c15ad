/**
 * Ground-truth masks for localisation metrics: from a mask image (binary/greyscale PNG or a colour label PNG such
 * as Pascal VOC's SegmentationClass/SegmentationObject), from a box or a freehand polygon, and aligned to the model
 * input through the same resize/crop as the photo (src/engine/image/preprocess.ts planResize).
 *
 * Coordinates: continuous pixel coordinates of the image the mask is drawn on; pixel (i, j) covers [i, i+1) × [j, j+1)
 * and its centre is (i + 0.5, j + 0.5). A pixel belongs to a box or polygon when its centre does.
 */
import { GlassboxError } from '../errors';
import { planResize, type PreprocessConfig } from '../image/preprocess';
import type { RgbaImage } from '../image/types';

/** A binary mask, row-major: data[y * width + x] is 1 for object, 0 otherwise. */
export interface Mask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export type Rgb = readonly [number, number, number];

/**
 * How a mask image becomes a binary mask:
 * - 'nonzero': any pixel with a non-zero R, G or B and alpha > 0 is object (binary or greyscale PNGs);
 * - 'label': opaque (alpha > 0) pixels of exactly one colour are object (colour/indexed label PNGs: pick one class or object colour).
 * In both modes VOC's "void" colour (224, 224, 192), the unlabelled border around objects, is not object and is counted.
 */
export type MaskImageMode = { kind: 'nonzero' } | { kind: 'label'; value: Rgb };

/** VOC's "void" colour (palette index 255): object borders and difficult regions, neither object nor background. */
export const VOC_VOID: Rgb = [224, 224, 192];

/** Pascal VOC's 21 SegmentationClass labels; the label of palette index i is VOC_CLASSES[i]. */
export const VOC_CLASSES = [
  'background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
  'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor',
] as const;

/** Colour of palette index `index` (0–255) in the VOC palette (the devkit's bit-interleaving colour map). */
export function vocPaletteColour(index: number): Rgb {
  let r = 0, g = 0, b = 0;
  let c = index;
  for (let j = 0; j < 8; j++) {
    r |= (c & 1) << (7 - j);
    g |= ((c >> 1) & 1) << (7 - j);
    b |= ((c >> 2) & 1) << (7 - j);
    c >>= 3;
  }
  return [r, g, b];
}

const vocIndexByColour = new Map<number, number>(Array.from({ length: 256 }, (_, i) => [packRgb(vocPaletteColour(i)), i]));

function packRgb([r, g, b]: Rgb): number {
  return (r << 16) | (g << 8) | b;
}

const VOID_PACKED = packRgb(VOC_VOID);

export interface MaskFromImageResult extends Mask {
  /** Pixels in VOC's void colour: left out of the object whatever the mode. */
  readonly voidPixels: number;
}

/** A decoded mask image as a binary mask at the image's size (see MaskImageMode). */
export function maskFromImage(rgba: RgbaImage, mode: MaskImageMode): MaskFromImageResult {
  const { width, height } = rgba;
  if (width < 1 || height < 1) throw new GlassboxError('IMAGE_EMPTY', 'The mask image has no pixels.');
  const px = rgba.data;
  const n = width * height;
  const data = new Uint8Array(n);
  let voidPixels = 0;
  const wanted = mode.kind === 'label' ? packRgb(checkedRgb(mode.value)) : -1;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (px[o + 3] === 0) continue;
    const packed = (px[o] << 16) | (px[o + 1] << 8) | px[o + 2];
    if (packed === VOID_PACKED) {
      voidPixels++;
      continue;
    }
    data[i] = (mode.kind === 'label' ? packed === wanted : packed !== 0) ? 1 : 0;
  }
  return { width, height, data, voidPixels };
}

function checkedRgb(value: Rgb): Rgb {
  if (value.length !== 3 || value.some((v) => !Number.isInteger(v) || v < 0 || v > 255)) {
    throw new GlassboxError('PARAM_INVALID', `A label colour needs three whole numbers from 0 to 255 (got [${value.join(', ')}]).`, 'Pick the colour from the list of colours found in the mask image.');
  }
  return value;
}

export interface LabelColour {
  colour: Rgb;
  pixels: number;
  /** The colour's index in the VOC palette, when it is one of its colours (a class in SegmentationClass, an object in SegmentationObject). */
  vocIndex?: number;
}

/**
 * Distinct colours of a label image with their pixel counts, for a "pick the class" list: black (background),
 * VOC void and fully transparent pixels are left out. Most frequent first; equal counts by packed RGB value.
 */
export function labelColours(rgba: RgbaImage): LabelColour[] {
  const counts = new Map<number, number>();
  const px = rgba.data;
  const n = rgba.width * rgba.height;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (px[o + 3] === 0) continue;
    const packed = (px[o] << 16) | (px[o + 1] << 8) | px[o + 2];
    if (packed === 0 || packed === VOID_PACKED) continue;
    counts.set(packed, (counts.get(packed) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .map(([packed, pixels]) => {
      const vocIndex = vocIndexByColour.get(packed);
      const colour: Rgb = [(packed >> 16) & 255, (packed >> 8) & 255, packed & 255];
      return vocIndex === undefined ? { colour, pixels } : { colour, pixels, vocIndex };
    });
}

/** Pixels of a mask that are object. */
export function maskArea(mask: Mask): number {
  let area = 0;
  for (let i = 0; i < mask.data.length; i++) area += mask.data[i];
  return area;
}

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new GlassboxError('PARAM_INVALID', `A mask needs a whole-number size of at least 1×1 (got ${width}×${height}).`);
  }
}

export interface Box {
  /** Left and top edges, in pixels of the image the box is drawn on. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A box as a mask: the pixels whose centres lie in [x, x + width) × [y, y + height). Parts outside the image are dropped. */
export function boxMask(width: number, height: number, box: Box): Mask {
  checkSize(width, height);
  if (![box.x, box.y, box.width, box.height].every(Number.isFinite) || box.width < 0 || box.height < 0) {
    throw new GlassboxError('PARAM_INVALID', 'A box needs finite x, y and a non-negative width and height.', 'Draw the box again.');
  }
  const data = new Uint8Array(width * height);
  // Pixel i is in when x <= i + 0.5 < x + w, i.e. ceil(x - 0.5) <= i < ceil(x + w - 0.5).
  const x0 = Math.max(0, Math.ceil(box.x - 0.5)), x1 = Math.min(width, Math.ceil(box.x + box.width - 0.5));
  const y0 = Math.max(0, Math.ceil(box.y - 0.5)), y1 = Math.min(height, Math.ceil(box.y + box.height - 0.5));
  for (let y = y0; y < y1; y++) data.fill(1, y * width + x0, y * width + Math.max(x0, x1));
  return { width, height, data };
}

export type FillRule = 'evenodd' | 'nonzero';

/**
 * A closed polygon (freehand region) as a mask: the pixels whose centres lie inside, by the even-odd or non-zero
 * winding rule (as SVG/canvas). Scanline at each row's centre; an edge counts on a row when the centre's y is in
 * [min(y0, y1), max(y0, y1)), so shared vertices count once, and a span [xa, xb) holds the centres with xa <= x < xb.
 */
export function polygonMask(width: number, height: number, points: readonly (readonly [number, number])[], fillRule: FillRule = 'evenodd'): Mask {
  checkSize(width, height);
  if (points.some((p) => p.length !== 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1]))) {
    throw new GlassboxError('PARAM_INVALID', 'A polygon needs finite [x, y] points.', 'Draw the region again.');
  }
  const data = new Uint8Array(width * height);
  const m = points.length;
  if (m < 3) return { width, height, data };
  const xs: number[] = [];
  const dirs: number[] = [];
  const order: number[] = [];
  for (let row = 0; row < height; row++) {
    const yc = row + 0.5;
    xs.length = 0;
    dirs.length = 0;
    for (let k = 0; k < m; k++) {
      const [ax, ay] = points[k];
      const [bx, by] = points[(k + 1) % m];
      if (ay === by) continue;
      const up = ay < by;
      const lo = up ? ay : by, hi = up ? by : ay;
      if (yc < lo || yc >= hi) continue;
      xs.push(ax + ((yc - ay) * (bx - ax)) / (by - ay));
      dirs.push(up ? 1 : -1);
    }
    if (xs.length === 0) continue;
    order.length = 0;
    for (let k = 0; k < xs.length; k++) order.push(k);
    order.sort((a, b) => xs[a] - xs[b]);
    let winding = 0;
    for (let k = 0; k + 1 < order.length; k++) {
      winding += fillRule === 'evenodd' ? 1 : dirs[order[k]];
      const inside = fillRule === 'evenodd' ? winding % 2 === 1 : winding !== 0;
      if (!inside) continue;
      // Centres i + 0.5 in [xa, xb): i from ceil(xa - 0.5) to ceil(xb - 0.5) - 1.
      const i0 = Math.max(0, Math.ceil(xs[order[k]] - 0.5));
      const i1 = Math.min(width, Math.ceil(xs[order[k + 1]] - 0.5));
      if (i1 > i0) data.fill(1, row * width + i0, row * width + i1);
    }
  }
  return { width, height, data };
}

/** Largest relative difference of aspect ratios (width / height) accepted between a mask and its image. */
export const MASK_ASPECT_TOLERANCE = 0.01;

/**
 * A mask at the model input's size, lined up with what the model sees: the mask is resampled through the same
 * resize ('stretch') or resize-shorter-side-then-centre-crop ('crop', torchvision's arithmetic) as the photo,
 * by nearest neighbour on pixel centres (the model pixel's centre, mapped back, falls in one mask pixel).
 *
 * Which space the mask is in:
 * - `original` given and the mask has exactly that size: the mask is drawn on the original photo (always resampled,
 *   even when the photo happens to be the model input's size: the crop pipeline still rescales and crops it);
 * - otherwise a mask exactly the model input's size is taken as already aligned and returned unchanged;
 * - otherwise the mask is on the original photo at another resolution (e.g. an annotation at half size): it must
 *   have the photo's aspect ratio within 1 % (MASK_ASPECT_TOLERANCE), else PARAM_INVALID. Without `original` the
 *   mask is taken to be the original photo's size.
 */
export function alignMask(mask: Mask, preprocess: PreprocessConfig, original?: { width: number; height: number }): Mask {
  checkSize(mask.width, mask.height);
  if (mask.data.length !== mask.width * mask.height) {
    throw new GlassboxError('PARAM_INVALID', `The mask has ${mask.data.length} values for ${mask.width}×${mask.height} pixels.`);
  }
  const { width: outW, height: outH } = preprocess;
  const onOriginal = original !== undefined && original.width === mask.width && original.height === mask.height;
  if (!onOriginal && mask.width === outW && mask.height === outH) return mask;
  const src = original ?? mask;
  checkSize(src.width, src.height);
  if (!onOriginal && original !== undefined) {
    const aspectMask = mask.width / mask.height, aspectImage = src.width / src.height;
    if (Math.abs(aspectMask - aspectImage) / aspectImage > MASK_ASPECT_TOLERANCE) {
      throw new GlassboxError(
        'PARAM_INVALID',
        `The mask is ${mask.width}×${mask.height} but the image is ${src.width}×${src.height}: their shapes differ, so the mask cannot be lined up with the image.`,
        `Use a mask drawn on this image (the same size, or the same shape at another size), or one at the model input size (${outW}×${outH}).`,
      );
    }
  }
  const plan = planResize(src.width, src.height, preprocess);
  // Model pixel centre X + 0.5 → resized image cropX + X + 0.5 → mask (cropX + X + 0.5) · mask.width / resizeWidth.
  const colOf = new Int32Array(outW);
  const sx = mask.width / plan.resizeWidth, sy = mask.height / plan.resizeHeight;
  for (let x = 0; x < outW; x++) colOf[x] = Math.min(mask.width - 1, Math.max(0, Math.floor((plan.cropX + x + 0.5) * sx)));
  const data = new Uint8Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    const row = Math.min(mask.height - 1, Math.max(0, Math.floor((plan.cropY + y + 0.5) * sy)));
    const base = row * mask.width;
    for (let x = 0; x < outW; x++) data[y * outW + x] = mask.data[base + colOf[x]];
  }
  return { width: outW, height: outH, data };
}
