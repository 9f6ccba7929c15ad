import { useMemo, useState, type DragEvent } from 'react';
import { AGGREGATE_METRICS, type AggregateMetricId, type EvaluationSummary } from '../../engine/evaluate/aggregate';
import { rowsToCsv } from '../../engine/evaluate/csv';
import { summaryHtml } from '../../engine/evaluate/report-html';
import { methodUnavailable } from '../../engine/explain/availability';
import { descriptorOf, type MethodId } from '../../engine/explain/registry';
import type { RgbaImage } from '../../engine/image/types';
import type { DatasetState } from '../../store/slices/dataset';
import type { DatasetRow } from '../../worker-api';
import { ImageCanvas } from '../common/ImageCanvas';
import { formatMs } from '../common/format';
import { methodsByGroup } from '../explain/MethodPicker';
import { download } from '../export/files';
import { useApp } from '../store-context';
import './dataset.css';

/** Rows drawn at once: a long table is sorted so the rows that matter come first. */
const SHOWN_ROWS = 200;

const labelOf = (m: MethodId | string) => {
  try {
    return descriptorOf(m as MethodId).label;
  } catch {
    return m;
  }
};

type SortKey = 'image' | 'model' | 'method' | 'label' | 'predicted' | 'score' | AggregateMetricId;

const fixed = (v: number | undefined, id: string) => (v === undefined || !Number.isFinite(v) ? '–' : id === 'ms' ? v.toFixed(1) : v.toFixed(3));

/** A row's value for sorting: numbers (pointing hit → 1), text by code unit; missing values sort last either way. */
function sortValue(row: DatasetRow, key: SortKey, predictedLabel: (i: number) => string): number | string | undefined {
  if (key === 'predicted') return predictedLabel(row.predicted);
  const v = row[key];
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && !Number.isFinite(v)) return undefined;
  return v;
}

/** The dataset run's own progress line (its own component: progress reports re-render only this). */
function DatasetProgress() {
  const run = useApp((s) => (s.run?.kind === 'dataset' ? s.run : undefined));
  const paused = useApp((s) => !!s.dataset?.paused);
  if (!run) return null;
  const p = run.progress;
  return (
    <div className="progress" role="progressbar" aria-label="Dataset progress" aria-valuenow={p?.done ?? 0} aria-valuemax={p?.total ?? 1} data-testid="dataset-progress">
      <div className="bar" style={{ width: `${p && p.total ? (100 * p.done) / p.total : 0}%` }} />
      <span>
        {paused ? 'paused · ' : ''}
        {p ? `${p.done} / ${p.total} rows · ${p.phase}` : 'starting…'}
        {!paused && p?.etaMs !== undefined && p.done < p.total ? ` · ${formatMs(p.etaMs)} left` : ''}
      </span>
    </div>
  );
}

function countsText(d: DatasetState | undefined): string {
  if (!d || d.files.length === 0) return 'No images yet.';
  const withMasks = d.files.filter((f) => f.mask).length;
  const parts = [`${d.files.length} image${d.files.length === 1 ? '' : 's'}`, `${withMasks} with masks`];
  if (d.targetsName) parts.push(`targets from ${d.targetsName}${d.targetsCount !== undefined ? ` (${d.targetsCount})` : ''}`);
  return parts.join(', ');
}

/**
 * Dataset mode: images and their masks (matched by file name) and an optional targets CSV, evaluated with the
 * chosen methods on the current model and the shelf's in the worker. A summary per model × method (mean and 95 % bootstrap interval
 * of each metric) and a per-image table sortable by any column, to find the images where the map misses the object;
 * CSV and a self-contained HTML report.
 */
