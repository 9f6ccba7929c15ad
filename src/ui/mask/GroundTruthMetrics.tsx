/**
 * The shown map scored against the ground-truth mask: pointing game, relevance mass, rank accuracy, top-k IoU and
 * Dice, and the map's AUC as a detector of object pixels, each with its reference and the chance level a uniform
 * map would reach. Shown beside the deletion/insertion curves when the image has a mask.
 */
import { useMemo } from 'react';
import { LOCALISATION_METRICS, localisationMetrics } from '../../engine/metrics/localisation';
import type { Mask } from '../../engine/metrics/mask';
import { useApp } from '../store-context';
import { chanceLevel, formatLocalisation } from './format-metrics';
import './mask.css';

export function GroundTruthMetrics(props: { map: ArrayLike<number>; mask: Mask }) {
  const name = useApp((s) => s.groundTruth?.name ?? 'mask');
  const topKPercent = useApp((s) => s.topKPercent);
  const metrics = useMemo(() => {
    try {
      return localisationMetrics(props.map, props.mask, { topKFraction: topKPercent === undefined ? undefined : topKPercent / 100 });
    } catch {
      return undefined; // a broken map (NaN) has its own quality signal
    }
  }, [props.map, props.mask, topKPercent]);
  if (!metrics) return null;
  return (
    <div className="ground-truth-metrics" data-testid="ground-truth-metrics">
      <p className="muted small">
        Against the ground truth ({name}; object = {(100 * metrics.maskFraction).toFixed(1)} % of the model input; top-k for IoU/Dice ={' '}
        {(100 * metrics.topKFraction).toFixed(1)} %{topKPercent === undefined ? ', the object’s own area' : ''}):
      </p>
      <table className="metrics-table">
        <tbody>
          {LOCALISATION_METRICS.map((info) => {
            const chance = chanceLevel(metrics, info.id);
            return (
              <tr key={info.id} data-metric={info.id} title={`${info.help} ${info.reference}`}>
                <th scope="row">{info.label}</th>
                <td className={info.id === 'pointing' ? (metrics.pointing.hit ? 'ok' : 'warn') : undefined}>{formatLocalisation(metrics, info.id)}</td>
                <td className="muted small">{chance ? `uniform map: ${chance}` : info.id === 'pointing' ? `peak at (${metrics.pointing.point.join(', ')}), tolerance ${metrics.pointing.tolerancePx.toFixed(1)} px` : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
