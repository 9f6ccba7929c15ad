import { useCallback } from 'react';
import { GlassboxError } from '../../engine/errors';
import { foreignModelError, foreignModelFormat } from '../../engine/intake/export-guidance';
import { useApp } from '../store-context';
import { isResultFileText, readResults } from './open-results';
import { fileRole } from './route-files';

/** Send files to the right loader (model, image, labels), whatever way they arrived; say what to do with the rest. */
export function useFileIntake(): (files: Iterable<File>) => void {
  const openModelFiles = useApp((s) => s.openModelFiles);
  const loadImage = useApp((s) => s.loadImage);
  const loadLabels = useApp((s) => s.loadLabels);
  const report = useApp((s) => s.report);
  const openResults = useApp((s) => s.openResults);
  return useCallback(
    (dropped) => {
      const files = Array.from(dropped);
      // the other files of a drop that holds a model may be its weights (external data), whatever their names
      const hasModel = files.some((f) => fileRole(f) === 'model');
      const companions = hasModel ? files.filter((f) => ['model-data', 'unknown'].includes(fileRole(f))) : [];
      for (const file of files) {
        const role = fileRole(file);
        const format = role === 'foreign-model' ? foreignModelFormat(file.name) : undefined;
        if (role === 'model') void openModelFiles(file, companions);
        else if (companions.includes(file)) continue;
        else if (role === 'model-data')
          report(
            new GlassboxError(
              'FILE_UNSUPPORTED',
              `${file.name} holds a model's weights, not a model; drop it together with its .onnx file.`,
              'Models exported with their weights in a separate file (external data) need both files, dropped or picked at once.',
            ),
            `Opening ${file.name}`,
          );
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
    [openModelFiles, loadImage, loadLabels, report, openResults],
  );
}
