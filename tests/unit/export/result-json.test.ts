import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import { explanationOf, parseResultFile, resultFile, serializeResultFile, type ResultContext } from '../../../src/engine/export/result-json';
import type { Explanation } from '../../../src/engine/explain/types';
import type { PreprocessConfig } from '../../../src/engine/image/preprocess';

const HASH_M = 'a'.repeat(64), HASH_I = 'b'.repeat(64);
const preprocess: PreprocessConfig = { width: 2, height: 2, resize: 'stretch', cropFraction: 0.875, range: 1, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'RGB', layout: 'NCHW', channels: 3 };
const timings = { totalMs: 1, inferenceMs: 1, modelCalls: 1, samples: 4, batchSize: 4 };
const common = { target: 1, targetLabel: 'cat', width: 2, height: 2, signed: true, scoreSpace: 'probability' as const, seed: 7, timings, provenance: { modelSha256: HASH_M, imageSha256: HASH_I, preprocess } };
const lime: Explanation = {
  ...common, kind: 'superpixel-weights', method: 'lime', map: [0.5, 0.5, -0.25, NaN], classes: [{ target: 1, map: [0.5, 0.5, -0.25, NaN], weights: [0.5, -0.25, NaN] }],
  params: { samples: 4 }, segments: [0, 0, 1, 2], segmentCount: 3, weights: [0.5, -0.25, NaN], units: 'change in class probability',
};
const cam: Explanation = {
  ...common, kind: 'cam', method: 'gradcam', signed: false, scoreSpace: 'raw', map: [0, 1, 2, 3], classes: [{ target: 1, map: [0, 1, 2, 3] }], params: {},
  normalisedMap: [0, 1 / 3, 2 / 3, 1], layer: 'conv/Relu', cam: [3], camWidth: 1, camHeight: 1, quality: [],
};
const context: ResultContext = {
  glassbox: '0.1.0', backend: 'wasm', threads: 2, image: { name: 'star.png', sha256: HASH_I },
  model: { name: 'm.onnx', sha256: HASH_M, inputs: [{ name: 'x', shape: ['batch', 3, 2, 2], dtype: 'float32' }], outputs: [{ name: 'y', shape: ['batch', 4], dtype: 'float32' }] },
};

function refusal(text: string): GlassboxError {
  try {
    parseResultFile(text);
  } catch (e) {
    expect(e).toBeInstanceOf(GlassboxError);
    expect((e as GlassboxError).code).toBe('PARAM_INVALID');
    return e as GlassboxError;
  }
  throw new Error('not refused');
}

const edited = (base: Explanation, patch: (o: Record<string, unknown>) => void) => {
  const o = JSON.parse(serializeResultFile(base, context));
  patch(o);
  return JSON.stringify(o);
};

describe('result file', () => {
  it('opens with the format header and records Glassbox, model signature, image, preprocessing, backend and threads', () => {
    const file = resultFile(cam, context);
    expect(file).toMatchObject({ format: 'glassbox-result', formatVersion: 1, glassbox: '0.1.0', backend: 'wasm', threads: 2, preprocess, method: 'gradcam', kind: 'cam', target: 1, seed: 7 });
    expect(file.model.inputs[0]).toEqual({ name: 'x', shape: ['batch', 3, 2, 2], dtype: 'float32' });
    expect('provenance' in file).toBe(false);
    expect(Object.keys(file).slice(0, 2)).toEqual(['format', 'formatVersion']);
  });

  it('round-trips through text: the same explanation, provenance included; NaN written as null comes back as NaN', () => {
    for (const e of [lime, cam]) {
      const text = serializeResultFile(e, context);
      const back = explanationOf(parseResultFile(text));
      expect(back).toEqual({ ...e, quality: e.quality ?? [] });
    }
    expect(serializeResultFile(lime, context)).toContain('"map":[0.5,0.5,-0.25,null]');
  });

  it('refuses to save a result without provenance, or with another model’s hash', () => {
    expect(() => resultFile({ ...cam, provenance: undefined }, context)).toThrow(/no provenance/);
    expect(() => resultFile(cam, { ...context, model: { ...context.model, sha256: 'c'.repeat(64) } })).toThrow(/another model or image/);
  });

  it('refuses what is not a Glassbox result, saying what is wrong', () => {
    expect(refusal('not json').message).toMatch(/not JSON/);
    expect(refusal('[1]').message).toMatch(/not a JSON object/);
    expect(refusal('{"kind":"cam"}').message).toMatch(/no "format": "glassbox-result" header/);
    expect(refusal(edited(cam, (o) => (o.format = 'other'))).message).toMatch(/format is "other"/);
    expect(refusal(edited(cam, (o) => (o.formatVersion = 2))).hint).toMatch(/newer Glassbox/);
    expect(refusal(edited(cam, (o) => (o.method = 'magic'))).message).toMatch(/method "magic" is not one of lime/);
    expect(refusal(edited(cam, (o) => (o.kind = 'other'))).message).toMatch(/kind must be/);
    expect(refusal(edited(cam, (o) => ((o.model as { sha256: string }).sha256 = 'xyz'))).message).toMatch(/model\.sha256 must be a SHA-256/);
    expect(refusal(edited(cam, (o) => delete o.image)).message).toMatch(/image is missing/);
    expect(refusal(edited(cam, (o) => (o.map = [1, 2, 3]))).message).toMatch(/map has 3 values where 4 are needed/);
    expect(refusal(edited(cam, (o) => (o.map = [1, 2, 'x', 4]))).message).toMatch(/map\[2\] is not a number/);
    expect(refusal(edited(cam, (o) => (o.cam = [1, 2]))).message).toMatch(/cam has 2 values where 1 are needed/);
    expect(refusal(edited(cam, (o) => (o.seed = -1))).message).toMatch(/seed must be/);
    expect(refusal(edited(lime, (o) => (o.segments = [0, 0, 1, 5]))).message).toMatch(/superpixel ids from 0 to 2/);
    expect(refusal(edited(lime, (o) => (o.weights = [1]))).message).toMatch(/weights has 1 values where 3/);
    expect(refusal(edited(cam, (o) => (o.scoreSpace = 'odds'))).message).toMatch(/scoreSpace/);
  });
});