export function DatasetPanel() {
  const dataset = useApp((s) => s.dataset);
  const methods = useApp((s) => s.datasetMethods);
  const curves = useApp((s) => s.datasetCurves);
  const setMethods = useApp((s) => s.setDatasetMethods);
  const setCurves = useApp((s) => s.setDatasetCurves);
  const addFiles = useApp((s) => s.addDatasetFiles);
  const runDataset = useApp((s) => s.runDataset);
  const pauseDataset = useApp((s) => s.pauseDataset);
  const clearDataset = useApp((s) => s.clearDataset);
  const loadImage = useApp((s) => s.loadImage);
  const cancel = useApp((s) => s.cancelExplanation);
  const support = useApp((s) => s.support);
  const layer = useApp((s) => s.explainSettings.layer);
  const model = useApp((s) => s.model);
  const labels = useApp((s) => s.prediction?.labels.labels);
  const restarting = useApp((s) => s.engine === 'restarting');
  const busy = useApp((s) => !!s.run);
  const mine = useApp((s) => s.run?.kind === 'dataset');
  const [over, setOver] = useState(false);

  const available: MethodId[] = methodsByGroup().flatMap((g) => g.methods);
  const toggle = (m: MethodId, on: boolean) => setMethods(on ? available.filter((x) => x === m || methods.includes(x)) : methods.filter((x) => x !== m));
  const runnable = methods.filter((m) => !methodUnavailable(m, support, layer));
  const files = dataset?.files ?? [];

  // the page-wide drop overlay (models, images, labels) must not take the dataset's files too
  const stop = (e: DragEvent) => {
    e.stopPropagation();
    if (Array.from(e.dataTransfer.types).includes('Files')) e.preventDefault();
  };
  const onDrop = (e: DragEvent) => {
    stop(e);
    setOver(false);
    if (e.dataTransfer.files.length) void addFiles(Array.from(e.dataTransfer.files));
  };
  const onPicked = (input: HTMLInputElement) => {
    const picked = Array.from(input.files ?? []);
    input.value = '';
    if (picked.length) void addFiles(picked);
  };

  return (
    <section className="panel dataset-panel" aria-labelledby="dataset-h" data-testid="dataset-panel">
      <header>
        <h2 id="dataset-h">Dataset · evaluate over many images</h2>
      </header>
      <p className="muted small">
        Images with their object masks (matched by name: <code>cat.png</code> with <code>cat_mask.png</code>, <code>cat-mask.png</code>, or <code>masks/cat.png</code> in a picked folder) and, optionally, a CSV <code>image,target</code> naming the class to
        explain (an index or a label; default the top-1). Each method runs on the current model (and every model on the shelf) in the background; only numbers and small pictures come back.
      </p>
      <div
        className={`dataset-drop${over ? ' over' : ''}`}
        data-testid="dataset-drop"
        onDragEnter={(e) => (stop(e), setOver(true))}
        onDragOver={stop}
        onDragLeave={(e) => (e.stopPropagation(), setOver(false))}
        onDrop={onDrop}
      >
        <span>Drop images, masks and a targets CSV here, or</span>
        <label className="button-like">
          Add images and masks…
          <input type="file" multiple accept="image/*,.csv,text/csv" className="visually-hidden" data-testid="dataset-files" onChange={(e) => onPicked(e.currentTarget)} />
        </label>
        <label className="button-like">
          Add a folder…
          <input type="file" multiple className="visually-hidden" data-testid="dataset-folder" {...({ webkitdirectory: '' } as Record<string, string>)} onChange={(e) => onPicked(e.currentTarget)} />
        </label>
        <button type="button" onClick={clearDataset} disabled={!dataset || !!dataset.running} data-testid="dataset-clear">
          Clear
        </button>
      </div>
      <p className="small" data-testid="dataset-counts">
        {countsText(dataset)}
        {dataset?.unmatchedMasks.length ? <span className="muted"> · {dataset.unmatchedMasks.length} mask{dataset.unmatchedMasks.length === 1 ? '' : 's'} match no image ({dataset.unmatchedMasks.slice(0, 3).join(', ')}{dataset.unmatchedMasks.length > 3 ? ', …' : ''})</span> : null}
        {dataset?.ignored.length ? <span className="muted"> · {dataset.ignored.length} other file{dataset.ignored.length === 1 ? '' : 's'} left out</span> : null}
      </p>
      <div className="method-checks" role="group" aria-label="Methods to evaluate">
        {available.map((m) => {
          const why = methodUnavailable(m, support, layer);
          return (
            <label key={m} title={why ?? descriptorOf(m).reference} className={why ? 'muted' : undefined}>
              <input type="checkbox" aria-label={`Evaluate ${labelOf(m)}`} checked={methods.includes(m) && !why} disabled={!!why} onChange={(e) => toggle(m, e.target.checked)} /> {labelOf(m)}
            </label>
          );
        })}
      </div>
      <div className="controls-row">
        <label title="Deletion/insertion curves for every row: one more pass of model calls each">
          <input type="checkbox" aria-label="Deletion and insertion AUC" checked={curves} onChange={(e) => setCurves(e.target.checked)} /> deletion/insertion AUC
        </label>
        {mine ? (
          <>
            <button type="button" onClick={() => void pauseDataset(!dataset?.paused)} data-testid="dataset-pause">
              {dataset?.paused ? 'Resume' : 'Pause'}
            </button>
            <button type="button" onClick={() => void cancel()} data-testid="dataset-cancel">
              Cancel
            </button>
          </>
        ) : (
          <button
            type="button"
            className="primary"
            disabled={!model || busy || !files.length || !runnable.length || restarting}
            onClick={() => void runDataset()}
            data-testid="dataset-run"
            title={!model ? 'load a model first' : busy ? 'another run is going' : !files.length ? 'add images first' : !runnable.length ? 'pick a method this model can run' : undefined}
          >
            Run on {files.length} image{files.length === 1 ? '' : 's'}
            {runnable.length ? ` · ${runnable.length} method${runnable.length === 1 ? '' : 's'}` : ''}
          </button>
        )}
      </div>
      <DatasetProgress />
      {dataset && (dataset.rows.length > 0 || dataset.done || dataset.cancelled || dataset.error) && <DatasetResult dataset={dataset} labels={labels} onOpen={(name) => {
        const file = dataset.files.find((f) => f.name === name);
        if (file) void loadImage(file.image, name);
      }} />}
    </section>
  );
}

