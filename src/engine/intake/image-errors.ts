/** The refusals both image decoders give (the worker's createImageBitmap and the CLI's sharp): one wording, their own detail. */
import { GlassboxError } from '../errors';

export function emptyImageError(name: string): GlassboxError {
  return new GlassboxError('IMAGE_EMPTY', `${name} is empty (0 bytes).`, 'Check that the file was saved, downloaded or copied completely.');
}

/** `formats`: what this decoder reads, in words ("PNG, JPEG, WebP, GIF or BMP"); `detail`: the decoder's own text. */
export function unreadableImageError(name: string, formats: string, detail?: string): GlassboxError {
  return new GlassboxError(
    'IMAGE_UNREADABLE',
    `${name} is not an image Glassbox can read: the file may be damaged, cut short, or in another format.`,
    `Use ${formats}. If the file was cut short, save or download it again.`,
    detail,
  );
}
