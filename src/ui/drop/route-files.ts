/** Decide what a dropped, picked or pasted file is for, from its name and MIME type. */
import { foreignModelFormat } from '../../engine/intake/export-guidance';

/** `foreign-model`: a model in another framework's format (.pt, .h5, .tflite, …): refused with its export recipe. */
export type FileRole = 'model' | 'foreign-model' | 'image' | 'labels' | 'unknown';

const IMAGE_EXT = /\.(png|jpe?g|webp|gif|bmp|avif|ico)$/i;

export function fileRole(file: { name: string; type: string }): FileRole {
  if (/\.onnx$/i.test(file.name) || file.type === 'application/onnx') return 'model';
  if (foreignModelFormat(file.name)) return 'foreign-model';
  if (file.type.startsWith('image/') || IMAGE_EXT.test(file.name)) return 'image';
  if (/\.(txt|json)$/i.test(file.name) || file.type === 'text/plain' || file.type === 'application/json') return 'labels';
  return 'unknown';
}
