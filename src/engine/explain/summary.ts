/** A plain-text summary of any result, by its kind — the CLI's table output (and any text export). */
import { descriptorOf } from './registry';
import { anytimeCount } from './anytime';
import { scoreSpaceLabel } from './units';
import type { Explanation } from './types';

const fmt = (v: number | undefined, digits = 4) => (v === undefined || !Number.isFinite(v) ? '—' : v.toPrecision(digits));

/** The strongest entries of a list of values, by absolute size: "#index value". */
function strongest(values: ArrayLike<number>, count: number): string {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]) || a - b);
  return order.slice(0, count).map((i) => `#${i} ${fmt(values[i])}`).join(', ');
}

export function explanationSummary(e: Explanation): string[] {
  const meta = descriptorOf(e.method);
  const c = e.classes[0];
  const target = `class ${e.target}${e.targetLabel ? ` (${e.targetLabel})` : ''}`;
  const lines = [`${meta.label} for ${target} · scores: ${scoreSpaceLabel(e.scoreSpace)}${meta.seeded ? ` · seed ${e.seed}` : ''}`];
  if (e.units) lines.push(`  values: ${e.units}`);
  switch (e.kind) {
    case 'superpixel-weights':
      if (e.additivity) {
        lines.push(`  ${e.segmentCount} superpixels · base value ${fmt(e.additivity.baseValue)} + Σφ ${fmt(e.additivity.sum)} = model output ${fmt(e.additivity.output)}`);
      } else {
        lines.push(`  ${e.segmentCount} superpixels · R² ${fmt(c.score, 3)} · intercept ${fmt(c.intercept)} · surrogate at the image ${fmt(c.localPrediction)} (model ${fmt(c.modelPrediction)})`);
      }
      lines.push(`  strongest superpixels: ${strongest(e.weights, 5)}`);
      break;
    case 'cam':
      lines.push(`  layer ${e.layer} (${e.camWidth}×${e.camHeight}) · CAM range ${fmt(Math.min(...e.cam))} … ${fmt(Math.max(...e.cam))}`);
      break;
    case 'pixel-map': {
      let lo = Infinity, hi = -Infinity, sum = 0;
      for (const v of e.map) (lo = Math.min(lo, v)), (hi = Math.max(hi, v)), (sum += v);
      lines.push(`  ${e.width}×${e.height} map · range ${fmt(lo)} … ${fmt(hi)} · sum ${fmt(sum)}`);
      if (e.additivity) lines.push(`  base value ${fmt(e.additivity.baseValue)} + Σ ${fmt(e.additivity.sum)} = model output ${fmt(e.additivity.output)}`);
      if (e.completeness) lines.push(`  completeness: Σ attributions ${fmt(e.completeness.sum)} vs f(x) − f(baseline) ${fmt(e.completeness.delta)} (error ${(100 * e.completeness.relativeError).toFixed(2)} %)`);
      break;
    }
  }
  const anytime = e.stability?.anytime;
  if (anytime) lines.push(`  ${anytimeSummary(anytime, e.timings.samples)}`);
  for (const q of e.quality ?? []) lines.push(`  ${q.level === 'warning' ? 'warning' : 'note'}: ${q.message}`);
  if (e.metrics) lines.push(`  deletion AUC ${e.metrics.deletion.auc.toFixed(3)} (lower is better) · insertion AUC ${e.metrics.insertion.auc.toFixed(3)} (higher is better)`);
  lines.push(`  ${e.timings.samples} inputs in ${e.timings.modelCalls} model calls of up to ${e.timings.batchSize} · ${e.timings.totalMs.toFixed(0)} ms (inference ${e.timings.inferenceMs.toFixed(0)} ms)`);
  return lines;
}

/** An anytime run in words: where it stopped and why, or that the budget ran out first. */
export function anytimeSummary(anytime: NonNullable<NonNullable<Explanation['stability']>['anytime']>, samples: number): string {
  const last = anytime.curve[anytime.curve.length - 1];
  const { unit, budget } = anytimeCount(anytime, samples);
  if (anytime.note) return `stop when stable at ${anytime.target}: nothing to wait for (${anytime.note})`;
  if (anytime.continuedFrom !== undefined) {
    return `stable after ${anytime.continuedFrom} ${unit}, continued to ${budget}: predicted agreement with any larger budget ρ ${last ? last.agreement.toFixed(3) : '—'}`;
  }
  return anytime.stoppedAt !== undefined
    ? `stable after ${anytime.stoppedAt} ${unit}: predicted agreement with any larger budget ρ ${last.agreement.toFixed(3)} ≥ ${anytime.target}`
    : `not stable within the budget of ${budget} ${unit}: predicted agreement ρ ${last ? last.agreement.toFixed(3) : '—'} < ${anytime.target}`;
}
