import { useMemo } from 'react';
import { defaultOverlay } from '../../engine/render/thumbnail';
import { useOutlineShown } from '../mask/use-ground-truth';
import { methodUnavailable } from '../../engine/explain/availability';
import { descriptorOf, type MethodId } from '../../engine/explain/registry';
import { localisationMetrics, type LocalisationMetrics } from '../../engine/metrics/localisation';
import type { Mask } from '../../engine/metrics/mask';
import { alignedGroundTruth } from '../../store/slices/ground-truth';
import { shelfLabel, shelfMatch, shelfRows, type ShelfCell, type ShelfGrid, type ShelfGridRow, type ShelfMatch, type ShelfRow } from '../../store/slices/shelf';
import { FileButton } from '../common/FileButton';
import { ImageCanvas } from '../common/ImageCanvas';
import { formatBytes, formatMs } from '../common/format';
import { methodsByGroup } from '../explain/MethodPicker';
import { useApp } from '../store-context';
import './shelf.css';

const OPACITY = 0.6;
const percent = (p: number | undefined) => (p === undefined || !Number.isFinite(p) ? '–' : `${(100 * p).toFixed(1)} %`);
const fixed = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(2));
const formatCount = (n: number | undefined) => (n === undefined ? '–' : n.toLocaleString('en-US'));

/** How a row's class was found, in words. */
function matchInWords(m: ShelfMatch): string {
  switch (m.how) {
    case 'selected':
      return 'the dashboard’s class';
    case 'exact':
      return 'same name';
    case 'case-insensitive':
      return 'same name, other case';
    case 'normalised':
      return 'same name, normalised';
    case 'chosen':
      return 'picked by you';
    default:
      return 'no class of that name: pick one';
  }
}

