/**
 * A method's parameter form, drawn from its descriptor: every field (numbers, choices, auto switches, the shared
 * segmentation, hide-colour and target-layer groups, the batch size) plus the fields every method shares (top
 * labels, and the seed when the method samples). No method is named here.
 */
import type { ChoiceParam, IntOrAutoParam, NumberOrAutoParam, ParamSpec } from '../../engine/explain/descriptor';
import { descriptorOf, type MethodId, type MethodParams } from '../../engine/explain/registry';
import { paramApplies } from '../../engine/explain/schema';
import type { HideSpec } from '../../engine/explain/hide';
import type { SegmentationSpec } from '../../engine/explain/segmentation';
import { NumberField } from '../common/NumberField';
import { useApp } from '../store-context';
import { HideFields, SegmentationFields } from './SegmentationFields';

export function ParamsForm(props: { method: MethodId }) {
  const meta = descriptorOf(props.method);
  const params = useApp((s) => s.explainSettings.params[props.method]) as unknown as Record<string, unknown>;
  const setParams = useApp((s) => s.setMethodParams);
  const set = (name: string, value: unknown) => setParams(props.method, { [name]: value } as Partial<MethodParams[MethodId]>);
  return (
    <div className="form-grid" data-testid="params-form">
      {meta.params.filter((spec) => paramApplies(spec, params)).map((spec) => (
        <Field key={spec.name} spec={spec} value={params[spec.name]} onChange={(v) => set(spec.name, v)} />
      ))}
      <SharedFields seeded={meta.seeded} />
    </div>
  );
}

function Field(props: { spec: ParamSpec; value: unknown; onChange: (v: unknown) => void }) {
  const { spec } = props;
  const model = useApp((s) => s.model);
  switch (spec.kind) {
    case 'int':
    case 'number': {
      const batch = spec.kind === 'int' && spec.group === 'batch';
      const title = batch && model?.spec.dynamicBatch === false ? 'This model has a fixed batch: inputs run one by one' : spec.help;
      return <NumberField label={spec.label} value={props.value as number} min={spec.min} max={spec.max} step={spec.step ?? (spec.kind === 'int' ? 1 : 0.1)} onChange={props.onChange} title={title} />;
    }
    case 'int-or-auto':
    case 'number-or-auto':
      return <AutoField spec={spec} value={props.value as number | 'auto'} onChange={props.onChange} />;
    case 'choice':
      return <ChoiceField spec={spec} value={props.value as string} onChange={props.onChange} />;
    case 'score-space':
      return (
        <label title={spec.help}>
          {spec.label}
          <select aria-label="Score space" value={props.value as string} onChange={(e) => props.onChange(e.target.value)}>
            <option value="probability">probabilities</option>
            <option value="raw">raw outputs / logits</option>
          </select>
        </label>
      );
    case 'segmentation':
      return <SegmentationFields value={props.value as SegmentationSpec} onChange={props.onChange} />;
    case 'hide':
      return <HideFields label={spec.label} modes={spec.modes} value={props.value as HideSpec} onChange={props.onChange} />;
    case 'layer':
      return <LayerField help={spec.help} />;
  }
}

function ChoiceField(props: { spec: ChoiceParam; value: string; onChange: (v: string) => void }) {
  return (
    <label title={props.spec.help}>
      {props.spec.label}
      <select aria-label={props.spec.label} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.spec.choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A number with an "auto" switch (KernelSHAP's samples, RISE's keep probability). */
function AutoField(props: { spec: IntOrAutoParam | NumberOrAutoParam; value: number | 'auto'; onChange: (v: number | 'auto') => void }) {
  const { spec } = props;
  return (
    <label title={spec.help}>
      {spec.label}
      <span className="inline">
        <input aria-label={`Auto ${spec.label.toLowerCase()}`} type="checkbox" checked={props.value === 'auto'} onChange={(e) => props.onChange(e.target.checked ? 'auto' : spec.manual)} /> auto
        {props.value !== 'auto' && (
          <input aria-label={spec.label} type="number" min={spec.min} max={spec.max} step={spec.step ?? 1} value={props.value} onChange={(e) => props.onChange(Number(e.target.value))} />
        )}
      </span>
    </label>
  );
}

/** The CAMs' shared target layer: the suggested one, or any spatial map / token sequence of the model. */
function LayerField(props: { help: string }) {
  const catalog = useApp((s) => s.support?.catalog);
  const layer = useApp((s) => s.explainSettings.layer);
  const setSettings = useApp((s) => s.setExplainSettings);
  return (
    <>
      <label className="wide" title={props.help}>
        Target layer
        <select aria-label="Target layer" value={layer ?? ''} onChange={(e) => setSettings({ layer: e.target.value || undefined })} data-testid="layer-picker">
          <option value="">suggested{catalog?.suggested ? `: ${catalog.suggested}` : ''}</option>
          {catalog?.candidates.map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} · {c.opType} · {c.shape.join('×')}
              {c.layout !== 'spatial' ? ` (tokens → ${c.gridHeight}×${c.gridWidth})` : ''}
            </option>
          ))}
        </select>
      </label>
      {catalog?.suggested && <p className="muted small wide">Suggested: {catalog.reason}.</p>}
    </>
  );
}

/** Fields every method has: how many classes to explain, and the seed when the method samples. */
function SharedFields(props: { seeded: boolean }) {
  const settings = useApp((s) => s.explainSettings);
  const setSettings = useApp((s) => s.setExplainSettings);
  return (
    <>
      <NumberField label="Top labels" value={settings.topLabels} min={1} max={20} onChange={(topLabels) => setSettings({ topLabels })} title="Explain this many classes (one map each), from the same model calls where the method allows" />
      {props.seeded && (
        <label title="The same seed gives the same result">
          Seed
          <span className="inline">
            <input aria-label="Seed" type="number" min={0} value={settings.seed} onChange={(e) => setSettings({ seed: Number(e.target.value) })} />
            <button type="button" title="New random seed" aria-label="New random seed" onClick={() => setSettings({ seed: Math.floor(Math.random() * 1e6) })}>
              ↻
            </button>
          </span>
        </label>
      )}
    </>
  );
}
