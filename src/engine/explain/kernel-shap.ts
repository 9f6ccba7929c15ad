/**
 * KernelSHAP over superpixels — Lundberg & Lee, NeurIPS 2017; follows shap's KernelExplainer (explain() and
 * solve()): players are the superpixels of the same segmentations as LIME, a hidden superpixel shows the
 * background (hide.ts: its mean colour, black, grey, a blur or a colour).
 *
 * - Few players (M ≤ exactUpTo, 14 by default): every one of the 2^M coalitions is evaluated and the Shapley
 *   values are computed exactly from their definition.
 * - Otherwise coalitions are drawn as shap does: subset sizes from the outside in (1 and M−1, 2 and M−2, …)
 *   are enumerated completely while the budget covers them with the Shapley kernel's weight, the rest are
 *   sampled by size with the complement of each sample added too (paired/antithetic), repeated draws adding to
 *   the weight of the first; then the kernel-weighted least squares is solved with the efficiency constraint
 *   enforced exactly by eliminating the last player, so Σφ = f(x) − f(background) to float precision.
 *   (shap's default l1_reg='auto' feature selection is not applied: every superpixel gets its value.)
 *
 * Segmentation, hiding and the batched evaluation are the surrogate core's (surrogate.ts), shared with LIME; this
 * file is KernelSHAP's coalition plan, exact enumeration and constrained weighted least squares.
 */
import { solveSpd } from '../math/linalg';
import { createRng, type Rng } from '../math/rng';
import { KERNEL_SHAP_META, type KernelShapParams } from './meta/kernel-shap';
import { defaultsOf, validateParams } from './schema';
import { createSurrogate, type SurrogateFit } from './surrogate';
import { checkTargets } from './targets';
import type { Explainer, ExplainRequest, SuperpixelExplanation } from './types';

export type { KernelShapParams } from './meta/kernel-shap';

export const KERNEL_SHAP_DEFAULTS: KernelShapParams = defaultsOf(KERNEL_SHAP_META);

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Coalitions and their kernel weights, as shap's KernelExplainer draws them. */
export interface CoalitionPlan {
  masks: Uint8Array[];
  weights: number[];
}

/** shap's sampling of coalitions for M players and a budget of `budget` evaluations (excluding ∅ and all). */
export function planCoalitions(m: number, budget: number, rng: Rng): CoalitionPlan {
  const masks: Uint8Array[] = [];
  const weights: number[] = [];
  const numSubsetSizes = Math.ceil((m - 1) / 2);
  const numPaired = Math.floor((m - 1) / 2);
  const weightVector = Array.from({ length: numSubsetSizes }, (_, i) => (m - 1) / ((i + 1) * (m - i - 1)));
  for (let i = 0; i < numPaired; i++) weightVector[i] *= 2;
  const total = weightVector.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weightVector.length; i++) weightVector[i] /= total;

  let fullSizes = 0;
  let left = budget;
  const remaining = weightVector.slice();
  for (let size = 1; size <= numSubsetSizes; size++) {
    let count = binomial(m, size);
    const paired = size <= numPaired;
    if (paired) count *= 2;
    if ((left * remaining[size - 1]) / count < 1 - 1e-8) break;
    fullSizes++;
    left -= count;
    if (remaining[size - 1] < 1) {
      const r = remaining[size - 1];
      for (let i = 0; i < remaining.length; i++) remaining[i] /= 1 - r;
    }
    let w = weightVector[size - 1] / binomial(m, size);
    if (paired) w /= 2;
    // every subset of this size, and its complement
    const idx = Array.from({ length: size }, (_, i) => i);
    for (;;) {
      const mask = new Uint8Array(m);
      for (const i of idx) mask[i] = 1;
      masks.push(mask);
      weights.push(w);
      if (paired) {
        masks.push(mask.map((v) => 1 - v));
        weights.push(w);
      }
      let k = size - 1;
      while (k >= 0 && idx[k] === m - size + k) k--;
      if (k < 0) break;
      idx[k]++;
      for (let j = k + 1; j < size; j++) idx[j] = idx[j - 1] + 1;
    }
  }
  const fixed = masks.length;
  if (fullSizes !== numSubsetSizes && left > 0) {
    const rest = weightVector.map((w, i) => (i < numPaired ? w / 2 : w)).slice(fullSizes);
    const restTotal = rest.reduce((a, b) => a + b, 0);
    const cumulative: number[] = [];
    rest.reduce((acc, w) => (cumulative.push(acc + w / restTotal), acc + w / restTotal), 0);
    const used = new Map<string, number>();
    const perm = Array.from({ length: m }, (_, i) => i);
    for (let draws = 0; left > 0 && draws < 4 * budget; draws++) {
      const u = rng.float();
      let k = cumulative.findIndex((c) => u < c);
      if (k < 0) k = cumulative.length - 1;
      const size = k + fullSizes + 1;
      // a uniformly random subset of that size (partial Fisher–Yates)
      for (let i = 0; i < size; i++) {
        const j = i + rng.int(m - i);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      const mask = new Uint8Array(m);
      for (let i = 0; i < size; i++) mask[perm[i]] = 1;
      const key = mask.join('');
      const seen = used.get(key);
      const paired = size <= numPaired;
      if (seen === undefined) {
        used.set(key, masks.length);
        masks.push(mask);
        weights.push(1);
        left--;
        if (left > 0 && paired) {
          masks.push(mask.map((v) => 1 - v));
          weights.push(1);
          left--;
        }
      } else {
        weights[seen] += 1;
        if (paired && seen + 1 < masks.length) weights[seen + 1] += 1;
      }
    }
    // the sampled coalitions share the kernel weight the enumerated sizes left over
    const weightLeft = weightVector.slice(fullSizes).reduce((a, b) => a + b, 0);
    let sampled = 0;
    for (let i = fixed; i < weights.length; i++) sampled += weights[i];
    for (let i = fixed; i < weights.length; i++) weights[i] *= weightLeft / sampled;
  }
  return { masks, weights };
}

