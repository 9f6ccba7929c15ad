/**
 * Model-parameter randomisation test: Adebayo et al., NeurIPS 2018, "Sanity Checks for Saliency Maps" (cascading
 * randomisation, with its rank-correlation and SSIM plots); reference code: adebayoj/sanity_checks_saliency.
 *
 * The parameter layers are re-initialised one more at a time from the output down (onnx/randomise.ts), every method
 * is rerun on each randomised model with the same image, target, parameters and seed, and each map is compared with
 * the map from the original model. A map that stays much the same once the top layers hold random weights cannot be
 * showing what the model learned.
 *
 * Conventions, chosen once here:
 * - the compared map is the result's `map` (per pixel, at model resolution, as the method returns it);
 * - `spearman` is Spearman's ρ of the maps as they are (signed), `spearmanAbs` of their absolute values — the paper
 *   reports both because a sign flip of a whole map (common after randomisation) is a complete change for the
 *   former and none for the latter; the verdict uses `spearmanAbs`, since a map that only flipped sign still shows
 *   the same picture (the harder test for a method to pass);
 * - `ssim` is the mean SSIM (math/ssim.ts: skimage defaults, 7 × 7 window) of the absolute maps each min-max
 *   normalised to [0, 1] (as the paper normalises before SSIM), data range 1;
 * - verdict, read at the step where half of the parameter layers (the top ⌈L/2⌉) are randomised — always one of
 *   the measured steps, so the verdict does not depend on how many steps were asked for: `spearmanAbs` at least
 *   SANITY_INSENSITIVE_RHO = 0.75 is *insensitive* ("this map does not depend on what the model learned"), from
 *   SANITY_PARTLY_RHO = 0.5 up *partly* (much of the ranking survives: read the map with care), below that the map
 *   *changes*. The paper gives no threshold (it reads its plots): there, the gradient and Grad-CAM lose most of
 *   their rank correlation within the top few layers, while Guided Backprop and Guided Grad-CAM stay visually and
 *   by rank close to the original through much of the cascade (methods that multiply by the input, such as
 *   Input × Gradient and Integrated Gradients, keep some of the input's structure and sit in between). Measured
 *   at half the layers: a VGG-like ReLU net (tests) Guided Backprop 0.81–0.93, Saliency ≤ 0.45; the 7-layer demo
 *   CNN Guided Backprop 0.48–0.68, Saliency 0.26–0.52, Grad-CAM −0.07–0.62 (unstable: its maps flip) — on so
 *   shallow a net the methods separate less, and the three levels say so instead of a yes/no.
 */
import { GlassboxError } from '../errors';
import { createGradientSource, type GradientSource } from '../grad/gradient-model';
import type { PreprocessConfig } from '../image/preprocess';
import type { RgbaImage } from '../image/types';
import { now } from '../math/clock';
import { ssim } from '../math/ssim';
import { parameterLayers, randomiseCascade } from '../onnx/randomise';
import type { Backend, Model, OrtRuntime } from '../runtime/ort-runtime';
import { minMaxNormalise } from './cam';
import { yieldToEventLoop } from './progress';
import { descriptorOf, type MethodId } from './registry';
import { runMethod } from './run';
import { defaultsOf } from './schema';
import { spearman } from './stability';
import type { CancelSignal, Progress } from './types';

/** From this Spearman ρ of |map| with half the layers randomised, a map is flagged as not depending on the weights. */
export const SANITY_INSENSITIVE_RHO = 0.75;
/** From this ρ (below SANITY_INSENSITIVE_RHO) much of the map survives the randomisation: read it with care. */
export const SANITY_PARTLY_RHO = 0.5;
/** At most this many cascade steps by default (evenly spread over the layers, the last one always all of them). */
export const SANITY_MAX_STEPS = 16;

/** A loaded model with what gradient methods need; disposed after its step. */
export interface SanityModel {
  model: Model;
  gradients?: GradientSource;
  dispose(): Promise<void>;
}

/** Loads model bytes (the original or a randomised copy) the way the caller's runtime does. */
export type OpenModel = (bytes: Uint8Array) => Promise<SanityModel>;

/** The usual OpenModel: a session and a gradient source from one runtime (worker: onnxruntime-web; Node: wasm). */
export function openWithRuntime(runtime: OrtRuntime, backend: Backend): OpenModel {
  return async (bytes) => {
    const model = await runtime.loadModel(bytes, { backend });
    const gradients = createGradientSource(runtime, bytes, backend);
    return {
      model,
      gradients,
      dispose: async () => {
        await gradients.dispose();
        await model.dispose();
      },
    };
  };
}

