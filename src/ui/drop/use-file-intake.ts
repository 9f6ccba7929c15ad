import { useCallback } from 'react';
import { GlassboxError } from '../../engine/errors';
import { foreignModelError, foreignModelFormat } from '../../engine/intake/export-guidance';
import { useApp } from '../store-context';
import { isResultFileText, readResults } from './open-results';
import { fileRole } from './route-files';

/** Send files to the right loader (model, image, labels), whatever way they arrived; say what to do with the rest. */
export function useFileIntake(): (files: Iterable<File>) => void {
  const loadModel = useApp((s) => s.loadModel);
  const loadImage = useApp((s) => s.loadImage);
  const loadLabels = useApp((s) => s.loadLabels);
  const report = useApp((s) => s.report);
  const openResults = useApp((s) => s.openResults);
  return useCallback(
    (files) => {
      for (const file of files) {
        const role = fileRole(file);
        const format = role === 'foreign-model' ? foreignModelFormat(file.name) : undefined;
        if (role === 'model') void file.arrayBuffer().then((b) => loadModel(new Uint8Array(b), file.name));
        else if (role === 'image') void loadImage(file, file.name || 'pasted image');
        else if (role === 'labels' || role === 'report')
          void file.text().then(async (text) => {
            if (role === 'labels' && !isResultFileText(text)) return loadLabels(text, file.name);
            try {
              openResults(await readResults(text, file.name), file.name);
            } catch (e) {
              report(e, `Opening ${file.name}`);
            }
          });
        else if (format) report(foreignModelError(format, file.name), `Loading model ${file.name}`);
        else
          report(
            new GlassboxError(
              'FILE_UNSUPPORTED',
              `${file.name || 'This file'} is not a file Glassbox can open.`,
              'Drop an ONNX model (.onnx), an image (PNG, JPEG, WebP, GIF, BMP), a labels file (.txt or .json), or a Glassbox result (.json) or report (.html) to re-open.',
              file.type ? `File type: ${file.type}` : undefined,
            ),
            `Opening ${file.name || 'a file'}`,
          );
      }
    },
    [loadModel, loadImage, loadLabels, report, openResults],
  );
}
