/** What the result view says about a map: its method's reading, its units and its score space, in words. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { describeUnits } from '../../../src/engine/explain/units';
import { defaultPreprocess } from '../../../src/engine/image/preprocess';
import type { Explanation } from '../../../src/engine/explain/types';
import { createAppStore } from '../../../src/store/app-store';
import { ExplanationView } from '../../../src/ui/explain/ExplanationView';
import { StoreContext } from '../../../src/ui/store-context';

function render(result: Explanation): string {
  const data = new Map<string, string>();
  const storage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
  const store = createAppStore({ compute: () => ({}) as never, assets: {} as never, storage });
  const preprocess = defaultPreprocess(2, 2);
  store.setState({
    explanation: {
      id: 1, result: { ...result, units: describeUnits(result) }, inputs: { modelSha256: 'm', imageSha256: 'i', preprocess }, modelName: 'm', imageName: 'i', labels: ['star'],
      scores: [0.9], baseImage: { width: 2, height: 2, data: new Uint8ClampedArray(16) }, createdAt: 0,
    },
  });
  // server rendering reads the store's initial state: hand it the state set above
  return renderToStaticMarkup(createElement(StoreContext.Provider, { value: { ...store, getInitialState: store.getState } }, createElement(ExplanationView)));
}

const timings = { totalMs: 1, inferenceMs: 1, modelCalls: 1, samples: 1, batchSize: 1 };

describe('result view', () => {
  it('a RISE map in probability space says "class probability" (it used to say "model outputs")', () => {
    const html = render({ kind: 'pixel-map', method: 'rise', target: 3, width: 2, height: 2, map: [0, 1, 0, 0], classes: [{ target: 3, map: [0, 1, 0, 0] }], signed: false, params: {}, seed: 0, scoreSpace: 'probability', timings });
    expect(html).toContain('scores: class probability');
    expect(html).not.toContain('model outputs');
    expect(html).toContain('mean class probability of the masked images that kept the pixel');
    expect(html).toContain('The average of random masks weighted by the score');
  });

  it('a Grad-CAM on logits names the logits and the layer', () => {
    const html = render({ kind: 'cam', method: 'gradcam', target: 3, width: 2, height: 2, map: [0, 1, 0, 0], normalisedMap: [0, 1, 0, 0], cam: [1], camWidth: 1, camHeight: 1, layer: 'conv5', classes: [{ target: 3, map: [0, 1, 0, 0] }], signed: false, params: {}, seed: 0, scoreSpace: 'logits', timings });
    expect(html).toContain('scores: logit (before the model’s softmax)');
    expect(html).toContain('layer conv5 (1×1)');
  });
});
