/** Weights files of a model with external data are recognised by name, so a drop can pair them with the .onnx. */
import { describe, expect, it } from 'vitest';
import { fileRole } from '../../../src/ui/drop/route-files';

describe('fileRole: external-data files', () => {
  it('names torch.onnx.export and onnx.save write are model data', () => {
    for (const name of ['resnet.onnx.data', 'model.onnx_data', 'weights.bin', 'MODEL.DATA']) expect(fileRole({ name, type: '' }), name).toBe('model-data');
  });
  it('the .onnx itself stays a model; other names are unchanged', () => {
    expect(fileRole({ name: 'resnet.onnx', type: '' })).toBe('model');
    expect(fileRole({ name: 'notes.md', type: '' })).toBe('unknown');
    expect(fileRole({ name: 'cat.png', type: '' })).toBe('image');
  });
});
