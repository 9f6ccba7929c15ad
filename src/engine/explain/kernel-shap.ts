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
import { anytimeMonitor } from './anytime';
import { KERNEL_SHAP_META, type KernelShapParams } from './meta/kernel-shap';
import { splitHalfAgreement, UNDERSAMPLED_PER_SUPERPIXEL } from './quality';
import { spearman } from './stability';
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
  /** The first `enumerated` masks are whole subset sizes (no sampling noise); the rest were sampled. */
  enumerated: number;
  /** The kernel weight the sampled masks share (they sum to it). */
  sampledWeight: number;
  /** For each sampled mask (index − enumerated), the draw that added it: a mask and its complement share one. */
  draw: Int32Array;
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
  const draw: number[] = [];
  let weightLeft = 0;
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
        draw.push(draws);
        left--;
        if (left > 0 && paired) {
          masks.push(mask.map((v) => 1 - v));
          weights.push(1);
          draw.push(draws);
          left--;
        }
      } else {
        weights[seen] += 1;
        if (paired && seen + 1 < masks.length) weights[seen + 1] += 1;
      }
    }
    // the sampled coalitions share the kernel weight the enumerated sizes left over
    weightLeft = weightVector.slice(fullSizes).reduce((a, b) => a + b, 0);
    let sampled = 0;
    for (let i = fixed; i < weights.length; i++) sampled += weights[i];
    for (let i = fixed; i < weights.length; i++) weights[i] *= weightLeft / sampled;
  }
  return { masks, weights, enumerated: fixed, sampledWeight: weightLeft, draw: Int32Array.from(draw) };
}

/**
 * The plan as far as it was evaluated (its first `upto` masks) and, with `half`, only the sampled masks of even
 * (0) or odd (1) draws: the sampled masks kept share the sampled kernel weight again, as a smaller budget's draws
 * would. `values` follow the plan's masks; returns the sub-plan and its values.
 */
export function subPlan(plan: CoalitionPlan, values: Float64Array, upto: number, half?: 0 | 1): { plan: CoalitionPlan; values: Float64Array } {
  const keep: number[] = [];
  let sampled = 0;
  for (let i = 0; i < Math.min(upto, plan.masks.length); i++) {
    if (i >= plan.enumerated) {
      if (half !== undefined && plan.draw[i - plan.enumerated] % 2 !== half) continue;
      sampled += plan.weights[i];
    }
    keep.push(i);
  }
  const scale = sampled > 0 ? plan.sampledWeight / sampled : 1;
  return {
    plan: {
      masks: keep.map((i) => plan.masks[i]),
      weights: keep.map((i) => (i >= plan.enumerated ? plan.weights[i] * scale : plan.weights[i])),
      enumerated: plan.enumerated,
      sampledWeight: plan.sampledWeight,
      draw: Int32Array.from(keep.filter((i) => i >= plan.enumerated).map((i) => plan.draw[i - plan.enumerated])),
    },
    values: Float64Array.from(keep, (i) => values[i]),
  };
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
  // Anytime (sampled coalitions only: enumerated sizes carry no sampling noise): the first class's values from
  // the even and from the odd draws, each with the enumerated sizes, after each batch.
  const sampledPlan = !exact && plan!.masks.length > plan!.enumerated ? plan : undefined;
  const halfValues = (done: number, half: 0 | 1) => {
    const part = subPlan(sampledPlan!, values[0].subarray(2), done - 2, half);
    return solveConstrained(part.plan, part.values, values[0][0], values[0][1]);
  };
  let rows = 0;
  const anytime = sampledPlan ? anytimeMonitor(params.stableAt, m, () => spearman(halfValues(rows, 0), halfValues(rows, 1)), { budget: coalitions.length, continues: request.continuesAnytime }) : undefined;
  await surrogate.evaluate({
    phase: exact ? 'all coalitions' : 'coalitions',
    count: coalitions.length,
    coalition: (row, z) => z.set(coalitions[row]),
    observe(row, _z, scores) {
      for (let j = 0; j < targets.length; j++) values[j][row] = scores[j];
      rows = row + 1;
    },
    // judged only once the enumerated sizes are in (before that a half holds no sampled coalition) and the samples
    // are past the undersampled bar (quality.ts): a stop never leaves a result that signal would flag
    stop: anytime ? (done) => done > 2 + plan!.enumerated && done - 2 >= UNDERSAMPLED_PER_SUPERPIXEL * m && anytime.stop(done) : undefined,
    // the coalitions are the plan's (seed and budget) or all 2^M, on this segmentation
    stream: { method: 'kernelshap', seed, exact, evaluations: coalitions.length },
  });
  const stopped = anytime?.record.stoppedAt !== undefined;

  const fits: SurrogateFit[] = targets.map((_, j) => {
    let phi: Float64Array, fNull: number, fX: number;
    if (exact) {
      phi = exactShapley(values[j], m);
      fNull = values[j][0];
      fX = values[j][(1 << m) - 1];
    } else {
      fNull = values[j][0];
      fX = values[j][1];
      // a run stopped early fits the coalitions it evaluated, the sampled ones sharing the sampled weight
      const part = stopped ? subPlan(plan!, values[j].subarray(2), rows - 2) : { plan: plan!, values: values[j].subarray(2) };
      phi = solveConstrained(part.plan, part.values, fNull, fX);
    }
    return { weights: phi, intercept: fNull, modelPrediction: fX, localPrediction: fNull + phi.reduce((a, b) => a + b, 0) };
  });
  const first = fits[0];
  const result = surrogate.explanation('kernelshap', fits, {
    params: { ...params, exact, evaluations: rows } as unknown as Record<string, unknown>,
    additivity: { baseValue: first.intercept, output: first.modelPrediction, sum: Array.from(first.weights).reduce((a, b) => a + b, 0) },
  });
  if (anytime) {
    const splitHalf = splitHalfAgreement(halfValues(rows, 0), halfValues(rows, 1));
    result.stability = { ...(splitHalf !== undefined ? { splitHalf } : {}), anytime: anytime.record };
  } else if (params.stableAt > 0) {
    // nothing sampled: every value is exact for this budget, there is no sampling noise to wait out
    result.stability = { anytime: { target: params.stableAt, curve: [], note: exact ? `all 2^${m} coalitions evaluated: exact Shapley values` : 'every coalition size enumerated: nothing was sampled' } };
  }
  return result;
}

export const kernelShapExplainer: Explainer<KernelShapParams> = { explain: explainKernelShap };
