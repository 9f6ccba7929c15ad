import { useEffect, useId, useRef, useState } from 'react';
import { GlassboxError } from '../../engine/errors';
import { describePipeline, matchPreset, NORMALISATION_PRESETS, type NormalisationPreset, type PreprocessConfig } from '../../engine/image/preprocess';
import { numpyPilSnippet, torchvisionSnippet } from '../../engine/image/preprocess-code';
import { ImageCanvas } from '../common/ImageCanvas';
import { useApp } from '../store-context';

function TripleInput(props: { label: string; value: readonly number[]; onCommit: (v: [number, number, number]) => void; onError: (e: unknown) => void }) {
  const text = props.value.map((v) => +v.toFixed(6)).join(', ');
  const [draft, setDraft] = useState(text);
  useEffect(() => setDraft(text), [text]);
  const commit = () => {
    const parts = draft.split(/[\s,;]+/).filter(Boolean).map(Number);
    if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p))) {
      props.onError(new GlassboxError('PARAM_INVALID', `${props.label} needs three numbers separated by commas (got "${draft}").`));
      setDraft(text);
      return;
    }
    props.onCommit(parts as [number, number, number]);
  };
  return (
    <label>
      {props.label}
      <input aria-label={props.label} value={draft} onChange={(e) => setDraft(e.target.value)} onBlur={commit} onKeyDown={(e) => e.key === 'Enter' && commit()} />
    </label>
  );
}

const SNIPPETS = [
  { id: 'torchvision', title: 'torchvision (transforms.Compose)', make: torchvisionSnippet },
  { id: 'numpy', title: 'NumPy + Pillow', make: numpyPilSnippet },
] as const;

/** One snippet with its Copy button; without a clipboard (http, permissions) the code is selected for Ctrl+C. */
function CodeBlock(props: { id: string; title: string; code: string }) {
  const [note, setNote] = useState('');
  const codeRef = useRef<HTMLElement>(null);
  useEffect(() => setNote(''), [props.code]);
  const selectCode = () => {
    const node = codeRef.current;
    const selection = window.getSelection();
    if (!node || !selection) return;
    const range = document.createRange();
    range.selectNodeContents(node);
    selection.removeAllRanges();
    selection.addRange(range);
  };
  const copy = async () => {
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(props.code);
      setNote('Copied.');
    } catch {
      selectCode();
      setNote('The clipboard is not available here: the code is selected, press Ctrl+C (⌘C) to copy it.');
    }
  };
  return (
    <div className="pre-code">
      <p className="small">
        <strong>{props.title}</strong>{' '}
        <button type="button" onClick={() => void copy()} data-testid={`copy-preprocess-${props.id}`}>
          Copy
        </button>{' '}
        <span className="muted" role="status" data-testid={`copy-preprocess-${props.id}-status`}>
          {note}
        </span>
      </p>
      <pre style={{ maxHeight: '18em', overflow: 'auto', fontSize: 12 }}>
        <code ref={codeRef} data-testid={`preprocess-code-${props.id}`}>
          {props.code}
        </code>
      </pre>
    </div>
  );
}

/** The pipeline as Python that gives the same tensor (tests/integration/preprocess-code.test.ts checks it). */
function PythonCode(props: { cfg: PreprocessConfig }) {
  const [open, setOpen] = useState(false);
  return (
    <details data-testid="preprocess-code" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>As Python</summary>
      {open && (
        <>
          <p className="muted small">
            Each script&apos;s <code>preprocess(path)</code> gives the tensor the model gets here (float32, within 1e-5). The resize is spelled out because PIL&apos;s own
            BILINEAR rounds between passes and would differ by 1/255 on some pixels.
          </p>
          {SNIPPETS.map((s) => (
            <CodeBlock key={s.id} id={s.id} title={s.title} code={s.make(props.cfg)} />
          ))}
        </>
      )}
    </details>
  );
}

