/**
 * Quality signals of a result, in plain words: what is wrong with the map and what to do about it. Every threshold
 * is one named constant here (README, "Quality signals", gives each with the measurements behind it). Pure: reads
 * only the result, so the worker, the CLI and tests get the same signals.
 *
 * - non-finite: the map holds NaN or ±Infinity (an fp16 overflow, a NaN score): unusable, nothing else is judged.
 * - constant-map: the map (a CAM's raw map at its layer) has one value everywhere (pytorch-grad-cam#214).
 * - saturated: in probability space, the image's probability of the class is above 0.99 or below 0.01.
 * - poor-fit: LIME's weighted R² is low, or its surrogate's prediction for the image misses the model's.
 * - unstable: the maps from the two halves of the samples (LIME, RISE) disagree (a warning), or differ (a note).
 * - undersampled: KernelSHAP estimated from too few coalitions per superpixel.
 * - incomplete: Integrated Gradients' attributions do not add up to f(x) − f(baseline).
 */
import { pearson } from '../math/correlation';
import { descriptorOf } from './registry';
import type { Explanation, QualitySignal } from './types';

/** LIME: a weighted R² of the surrogate on its samples below this is a poor fit. lime reports the score but sets no
 *  bar; on the demo images it is 0.73–0.99 at 200–3000 samples, on squeezenet1.1's cat photo at defaults 0.13. */
export const POOR_FIT_R2 = 0.5;

/**
 * LIME: the surrogate's miss at the image, |local − model|, as a share of the change it explains,
 * max(|model − intercept|, |Σ weights|) (the intercept is the surrogate with every superpixel hidden), above this
 * is a poor fit. The share lies in [0, 2]; on the demo (50–1000 samples, both score spaces) it stays below 0.25,
 * on the cat photo at defaults it is 0.81.
 */
export const POOR_FIT_LOCAL_MISS = 0.5;

/** Probability space: a class probability above 1 − this or below this is saturated. There the softmax's slope
 *  p(1 − p) is under 0.0099, 25× flatter than at p = ½: hiding evidence barely moves the probability (the demo's
 *  star-1 is at 0.9996: LIME's intercept 0.999, weights of the order of 1e-4). */
export const SATURATED_PROBABILITY = 0.01;

/**
 * LIME, RISE (and KernelSHAP when anytime): the Pearson correlation between the map from the even samples and the map
 * from the odd ones. Below UNSTABLE_SPLIT_HALF (a warning) the halves share under a quarter of their variation: the map is mostly
 * sampling noise. Below NOISY_SPLIT_HALF (a note) its details would change with another seed. (The full map is
 * steadier than either half: by Spearman–Brown its reliability is about 2r / (1 + r), 0.67 at r = 0.5, 0.89 at 0.8.)
 * Measured on the demo: LIME (43–47 superpixels) 0.05–0.54 at 20–50 samples, 0.63–0.91 at 100, ≥ 0.96 at the
 * default 1000; RISE (8×8 grid) −0.3–0.45 at ≤ 200 masks, 0.32–0.86 at the default 2000, 0.65–0.92 at 4000;
 * squeezenet1.1 on the cat photo, LIME at defaults: 0.02.
 */
export const UNSTABLE_SPLIT_HALF = 0.5;
export const NOISY_SPLIT_HALF = 0.8;

/**
 * KernelSHAP, sampled (more superpixels than exactUpTo): sampled coalitions per superpixel below which the estimate
 * is flagged. What matters is the budget per unknown, not its share of the 2^M coalitions (shap's default 2M + 2048
 * covers 2e-12 of 2^50 and is fine). Measured against exact values on the demo (16 grid cells, 3 seeds, probability
 * and raw): at 4 per superpixel correlation 0.80–0.99 and the largest error 8–83 % of the largest value; at 8,
 * 0.93–0.99 and 8–28 %; at 16, ≥ 0.98 and 4–14 %. (Taken to hold per unknown for larger M too, as the least
 * squares has M − 1 of them.)
 */
export const UNDERSAMPLED_PER_SUPERPIXEL = 8;

/** Integrated Gradients: |Σ attributions − (f(x) − f(baseline))| / |f(x) − f(baseline)| above this is incomplete.
 *  Sundararajan et al. (2017) take enough steps to be "within 5 %". On the demo: 2 steps 10–136 %, 8 steps 4–19 %,
 *  16 steps ≤ 4.2 %, 64 steps ≤ 1.7 % (Gauss–Legendre, black baseline). */
