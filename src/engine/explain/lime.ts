/**
 * LIME — Ribeiro, Singh & Guestrin, "Why Should I Trust You?" (KDD 2016).
 * Follows marcotcr/lime's LimeImageExplainer (lime_image.py, lime_base.py), except that one seed drives everything.
 *
 * Coalitions of superpixels (row 0 all present, then Bernoulli(½) per superpixel) are evaluated in batches; each is
 * weighted by the kernel sqrt(exp(−d²/width²)) of its cosine distance to the all-present coalition; a weighted
 * ridge regression (α = 1, with intercept) is fitted exactly from streamed sums, so memory does not grow with the
 * number of samples. Segmentation, hiding and the batched evaluation are the surrogate core's (surrogate.ts), shared
 * with KernelSHAP; this file is LIME's sampler, kernel and fit. The first class is also fitted on each half of the
 * samples (two more streamed ridges, no extra model calls): how well those two weight vectors agree is the result's
 * split-half stability (quality.ts). With `stableAt`, that agreement is checked after each batch and sampling stops
 * once the map is predicted to agree with any larger budget at that ρ (anytime.ts).
 */
import { createRng } from '../math/rng';
import { WeightedRidgeAccumulator } from '../math/weighted-ridge';
import { LIME_META, type LimeParams } from './meta/lime';
import { anytimeMonitor } from './anytime';
import { splitHalfAgreement } from './quality';
import { spearman } from './stability';
import { defaultsOf, validateParams } from './schema';
import { createSurrogate, type SurrogateFit } from './surrogate';
import { checkTargets } from './targets';
import type { Explainer, ExplainRequest, SuperpixelExplanation } from './types';

export type { LimeParams } from './meta/lime';

export const LIME_DEFAULTS: LimeParams = defaultsOf(LIME_META);

/** lime's kernel on the cosine distance between a coalition with `present` of `m` features and the all-ones vector. */
export function limeKernel(present: number, m: number, width: number): number {
  // cosine similarity of z (0/1) with 1 is |z| / (sqrt(|z|)·sqrt(m)) = sqrt(|z|/m); an empty coalition is at distance 1.
  const d = present === 0 ? 1 : 1 - Math.sqrt(present / m);
  return Math.sqrt(Math.exp(-(d * d) / (width * width)));
}

export async function explainLime(request: ExplainRequest<LimeParams>): Promise<SuperpixelExplanation> {
  const { model, image, targets, params, seed } = request;
  validateParams(LIME_META, params, { width: image.width, height: image.height });
  checkTargets('LIME', targets, model.spec.numClasses);
  const surrogate = createSurrogate(request, params.hide);
  const m = surrogate.features;

  // lime's sampler: row 0 all present, then Bernoulli(½) per superpixel; each sample weighted by the kernel.
  const rng = createRng(seed);
  const ridge = new WeightedRidgeAccumulator(m, targets.length);
  // Split-half stability: the first class refitted on the even and on the odd samples (halves at every moment,
  // so an anytime run can judge itself after any batch).
  const halves = [new WeightedRidgeAccumulator(m, 1), new WeightedRidgeAccumulator(m, 1)] as const;
  const halfWeights = () => [halves[0].solve(params.alpha)[0].coef, halves[1].solve(params.alpha)[0].coef] as const;
  // Spearman of the halves' weights: the ranking of every superpixel, as the target promises
  const anytime = anytimeMonitor(params.stableAt, m, () => spearman(...halfWeights()), { budget: params.samples, continues: request.continuesAnytime });
  const modelPrediction = new Float64Array(targets.length);
  await surrogate.evaluate({
    phase: 'sampling',
    count: params.samples,
    coalition(row, z) {
      if (row === 0) z.fill(1);
      else for (let s = 0; s < m; s++) z[s] = rng.uint32() >>> 31;
    },
    observe(row, z, scores) {
      if (row === 0) modelPrediction.set(scores);
      let present = 0;
      for (let s = 0; s < m; s++) present += z[s];
      const weight = limeKernel(present, m, params.kernelWidth);
      ridge.addBinary(z, weight, scores);
      halves[row % 2].addBinary(z, weight, scores);
    },
    stop: anytime?.stop,
    // the coalitions are the seed's Bernoulli draws on this segmentation: a rerun (more samples, a continued
    // anytime run) reuses the rows evaluated before
    stream: { method: 'lime', seed },
  });

  const fits: SurrogateFit[] = ridge.solve(params.alpha).map((fit, j) => {
    let local = fit.intercept;
    for (let s = 0; s < m; s++) local += fit.coef[s];
    return { weights: fit.coef, intercept: fit.intercept, score: fit.score, localPrediction: local, modelPrediction: modelPrediction[j] };
  });
  const result = surrogate.explanation('lime', fits, { params: params as unknown as Record<string, unknown> });
  const splitHalf = splitHalfAgreement(...halfWeights());
  if (splitHalf !== undefined) result.stability = { splitHalf, ...(anytime ? { anytime: anytime.record } : {}) };
  return result;
}

export const limeExplainer: Explainer<LimeParams> = { explain: explainLime };