/**
 * shap's solve(): kernel-weighted least squares of f(z) − f(∅) on z with Σφ = f(x) − f(∅) enforced by
 * eliminating the last player. Returns φ (M values) for one output.
 */
export function solveConstrained(plan: CoalitionPlan, y: Float64Array, fNull: number, fX: number): Float64Array {
  const m = plan.masks[0]?.length ?? 0;
  const phi = new Float64Array(m);
  if (m === 0) return phi;
  if (m === 1) {
    phi[0] = fX - fNull;
    return phi;
  }
  const k = m - 1;
  const a = new Float64Array(k * k), b = new Float64Array(k);
  const row = new Float64Array(k);
  for (let s = 0; s < plan.masks.length; s++) {
    const z = plan.masks[s], w = plan.weights[s];
    const last = z[m - 1];
    for (let i = 0; i < k; i++) row[i] = z[i] - last;
    const target = y[s] - fNull - last * (fX - fNull);
    for (let i = 0; i < k; i++) {
      if (!row[i]) continue;
      const wi = w * row[i];
      b[i] += wi * target;
      for (let j = 0; j < k; j++) a[i * k + j] += wi * row[j];
    }
  }
  // a tiny ridge keeps the solve defined when few coalitions were drawn (it does not touch the constraint)
  for (let i = 0; i < k; i++) a[i * k + i] += 1e-10;
  const x = solveSpd(a, b, k, 1);
  let sum = 0;
  for (let i = 0; i < k; i++) (phi[i] = x[i]), (sum += x[i]);
  phi[m - 1] = fX - fNull - sum;
  return phi;
}

/** Exact Shapley values from all 2^M coalition values v[mask] (bit i = player i present). */
export function exactShapley(values: Float64Array, m: number): Float64Array {
  const factorial = [1];
  for (let i = 1; i <= m; i++) factorial.push(factorial[i - 1] * i);
  const weight = Array.from({ length: m }, (_, s) => (factorial[s] * factorial[m - s - 1]) / factorial[m]);
  const size = new Uint8Array(1 << m);
  for (let s = 1; s < 1 << m; s++) size[s] = size[s >> 1] + (s & 1);
  const phi = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const bit = 1 << i;
    let acc = 0;
    for (let s = 0; s < 1 << m; s++) if (!(s & bit)) acc += weight[size[s]] * (values[s | bit] - values[s]);
    phi[i] = acc;
  }
  return phi;
}

export async function explainKernelShap(request: ExplainRequest<KernelShapParams>): Promise<SuperpixelExplanation> {
  const { model, image, targets, params, seed } = request;
  validateParams(KERNEL_SHAP_META, params, { width: image.width, height: image.height });
  checkTargets('KernelSHAP', targets, model.spec.numClasses);
  const surrogate = createSurrogate(request, params.background);
  const m = surrogate.features;
  const rng = createRng(seed);
  const exact = m <= params.exactUpTo;
  // coalitions to evaluate: all 2^M, or ∅ and all players followed by shap's plan
  let plan: CoalitionPlan | undefined;
  let coalitions: Uint8Array[];
  if (exact) {
    coalitions = Array.from({ length: 1 << m }, (_, s) => Uint8Array.from({ length: m }, (_, i) => (s >> i) & 1));
  } else {
    const budget = params.samples === 'auto' ? 2 * m + 2048 : params.samples;
    plan = planCoalitions(m, budget, rng);
    coalitions = [new Uint8Array(m), new Uint8Array(m).fill(1), ...plan.masks];
  }
  const values = targets.map(() => new Float64Array(coalitions.length));
  await surrogate.evaluate({
    phase: exact ? 'all coalitions' : 'coalitions',
    count: coalitions.length,
    coalition: (row, z) => z.set(coalitions[row]),
    observe(row, _z, scores) {
      for (let j = 0; j < targets.length; j++) values[j][row] = scores[j];
    },
  });

  const fits: SurrogateFit[] = targets.map((_, j) => {
    let phi: Float64Array, fNull: number, fX: number;
    if (exact) {
      phi = exactShapley(values[j], m);
      fNull = values[j][0];
      fX = values[j][(1 << m) - 1];
    } else {
      fNull = values[j][0];
      fX = values[j][1];
      phi = solveConstrained(plan!, values[j].subarray(2), fNull, fX);
    }
    return { weights: phi, intercept: fNull, modelPrediction: fX, localPrediction: fNull + phi.reduce((a, b) => a + b, 0) };
  });
  const first = fits[0];
  return surrogate.explanation('kernelshap', fits, {
    params: { ...params, exact, evaluations: coalitions.length } as unknown as Record<string, unknown>,
    additivity: { baseValue: first.intercept, output: first.modelPrediction, sum: Array.from(first.weights).reduce((a, b) => a + b, 0) },
  });
}

export const kernelShapExplainer: Explainer<KernelShapParams> = { explain: explainKernelShap };
