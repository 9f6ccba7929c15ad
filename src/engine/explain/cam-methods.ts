/**
 * The CAM family as one pipeline (jacobgil/pytorch-grad-cam's BaseCAM) plus a small part per method (cams/variant.ts):
 * resolve the target layer, get its activation (and, for the gradient CAMs, its gradient for each target), let the
 * variant make one map per target, ReLU it (the raw CAM), upsample it to the input (OpenCV-style bilinear) and scale
 * it to [0, 1]. Scores are the logits when the model ends in Softmax (as pytorch-grad-cam uses the model's
 * pre-softmax output), else the model's outputs.
 */
import { GlassboxError } from '../errors';
import { assertFinite } from './finite';
import type { GradientSource } from '../grad/gradient-model';
import type { LayerCandidate } from '../grad/layers';
import { tensorDims, tensorLength, writeModelInput } from '../image/preprocess';
import { now } from '../math/clock';
import type { MethodDescriptor } from './descriptor';
import { eigenProjection, featureMapsOf, gradCamPlusPlusWeights, gradCamWeights, hiResCamMap, layerCamMap, minMaxNormalise, relu, resizeMap, xGradCamWeights, type FeatureMaps } from './cam';
import { ABLATION_CAM } from './cams/ablation-cam';
import { SCORE_CAM } from './cams/score-cam';
import { byChannelWeights, type ActivationCamVariant, type CamVariant, type GradientCamVariant } from './cams/variant';
import { batchCapacity, createStats, forEachBatch, timedCall, type EvaluationStats } from './evaluate';
import { ABLATIONCAM_META, EIGENCAM_META, GRADCAM_META, GRADCAMPP_META, HIRESCAM_META, LAYERCAM_META, SCORECAM_META, XGRADCAM_META, type CamParams } from './meta/cams';
import { defaultsOf, validateParams } from './schema';
import { checkTargets } from './targets';
import type { CamExplanation, ClassAttribution, Explainer, ExplainRequest } from './types';

const EIGEN_CAM: ActivationCamVariant = {
  source: 'activations',
  // the first principal component does not depend on the class: the same map for every target
  maps: async ({ maps, request }) => {
    const map = eigenProjection(maps);
    return request.targets.map(() => map);
  },
};

/** Every CAM: its descriptor and the one part that differs. */
export const CAM_VARIANTS = {
  gradcam: { meta: GRADCAM_META, variant: byChannelWeights(gradCamWeights) },
  gradcampp: { meta: GRADCAMPP_META, variant: byChannelWeights(gradCamPlusPlusWeights) },
  xgradcam: { meta: XGRADCAM_META, variant: byChannelWeights(xGradCamWeights) },
  hirescam: { meta: HIRESCAM_META, variant: { source: 'gradients', map: hiResCamMap } },
  layercam: { meta: LAYERCAM_META, variant: { source: 'gradients', map: layerCamMap } },
  scorecam: { meta: SCORECAM_META, variant: SCORE_CAM },
  ablationcam: { meta: ABLATIONCAM_META, variant: ABLATION_CAM },
  eigencam: { meta: EIGENCAM_META, variant: EIGEN_CAM },
} satisfies Record<string, { meta: MethodDescriptor<CamParams>; variant: CamVariant }>;

export type CamId = keyof typeof CAM_VARIANTS;

/** The CAMs' shared defaults (target layer: the suggested one). */
export const CAM_DEFAULTS: CamParams = defaultsOf(GRADCAM_META);

export function camExplainer(id: CamId): Explainer<CamParams> {
  return { explain: (request) => explainCam(id, request) };
}

async function resolveLayer(source: GradientSource, wanted: string | undefined): Promise<LayerCandidate> {
  const catalog = await source.catalog();
  const name = wanted || catalog.suggested;
  if (!name) throw new GlassboxError('GRADIENT_UNSUPPORTED', 'This model has no spatial feature map or token sequence, so CAM methods do not apply.', 'Use a gradient method (Saliency, Integrated Gradients) or LIME.');
  const layer = catalog.candidates.find((c) => c.name === name);
  if (!layer) throw new GlassboxError('PARAM_INVALID', `"${name}" is not a spatial feature map or token sequence of this model.`, 'Pick a layer from the list.');
  return layer;
}

interface LayerMaps {
  /** One map per target, before the final ReLU, at feature resolution. */
  maps: Float64Array[];
  grid: FeatureMaps;
  scoreKind: 'logits' | 'outputs';
}

