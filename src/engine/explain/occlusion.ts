/**
 * Occlusion (Zeiler & Fergus, ECCV 2014), as captum's Occlusion: a square window over every channel slides over
 * the input tensor; each element's attribution is the mean, over the window positions covering it, of
 * f(x) − f(x with the window replaced by the baseline).
 * Window positions as captum: ceil((side − window) / stride) + 1 per axis, starting at 0, 1·stride, …; the last
 * one may run past the edge and is cut there. f is the model's output as it is (captum calls the forward function
 * unchanged): raw scores, so probabilities when the model ends in Softmax. The per-pixel map sums captum's
 * attribution over channels (as its image visualiser does): C × the mean score drop, since a window hides every
 * channel of a pixel at once.
 */
import { tensorLength, writeModelInput } from '../image/preprocess';
import { now } from '../math/clock';
import { createStats, evaluateRows } from './evaluate';
import { hiddenTensor } from './hide';
import { OCCLUSION_META, type OcclusionParams } from './meta/occlusion';
import { validateParams } from './schema';
import { checkTargets } from './targets';
import type { ClassAttribution, Explainer, ExplainRequest, PixelMapExplanation } from './types';

/** Window starts along one axis of `side` pixels (captum: ceil((side − window) / stride) + 1 of them). */
export function windowStarts(side: number, window: number, stride: number): number[] {
  const count = Math.ceil((side - window) / stride) + 1;
  return Array.from({ length: count }, (_, i) => i * stride);
}

async function explainOcclusion(request: ExplainRequest<OcclusionParams>): Promise<PixelMapExplanation> {
  const { model, image, preprocess, targets, params } = request;
  const { width, height } = preprocess;
  validateParams(OCCLUSION_META, params, { width, height });
  checkTargets(OCCLUSION_META.label, targets, model.spec.numClasses);
  const started = now();
  const stats = createStats();
  const channels = preprocess.channels, area = width * height;
  const x = new Float32Array(tensorLength(preprocess));
  writeModelInput(image, preprocess, x);
  const baseline = hiddenTensor(image, params.baseline, preprocess);
  const ys = windowStarts(height, params.window, params.stride), xs = windowStarts(width, params.window, params.stride);
  const windows = ys.flatMap((top) => xs.map((left) => ({ top, left, bottom: Math.min(height, top + params.window), right: Math.min(width, left + params.window) })));
  const index = preprocess.layout === 'NCHW' ? (c: number, p: number) => c * area + p : (c: number, p: number) => p * channels + c;

  // row 0: the image itself; row r ≥ 1: window r − 1 hidden
  const scores = targets.map(() => new Float64Array(windows.length + 1));
  await evaluateRows(
    { model, preprocess, batchSize: params.batchSize, stats, phase: 'windows', signal: request.signal, onProgress: request.onProgress },
    windows.length + 1,
    (row, out, offset) => {
      out.set(x, offset);
      if (row === 0) return;
      const w = windows[row - 1];
      for (let y = w.top; y < w.bottom; y++) {
        for (let xx = w.left; xx < w.right; xx++) for (let c = 0; c < channels; c++) out[offset + index(c, y * width + xx)] = baseline[index(c, y * width + xx)];
      }
    },
    (row, out) => targets.forEach((t, j) => (scores[j][row] = out[t])),
  );

  const covered = new Float64Array(area);
  for (const w of windows) for (let y = w.top; y < w.bottom; y++) for (let xx = w.left; xx < w.right; xx++) covered[y * width + xx]++;
  const classes: ClassAttribution[] = targets.map((target, j) => {
    const drop = new Float64Array(area);
    windows.forEach((w, i) => {
      const d = scores[j][0] - scores[j][i + 1];
      for (let y = w.top; y < w.bottom; y++) for (let xx = w.left; xx < w.right; xx++) drop[y * width + xx] += d;
    });
    return { target, map: Array.from(drop, (v, p) => (channels * v) / covered[p]), modelPrediction: scores[j][0] };
  });
  let limit = 0;
  for (const v of classes[0].map) limit = Math.max(limit, Math.abs(v));
  return {
    kind: 'pixel-map',
    method: 'occlusion',
    target: targets[0],
    width: image.width,
    height: image.height,
    map: classes[0].map,
    classes,
    signed: true,
    normalisedMap: classes[0].map.map((v) => v / (limit || 1)),
    scoreSpace: 'raw',
    params: params as unknown as Record<string, unknown>,
    seed: request.seed,
    timings: { totalMs: now() - started, inferenceMs: stats.inferenceMs, modelCalls: stats.modelCalls, samples: stats.rows, batchSize: stats.batchSize },
  };
}

export const occlusionExplainer: Explainer<OcclusionParams> = { explain: explainOcclusion };
