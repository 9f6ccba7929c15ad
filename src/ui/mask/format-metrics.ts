/** Localisation metrics in words and numbers, shared by the result view, the comparison table and the shelf. */
import type { LocalisationMetricId, LocalisationMetrics } from '../../engine/metrics/localisation';

const pct = (v: number | undefined) => (v === undefined ? '—' : `${(100 * v).toFixed(1)} %`);
const num = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(3));

/** One metric's value as shown: the pointing game as hit/miss, shares as percentages, AUC as a number. */
export function formatLocalisation(m: LocalisationMetrics, id: LocalisationMetricId): string {
  switch (id) {
    case 'pointing':
      return m.pointing.hit ? 'hit' : 'miss';
    case 'auc':
      return num(m.auc);
    default:
      return pct(m[id]);
  }
}

/** The value a uniform (uninformative) map would get, when there is one. */
export function chanceLevel(m: LocalisationMetrics, id: LocalisationMetricId): string | undefined {
  if (id === 'relevanceMass' || id === 'rankAccuracy') return pct(m.maskFraction);
  if (id === 'auc') return '0.500';
  return undefined;
}
