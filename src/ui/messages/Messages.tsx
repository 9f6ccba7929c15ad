import { useApp } from '../store-context';

/** Errors as the user can act on them: what failed, why, what to do. Earlier results stay on screen. */
export function Messages() {
  const messages = useApp((s) => s.messages);
  const dismiss = useApp((s) => s.dismiss);
  if (!messages.length) return null;
  return (
    <div className="messages" role="alert" data-testid="messages">
      {messages.map((m) => (
        <div key={m.id} className="message error" data-code={m.code}>
          <div>
            <strong>{m.context} failed.</strong> {m.message}
            {m.hint && <div className="hint">{m.hint}</div>}
          </div>
          <button type="button" aria-label="Dismiss" onClick={() => dismiss(m.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
