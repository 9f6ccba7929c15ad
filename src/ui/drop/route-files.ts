/** Decide what a dropped, picked or pasted file is for, from its name and MIME type. */
import { foreignModelFormat } from '../../engine/intake/export-guidance';

/**
 * `foreign-model`: a model in another framework's format (.pt, .h5, .tflite, …): refused with its export recipe.
 * `labels` may also be a result file (.json): the intake looks inside. `report`: an HTML report to re-open.
 */
export type FileRole = 'model' | 'foreign-model' | 'image' | 'labels' | 'report' | 'unknown';

const IMAGE_EXT = /\.(png|jpe?g|webp|gif|bmp|avif|ico)$/i;

export function fileRole(file: { name: string; type: string }): FileRole {
  if (/\.onnx$/i.test(file.name) || file.type === 'application/onnx') return 'model';
  if (foreignModelFormat(file.name)) return 'foreign-model';
  if (file.type.startsWith('image/') || IMAGE_EXT.test(file.name)) return 'image';
  if (/\.html?$/i.test(file.name) || file.type === 'text/html') return 'report';
  if (/\.(txt|json)$/i.test(file.name) || file.type === 'text/plain' || file.type === 'application/json') return 'labels';
  return 'unknown';
}