export const INCOMPLETE_RELATIVE_ERROR = 0.05;

/** A map whose range is at most this share of its largest magnitude (or all zero) is constant: float32 rounding
 *  is about 6e-8 of a value, so a range this small is no signal. */
export const CONSTANT_MAP_RELATIVE_RANGE = 1e-6;

/** How much a one-click fix multiplies a sample count (samples, masks, steps) by. */
export const MORE_SAMPLES_FACTOR = 4;

/**
 * Pearson correlation of two maps of the same samples' halves; undefined when a half has no variation (nothing to
 * correlate: the constant-map signal covers that). Used by LIME (per-superpixel weights) and RISE (per-pixel maps).
 */
export function splitHalfAgreement(first: ArrayLike<number>, second: ArrayLike<number>): number | undefined {
  return pearson(first, second);
}

const fixed = (v: number, digits = 2) => v.toFixed(digits);
/** A probability in percent with two decimals, never rounded to a certainty it is not ("more than 99.99 %"). */
const percent = (p: number) => (p > 0.9999 ? 'more than 99.99 %' : p < 0.0001 ? 'less than 0.01 %' : `${(100 * p).toFixed(2)} %`);
const score = (v: number) => (Math.abs(v) >= 100 || (Math.abs(v) < 0.01 && v !== 0) ? v.toPrecision(3) : v.toFixed(3));

/** The largest a method's integer parameter may be, from its descriptor (undefined when it has no such parameter). */
function paramMax(result: Explanation, name: string): number | undefined {
  const spec = descriptorOf(result.method).params.find((p) => p.name === name);
  return spec && (spec.kind === 'int' || spec.kind === 'int-or-auto') ? spec.max : undefined;
}

/** "Use 4× the samples": the count param multiplied, within its range; none when it is already at the top. */
function moreOf(result: Explanation, name: string, current: number, label: string): QualitySignal['action'] {
  const max = paramMax(result, name);
  if (max === undefined || !(current < max)) return undefined;
  return { kind: 'set-param', label, param: name, value: Math.min(max, Math.ceil(current * MORE_SAMPLES_FACTOR)) };
}

function nonFinite(result: Explanation): QualitySignal | undefined {
  let nan = 0, infinite = 0;
  const scan = (values: ArrayLike<number>) => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isNaN(v)) nan++;
      else if (!Number.isFinite(v)) infinite++;
    }
  };
  // the map, else what it was drawn from (a CAM at its layer, a surrogate's weights)
  scan(result.map);
  if (nan === 0 && infinite === 0 && result.kind === 'cam') scan(result.cam);
  if (nan === 0 && infinite === 0 && result.kind === 'superpixel-weights') scan(result.weights);
  if (nan === 0 && infinite === 0) return undefined;
  const what = [nan ? `${nan} NaN` : '', infinite ? `${infinite} infinite` : ''].filter(Boolean).join(' and ');
  return {
    id: 'non-finite',
    level: 'warning',
    message:
      `The map holds ${what} values, so it is unusable: colours and rankings drawn from it mean nothing. ` +
      'The model produced non-finite scores or gradients, usually a float16 model overflowing (its largest value is 65504) ' +
      'or a division by zero inside the graph. Try the model’s float32 version or another method.',
    value: nan + infinite,
    threshold: 0,
  };
}

function constantMap(result: Explanation): QualitySignal | undefined {
  const values = result.kind === 'cam' ? result.cam : result.map;
  if (values.length === 0) return undefined;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) (lo = Math.min(lo, values[i])), (hi = Math.max(hi, values[i]));
  const largest = Math.max(Math.abs(lo), Math.abs(hi));
  if (hi - lo > CONSTANT_MAP_RELATIVE_RANGE * largest) return undefined;
  const zero = largest === 0;
  const message =
    result.kind === 'cam'
      ? zero
        ? 'The CAM is zero everywhere: after the ReLU nothing is left (every location’s weighted activation was negative, or the layer does not respond to this class), so the map highlights nothing (pytorch-grad-cam#214). Try another layer, another CAM variant, or a gradient method.'
        : 'The CAM has the same value everywhere, so scaling it to [0, 1] shows nothing real (pytorch-grad-cam#214). Try another layer, another CAM variant, or a gradient method.'
      : `The map is ${zero ? 'zero' : 'the same value'} everywhere: no part of the image changed the explained score, so it highlights nothing. ` +
        'If the class probability is saturated, explain the logits; otherwise try another way of hiding pixels or another method.';
  return { id: 'constant-map', level: 'warning', message, value: hi - lo, threshold: CONSTANT_MAP_RELATIVE_RANGE * largest };
}

