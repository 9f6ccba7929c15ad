import { descriptorOf, type MethodId, type MethodParams } from '../../engine/explain/registry';
import type { QualitySignal } from '../../engine/explain/types';
import { useApp } from '../store-context';
import { ExportMenu } from './ExportMenu';
import { QualityNotes } from './QualityNotes';
import './panel.css';

/** The result's quality signals in words, with their one-click fixes (set the parameter, run again). */
function ResultQuality() {
  const result = useApp((s) => s.explanation?.result);
  const setParams = useApp((s) => s.setMethodParams);
  const setSettings = useApp((s) => s.setExplainSettings);
  const run = useApp((s) => s.runExplanation);
  const busy = useApp((s) => !!s.run);
  if (!result?.quality?.length) return null;
  const onAction = (a: NonNullable<QualitySignal['action']>) => {
    if (busy) return;
    const method = result.method as MethodId;
    setSettings({ method });
    setParams(method, { [a.param]: a.value } as Partial<MethodParams[MethodId]>);
    void run();
  };
  return <QualityNotes signals={result.quality} onAction={onAction} />;
}

/**
 * A result re-opened from a file: where it came from, and a re-run with its own method, parameters, seed and
 * classes that says whether the map comes back bit for bit.
 */
function ReopenedNote() {
  const explanation = useApp((s) => s.explanation)!;
  const rerun = useApp((s) => s.rerunResult);
  const busy = useApp((s) => !!s.run);
  const check = explanation.rerun;
  if (!explanation.openedFrom && !check) return null;
  return (
    <p className="muted small reopened" data-testid="reopened-note">
      {explanation.openedFrom && <>Opened from {explanation.openedFrom} (seed {explanation.result.seed}). </>}
      {check ? (
        <strong data-testid="rerun-verdict" className={check.identical ? 'ok' : 'warn'}>
          {check.identical
            ? `Re-run with the same seed: identical, bit for bit (${check.values} values).`
            : `Re-run with the same seed differs: ${check.differing} of ${check.values} values, largest difference ${check.maxAbsDiff.toPrecision(3)}.`}
        </strong>
      ) : (
        <button type="button" className="link" disabled={busy} onClick={() => void rerun(explanation.id)} data-testid="rerun-check">
          Re-run with the same seed and check
        </button>
      )}
    </p>
  );
}

/** The title of a finished explanation — method, class label and index, the model's score — and its class switcher. */
export function ExplanationHeader() {
  const explanation = useApp((s) => s.explanation)!;
  const viewClass = useApp((s) => s.viewClass);
  const setViewClass = useApp((s) => s.setViewClass);
  const result = explanation.result;
  const i = Math.min(viewClass, result.classes.length - 1);
  const cls = result.classes[i];
  const score = explanation.scores?.[i];
  return (
    <>
      <header>
        <h2 id="result-h" data-testid="result-heading">
          {descriptorOf(result.method).label} explanation · #{cls.target} {explanation.labels[i]}
          {score !== undefined && Number.isFinite(score) ? ` · ${(100 * score).toFixed(1)} %` : ''}
        </h2>
        {result.classes.length > 1 && (
          <select aria-label="Explained class" value={viewClass} onChange={(e) => setViewClass(Number(e.target.value))}>
            {result.classes.map((c, k) => (
              <option key={c.target} value={k}>
                #{c.target} {explanation.labels[k]}
              </option>
            ))}
          </select>
        )}
      </header>
      <ExportMenu />
      <ReopenedNote />
      <ResultQuality />
      <p className="muted small" data-testid="result-reading">
        {descriptorOf(result.method).howToRead}
        {result.units && <> Values: {result.units}.</>}
      </p>
    </>
  );
}
