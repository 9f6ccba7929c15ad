/** The torch references of tests/fixtures/grad/methods.json (tools/make_grad_fixtures.py --methods): the image and preprocessing they used. */
import fs from 'node:fs';
import path from 'node:path';
import type { PreprocessConfig } from '../../src/engine/image/preprocess';
import type { RgbaImage } from '../../src/engine/image/types';

export const GRAD_FIXTURES = path.resolve(import.meta.dirname, '../fixtures/grad');
/** The parsed fixture file (JSON written by the fixture script). */
export const methodRefs: Record<string, any> = JSON.parse(fs.readFileSync(path.join(GRAD_FIXTURES, 'methods.json'), 'utf8'));

/** base64 of little-endian float32 bytes → Float32Array */
export const f32 = (b64: string): Float32Array => {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

/** The fixture's RGB bytes as the RGBA image Glassbox explains. */
export const refImage: RgbaImage = (() => {
  const rgb = Buffer.from(methodRefs.image, 'base64');
  const [height, width] = methodRefs.image_shape as number[];
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2], 255], i * 4);
  return { width, height, data };
})();

export const refPreprocess: PreprocessConfig = {
  width: 32, height: 32, resize: 'stretch', cropFraction: 1, range: 1, mean: methodRefs.preprocess.mean, std: methodRefs.preprocess.std, channelOrder: 'RGB', layout: 'NCHW', channels: 3,
};