/** What the checks know about the model beyond the result. */
export interface QualityContext {
  /** The model ends in a Softmax: its raw outputs are probabilities too, so "explain logits" changes nothing. */
  outputsProbabilities?: boolean;
}

function saturated(result: Explanation, context: QualityContext): QualitySignal | undefined {
  const p = result.classes[0]?.modelPrediction;
  if (result.scoreSpace !== 'probability' || p === undefined || !(p > 1 - SATURATED_PROBABILITY || p < SATURATED_PROBABILITY)) return undefined;
  const high = p > 1 - SATURATED_PROBABILITY;
  const canSwitch = 'scoreSpace' in result.params && !context.outputsProbabilities;
  return {
    id: 'saturated',
    level: 'warning',
    message:
      `The model gives this class a probability of ${percent(p)}, so close to ${high ? '1' : '0'} that the softmax is flat there: ` +
      `hiding parts of the image barely moves the probability, so evidence the model has ${high ? 'to spare' : 'against the class'} does not show in the map. ` +
      'Explain the logits (raw outputs) instead. (A model that outputs probabilities itself has no logits to switch to: a gradient method or CAM explains its logits.)',
    value: p,
    threshold: high ? 1 - SATURATED_PROBABILITY : SATURATED_PROBABILITY,
    ...(canSwitch ? { action: { kind: 'set-param' as const, label: 'Explain logits instead', param: 'scoreSpace', value: 'raw' } } : {}),
  };
}

function poorFit(result: Explanation): QualitySignal | undefined {
  const c = result.classes[0];
  if (!c) return undefined;
  const lowR2 = c.score !== undefined && c.score < POOR_FIT_R2;
  let miss: number | undefined;
  if (c.localPrediction !== undefined && c.modelPrediction !== undefined && c.intercept !== undefined) {
    const scale = Math.max(Math.abs(c.modelPrediction - c.intercept), Math.abs(c.localPrediction - c.intercept));
    miss = scale > 0 ? Math.abs(c.localPrediction - c.modelPrediction) / scale : 0;
  }
  const farOff = miss !== undefined && miss > POOR_FIT_LOCAL_MISS;
  if (!lowR2 && !farOff) return undefined;
  const parts: string[] = [];
  if (lowR2) parts.push(`its weighted R² is ${fixed(c.score!)} (below ${POOR_FIT_R2})`);
  if (farOff) parts.push(`it predicts ${score(c.localPrediction!)} for the image where the model gives ${score(c.modelPrediction!)}`);
  const segmentation = result.params.segmentation as { method?: string; nSegments?: number } | undefined;
  const fewer =
    result.kind === 'superpixel-weights' && segmentation && typeof segmentation.nSegments === 'number' && segmentation.nSegments > 2
      ? { kind: 'set-param' as const, label: 'Use half the superpixels', param: 'segmentation', value: { ...segmentation, nSegments: Math.max(2, Math.round(segmentation.nSegments / 2)) } }
      : undefined;
  return {
    id: 'poor-fit',
    level: 'warning',
    message:
      `The linear surrogate fits poorly: ${parts.join(', and ')}, so its weights describe the model badly. ` +
      'Use fewer superpixels (coarser features a linear model can follow), or explain the logits if the scores are saturated probabilities; ' +
      'more samples steady the weights but do not make the model linear.',
    value: lowR2 ? c.score! : miss!,
    threshold: lowR2 ? POOR_FIT_R2 : POOR_FIT_LOCAL_MISS,
    ...(fewer ? { action: fewer } : {}),
  };
}

/** The parameter that counts a method's samples, for the unstable signal's fix (LIME: samples, RISE: masks). */
export const SAMPLE_COUNT_PARAMS = ['samples', 'masks'];