export interface SanityMethod {
  method: MethodId;
  /** Overrides of the method's defaults (the same for every step). */
  params?: Record<string, unknown>;
}

export interface SanityCheckRequest {
  open: OpenModel;
  modelBytes: Uint8Array;
  /** The image at model resolution, and how it becomes the input tensor. */
  image: RgbaImage;
  preprocess: PreprocessConfig;
  target: number;
  methods: SanityMethod[];
  /** Cascade steps to measure (default: every layer, at most SANITY_MAX_STEPS); spread evenly, the last randomises all. */
  steps?: number;
  /** Seeds the new weights, and is every run's seed (the same at each step, so only the weights change). */
  seed: number;
  signal?: CancelSignal;
  onProgress?: (p: Progress) => void;
}

export interface SanityStep {
  /** The layer randomised last at this step (the deepest of the top `upTo`). */
  layer: string;
  /** How many parameter layers, counted from the output, hold random weights. */
  upTo: number;
  /** Spearman's ρ with the original map, signed values. */
  spearman: number;
  /** Spearman's ρ with the original map, absolute values. */
  spearmanAbs: number;
  /** Mean SSIM of the min-max normalised |maps|. */
  ssim: number;
  /** This step's map (row-major, model resolution). */
  map: number[];
}

export interface SanityVerdict {
  insensitive: boolean;
  /** insensitive (ρ ≥ 0.75), partly (0.5 ≤ ρ < 0.75), sensitive (ρ < 0.5); 'not-judged' for a constant map. */
  level: 'insensitive' | 'partly' | 'sensitive' | 'not-judged';
  /** False when nothing could be measured (the original map is constant); `insensitive` is then false too. */
  judged: boolean;
  /** In words, with the measured number and the threshold. */
  reason: string;
  /** The step the verdict reads (the first with at least half of the layers randomised); 0 when not judged. */
  upTo: number;
  /** Spearman's ρ of |map| at that step; absent when not judged. */
  spearmanAbs?: number;
  threshold: number;
}

export interface SanityMethodResult {
  method: MethodId;
  params: Record<string, unknown>;
  /** The original model's map. */
  original: number[];
  steps: SanityStep[];
  verdict: SanityVerdict;
}

export interface SanityCheckResult {
  /** The parameter layers, nearest the output first (step `upTo` = k randomises the first k). */
  layers: { name: string; opType: string }[];
  methods: SanityMethodResult[];
  seed: number;
  target: number;
  totalMs: number;
}

/** The `upTo` values measured: `steps` of them spread evenly over 1 … layers, ending at layers. */
export function cascadeSteps(layers: number, steps?: number): number[] {
  const count = Math.min(layers, steps ?? SANITY_MAX_STEPS);
  if (!Number.isInteger(count) || count < 1) {
    throw new GlassboxError('PARAM_INVALID', layers < 1 ? 'This model has no weight layers to randomise (Conv, Gemm, MatMul with a stored weight).' : `The number of cascade steps must be a whole number of at least 1 (got ${steps}).`);
  }
  // the half-way step the verdict reads is always measured
  const spread = Array.from({ length: count }, (_, i) => Math.max(1, Math.round(((i + 1) * layers) / count)));
  return [...new Set([...spread, Math.ceil(layers / 2)])].sort((a, b) => a - b);
}

const abs = (map: ArrayLike<number>) => Float64Array.from(map as ArrayLike<number>, Math.abs);

/** The comparisons of one map with the original (see the file header). */
export function compareMaps(original: ArrayLike<number>, map: ArrayLike<number>, width: number, height: number): { spearman: number; spearmanAbs: number; ssim: number } {
  return {
    spearman: spearman(original, map),
    spearmanAbs: spearman(abs(original), abs(map)),
    ssim: ssim(minMaxNormalise(abs(original)), minMaxNormalise(abs(map)), width, height, { dataRange: 1 }),
  };
}

