/**
 * The ground truth of the image on screen: a mask from a file (non-zero pixels, or one label colour of an indexed
 * or colour label PNG such as Pascal VOC's), a box or a freehand region drawn on the image, or the demo image's own
 * mask. It is bound to its image (by SHA-256) and kept at that image's decoded size; each result aligns it with
 * its own preprocessing (metrics/mask.ts alignMask) to score the map and draw the outline.
 */
import { GlassboxError } from '../../engine/errors';
import type { PreprocessConfig } from '../../engine/image/preprocess';
import { alignMask, boxMask, maskArea, polygonMask, type Box, type LabelColour, type Mask, type Rgb } from '../../engine/metrics/mask';
import type { Slice } from '../types';

export interface GroundTruth {
  /** The image it belongs to, and that image's decoded size (what the mask is laid over). */
  imageSha256: string;
  imageWidth: number;
  imageHeight: number;
  /** What it is, in words: a file name, "box", "freehand region", "demo mask". */
  name: string;
  source: 'demo' | 'file' | 'box' | 'freehand';
  /** At the mask file's size for files (aligned by aspect), else at the image's decoded size. */
  mask: Mask;
  /** Share of the image inside the mask. */
  fraction: number;
  /** A label image's colours, to pick which one is the object; the chosen one. */
  colours?: LabelColour[];
  colour?: Rgb;
  /** The file, kept to re-read it with another label colour. */
  file?: Blob;
}

export type MaskShape = { kind: 'box'; box: Box } | { kind: 'freehand'; points: [number, number][] };

export interface GroundTruthSlice {
  groundTruth?: GroundTruth;
  /** Draw the mask's outline over maps (on by default). */
  showGroundTruthOutline: boolean;
  setShowGroundTruthOutline(show: boolean): void;
  /** The share of pixels counted as the map's top for IoU/Dice; undefined = the mask's own area (seed 003). */
  topKPercent?: number;
  setTopKPercent(percent: number | undefined): void;
  /** Read a mask file for the image on screen (optionally one label colour of it). */
  loadMaskFile(file: Blob, name: string, colour?: Rgb, source?: 'file' | 'demo'): Promise<void>;
  /** Use a box or a freehand polygon drawn on the image (in its decoded pixels) as the mask. */
  setMaskShape(shape: MaskShape): void;
  clearMask(): void;
}

export const createGroundTruthSlice: Slice<GroundTruthSlice> = (set, get, ctx) => ({
  showGroundTruthOutline: true,
  setShowGroundTruthOutline(showGroundTruthOutline) {
    set({ showGroundTruthOutline });
  },
  setTopKPercent(topKPercent) {
    set({ topKPercent });
  },

  async loadMaskFile(file, name, colour, source = 'file') {
    const image = get().image;
    if (!image) {
      get().report(new GlassboxError('NO_IMAGE', 'Load the image first: a mask belongs to an image.'), `Loading mask ${name}`);
      return;
    }
    try {
      const decoded = await ctx.deps.compute().decodeMask(file, name, colour);
      if (get().image?.sha256 !== image.sha256) return; // the image changed meanwhile: this mask is not for it
      const area = maskArea(decoded.mask);
      if (area === 0) {
        throw new GlassboxError(
          'PARAM_INVALID',
          `The mask ${name} marks no pixel as the object${decoded.colours.length ? ' (for the colour chosen)' : ''}.`,
          'A mask marks the object with non-zero pixels (or pick one label colour of a label image).',
        );
      }
      const aspect = (w: number, h: number) => w / h;
      if (Math.abs(aspect(decoded.mask.width, decoded.mask.height) / aspect(image.width, image.height) - 1) > 0.01) {
        throw new GlassboxError(
          'PARAM_INVALID',
          `The mask ${name} is ${decoded.mask.width}×${decoded.mask.height}, the image ${image.originalWidth}×${image.originalHeight}: their shapes differ, so the mask cannot be laid over it.`,
          'Use the mask made for this image (the same size, or the same shape at another resolution).',
        );
      }
      set({
        groundTruth: {
          imageSha256: image.sha256,
          imageWidth: image.width,
          imageHeight: image.height,
          name: source === 'demo' ? `${name} (demo mask)` : name,
          source,
          mask: decoded.mask,
          fraction: area / (decoded.mask.width * decoded.mask.height),
          colours: decoded.colours.length > 1 ? decoded.colours : undefined,
          colour: decoded.colour,
          file,
        },
      });
    } catch (e) {
      get().report(e, `Loading mask ${name}`);
    }
  },

  setMaskShape(shape) {
    const image = get().image;
    if (!image) return;
    const mask = shape.kind === 'box' ? boxMask(image.width, image.height, shape.box) : polygonMask(image.width, image.height, shape.points);
    const area = maskArea(mask);
    if (area === 0) {
      get().report(new GlassboxError('PARAM_INVALID', `The ${shape.kind === 'box' ? 'box' : 'region'} drawn covers no pixel of the image.`, 'Drag across the object.'), 'Drawing the ground truth');
      return;
    }
    set({ groundTruth: { imageSha256: image.sha256, imageWidth: image.width, imageHeight: image.height, name: shape.kind === 'box' ? 'box drawn on the image' : 'region drawn on the image', source: shape.kind, mask, fraction: area / (mask.width * mask.height) } });
  },

  clearMask() {
    set({ groundTruth: undefined });
  },
});

/**
 * The ground truth aligned with a result's inputs (model-input size, through its own preprocessing), or undefined
 * when there is none for that result's image.
 */
export function alignedGroundTruth(groundTruth: GroundTruth | undefined, inputs: { imageSha256: string; preprocess: PreprocessConfig } | undefined): Mask | undefined {
  if (!groundTruth || !inputs || groundTruth.imageSha256 !== inputs.imageSha256) return undefined;
  return alignMask(groundTruth.mask, inputs.preprocess, { width: groundTruth.imageWidth, height: groundTruth.imageHeight });
}