function unstable(result: Explanation): QualitySignal | undefined {
  const r = result.stability?.splitHalf;
  if (r === undefined || !(r < NOISY_SPLIT_HALF)) return undefined;
  const bad = r < UNSTABLE_SPLIT_HALF;
  const name = SAMPLE_COUNT_PARAMS.find((n) => typeof result.params[n] === 'number');
  const samples = name ?? 'samples';
  const action = name ? moreOf(result, name, result.params[name] as number, `Use ${MORE_SAMPLES_FACTOR}× the ${name}`) : undefined;
  return {
    id: 'unstable',
    level: bad ? 'warning' : 'info',
    message:
      `The map from half of the ${samples} and the map from the other half ${bad ? 'agree only weakly' : 'differ in their details'} ` +
      `(correlation ${fixed(r)}, below ${bad ? UNSTABLE_SPLIT_HALF : NOISY_SPLIT_HALF}): ` +
      (bad
        ? 'much of what it shows is sampling noise, and another seed would draw a different picture. Use more '
        : 'its broad pattern holds, but finer differences may change with another seed. For a steadier map use more ') +
      `${samples}.`,
    value: r,
    threshold: bad ? UNSTABLE_SPLIT_HALF : NOISY_SPLIT_HALF,
    ...(action ? { action } : {}),
  };
}

function undersampled(result: Explanation): QualitySignal | undefined {
  if (result.kind !== 'superpixel-weights' || result.params.exact !== false || typeof result.params.evaluations !== 'number') return undefined;
  const m = result.segmentCount;
  // the evaluations include the empty and the full coalition, which every run has
  const sampled = result.params.evaluations - 2;
  const perSuperpixel = sampled / m;
  if (!(perSuperpixel < UNDERSAMPLED_PER_SUPERPIXEL)) return undefined;
  const max = paramMax(result, 'samples');
  const shapDefault = 2 * m + 2048;
  const wanted = Math.max(shapDefault, Math.ceil(UNDERSAMPLED_PER_SUPERPIXEL * m * 2));
  const action =
    max !== undefined && sampled < max
      ? { kind: 'set-param' as const, label: `Use ${Math.min(max, wanted)} samples`, param: 'samples', value: Math.min(max, wanted) }
      : undefined;
  const exactUpTo = result.params.exactUpTo;
  return {
    id: 'undersampled',
    level: 'warning',
    message:
      `KernelSHAP estimated ${m} Shapley values from ${sampled} of the 2^${m} ≈ ${Math.pow(2, m).toPrecision(2)} coalitions, ${fixed(perSuperpixel, 1)} per superpixel ` +
      `(below ${UNDERSAMPLED_PER_SUPERPIXEL}): they still add up exactly, but each carries a large sampling error and their order can change with the seed. ` +
      `Use more samples (shap’s default is 2M + 2048 = ${shapDefault})${typeof exactUpTo === 'number' && exactUpTo > 0 ? `, or at most ${exactUpTo} superpixels for exact values` : ''}.`,
    value: perSuperpixel,
    threshold: UNDERSAMPLED_PER_SUPERPIXEL,
    ...(action ? { action } : {}),
  };
}

function incomplete(result: Explanation): QualitySignal | undefined {
  if (result.kind !== 'pixel-map' || !result.completeness) return undefined;
  const { sum, delta, relativeError } = result.completeness;
  if (!(relativeError > INCOMPLETE_RELATIVE_ERROR)) return undefined;
  const steps = result.params.steps;
  const action = typeof steps === 'number' ? moreOf(result, 'steps', steps, `Use ${MORE_SAMPLES_FACTOR}× the steps`) : undefined;
  return {
    id: 'incomplete',
    level: 'warning',
    message:
      `The attributions add up to ${score(sum)} but f(image) − f(baseline) is ${score(delta)}: off by ${(100 * relativeError).toFixed(1)} % (above ${100 * INCOMPLETE_RELATIVE_ERROR} %). ` +
      'The path integral has not converged, so the map is not yet the Integrated Gradients answer. Use more steps.',
    value: relativeError,
    threshold: INCOMPLETE_RELATIVE_ERROR,
    ...(action ? { action } : {}),
  };
}

/** Every signal that fires for this result (empty when nothing is wrong); a map with NaN/Infinity gets only that one. */
export function assessQuality(result: Explanation, context: QualityContext = {}): QualitySignal[] {
  const broken = nonFinite(result);
  if (broken) return [broken];
  return [constantMap, saturated, poorFit, unstable, undersampled, incomplete]
    .map((check) => check(result, context))
    .filter((s): s is QualitySignal => s !== undefined);
}
