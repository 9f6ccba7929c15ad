/** Decide what a dropped, picked or pasted file is for, from its name and MIME type. */
export type FileRole = 'model' | 'image' | 'labels' | 'unknown';

const IMAGE_EXT = /\.(png|jpe?g|webp|gif|bmp|avif|ico)$/i;

export function fileRole(file: { name: string; type: string }): FileRole {
  if (/\.onnx$/i.test(file.name) || file.type === 'application/onnx') return 'model';
  if (file.type.startsWith('image/') || IMAGE_EXT.test(file.name)) return 'image';
  if (/\.(txt|json)$/i.test(file.name) || file.type === 'text/plain' || file.type === 'application/json') return 'labels';
  return 'unknown';
}
