import { describe, expect, it } from 'vitest';
import { runCaptions, runDifferences, type RunFacts } from '../../../src/engine/explain/run-diff';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const lime = (hide: object, samples = 1000, extra: Partial<RunFacts> = {}): RunFacts => ({
  method: 'lime',
  params: { samples, hide, kernelWidth: 0.25, segmentation: { algorithm: 'slic', nSegments: 50 } },
  seed: 0,
  target: 3,
  targetLabel: 'star',
  modelName: 'm.onnx',
  modelSha256: SHA_A,
  ...extra,
});

describe('run captions name what differs among the runs shown together', () => {
  it('seed 004: LIME with three hide colours reads by colour, nothing else', () => {
    const captions = runCaptions([lime({ mode: 'black' }), lime({ mode: 'color', color: [255, 0, 0] }), lime({ mode: 'color', color: [0, 0, 255] })]);
    expect(captions[0]).toBe('LIME · Hide with · mode black');
    expect(captions[1]).toBe('LIME · Hide with · mode color · Hide with · color 255, 0, 0');
    expect(captions[2]).toBe('LIME · Hide with · mode color · Hide with · color 0, 0, 255');
  });

  it('5000 vs 10000 samples: only the sample count', () => {
    expect(runCaptions([lime({ mode: 'mean' }, 5000), lime({ mode: 'mean' }, 10000)])).toEqual(['LIME · Samples 5000', 'LIME · Samples 10000']);
  });

  it('identical settings: the seed, class and model appear only when they differ', () => {
    expect(runCaptions([lime({ mode: 'mean' }), lime({ mode: 'mean' })])).toEqual(['LIME', 'LIME']);
    const diffs = runDifferences([lime({ mode: 'mean' }), lime({ mode: 'mean' }, 1000, { seed: 4, target: 5, targetLabel: 'circle', modelSha256: SHA_B, modelName: 'n.onnx' })]);
    expect(diffs[1]).toEqual([
      { field: 'seed', value: '4' },
      { field: 'class', value: '#5 circle' },
      { field: 'model', value: 'n.onnx (bbbbbbbb)' },
    ]);
  });

  it('different methods: parameters one method lacks are not shown as differences', () => {
    const gradcam: RunFacts = { method: 'gradcam', params: { layer: 'conv3' }, seed: 0, target: 3, modelName: 'm.onnx', modelSha256: SHA_A };
    expect(runCaptions([lime({ mode: 'mean' }), gradcam])).toEqual(['LIME', 'Grad-CAM']);
  });
});
