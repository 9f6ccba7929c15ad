import { NumberField } from '../common/NumberField';
import { useApp } from '../store-context';
import { HideFields, SegmentationFields } from './SegmentationFields';

/** KernelSHAP's parameters. */
export function KernelShapFields() {
  const settings = useApp((s) => s.explainSettings);
  const model = useApp((s) => s.model);
  const setParams = useApp((s) => s.setMethodParams);
  const setSettings = useApp((s) => s.setExplainSettings);
  const p = settings.kernelshap;
  return (
    <div className="form-grid">
      <label title="Coalitions evaluated when there are too many superpixels to enumerate; auto = 2M + 2048 (shap)">
        Samples
        <span className="inline">
          <input aria-label="Auto samples" type="checkbox" checked={p.samples === 'auto'} onChange={(e) => setParams('kernelshap', { samples: e.target.checked ? 'auto' : 1000 })} /> auto
          {p.samples !== 'auto' && <input aria-label="Samples" type="number" min={2} max={200000} value={p.samples} onChange={(e) => setParams('kernelshap', { samples: Number(e.target.value) })} />}
        </span>
      </label>
      <SegmentationFields value={p.segmentation} onChange={(segmentation) => setParams('kernelshap', { segmentation })} />
      <HideFields label="Background" value={p.background} onChange={(background) => setParams('kernelshap', { background })} />
      <NumberField label="Exact up to" value={p.exactUpTo} min={0} max={20} onChange={(exactUpTo) => setParams('kernelshap', { exactUpTo })} title="Enumerate all 2^M coalitions (exact Shapley values) when there are at most this many superpixels" />
      <NumberField label="Batch size" value={p.batchSize} min={1} max={1024} onChange={(batchSize) => setParams('kernelshap', { batchSize })} title={model?.spec.dynamicBatch ? 'Images per model call' : 'This model has a fixed batch: images run one by one'} />
      <label>
        Explain
        <select aria-label="Score space" value={p.scoreSpace} onChange={(e) => setParams('kernelshap', { scoreSpace: e.target.value as typeof p.scoreSpace })}>
          <option value="probability">probabilities</option>
          <option value="raw">raw outputs / logits</option>
        </select>
      </label>
      <NumberField label="Top labels" value={settings.topLabels} min={1} max={20} onChange={(topLabels) => setSettings({ topLabels })} title="Explain this many classes from the same model calls" />
      <label>
        Seed
        <input aria-label="Seed" type="number" min={0} value={settings.seed} onChange={(e) => setSettings({ seed: Number(e.target.value) })} />
      </label>
    </div>
  );
}
