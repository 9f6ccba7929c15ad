import type { QualitySignal } from '../../engine/explain/types';

export type QualityAction = NonNullable<QualitySignal['action']>;

/**
 * A result's quality signals (engine/explain/quality.ts) in words next to its map: warnings in the warning style and
 * named as such in the text (not by colour alone), notes muted; a signal's one-click fix is a button when the caller
 * can apply it. Nothing is drawn when nothing is wrong.
 */
export function QualityNotes(props: { signals: QualitySignal[]; onAction?: (action: QualityAction) => void }) {
  const { signals, onAction } = props;
  if (signals.length === 0) return null;
  const warnings = signals.filter((s) => s.level === 'warning').length;
  return (
    <ul
      data-testid="quality-notes"
      aria-label={warnings ? `Quality of this explanation: ${warnings} warning${warnings > 1 ? 's' : ''}` : 'Quality of this explanation'}
      style={{ listStyle: 'none', margin: '6px 0 0', padding: 0 }}
    >
      {signals.map((signal) => (
        <li key={signal.id} data-testid={`quality-${signal.id}`} data-level={signal.level} className={signal.level === 'warning' ? 'warning' : 'muted small'} style={{ marginTop: 4 }}>
          <strong>
            {signal.level === 'warning' && <span aria-hidden="true">⚠ </span>}
            {signal.level === 'warning' ? 'Warning: ' : 'Note: '}
          </strong>
          {signal.message}
          {signal.action && onAction && (
            <>
              {' '}
              <button type="button" data-testid={`quality-action-${signal.id}`} onClick={() => onAction(signal.action!)}>
                {signal.action.label}
              </button>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
