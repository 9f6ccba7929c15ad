import { useCallback } from 'react';
import { GlassboxError } from '../../engine/errors';
import { useApp } from '../store-context';
import { fileRole } from './route-files';

/** Send files to the right loader (model, image, labels), whatever way they arrived. */
export function useFileIntake(): (files: Iterable<File>) => void {
  const loadModel = useApp((s) => s.loadModel);
  const loadImage = useApp((s) => s.loadImage);
  const loadLabels = useApp((s) => s.loadLabels);
  const report = useApp((s) => s.report);
  return useCallback(
    (files) => {
      for (const file of files) {
        const role = fileRole(file);
        if (role === 'model') void file.arrayBuffer().then((b) => loadModel(new Uint8Array(b), file.name));
        else if (role === 'image') void loadImage(file, file.name || 'pasted image');
        else if (role === 'labels') void file.text().then((t) => loadLabels(t, file.name));
        else
          report(
            new GlassboxError('IMAGE_UNSUPPORTED', `Glassbox does not know what to do with "${file.name}".`, 'Drop an .onnx model, an image (PNG, JPEG, WebP, GIF, BMP) or a labels file (.txt or .json).'),
            'Opening a file',
          );
      }
    },
    [loadModel, loadImage, loadLabels, report],
  );
}
