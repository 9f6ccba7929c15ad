/** Decide what a dropped, picked or pasted file is for, from its name and MIME type. */
import { foreignModelFormat } from '../../engine/intake/export-guidance';

/**
 * `model-data`: weights kept outside an .onnx (external data), useful only together with it.
 * `foreign-model`: a model in another framework's format (.pt, .h5, .tflite, …): refused with its export recipe.
 * `labels` may also be a result file (.json): the intake looks inside. `report`: an HTML report to re-open.
 */
export type FileRole = 'model' | 'model-data' | 'foreign-model' | 'image' | 'labels' | 'report' | 'unknown';

/** Names external-data files usually have: "model.onnx.data" (torch.onnx.export), "model.onnx_data", "weights.bin". */
const MODEL_DATA_EXT = /\.(onnx[._]data|data|bin)$/i;

const IMAGE_EXT = /\.(png|jpe?g|webp|gif|bmp|avif|ico)$/i;

export function fileRole(file: { name: string; type: string }): FileRole {
  if (/\.onnx$/i.test(file.name) || file.type === 'application/onnx') return 'model';
  if (foreignModelFormat(file.name)) return 'foreign-model';
  if (MODEL_DATA_EXT.test(file.name)) return 'model-data';
  if (file.type.startsWith('image/') || IMAGE_EXT.test(file.name)) return 'image';
  if (/\.html?$/i.test(file.name) || file.type === 'text/html') return 'report';
  if (/\.(txt|json)$/i.test(file.name) || file.type === 'text/plain' || file.type === 'application/json') return 'labels';
  return 'unknown';
}
