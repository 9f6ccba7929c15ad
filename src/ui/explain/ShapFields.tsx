import { ColorField } from '../common/ColorField';
import { NumberField } from '../common/NumberField';
import { useApp } from '../store-context';
import { HideFields, SegmentationFields } from './SegmentationFields';

/** KernelSHAP's parameters. */
export function KernelShapFields() {
  const settings = useApp((s) => s.explainSettings);
  const model = useApp((s) => s.model);
  const setParams = useApp((s) => s.setMethodParams);
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
      <ScoreSpaceField value={p.scoreSpace} onChange={(scoreSpace) => setParams('kernelshap', { scoreSpace })} />
      <TopLabelsAndSeed />
    </div>
  );
}

/** How many classes to explain from the same model calls, and the seed that reproduces the run. */
function TopLabelsAndSeed() {
  const settings = useApp((s) => s.explainSettings);
  const setSettings = useApp((s) => s.setExplainSettings);
  return (
    <>
      <NumberField label="Top labels" value={settings.topLabels} min={1} max={20} onChange={(topLabels) => setSettings({ topLabels })} title="Explain this many classes from the same model calls" />
      <label>
        Seed
        <input aria-label="Seed" type="number" min={0} value={settings.seed} onChange={(e) => setSettings({ seed: Number(e.target.value) })} />
      </label>
    </>
  );
}

function ScoreSpaceField(props: { value: 'probability' | 'raw'; onChange: (v: 'probability' | 'raw') => void }) {
  return (
    <label>
      Explain
      <select aria-label="Score space" value={props.value} onChange={(e) => props.onChange(e.target.value as 'probability' | 'raw')}>
        <option value="probability">probabilities</option>
        <option value="raw">raw outputs / logits</option>
      </select>
    </label>
  );
}

/** Partition SHAP's parameters (shap's PartitionExplainer with an Image masker). */
export function PartitionShapFields() {
  const settings = useApp((s) => s.explainSettings);
  const setParams = useApp((s) => s.setMethodParams);
  const p = settings.partitionshap;
  return (
    <div className="form-grid">
      <NumberField label="Max evaluations" value={p.maxEvals} min={4} max={1000000} step={100} onChange={(maxEvals) => setParams('partitionshap', { maxEvals })} title="shap's max_evals: more evaluations refine the blocks where the score changes most" />
      <label>
        Background
        <select aria-label="Background" value={p.background} onChange={(e) => setParams('partitionshap', { background: e.target.value as typeof p.background })}>
          <option value="blur">blurred image (shap's blur masker)</option>
          <option value="black">black</option>
          <option value="color">a colour</option>
        </select>
      </label>
      {p.background === 'blur' && <NumberField label="Blur σ" value={p.blurSigma ?? 10} min={0.5} step={1} onChange={(blurSigma) => setParams('partitionshap', { blurSigma })} />}
      {p.background === 'color' && (
        <ColorField label="Colour" ariaLabel="Background colour" value={p.color} fallback={[128, 128, 128]} onChange={(color) => setParams('partitionshap', { color })} />
      )}
      <NumberField label="Smallest block" value={p.minBlock} min={1} max={8192} onChange={(minBlock) => setParams('partitionshap', { minBlock })} title="The partition stops at blocks this many pixels on a side" />
      <NumberField label="Batch size" value={p.batchSize} min={1} max={1024} onChange={(batchSize) => setParams('partitionshap', { batchSize })} />
      <ScoreSpaceField value={p.scoreSpace} onChange={(scoreSpace) => setParams('partitionshap', { scoreSpace })} />
      <TopLabelsAndSeed />
    </div>
  );
}

/** RISE's parameters. */
export function RiseFields() {
  const settings = useApp((s) => s.explainSettings);
  const setParams = useApp((s) => s.setMethodParams);
  const p = settings.rise;
  return (
    <div className="form-grid">
      <NumberField label="Masks" value={p.masks} min={1} max={100000} step={100} onChange={(masks) => setParams('rise', { masks })} title="N random masks" />
      <NumberField label="Grid" value={p.grid} min={2} max={64} onChange={(grid) => setParams('rise', { grid })} title="s: cells per side of the random grid" />
      <label title="Probability that a cell is kept; auto tries 0.1 … 0.9 and keeps the one whose scores spread most">
        Keep probability
        <span className="inline">
          <input aria-label="Auto keep probability" type="checkbox" checked={p.p1 === 'auto'} onChange={(e) => setParams('rise', { p1: e.target.checked ? 'auto' : 0.5 })} /> auto
          {p.p1 !== 'auto' && <input aria-label="Keep probability" type="number" min={0.01} max={0.99} step={0.05} value={p.p1} onChange={(e) => setParams('rise', { p1: Number(e.target.value) })} />}
        </span>
      </label>
      <NumberField label="Batch size" value={p.batchSize} min={1} max={1024} onChange={(batchSize) => setParams('rise', { batchSize })} />
      <ScoreSpaceField value={p.scoreSpace} onChange={(scoreSpace) => setParams('rise', { scoreSpace })} />
      <TopLabelsAndSeed />
    </div>
  );
}
