import { useRef } from 'react';
import { formatBytes, formatMs, formatShape } from '../common/format';
import { useFileIntake } from '../drop/use-file-intake';
import { useApp } from '../store-context';
import { describeProbe } from './describe-probe';
import { autoBatch, currentProbe } from '../../store/app-store';

export function ModelPanel() {
  const model = useApp((s) => s.model);
  const status = useApp((s) => s.modelStatus);
  const probe = useApp(currentProbe);
  const applied = useApp(autoBatch);
  const demo = useApp((s) => s.demo);
  const loadDemoModel = useApp((s) => s.loadDemoModel);
  const intake = useFileIntake();
  const oversize = useApp((s) => s.oversizeModel);
  const loadOversizeModel = useApp((s) => s.loadOversizeModel);
  const dismissOversizeModel = useApp((s) => s.dismissOversizeModel);
  const picker = useRef<HTMLInputElement>(null);
  const spec = model?.spec;
  return (
    <section className="panel contained" aria-labelledby="model-h" data-testid="model-panel">
      <header>
        <h2 id="model-h">Model</h2>
        <button type="button" onClick={() => picker.current?.click()} title="An .onnx file; a model with its weights in a separate file (.onnx.data, .bin): pick both">
          Open ONNX…
        </button>
        {/* several files at once: a model that keeps its weights in separate files (external data) needs them all */}
        <input
          ref={picker}
          type="file"
          accept=".onnx,.data,.onnx_data,.bin"
          multiple
          hidden
          data-testid="model-input"
          onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            e.currentTarget.value = '';
            if (files.length) intake(files);
          }}
        />
      </header>
      {demo ? (
        <div className="demo-row">
          Demo:
          {demo.models.map((m) => (
            <button key={m.file} type="button" className={model?.name === m.file ? 'chip active' : 'chip'} aria-pressed={model?.name === m.file} title={m.description} onClick={() => void loadDemoModel(m.file)}>
              {m.name}
            </button>
          ))}
        </div>
      ) : (
        !model && <div className="skeleton line" aria-hidden="true" />
      )}
      {oversize && (
        <div className="warning" role="group" aria-label="Large model" data-testid="oversize-model">
          <p>
            {oversize.name} is {formatBytes(oversize.sizeBytes)}, over the {oversize.limitMb} MB this page loads without asking: it may exhaust the tab's memory.
          </p>
          <button type="button" onClick={() => void loadOversizeModel()} data-testid="load-anyway">
            Load anyway
          </button>{' '}
          <button type="button" onClick={dismissOversizeModel}>
            Cancel
          </button>
        </div>
      )}
      {status === 'loading' && (
        <p className="muted small" role="status">
          Loading model… <span className="spinner" aria-hidden="true" />
        </p>
      )}
      {model && spec && (
        <>
          <p className="model-line" data-testid="model-name">
            {model.name} <span className="muted">({formatBytes(model.sizeBytes)}, loaded in {formatMs(model.loadMs)})</span>
          </p>
          <p className="muted small model-summary">
            in {formatShape(spec.inputShape)} {spec.layout} · out {formatShape(spec.outputShape)} {spec.outputKind === 'probabilities' ? 'probabilities' : 'scores'}
          </p>
          <details className="model-details">
            <summary>Input, output and graph</summary>
            <dl className="facts" data-testid="model-facts">
              <dt>Input</dt>
              <dd>
                {spec.inputName} {spec.inputDType} {formatShape(spec.inputShape)} · {spec.layout}
                <span className="muted"> ({spec.layoutSource === 'graph' ? 'from graph' : 'guessed from shape'})</span>
              </dd>
              <dt>Batch</dt>
              <dd data-testid="model-batch">
                {spec.batchRewrite
                  ? `fixed to 1 in the file; rewritten for batched runs (checked: a batch of two equals two single runs ${spec.batchRewrite.relativeError === 0 ? 'exactly' : `within ${spec.batchRewrite.relativeError.toExponential(0)}`})`
                  : spec.dynamicBatch
                    ? 'dynamic (batched runs)'
                    : 'fixed (one image per call)'}
                {probe && (
                  <span data-testid="batch-probe">
                    {' '}· measured here: {describeProbe(probe)}
                    {applied !== undefined ? `; runs use it where a method's batch size is at its default` : ''}
                  </span>
                )}
              </dd>
              <dt>Output</dt>
              <dd>
                {spec.outputName} {formatShape(spec.outputShape)} · {spec.outputKind === 'probabilities' ? 'probabilities (final Softmax)' : 'scores (softmax applied unless they already sum to 1)'}
              </dd>
              <dt>Graph</dt>
              <dd>
                IR {model.info.irVersion}, {model.info.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')} · {model.info.nodeCount} nodes
                {model.info.producer && <> · {model.info.producer}</>}
              </dd>
              {model.info.metadata['glassbox.description'] && (
                <>
                  <dt>About</dt>
                  <dd>{model.info.metadata['glassbox.description']}</dd>
                </>
              )}
            </dl>
          </details>
        </>
      )}
      {spec?.warnings.map((w) => (
        <p key={w} className="warning">
          {w}
        </p>
      ))}
    </section>
  );
}
