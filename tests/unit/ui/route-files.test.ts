import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FOREIGN_MODEL_FORMATS, foreignModelError, foreignModelFormat } from '../../../src/engine/intake/export-guidance';
import { fileRole } from '../../../src/ui/drop/route-files';
import { isResultFileText } from '../../../src/ui/drop/open-results';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const corpus = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/corpus/bad-inputs.json'), 'utf8')) as {
  foreignModels: { file: string; code: string; message: string; hint: string }[];
};

describe('fileRole', () => {
  it('treats .onnx as a model whatever its MIME type', () => {
    for (const type of ['', 'application/octet-stream', 'image/png', 'text/plain']) {
      expect(fileRole({ name: 'resnet50.onnx', type }), type).toBe('model');
    }
    expect(fileRole({ name: 'MODEL.ONNX', type: '' })).toBe('model');
    expect(fileRole({ name: 'blob', type: 'application/onnx' })).toBe('model');
  });

  it('recognises images by MIME type or by extension', () => {
    expect(fileRole({ name: 'photo', type: 'image/png' })).toBe('image');
    expect(fileRole({ name: 'cat.JPG', type: '' })).toBe('image');
    expect(fileRole({ name: 'tiny.bmp', type: '' })).toBe('image');
    expect(fileRole({ name: 'x.webp', type: '' })).toBe('image');
    expect(fileRole({ name: 'a.jpeg', type: 'application/octet-stream' })).toBe('image');
  });

  it('recognises labels files', () => {
    expect(fileRole({ name: 'labels.txt', type: 'text/plain' })).toBe('labels');
    expect(fileRole({ name: 'labels.txt', type: '' })).toBe('labels');
    expect(fileRole({ name: 'classes.json', type: 'application/json' })).toBe('labels');
    expect(fileRole({ name: 'classes.JSON', type: '' })).toBe('labels');
  });

  it('recognises reports by extension or MIME type, and JSON results by their header', () => {
    expect(fileRole({ name: 'report.html', type: '' })).toBe('report');
    expect(fileRole({ name: 'REPORT.HTM', type: '' })).toBe('report');
    expect(fileRole({ name: 'download', type: 'text/html' })).toBe('report');
    expect(isResultFileText('{"format":"glassbox-result","formatVersion":1}')).toBe(true);
    expect(isResultFileText('{"labels":["cat","dog"]}')).toBe(false);
    expect(isResultFileText('["cat","dog"]')).toBe(false);
    expect(isResultFileText('{"format":"glassbox-result"')).toBe(false); // cut short: not JSON
  });

  it('routes models of other frameworks to their export guidance, whatever MIME type the browser guesses', () => {
    for (const name of ['weights.pt', 'resnet50.PTH', 'last.ckpt', 'model.h5', 'model.hdf5', 'net.keras', 'saved_model.pb', 'mobilenet.tflite', 'model.safetensors', 'Classifier.mlmodel', 'export.pkl', 'learner.pickle']) {
      for (const type of ['', 'application/octet-stream', 'application/x-hdf5', 'text/plain']) {
        expect(fileRole({ name, type }), `${name} ${type}`).toBe('foreign-model');
      }
    }
  });

  it('leaves anything else unknown', () => {
    expect(fileRole({ name: 'archive.zip', type: 'application/zip' })).toBe('unknown');
    expect(fileRole({ name: 'archive.zip', type: '' })).toBe('unknown');
    expect(fileRole({ name: 'notes.md', type: '' })).toBe('unknown');
    expect(fileRole({ name: 'model.onnx.zip', type: '' })).toBe('unknown');
    expect(fileRole({ name: 'png', type: '' })).toBe('unknown');
    // An extension only counts at the end of the name.
    expect(fileRole({ name: 'weights.pt.zip', type: '' })).toBe('unknown');
    expect(fileRole({ name: 'pt', type: '' })).toBe('unknown');
  });
});

describe('export guidance', () => {
  it.each(corpus.foreignModels)('$file: its message names the format, its hint gives the recipe', ({ file, code, message, hint }) => {
    const format = foreignModelFormat(file);
    expect(format).toBeDefined();
    const error = foreignModelError(format!, file);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(error.hint).toMatch(new RegExp(hint));
  });

  it('every extension belongs to one format, and every format has a corpus case', () => {
    const extensions = FOREIGN_MODEL_FORMATS.flatMap((f) => f.extensions);
    expect(new Set(extensions).size).toBe(extensions.length);
    for (const format of FOREIGN_MODEL_FORMATS) {
      expect(corpus.foreignModels.some((c) => foreignModelFormat(c.file) === format), format.id).toBe(true);
    }
  });

  it('the recipes export as README\'s "Exporting to ONNX" does: opset 17 and a dynamic batch', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const format of FOREIGN_MODEL_FORMATS) {
      const recipe = format.recipe(`model${format.extensions[0]}`).join('\n');
      expect(recipe, format.id).toMatch(/opset_version=17|--opset 17|convert_coreml/);
      if (recipe.includes('torch.onnx.export')) {
        expect(readme).toContain('dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}');
        expect(recipe).toContain('dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}}');
      }
      if (recipe.includes('--saved-model saved_model_dir')) {
        expect(readme).toContain('python -m tf2onnx.convert --saved-model saved_model_dir --opset 17 --output model.onnx');
      }
    }
  });
});