export function PreprocessPanel() {
  const model = useApp((s) => s.model);
  const cfg = useApp((s) => s.preprocess);
  const image = useApp((s) => s.image);
  const modelInput = useApp((s) => s.prediction?.result.modelInput);
  const setPreprocess = useApp((s) => s.setPreprocess);
  const resetPreprocess = useApp((s) => s.resetPreprocess);
  const report = useApp((s) => s.report);
  const [open, setOpen] = useState(false);
  const bodyId = useId();
  if (!model || !cfg) return null;
  const spec = model.spec;
  const sizeFixed = spec.width !== undefined && spec.height !== undefined;
  const preset = matchPreset(cfg) ?? 'custom';
  const onError = (e: unknown) => report(e, 'Changing preprocessing');
  const setSize = (field: 'width' | 'height', raw: string) => void setPreprocess({ [field]: Number(raw) } as Partial<PreprocessConfig>);
  const applyPreset = (name: NormalisationPreset) => {
    const p = NORMALISATION_PRESETS[name];
    const k = cfg.range === 255 ? 255 : 1;
    void setPreprocess({ mean: p.mean.map((m) => m * k) as [number, number, number], std: p.std.map((s) => s * k) as [number, number, number] });
  };
  return (
    <section className="panel contained" aria-labelledby="pre-h" data-testid="preprocess-panel">
      <header>
        <h2 id="pre-h">Preprocessing</h2>
        <button type="button" onClick={() => void resetPreprocess()} title={`Suggested: ${spec.preprocessSource}`}>
          Reset
        </button>
      </header>
      <p className="small pre-summary" data-testid="preprocess-summary">
        {cfg.width}×{cfg.height} · {cfg.resize === 'crop' ? 'centre crop' : 'stretch'} · {NORMALISATION_PRESETS[preset as NormalisationPreset]?.label ?? 'custom normalisation'} · {cfg.channelOrder} {cfg.layout}{' '}
        <button type="button" className="link" aria-expanded={open} aria-controls={bodyId} onClick={() => setOpen(!open)} data-testid="preprocess-toggle">
          {open ? 'hide settings' : 'change…'}
        </button>
      </p>
      <div id={bodyId} hidden={!open}>
        <p className="muted small">Suggested from {spec.preprocessSource}. Your changes are remembered for this model.</p>
        <div className="form-grid">
          <label>
            Width
            <input aria-label="Input width" type="number" min={1} max={8192} value={cfg.width} disabled={sizeFixed} onChange={(e) => setSize('width', e.target.value)} />
          </label>
          <label>
            Height
            <input aria-label="Input height" type="number" min={1} max={8192} value={cfg.height} disabled={sizeFixed} onChange={(e) => setSize('height', e.target.value)} />
          </label>
          <label>
            Resize
            <select aria-label="Resize mode" value={cfg.resize} onChange={(e) => void setPreprocess({ resize: e.target.value as PreprocessConfig['resize'] })}>
              <option value="stretch">stretch to size</option>
              <option value="crop">shorter side + centre crop</option>
            </select>
          </label>
          {cfg.resize === 'crop' && (
            <label>
              Crop fraction
              <input aria-label="Crop fraction" type="number" step={0.005} min={0.1} max={1} value={+cfg.cropFraction.toFixed(4)} onChange={(e) => void setPreprocess({ cropFraction: Number(e.target.value) })} />
            </label>
          )}
          <label>
            Value range
            <select
              aria-label="Value range"
              value={cfg.range}
              onChange={(e) => {
                const range = Number(e.target.value) as 1 | 255;
                const k = range / cfg.range; // keep mean/std meaning the same when the scale changes
                void setPreprocess({ range, mean: cfg.mean.map((m) => m * k) as [number, number, number], std: cfg.std.map((s) => s * k) as [number, number, number] });
              }}
            >
              <option value={1}>0–1</option>
              <option value={255}>0–255</option>
            </select>
          </label>
          <label>
            Normalisation
            <select aria-label="Normalisation preset" value={preset} onChange={(e) => e.target.value !== 'custom' && applyPreset(e.target.value as NormalisationPreset)}>
              {Object.entries(NORMALISATION_PRESETS).map(([k, p]) => (
                <option key={k} value={k}>
                  {p.label}
                </option>
              ))}
              <option value="custom" disabled>
                custom
              </option>
            </select>
          </label>
          <TripleInput label="Mean" value={cfg.mean} onCommit={(mean) => void setPreprocess({ mean })} onError={onError} />
          <TripleInput label="Std" value={cfg.std} onCommit={(std) => void setPreprocess({ std })} onError={onError} />
          <label>
            Channels
            <select aria-label="Channel order" value={cfg.channelOrder} disabled={cfg.channels === 1} onChange={(e) => void setPreprocess({ channelOrder: e.target.value as PreprocessConfig['channelOrder'] })}>
              <option value="RGB">RGB</option>
              <option value="BGR">BGR</option>
            </select>
          </label>
          <label>
            Layout
            <select aria-label="Layout" value={cfg.layout} onChange={(e) => void setPreprocess({ layout: e.target.value as PreprocessConfig['layout'] })}>
              <option value="NCHW">NCHW</option>
              <option value="NHWC">NHWC</option>
            </select>
          </label>
        </div>
        <div className="pipeline">
          {modelInput && <ImageCanvas image={modelInput} label="Model input" pixelated testId="model-input-canvas" className="model-input" />}
          <ol data-testid="pipeline">
            {describePipeline(cfg, image?.width, image?.height).map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </div>
        <PythonCode cfg={cfg} />
      </div>
    </section>
  );
}
