/**
 * Score-CAM (Wang et al., CVPRW 2020), as pytorch-grad-cam's ScoreCAM: each channel of the activation, upsampled to
 * the input (bilinear, aligned corners: torch's UpsamplingBilinear2d) and min-max scaled to [0, 1] (ε 1e-8),
 * multiplies the input tensor; the target's scores of those masked inputs, softmaxed over channels, are the weights.
 */
import type { Model } from '../../runtime/ort-runtime';
import { minMaxNormalise, resizeMapAlignCorners } from '../cam';
import { evaluateRows } from '../evaluate';
import { byModelWeights, type ActivationContext } from './variant';

async function scoreCamWeights({ request, maps: a, input, forward, stats }: ActivationContext): Promise<Float64Array[]> {
  const { preprocess, targets, model } = request;
  const area = preprocess.width * preprocess.height, per = input.length, channels = preprocess.channels;
  const featureArea = a.height * a.width;
  const upsampled = new Float32Array(area);
  // the masked inputs go through the same score space as the activation (logits before a final Softmax)
  const logits: Model = { info: model.info, spec: model.spec, backend: model.backend, run: async (x, dims) => (await forward.run(x, dims)).scores, dispose: async () => {} };
  const scores = targets.map(() => new Float64Array(a.channels));
  await evaluateRows(
    { model: logits, preprocess, batchSize: request.params.batchSize, stats, phase: 'masked inputs', signal: request.signal, onProgress: request.onProgress },
    a.channels,
    (k, out, offset) => {
      resizeMapAlignCorners(a.data.subarray(k * featureArea, (k + 1) * featureArea), a.height, a.width, preprocess.height, preprocess.width, upsampled);
      const mask = minMaxNormalise(upsampled, 1e-8);
      for (let j = 0; j < per; j++) {
        const pixel = preprocess.layout === 'NCHW' ? j % area : Math.floor(j / channels);
        out[offset + j] = input[j] * mask[pixel];
      }
    },
    (k, row) => targets.forEach((t, j) => (scores[j][k] = row[t])),
  );
  return scores.map(softmax);
}

function softmax(values: Float64Array): Float64Array {
  let max = -Infinity, sum = 0;
  for (const v of values) max = Math.max(max, v);
  const out = values.map((v) => Math.exp(v - max));
  for (const v of out) sum += v;
  return out.map((v) => v / sum);
}

export const SCORE_CAM = byModelWeights(scoreCamWeights);