/** Gradient CAMs: one backward run per target (batched), the variant's map from each target's A and G. */
async function fromGradients(variant: GradientCamVariant, request: ExplainRequest<CamParams>, source: GradientSource, layer: LayerCandidate, input: Float32Array, stats: EvaluationStats): Promise<LayerMaps> {
  const { targets, preprocess, model } = request;
  const gm = await source.gradients({ layer: layer.name });
  const per = input.length;
  const capacity = batchCapacity(model.spec.dynamicBatch, request.params.batchSize, targets.length);
  const batch = new Float32Array(capacity * per);
  for (let b = 0; b < capacity; b++) batch.set(input, b * per);
  const seed = new Float32Array(capacity * gm.classes);
  const maps: Float64Array[] = [];
  let grid: FeatureMaps | undefined;
  await forEachBatch(targets.length, { phase: 'gradients', capacity, signal: request.signal, onProgress: request.onProgress }, async (start, n) => {
    seed.fill(0);
    for (let b = 0; b < n; b++) seed[b * gm.classes + targets[start + b]] = 1;
    const out = await timedCall(stats, n, () => gm.run(batch.subarray(0, n * per), tensorDims(preprocess, n), seed.subarray(0, n * gm.classes)));
    assertFinite(out.scores, 'the model\'s scores', gm.classes, start, 'target');
    assertFinite(out.activation!.data, `the activation of layer "${layer.name}"`, out.activation!.data.length / n, start, 'target');
    assertFinite(out.gradLayer!.data, `the gradient at layer "${layer.name}"`, out.gradLayer!.data.length / n, start, 'target');
    for (let b = 0; b < n; b++) {
      const a = featureMapsOf(out.activation!.data, out.activation!.dims, b, layer.layout, layer.gridHeight, layer.gridWidth);
      const g = featureMapsOf(out.gradLayer!.data, out.gradLayer!.dims, b, layer.layout, layer.gridHeight, layer.gridWidth);
      grid = a;
      maps.push(variant.map(a, g.data));
    }
  });
  return { maps, grid: grid!, scoreKind: gm.scoreKind };
}

/** Gradient-free CAMs: one forward run for the activation; the variant may run the model again. */
async function fromActivations(variant: ActivationCamVariant, request: ExplainRequest<CamParams>, source: GradientSource, layer: LayerCandidate, input: Float32Array, stats: EvaluationStats): Promise<LayerMaps> {
  const forward = await source.forward(layer.name);
  const base = await timedCall(stats, 1, () => forward.run(input, tensorDims(request.preprocess, 1)));
  const activation = base.activation!;
  const grid = featureMapsOf(activation.data, activation.dims, 0, layer.layout, layer.gridHeight, layer.gridWidth);
  const maps = await variant.maps({ request, layer, input, activation, maps: grid, scores: base.scores, forward, source, stats });
  return { maps, grid, scoreKind: forward.scoreKind };
}

async function explainCam(id: CamId, request: ExplainRequest<CamParams>): Promise<CamExplanation> {
  const { meta, variant } = CAM_VARIANTS[id] as { meta: MethodDescriptor<CamParams>; variant: CamVariant };
  const { params, targets, preprocess, image, model } = request;
  validateParams(meta, params, { width: preprocess.width, height: preprocess.height });
  // a model with a dynamic height/width is prepared for this input size
  const gradients = request.gradients?.forInput(tensorDims(preprocess, 1));
  if (!gradients) throw new GlassboxError('GRADIENT_UNSUPPORTED', 'Gradients are not available for this model here.');
  checkTargets(meta.label, targets, model.spec.numClasses);
  const started = now();
  const stats = createStats();
  const layer = await resolveLayer(gradients, params.layer);
  const input = new Float32Array(tensorLength(preprocess));
  writeModelInput(image, preprocess, input);
  const { maps, grid, scoreKind } = variant.source === 'gradients'
    ? await fromGradients(variant, request, gradients, layer, input, stats)
    : await fromActivations(variant, request, gradients, layer, input, stats);
  const cams = maps.map(relu);
  const upsample = (cam: ArrayLike<number>) => resizeMap(cam, grid.height, grid.width, image.height, image.width);
  const classes: ClassAttribution[] = cams.map((cam, j) => ({ target: targets[j], map: Array.from(upsample(cam)) }));
  return {
    kind: 'cam',
    method: id,
    target: targets[0],
    width: image.width,
    height: image.height,
    map: classes[0].map,
    classes,
    signed: false,
    normalisedMap: Array.from(upsample(minMaxNormalise(cams[0]))),
    layer: layer.name,
    cam: Array.from(cams[0]),
    camWidth: grid.width,
    camHeight: grid.height,
    scoreSpace: scoreKind === 'logits' ? 'logits' : 'raw',
    params: params as unknown as Record<string, unknown>,
    seed: request.seed,
    timings: { totalMs: now() - started, inferenceMs: stats.inferenceMs, modelCalls: stats.modelCalls, samples: stats.rows, batchSize: stats.batchSize },
  };
}
