import { ColorField } from '../common/ColorField';
import type { ColormapName } from '../../engine/render/colormap';
import { EXPLAINERS, METHOD_NEEDS, type MethodId } from '../../engine/explain/registry';
import type { MethodSupport } from '../../worker-api';
import { useApp } from '../store-context';
import { NumberField } from '../common/NumberField';

const GROUPS: { label: string; methods: MethodId[] }[] = [
  { label: 'Perturbation', methods: ['lime', 'kernelshap', 'partitionshap', 'rise'] },
  { label: 'CAM (gradients)', methods: ['gradcam', 'gradcampp', 'xgradcam', 'layercam', 'hirescam'] },
  { label: 'CAM (gradient-free)', methods: ['scorecam', 'ablationcam', 'eigencam'] },
  { label: 'Gradients', methods: ['saliency', 'inputxgrad', 'ig', 'smoothgrad', 'guidedbackprop'] },
];

/** Why a method cannot run on the current model, or undefined when it can (or it is not known yet). */
export function methodUnavailable(method: MethodId, support: MethodSupport | undefined): string | undefined {
  const needs = METHOD_NEEDS[method];
  if (needs === 'inference' || !support) return undefined;
  const label = EXPLAINERS[method].label;
  if (support.error) return `${label} is not available: ${support.error}`;
  if (needs !== 'input-gradient' && !support.catalog.candidates.length) return `${label} needs a spatial feature map or token sequence; this model has none.`;
  const blocking = needs === 'input-gradient' ? support.unsupportedOps : needs === 'layer-gradient' ? support.layerUnsupportedOps : [];
  if (blocking.length) {
    return `${label} needs gradients, which cannot pass through ${blocking.map((o) => `"${o}"`).join(', ')} here. LIME, Score-CAM, Ablation-CAM and Eigen-CAM still work.`;
  }
  return undefined;
}

/** Every method, grouped, with the ones this model cannot run marked and explained. */
export function MethodPicker() {
  const method = useApp((s) => s.explainSettings.method);
  const support = useApp((s) => s.support);
  const setSettings = useApp((s) => s.setExplainSettings);
  return (
    <label className="method-picker">
      Method
      <select aria-label="Method" value={method} onChange={(e) => setSettings({ method: e.target.value as MethodId })} data-testid="method-picker">
        {GROUPS.map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.methods.map((m) => {
              const why = methodUnavailable(m, support);
              return (
                <option key={m} value={m} title={why ?? EXPLAINERS[m].reference}>
                  {EXPLAINERS[m].label}
                  {why ? ' (not for this model)' : ''}
                </option>
              );
            })}
          </optgroup>
        ))}
      </select>
    </label>
  );
}

/** The parameters of the CAM and gradient methods. */
export function GradientParamsFields() {
  const settings = useApp((s) => s.explainSettings);
  const support = useApp((s) => s.support);
  const model = useApp((s) => s.model);
  const setParams = useApp((s) => s.setMethodParams);
  const setSettings = useApp((s) => s.setExplainSettings);
  const method = settings.method;
  const needs = METHOD_NEEDS[method];
  const catalog = support?.catalog;
  const batchTitle = model?.spec.dynamicBatch ? 'Inputs per model call' : 'This model has a fixed batch: inputs run one by one';
  return (
    <div className="form-grid">
      {(needs === 'layer-gradient' || needs === 'activation') && (
        <>
          <label className="wide">
            Target layer
            <select aria-label="Target layer" value={settings.cam.layer ?? ''} onChange={(e) => setParams('cam', { layer: e.target.value || undefined })} data-testid="layer-picker">
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
          {needs === 'activation' && method !== 'eigencam' && (
            <NumberField label="Batch size" value={settings.cam.batchSize} min={1} max={1024} onChange={(batchSize) => setParams('cam', { batchSize })} title={batchTitle} />
          )}
        </>
      )}
      {method === 'ig' && (
        <>
          <NumberField label="Steps" value={settings.ig.steps} min={1} max={2000} onChange={(steps) => setParams('ig', { steps })} title="Points on the path from the baseline to the image" />
          <label>
            Baseline
            <select aria-label="Baseline" value={settings.ig.baseline} onChange={(e) => setParams('ig', { baseline: e.target.value as typeof settings.ig.baseline })}>
              <option value="black">black image</option>
              <option value="blur">blurred image</option>
              <option value="color">a colour</option>
              <option value="zeros">zero tensor (captum)</option>
            </select>
          </label>
          {settings.ig.baseline === 'color' && (
            <ColorField label="Colour" ariaLabel="Baseline colour" value={settings.ig.color} onChange={(color) => setParams('ig', { color })} />
          )}
          {settings.ig.baseline === 'blur' && <NumberField label="Blur σ" value={settings.ig.blurSigma ?? 5} min={0.5} step={0.5} onChange={(blurSigma) => setParams('ig', { blurSigma })} />}
          <label>
            Rule
            <select aria-label="Integration rule" value={settings.ig.rule} onChange={(e) => setParams('ig', { rule: e.target.value as typeof settings.ig.rule })}>
              <option value="gausslegendre">Gauss–Legendre (captum)</option>
              <option value="riemann_trapezoid">trapezoid</option>
            </select>
          </label>
          <NumberField label="Batch size" value={settings.ig.batchSize} min={1} max={1024} onChange={(batchSize) => setParams('ig', { batchSize })} title={batchTitle} />
        </>
      )}
      {method === 'smoothgrad' && (
        <>
          <NumberField label="Samples" value={settings.smoothgrad.samples} min={1} max={5000} onChange={(samples) => setParams('smoothgrad', { samples })} />
          <NumberField label="Noise" value={settings.smoothgrad.noise} min={0} max={10} step={0.05} onChange={(noise) => setParams('smoothgrad', { noise })} title="σ as a fraction of the input's value range" />
          <NumberField label="Batch size" value={settings.smoothgrad.batchSize} min={1} max={1024} onChange={(batchSize) => setParams('smoothgrad', { batchSize })} title={batchTitle} />
          <label>
            Seed
            <input aria-label="Seed" type="number" min={0} value={settings.seed} onChange={(e) => setSettings({ seed: Number(e.target.value) })} />
          </label>
        </>
      )}
      <NumberField label="Top labels" value={settings.topLabels} min={1} max={20} onChange={(topLabels) => setSettings({ topLabels })} title="Explain this many classes (one map each)" />
    </div>
  );
}

export const COLORMAP_OPTIONS: { value: ColormapName | 'auto'; label: string }[] = [
  { value: 'auto', label: 'auto (jet, or diverging if signed)' },
  { value: 'jet', label: 'jet' },
  { value: 'viridis', label: 'viridis' },
  { value: 'inferno', label: 'inferno' },
  { value: 'diverging', label: 'diverging (signed)' },
];