/** How much of a method's |map| ranking survives the randomisation of the top half of the layers (see the header). */
export function sanityVerdict(steps: Pick<SanityStep, 'upTo' | 'spearmanAbs'>[], layerCount: number, threshold = SANITY_INSENSITIVE_RHO): SanityVerdict {
  const half = Math.ceil(layerCount / 2);
  const step = steps.find((s) => s.upTo >= half) ?? steps[steps.length - 1];
  const rho = step.spearmanAbs;
  const level: SanityVerdict['level'] = rho >= threshold ? 'insensitive' : rho >= SANITY_PARTLY_RHO ? 'partly' : 'sensitive';
  const where = `with the top ${step.upTo} of ${layerCount} weight layers randomised`;
  const reason =
    level === 'insensitive'
      ? `This map does not depend on what the model learned: ${where}, its ranking of the pixels still agrees with the trained model's (Spearman ρ of |map| = ${rho.toFixed(2)} ≥ ${threshold}).`
      : level === 'partly'
        ? `Much of this map survives random weights: ${where}, its ranking still agrees with the trained model's at Spearman ρ of |map| = ${rho.toFixed(2)} (from ${SANITY_PARTLY_RHO} to ${threshold}): part of what it shows is the image, not the model.`
        : `The map changes when the weights do: ${where}, its agreement with the trained model's map falls to Spearman ρ of |map| = ${rho.toFixed(2)} (< ${SANITY_PARTLY_RHO}).`;
  return { insensitive: level === 'insensitive', level, judged: true, reason, upTo: step.upTo, spearmanAbs: rho, threshold };
}

function isConstant(map: ArrayLike<number>): boolean {
  for (let i = 1; i < map.length; i++) if (map[i] !== map[0]) return false;
  return true;
}

/** A constant original map (a CAM whose ReLU left nothing) ranks no pixels: there is no change to measure. */
function constantVerdict(value: number): SanityVerdict {
  return {
    insensitive: false,
    level: 'not-judged',
    judged: false,
    reason: `Not judged: the trained model's map is the same value (${value}) everywhere, so there is no ranking whose change could be measured. Try another target or layer.`,
    upTo: 0,
    threshold: SANITY_INSENSITIVE_RHO,
  };
}

export async function runSanityCheck(request: SanityCheckRequest): Promise<SanityCheckResult> {
  const { open, modelBytes, image, preprocess, target, methods, seed, signal, onProgress } = request;
  if (!methods.length) throw new GlassboxError('PARAM_INVALID', 'Choose at least one method for the sanity check.');
  const started = now();
  const layers = parameterLayers(modelBytes);
  const upTos = cascadeSteps(layers.length, request.steps);
  const params = methods.map((m) => ({ ...(defaultsOf(descriptorOf(m.method)) as unknown as Record<string, unknown>), ...m.params }));
  const total = (upTos.length + 1) * methods.length;
  let done = 0;
  const maps: number[][][] = methods.map(() => []);

  const explainAll = async (bytes: Uint8Array, phase: string) => {
    const loaded = await open(bytes);
    try {
      for (let j = 0; j < methods.length; j++) {
        await yieldToEventLoop();
        if (signal?.aborted) throw new GlassboxError('CANCELLED', 'The sanity check was cancelled.', 'Run it again when ready.');
        const result = await runMethod(methods[j].method, {
          model: loaded.model,
          gradients: loaded.gradients,
          image,
          preprocess,
          targets: [target],
          params: params[j],
          seed,
          signal,
        });
        maps[j].push(result.map);
        onProgress?.({ phase: `${phase} · ${descriptorOf(methods[j].method).label}`, done: ++done, total, etaMs: done < total ? ((now() - started) / done) * (total - done) : 0 });
      }
    } finally {
      await loaded.dispose();
    }
  };

  await explainAll(modelBytes, 'original model');
  for (const upTo of upTos) await explainAll(randomiseCascade(modelBytes, upTo, seed), `top ${upTo} of ${layers.length} layers randomised`);

  const { width, height } = preprocess;
  const results = methods.map((m, j): SanityMethodResult => {
    const [original, ...randomised] = maps[j];
    const steps = randomised.map((map, s): SanityStep => ({ layer: layers[upTos[s] - 1].name, upTo: upTos[s], ...compareMaps(original, map, width, height), map }));
    const verdict = isConstant(original) ? constantVerdict(original[0] ?? 0) : sanityVerdict(steps, layers.length);
    return { method: m.method, params: params[j], original, steps, verdict };
  });
  return { layers: layers.map((l) => ({ name: l.name, opType: l.opType })), methods: results, seed, target, totalMs: now() - started };
}
