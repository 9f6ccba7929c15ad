import { descriptorOf } from '../../engine/explain/registry';
import { useApp } from '../store-context';

/** The title of a finished explanation, its class switcher, and a warning when it no longer matches the inputs. */
export function ExplanationHeader() {
  const explanation = useApp((s) => s.explanation)!;
  const viewClass = useApp((s) => s.viewClass);
  const setViewClass = useApp((s) => s.setViewClass);
  const modelName = useApp((s) => s.model?.name);
  const imageName = useApp((s) => s.image?.name);
  const result = explanation.result;
  const stale = explanation.modelName !== modelName || explanation.imageName !== imageName;
  return (
    <>
      <header>
        <h2 id="result-h">{descriptorOf(result.method).label} explanation</h2>
        {result.classes.length > 1 && (
          <select aria-label="Explained class" value={viewClass} onChange={(e) => setViewClass(Number(e.target.value))}>
            {result.classes.map((c, i) => (
              <option key={c.target} value={i}>
                #{c.target} {explanation.labels[i]}
              </option>
            ))}
          </select>
        )}
      </header>
      <p className="muted small" data-testid="result-reading">
        {descriptorOf(result.method).howToRead}
        {result.units && <> Values: {result.units}.</>}
      </p>
      {stale && <p className="warning">This explanation was computed for {explanation.imageName} on {explanation.modelName}; run it again for the current model and image.</p>}
    </>
  );
}
