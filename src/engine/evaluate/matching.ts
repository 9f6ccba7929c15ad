/**
 * How a dataset's files go together, shared by the CLI (folders on disk) and the page (files dropped or picked):
 * masks matched to images by file-name stem, and the targets CSV (`image,target`). Pure string work: no file system.
 */
import { GlassboxError } from '../errors';
import { parseCsv } from './csv';

/** File extensions read as images (the CLI's decoders; the browser reads the first five). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.bmp', '.tif', '.tiff', '.avif'];

/** A mask's stem ends in _mask or -mask (cat_mask.png, cat-mask.png). */
export const MASK_SUFFIX = /[_-]mask$/i;

/** The name without folders and without its last extension, as Node's path.parse(name).name gives it. */
export function fileStem(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The last extension, lower-cased, with its dot ('' when there is none). */
export function fileExtension(name: string): string {
  const stem = fileStem(name);
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  return base.slice(stem.length).toLowerCase();
}

export function isImageName(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(fileExtension(name));
}

/**
 * Whether a file given together with the images is a mask: its stem ends in _mask/-mask, or it sits in a folder
 * named mask(s) or …_mask(s) (a dataset folder picked whole: images/cat.png beside masks/cat.png).
 */
export function isMaskFile(name: string, relativePath = ''): boolean {
  if (MASK_SUFFIX.test(fileStem(name))) return true;
  const folders = relativePath.split(/[/\\]/).slice(0, -1);
  return folders.some((f) => /(^|[_-])masks?$/i.test(f) || /^(gt|ground[_-]?truth|annotations?|segmentations?)$/i.test(f));
}

/**
 * Mask files by image stem: `<stem>.*`, `<stem>_mask.*` or `<stem>-mask.*`. With the masks in the images' own
 * folder (`sameFolder`), only the suffixed names count, and the caller leaves them out of the images.
 */
export function matchMasks(images: readonly string[], maskFiles: readonly string[], sameFolder = false): Map<string, string> {
  const byStem = new Map<string, string>();
  for (const file of [...maskFiles].sort()) {
    const stem = fileStem(file);
    if (sameFolder && !MASK_SUFFIX.test(stem)) continue;
    if (!byStem.has(stem)) byStem.set(stem, file);
  }
  const matched = new Map<string, string>();
  for (const image of images) {
    const stem = fileStem(image);
    const file = byStem.get(stem) ?? byStem.get(`${stem}_mask`) ?? byStem.get(`${stem}-mask`);
    if (file) matched.set(image, file);
  }
  return matched;
}

/** targets.csv: `image,target` (a header row is optional), the image by file name or stem, the target an index or a label. */
export function parseTargets(text: string, fileName: string): Map<string, number | string> {
  const records = parseCsv(text, fileName);
  const targets = new Map<string, number | string>();
  records.forEach((record, i) => {
    if (i === 0 && record[0]?.trim().toLowerCase() === 'image') return;
    if (record.length < 2 || record[0].trim() === '') {
      throw new GlassboxError('PARAM_INVALID', `${fileName}, line ${i + 1}: expected "image,target".`, 'One image per line: its file name, a comma, and a class index or label.');
    }
    const raw = record[1].trim();
    if (raw === '') return;
    targets.set(record[0].trim(), /^\d+$/.test(raw) ? Number(raw) : raw);
  });
  return targets;
}

/** An image's target from parseTargets: by its file name, else by its stem. */
export function targetOf(targets: ReadonlyMap<string, number | string>, image: string): number | string | undefined {
  return targets.get(image) ?? targets.get(fileStem(image));
}
