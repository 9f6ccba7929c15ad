import { useEffect } from 'react';
import { WORKER_RESTARTED_EVENT, workerCrashedError } from '../../worker-client';
import { useApp } from '../store-context';
import './messages.css';

/** A compute worker that died while idle was replaced: no run failed, so say it here (a failed run says it itself). */
function useWorkerRestartNotice(report: (e: unknown, context: string) => void): void {
  useEffect(() => {
    const onRestart = (e: Event) => {
      const reloadError = (e as CustomEvent).detail;
      report(reloadError ?? workerCrashedError(), reloadError ? 'Reloading the model after a restart' : 'Computing');
    };
    addEventListener(WORKER_RESTARTED_EVENT, onRestart);
    return () => removeEventListener(WORKER_RESTARTED_EVENT, onRestart);
  }, [report]);
}

/**
 * Errors as the user can act on them: what failed and why in plain words first, then what to do (a hint; lines
 * after its first are code, such as an export recipe), and the parser or runtime text folded away under
 * "details". Earlier results stay on screen.
 */
export function Messages() {
  const messages = useApp((s) => s.messages);
  const dismiss = useApp((s) => s.dismiss);
  useWorkerRestartNotice(useApp((s) => s.report));
  if (!messages.length) return null;
  return (
    <div className="messages" role="alert" data-testid="messages">
      {messages.map((m) => (
        <div key={m.id} className="message error" data-code={m.code}>
          <div className="message-body">
            <p className="message-text" data-testid="message-text">
              <strong>{m.context} failed.</strong> {m.message}
            </p>
            {m.hint && <Hint text={m.hint} />}
            {m.detail && (
              <details className="message-detail" data-testid="message-detail">
                <summary>details</summary>
                <pre>{m.detail}</pre>
              </details>
            )}
          </div>
          <button type="button" aria-label="Dismiss" onClick={() => dismiss(m.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

function Hint({ text }: { text: string }) {
  const [first, ...code] = text.split('\n');
  return (
    <div className="hint" data-testid="message-hint">
      {first}
      {code.length > 0 && (
        <pre className="recipe">
          <code>{code.join('\n')}</code>
        </pre>
      )}
    </div>
  );
}