function SummaryTable({ summary }: { summary: EvaluationSummary }) {
  const present = AGGREGATE_METRICS.filter((m) => summary.groups.some((g) => g.metrics[m.id].n > 0));
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Dataset summary">
      <table className="dataset-summary" data-testid="dataset-summary">
        <caption className="muted small">Mean over images, [{Math.round(summary.level * 100)} % bootstrap interval of the mean], n images with a value</caption>
        <thead>
          <tr>
            <th scope="col">model</th>
            <th scope="col">method</th>
            <th scope="col">images</th>
            {present.map((m) => (
              <th scope="col" key={m.id} title={`${m.better} is better`}>
                {m.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {summary.groups.map((g) => (
            <tr key={`${g.model}\u0000${g.method}`} data-method={g.method}>
              <th scope="row">{g.model}</th>
              <td>{labelOf(g.method)}</td>
              <td className="num">{g.rows}</td>
              {present.map((m) => {
                const s = g.metrics[m.id];
                return (
                  <td key={m.id} className="num" data-metric={m.id}>
                    {s.n === 0 ? '–' : <><b>{fixed(s.mean, m.id)}</b><br /><span className="muted">[{fixed(s.low, m.id)}, {fixed(s.high, m.id)}] · n {s.n}</span></>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The picture of a row as a PNG data: URL (for the HTML report). */
function pictureUrl(thumb: RgbaImage | undefined): string | undefined {
  if (!thumb) return undefined;
  const canvas = document.createElement('canvas');
  canvas.width = thumb.width;
  canvas.height = thumb.height;
  canvas.getContext('2d')?.putImageData(new ImageData(new Uint8ClampedArray(thumb.data), thumb.width, thumb.height), 0, 0);
  return canvas.toDataURL('image/png');
}

function DatasetResult({ dataset, labels, onOpen }: { dataset: DatasetState; labels?: string[]; onOpen: (name: string) => void }) {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'image', descending: false });
  const predictedLabel = (i: number) => labels?.[i] ?? `class ${i}`;
  const metrics = AGGREGATE_METRICS.filter((m) => dataset.rows.some((r) => r[m.id] !== undefined));
  const methodsShown = new Set(dataset.rows.map((r) => r.method)).size > 1;
  const modelsShown = new Set(dataset.rows.map((r) => r.model)).size > 1;
  const sorted = useMemo(() => {
    const predictedLabel = (i: number) => labels?.[i] ?? `class ${i}`;
    const rows = dataset.rows.map((row, i) => ({ row, i }));
    rows.sort((a, b) => {
      const va = sortValue(a.row, sort.key, predictedLabel);
      const vb = sortValue(b.row, sort.key, predictedLabel);
      if (va === undefined || vb === undefined) return va === vb ? a.i - b.i : va === undefined ? 1 : -1;
      const c = va < vb ? -1 : va > vb ? 1 : 0;
      return (sort.descending ? -c : c) || a.i - b.i;
    });
    return rows.map((r) => r.row);
  }, [dataset.rows, sort, labels]);
  const stem = `glassbox-dataset-${dataset.modelName?.replace(/\.onnx$/i, '') ?? 'run'}`;
  const exportCsv = () => download(`${stem}.csv`, new Blob([rowsToCsv(dataset.rows.map(({ thumb: _thumb, ...row }) => row))], { type: 'text/csv' }));
  const exportHtml = () => {
    if (!dataset.summary) return;
    const rows = dataset.rows.map(({ thumb: _thumb, ...row }) => row);
    const html = summaryHtml(dataset.summary, `${dataset.modelName ?? 'model'} · ${dataset.files.length} images`, new Date().toISOString(), { rows, pictures: dataset.rows.map((r) => pictureUrl(r.thumb)) });
    download(`${stem}.html`, new Blob([html], { type: 'text/html' }));
  };

  const header = (key: SortKey, text: string, title?: string) => {
    const active = sort.key === key;
    return (
      <th scope="col" key={key} aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'} data-sort-key={key}>
        <button type="button" className="sort" title={title} onClick={() => setSort({ key, descending: active ? !sort.descending : false })}>
          {text}
          <span aria-hidden="true">{active ? (sort.descending ? ' ▼' : ' ▲') : ''}</span>
        </button>
      </th>
    );
  };

  return (
    <div className="dataset-result" data-testid="dataset-result">
      <p className="small" data-testid="dataset-status">
        {dataset.rows.length} row{dataset.rows.length === 1 ? '' : 's'} · {dataset.modelName} · {dataset.methods.map(labelOf).join(', ')} · seed {dataset.seed}
        {dataset.running ? (dataset.paused ? ' · paused' : ' · running…') : dataset.done ? ' · finished' : dataset.cancelled ? ' · stopped; the finished rows are kept' : ''}
      </p>
      {dataset.error && (
        <p className="warning small" data-testid="dataset-error">
          Failed: {dataset.error}
        </p>
      )}
      <div className="controls-row">
        <button type="button" onClick={exportCsv} disabled={!dataset.rows.length} data-testid="dataset-export-csv">
          Export CSV
        </button>
        <button type="button" onClick={exportHtml} disabled={!dataset.summary} data-testid="dataset-export-html">
          HTML report
        </button>
      </div>
      {dataset.summary && <SummaryTable summary={dataset.summary} />}
      {dataset.rows.length > 0 && (
        <div className="table-scroll dataset-rows-scroll" tabIndex={0} role="region" aria-label="Rows per image">
          <table className="dataset-rows" data-testid="dataset-rows">
            <caption className="muted small">
              Per image (click a column to sort{dataset.rows.length > SHOWN_ROWS ? `; the first ${SHOWN_ROWS} of ${dataset.rows.length} shown` : ''}). The picture is the row's map over the image with the object outlined (where the model looked); the image name opens it on the dashboard.
            </caption>
            <thead>
              <tr>
                <th scope="col">picture</th>
                {header('image', 'image')}
                {modelsShown && header('model', 'model')}
                {methodsShown && header('method', 'method')}
                {header('label', 'target')}
                {header('predicted', 'predicted')}
                {header('score', 'score', 'the model’s probability of the target class')}
                {metrics.map((m) => header(m.id, m.label, `${m.better} is better`))}
              </tr>
            </thead>
            <tbody>
              {sorted.slice(0, SHOWN_ROWS).map((r) => (
                <tr key={`${r.image}\u0000${r.model}\u0000${r.method}`} data-image={r.image} data-method={r.method}>
                  <td className="dataset-thumb">{r.thumb ? <ImageCanvas image={r.thumb} label={`${r.image}: the ${r.method} map over the image, the object outlined`} /> : null}</td>
                  <th scope="row">
                    <button type="button" className="link" title="Show this image on the dashboard" onClick={() => onOpen(r.image)}>
                      {r.image}
                    </button>
                  </th>
                  {modelsShown && <td>{r.model}</td>}
                  {methodsShown && <td>{labelOf(r.method)}</td>}
                  <td>
                    {r.label} <span className="muted">#{r.target}</span>
                  </td>
                  <td className={r.predicted !== r.target ? 'warn' : undefined}>
                    {predictedLabel(r.predicted)} <span className="muted">#{r.predicted}</span>
                  </td>
                  <td className="num">{r.score.toFixed(3)}</td>
                  {metrics.map((m) => {
                    const v = r[m.id];
                    return (
                      <td key={m.id} className={`num${v === false ? ' warn' : ''}`} data-metric={m.id} title={m.id === 'pointing' ? undefined : r.note}>
                        {typeof v === 'boolean' ? (v ? 'hit' : 'miss') : fixed(v, m.id)}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
