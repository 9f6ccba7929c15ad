import { useApp } from '../store-context';
import './messages.css';

/**
 * Errors as the user can act on them: what failed and why in plain words first, then what to do (a hint; lines
 * after its first are code, such as an export recipe), and the parser or runtime text folded away under
 * "details". Earlier results stay on screen.
 */
export function Messages() {
  const messages = useApp((s) => s.messages);
  const dismiss = useApp((s) => s.dismiss);
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
