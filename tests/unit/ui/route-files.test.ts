import { describe, expect, it } from 'vitest';
import { fileRole } from '../../../src/ui/drop/route-files';

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

  it('leaves anything else unknown', () => {
    expect(fileRole({ name: 'archive.zip', type: 'application/zip' })).toBe('unknown');
    expect(fileRole({ name: 'archive.zip', type: '' })).toBe('unknown');
    expect(fileRole({ name: 'notes.md', type: '' })).toBe('unknown');
    expect(fileRole({ name: 'model.onnx.zip', type: '' })).toBe('unknown');
    expect(fileRole({ name: 'png', type: '' })).toBe('unknown');
  });
});
