/**
 * Ablation-CAM (Desai & Ramaswamy, WACV 2020), as pytorch-grad-cam's AblationCAM: the weight of channel k is the
 * relative drop of the target's score when that channel of the layer's activation is zeroed, (y − y_k) / y, run
 * through the part of the model after the layer. pytorch-grad-cam zeroes too when the layer's minimum is 0 (ReLU
 * outputs); otherwise it writes min − 1e7, a deviation from the paper we do not copy.
 */
import { batchCapacity, forEachBatch, timedCall } from '../evaluate';
import { byModelWeights, type ActivationContext } from './variant';

async function ablationCamWeights({ request, layer, activation, scores: original, source, stats }: ActivationContext): Promise<Float64Array[]> {
  const { targets, model } = request;
  const head = await source.head(layer.name);
  const per = activation.data.length;
  const channels = layer.layout === 'spatial' ? activation.dims[1] : activation.dims[2];
  const k = original.length;
  const capacity = batchCapacity(model.spec.dynamicBatch, request.params.batchSize, channels);
  const batch = new Float32Array(capacity * per);
  const ablated = targets.map(() => new Float64Array(channels));
  await forEachBatch(channels, { phase: 'ablated channels', capacity, signal: request.signal, onProgress: request.onProgress }, async (start, n) => {
    for (let b = 0; b < n; b++) {
      const ch = start + b, o = b * per;
      batch.set(activation.data, o);
      if (layer.layout === 'spatial') {
        const area = per / channels;
        batch.fill(0, o + ch * area, o + (ch + 1) * area);
      } else for (let t = 0; t < per / channels; t++) batch[o + t * channels + ch] = 0; // every token, the CLS token too
    }
    const out = await timedCall(stats, n, () => head.run(batch.subarray(0, n * per), [n, ...activation.dims.slice(1)]));
    for (let b = 0; b < n; b++) targets.forEach((t, j) => (ablated[j][start + b] = out[b * k + t]));
  });
  return targets.map((t, j) => ablated[j].map((v) => (original[t] - v) / original[t]));
}

export const ABLATION_CAM = byModelWeights(ablationCamWeights);