/** The class-match cell of a model row: the class found (and how), or a select to pick it. */
function MatchCell(props: { row: ShelfRow; match: ShelfMatch; label: string | undefined }) {
  const setTarget = useApp((s) => s.setShelfTarget);
  const { row, match } = props;
  const classes = row.labels ?? Array.from({ length: row.spec?.numClasses ?? 0 }, (_, i) => `class ${i}`);
  if (row.current) return <span data-testid="shelf-match">#{match.index} {props.label}</span>;
  return (
    <span className="shelf-match" data-testid="shelf-match" data-how={match.how}>
      {match.index !== undefined && <span>#{match.index} {row.labels?.[match.index] ?? `class ${match.index}`} </span>}
      <span className={match.index === undefined ? 'shelf-warn' : 'muted'}>({matchInWords(match)})</span>{' '}
      {classes.length > 0 && match.how !== 'exact' && (
        <select aria-label={`Class of ${row.name} to explain`} value={match.index ?? ''} onChange={(e) => e.target.value !== '' && setTarget(row.id, Number(e.target.value))} data-testid="shelf-pick-class">
          <option value="">pick…</option>
          {classes.map((c, i) => (
            <option key={i} value={i}>
              #{i} {c}
            </option>
          ))}
        </select>
      )}
    </span>
  );
}

/** The grid's progress line (its own component: progress reports re-render only this). */
function ShelfProgress(props: { grid: ShelfGrid | undefined }) {
  const run = useApp((s) => (s.run?.kind === 'shelf' ? s.run : undefined));
  const step = props.grid?.step;
  if (!run || !step) return null;
  const p = run.progress;
  const row = props.grid!.rows[step.row];
  return (
    <div className="progress" role="progressbar" aria-label="Model shelf progress" aria-valuenow={step.index} aria-valuemax={step.count} data-testid="shelf-progress">
      <div className="bar" style={{ width: `${(100 * (step.index + (p ? p.done / p.total : 0))) / step.count}%` }} />
      <span>
        {row?.name} · {descriptorOf(run.method).label} ({step.index + 1} of {step.count}) · {p ? `${p.phase}: ${p.done} / ${p.total}` : 'starting…'}
      </span>
    </div>
  );
}

/** One cell of the grid: the map over the model's own input image, the prediction, and the cell's metrics. */
function GridCell(props: { row: ShelfGridRow; cell: ShelfCell; mask: Mask | undefined; running: boolean }) {
  const { row, cell, mask } = props;
  const r = cell.result;
  const base = row.modelInput;
  const outlined = useOutlineShown();
  const overlay = useMemo(
    () => (base && r && base.width === r.width && base.height === r.height ? defaultOverlay(r, base, OPACITY, outlined ? mask : undefined) : undefined),
    [base, r, mask, outlined],
  );
  const localisation = useMemo((): LocalisationMetrics | undefined => {
    if (!r || !mask || mask.width !== r.width || mask.height !== r.height) return undefined;
    try {
      return localisationMetrics(r.map, mask);
    } catch {
      return undefined; // a map with NaN has no localisation (the cell says nothing rather than a wrong number)
    }
  }, [r, mask]);
  const name = descriptorOf(cell.method).label;
  return (
    <td className="shelf-cell" data-testid={`shelf-cell-${row.id}-${cell.method}`} data-method={cell.method}>
      {overlay ? (
        <ImageCanvas image={overlay} label={`${name} map of ${row.name}, class ${row.targetLabel}`} pixelated testId={`shelf-map-${row.id}-${cell.method}`} />
      ) : (
        <div className="placeholder">{cell.error ?? (props.running ? 'running…' : 'waiting')}</div>
      )}
      {r && (
        <dl className="shelf-stats">
          <dt>explained</dt>
          <dd data-testid="shelf-target-score">
            #{row.target} {row.targetLabel} · {percent(row.targetScore)}
          </dd>
          {localisation && (
            <>
              <dt title="Pointing game: the map's maximum lies on the object (TorchRay tolerance)">pointing</dt>
              <dd data-testid="shelf-pointing">{localisation.pointing.hit ? 'hit' : 'miss'}</dd>
              <dt title="Share of the map's positive relevance on the object (chance: the object's share of the image)">relevance mass</dt>
              <dd>{fixed(localisation.relevanceMass)}</dd>
              <dt title="Overlap of the map's top pixels (as many as the object has) with the object">IoU</dt>
              <dd>{fixed(localisation.iou)}</dd>
            </>
          )}
          <dt title="Deletion AUC: lower is better">deletion</dt>
          <dd data-testid="shelf-deletion">{r.metrics ? r.metrics.deletion.auc.toFixed(3) : '–'}</dd>
          <dt title="Insertion AUC: higher is better">insertion</dt>
          <dd data-testid="shelf-insertion">{r.metrics ? r.metrics.insertion.auc.toFixed(3) : '–'}</dd>
          <dt>time · calls</dt>
          <dd>
            {formatMs(r.timings.totalMs)} · {r.timings.modelCalls}
          </dd>
        </dl>
      )}
    </td>
  );
}


/**
 * The model shelf: several models on the image on screen, each with its own preprocessing and labels, and a
 * models × methods grid for one class given by name (found in each model's labels, or picked by hand). Per cell the
 * map over that model's input, its prediction, the explained class's score, localisation against the ground truth
 * when there is one, the deletion/insertion AUCs, time and model calls; per model its size, parameters and
 * inference time per image — seed 003's model-selection table, live.
 */
export function ShelfPanel() {
  const model = useApp((s) => s.model);
  const preprocess = useApp((s) => s.preprocess);
  const prediction = useApp((s) => s.prediction);
  const target = useApp((s) => s.target);
  const rowMs = useApp((s) => s.rowMs);
  const shelf = useApp((s) => s.shelf);
  const savedPreprocess = useApp((s) => s.savedPreprocess);
  const loading = useApp((s) => s.shelfLoading);
  const methods = useApp((s) => s.shelfMethods);
  const grid = useApp((s) => s.shelfGrid);
  const groundTruth = useApp((s) => s.groundTruth);
  const support = useApp((s) => s.support);
  const layer = useApp((s) => s.explainSettings.layer);
  const running = useApp((s) => !!s.run);
  const mine = useApp((s) => s.run?.kind === 'shelf');
  const restarting = useApp((s) => s.engine === 'restarting');
  const hasImage = useApp((s) => !!s.image);
  const addModel = useApp((s) => s.addShelfModel);
  const removeModel = useApp((s) => s.removeShelfModel);
  const setMethods = useApp((s) => s.setShelfMethods);
  const runGrid = useApp((s) => s.runShelfGrid);
  const cancel = useApp((s) => s.cancelExplanation);

  const label = shelfLabel({ prediction, target });
  const rows = useMemo(() => shelfRows({ model, preprocess, prediction, target, rowMs, shelf, savedPreprocess }), [model, preprocess, prediction, target, rowMs, shelf, savedPreprocess]);
  const matches = rows.map((r) => shelfMatch({ prediction, target }, r, label));
  const available: MethodId[] = methodsByGroup().flatMap((g) => g.methods);
  const toggle = (m: MethodId, on: boolean) => setMethods(on ? available.filter((x) => x === m || methods.includes(x)) : methods.filter((x) => x !== m));
  // the ground truth aligned with each row's own preprocessing (models differ in size and crop)
  const masks = useMemo(() => new Map(grid?.rows.map((r) => [r.id, alignedGroundTruth(groundTruth, { imageSha256: grid.imageSha256, preprocess: r.preprocess })]) ?? []), [grid, groundTruth]);
  const unmatched = matches.some((m) => m.index === undefined);

  const onFiles = async (files: File[]) => {
    for (const f of files) await addModel(new Uint8Array(await f.arrayBuffer()), f.name);
  };

  return (
    <section className="panel shelf-panel" aria-labelledby="shelf-h" data-testid="shelf-panel">
      <header>
        <h2 id="shelf-h">Model shelf</h2>
        {mine ? (
          <button type="button" onClick={() => void cancel()} data-testid="shelf-cancel">
            Cancel
          </button>
        ) : (
          <button type="button" className="primary" disabled={!model || !hasImage || running || restarting || !methods.length || unmatched} onClick={() => void runGrid()} data-testid="shelf-run" title={unmatched ? 'Pick the class of every model first' : undefined}>
            Run grid{rows.length ? ` · ${rows.length} model${rows.length === 1 ? '' : 's'} × ${methods.length} method${methods.length === 1 ? '' : 's'}` : ''}
          </button>
        )}
      </header>
      <p className="small">
        Class explained in every model: <strong data-testid="shelf-class">{label ?? '–'}</strong> <span className="muted">(the dashboard’s selected class, found by name in each model’s labels)</span>
      </p>
      <h3 className="shelf-h3">Models</h3>
      <table className="compare-table shelf-models" data-testid="shelf-models">
        <thead>
          <tr>
            <th>model</th>
            <th>input</th>
            <th>file size</th>
            <th>parameters</th>
            <th title="Fastest single-image inference measured">inference / image</th>
            <th>class explained</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.id} data-row={r.id}>
              <td>
                {r.name}
                {r.current && <span className="muted small"> (current)</span>}
              </td>
              <td>
                {r.preprocess.width}×{r.preprocess.height}
              </td>
              <td data-testid="shelf-size">{formatBytes(r.sizeBytes)}</td>
              <td data-testid="shelf-params" data-value={r.paramCount ?? ''}>
                {formatCount(r.paramCount)}
              </td>
              <td data-testid="shelf-inference">{r.inferenceMs !== undefined ? formatMs(r.inferenceMs) : '–'}</td>
              <td>
                <MatchCell row={r} match={matches[i]} label={label} />
              </td>
              <td>
                {!r.current && (
                  <button type="button" className="link" onClick={() => void removeModel(r.id)} disabled={mine} aria-label={`Remove ${r.name} from the shelf`}>
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="shelf-add">
        <FileButton accept=".onnx" onFiles={(files) => void onFiles(files)} testId="shelf-model-input">
          {loading ? 'Adding model…' : 'Add model…'}
        </FileButton>
        <span className="muted small"> Each model keeps its own preprocessing (suggested, or the one saved for it) and labels.</span>
      </div>
      <div className="method-checks">
        {available.map((m) => {
          const why = methodUnavailable(m, support, layer);
          return (
            <label key={m} title={why ?? descriptorOf(m).reference} className={why ? 'muted' : undefined}>
              <input type="checkbox" aria-label={`Shelf ${descriptorOf(m).label}`} checked={methods.includes(m)} onChange={(e) => toggle(m, e.target.checked)} /> {descriptorOf(m).label}
            </label>
          );
        })}
      </div>
      <ShelfProgress grid={grid} />
      {grid && (
        <>
          <p className="muted small">
            Class “{grid.label}” · {grid.imageName} · each map over the image as its model sees it, on its own range
            {masks.size && [...masks.values()].some(Boolean) ? ' · localisation against the ground truth' : ' · no ground truth for this image: no localisation'}
          </p>
          <div className="shelf-scroll">
            <table className="shelf-grid" data-testid="shelf-grid">
              <thead>
                <tr>
                  <th>model</th>
                  {grid.methods.map((m) => (
                    <th key={m}>{descriptorOf(m).label}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {grid.rows.map((row, i) => (
                  <tr key={row.id} data-row={row.id} data-testid="shelf-grid-row">
                    <th scope="row" className="shelf-row-head">
                      <div>{row.name}</div>
                      {row.prediction && (
                        <div className="small" data-testid="shelf-prediction">
                          top-1: {row.prediction.label} · {percent(row.prediction.score)}
                        </div>
                      )}
                      <div className="small muted" data-testid="shelf-row-class">
                        class #{row.target} {row.targetLabel}
                      </div>
                      <div className="small muted">
                        {formatCount(row.paramCount)} params · {formatBytes(row.sizeBytes)} · {row.inferenceMs !== undefined ? `${formatMs(row.inferenceMs)} / image` : '–'}
                      </div>
                      {row.error && <div className="small shelf-warn">{row.error}</div>}
                    </th>
                    {row.cells.map((cell, m) => (
                      <GridCell key={cell.method} row={row} cell={cell} mask={masks.get(row.id)} running={grid.step?.row === i && grid.step.method === m} />
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
