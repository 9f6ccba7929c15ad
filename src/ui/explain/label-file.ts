/**
 * A custom-regions label file read in the browser: a .npy of integer ids (height × width), or a PNG where each
 * distinct colour is one region (black counts as a region too; alpha is ignored). The labels stay at the file's
 * size; the engine places them on the model input with each run's preprocessing.
 */
import { GlassboxError } from '../../engine/errors';
import { decodeNpy } from '../../engine/export/npy';
import { labelsFromNpy, labelsFromRgba, regionCount, type LabelImage } from '../../engine/segment/custom';
import type { LoadedRegions } from '../../store/custom-segments';

export const LABEL_FILE_ACCEPT = '.npy,.png';

/** A PNG's exact pixels: no colour-space conversion or premultiplication, which would merge or split colours. */
async function pngLabels(file: Blob, name: string): Promise<LabelImage> {
  try {
    const bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const { width, height } = bitmap; // a closed bitmap reports 0 × 0
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(bitmap, 0, 0);
    const { data } = ctx.getImageData(0, 0, width, height);
    bitmap.close();
    return labelsFromRgba({ width, height, data });
  } catch (e) {
    throw new GlassboxError('PARAM_INVALID', `Cannot read ${name} as a label image.`, 'Choose a label .npy (integer ids, height × width) or a PNG where each colour is one region.', (e as Error).message);
  }
}

/** Read a label file; throws a GlassboxError saying what is wrong with it. */
export async function readLabelFile(file: File): Promise<LoadedRegions> {
  const label = /\.npy$/i.test(file.name) ? labelsFromNpy(decodeNpy(new Uint8Array(await file.arrayBuffer())), file.name) : await pngLabels(file, file.name);
  return { ...label, name: file.name, regions: regionCount(label.labels) };
}
