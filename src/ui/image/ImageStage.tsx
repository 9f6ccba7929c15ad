import { ImageCanvas } from '../common/ImageCanvas';
import { useApp } from '../store-context';

/** The steps of the first load, each done when the store has its piece. */
function useStartSteps() {
  const demo = useApp((s) => s.demo);
  const env = useApp((s) => s.env);
  const model = useApp((s) => s.model);
  const modelStatus = useApp((s) => s.modelStatus);
  const image = useApp((s) => s.image);
  const prediction = useApp((s) => s.prediction);
  return [
    { label: 'Demo models and images', done: !!demo || !!model },
    { label: 'Compute engine (onnxruntime, WebAssembly)', done: !!env },
    { label: model ? `Model ${model.name}` : modelStatus === 'error' ? 'Model (failed, see above)' : 'Model', done: !!model },
    { label: image ? `Image ${image.name}` : 'Image', done: !!image },
    { label: 'First prediction', done: !!prediction },
  ];
}

/**
 * The results column before there is a result: while the app starts, what it is loading (with progress); then
 * the image as the model sees it, and how to get an explanation of it.
 */
export function ImageStage() {
  const explanation = useApp((s) => s.explanation);
  const prediction = useApp((s) => s.prediction);
  const target = useApp((s) => s.target);
  const steps = useStartSteps();
  if (explanation) return null;
  if (!prediction) {
    const done = steps.filter((s) => s.done).length;
    return (
      <section className="panel stage" aria-labelledby="stage-h" data-testid="start-progress">
        <header>
          <h2 id="stage-h">Starting</h2>
        </header>
        <div className="progress" role="progressbar" aria-label="Starting Glassbox" aria-valuemin={0} aria-valuemax={steps.length} aria-valuenow={done}>
          <div className="bar" style={{ width: `${(100 * done) / steps.length}%` }} />
          <span>
            {done} of {steps.length} ready
          </span>
        </div>
        <ol className="start-steps">
          {steps.map((s) => (
            <li key={s.label} className={s.done ? 'done' : undefined}>
              {s.label}
              <span className="visually-hidden">{s.done ? ' (done)' : ' (loading)'}</span>
            </li>
          ))}
        </ol>
        <div className="skeleton stage-skeleton" aria-hidden="true" />
      </section>
    );
  }
  const input = prediction.result.modelInput;
  const top = prediction.ranked.top[0];
  const chosen = prediction.ranked.top.find((r) => r.index === target) ?? top;
  return (
    <section className="panel stage" aria-labelledby="stage-h" data-testid="image-stage">
      <header>
        <h2 id="stage-h">What the model sees</h2>
      </header>
      <div className="stage-body">
        <ImageCanvas image={input} label={`Model input, ${input.width}×${input.height}`} pixelated className="stage-canvas" />
        <div className="stage-text">
          {top && (
            <p>
              Top prediction: <strong>{top.label}</strong> ({(top.score * 100).toFixed(1)} %).
            </p>
          )}
          <p className="muted">
            The model input is {input.width}×{input.height} pixels after preprocessing. Pick the class to explain in the prediction list (click, or Tab to it and
            use the arrow keys and Enter), choose a method, then Run: the explanation of <strong>{chosen?.label ?? 'the class'}</strong> appears here.
          </p>
          <p className="muted small">Drop your own ONNX model or an image anywhere on the page.</p>
        </div>
      </div>
    </section>
  );
}
