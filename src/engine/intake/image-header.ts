/**
 * An image's size from its header, read without decoding, and the refusal of images over a byte or pixel budget:
 * the page checks both before the browser decodes anything (a decoded pixel is 4 bytes, more while resizing).
 */
import { GlassboxError } from '../errors';

/**
 * Width and height as the file's header states them, without decoding: PNG, GIF, BMP, WebP, JPEG (its frame header)
 * and AVIF/HEIF (the first `ispe` box). Undefined when the bytes say nothing this reader understands.
 */
export function imageHeaderSize(b: Uint8Array): { width: number; height: number } | undefined {
  const u16be = (i: number) => (b[i] << 8) | b[i + 1];
  const u32be = (i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
  const u16le = (i: number) => b[i] | (b[i + 1] << 8);
  const i32le = (i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
  const ascii = (i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));
  if (b.length >= 24 && b[0] === 0x89 && ascii(1, 3) === 'PNG' && ascii(12, 4) === 'IHDR') return { width: u32be(16), height: u32be(20) };
  if (b.length >= 10 && ascii(0, 4) === 'GIF8') return { width: u16le(6), height: u16le(8) };
  if (b.length >= 26 && ascii(0, 2) === 'BM') return { width: Math.abs(i32le(18)), height: Math.abs(i32le(22)) };
  if (b.length >= 30 && ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') {
    const chunk = ascii(12, 4);
    if (chunk === 'VP8X') return { width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)), height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)) };
    if (chunk === 'VP8 ') return { width: u16le(26) & 0x3fff, height: u16le(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = (b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)) >>> 0;
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
    }
    return undefined;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    // walk the segments to the first frame header (SOF0–SOF15 except DHT, JPG and DAC)
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1];
      if (marker === 0xff) {
        i++;
        continue;
      }
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { width: u16be(i + 7), height: u16be(i + 5) };
      if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
        i += 2;
        continue;
      }
      i += 2 + u16be(i + 2);
    }
    return undefined;
  }
  if (b.length >= 12 && ascii(4, 4) === 'ftyp') {
    for (let i = 8; i + 16 <= b.length; i++) {
      if (b[i] === 0x69 && ascii(i, 4) === 'ispe') return { width: u32be(i + 8), height: u32be(i + 12) };
    }
  }
  return undefined;
}

/** Image limits the page and the CLI share (the CLI raises them with --max-image-mb and --max-megapixels). */
export const IMAGE_LIMITS = {
  /** Image files larger than this are refused before their bytes are read. */
  imageMb: 256,
  /** Images whose header claims more pixels are refused before decoding (a decoded pixel is 4 bytes, more while resizing). */
  megapixels: 100,
} as const;

/**
 * The refusal of an image over `limits`: by its file size, or by the pixel count its header claims; `raise` is how
 * to raise the limit where it can be (the CLI's flag).
 */
export function imageOverLimitError(name: string, found: { bytes: number } | { width: number; height: number }, limits: { imageMb: number; megapixels: number }, raise?: string): GlassboxError {
  if ('bytes' in found) {
    return new GlassboxError(
      'IMAGE_UNSUPPORTED',
      `${name} is ${(found.bytes / (1024 * 1024)).toFixed(0)} MB, over the ${limits.imageMb} MB image limit.`,
      'Downscale or re-encode the image first (the model sees a few hundred pixels a side).',
    );
  }
  return new GlassboxError(
    'IMAGE_UNSUPPORTED',
    `${name} is ${found.width}×${found.height} pixels (${((found.width * found.height) / 1e6).toFixed(0)} megapixels), over the ${limits.megapixels}-megapixel limit.`,
    `Downscale the image first (the model sees a few hundred pixels a side)${raise ? `, or raise the limit with ${raise}` : ''}.`,
  );
}
