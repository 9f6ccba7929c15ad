import { useEffect, useMemo, useRef, useState } from 'react';
import { methodUnavailable } from '../../engine/explain/availability';
import { descriptorOf, type MethodId } from '../../engine/explain/registry';
import type { Explanation } from '../../engine/explain/types';
import { describeUnits } from '../../engine/explain/units';
import type { RgbaImage } from '../../engine/image/types';
import { resolveView, type ResolvedView } from '../../engine/render/defaults';
import { renderHeatmapOverlay } from '../../engine/render/heatmap';
import { clippedEnds, mapRange, sharedRange } from '../../engine/render/scale';
import { ColorBar } from '../common/ColorBar';
import { ImageCanvas } from '../common/ImageCanvas';
import { OpacityField } from '../common/OpacityField';
import { formatMs } from '../common/format';
import { methodsByGroup } from '../explain/MethodPicker';
import { useApp } from '../store-context';
import { curvesRows, runCost } from '../../engine/explain/cost';
import { FAITHFULNESS_DEFAULTS } from '../../engine/explain/faithfulness-params';
import { autoBatch, paramsForJob, type ComparisonEntry } from '../../store/app-store';
import { EntryExports } from '../export/EntryExports';
import { download } from '../export/files';
import { reportHtml } from '../export/report';
import { LOCALISATION_METRICS, localisationMetrics, type LocalisationMetrics } from '../../engine/metrics/localisation';
import { alignedGroundTruth } from '../../store/slices/ground-truth';
import { formatLocalisation } from '../mask/format-metrics';
import { withMaskOutline } from '../../engine/render/outline';
import '../explain/views.css';

/** One map of the grid: a method's map for one class, drawn in its kind's colour map on its range. */
interface Cell {
  key: string;
  /** The comparison entry's key: the method id, or `run-<id>` for a history run. */
  entry: string;
  /** The entry's name: the method's label, or for a history run what sets it apart. */
  name: string;
  method: MethodId;
  target: number;
  /** Row: the class's place among the comparison's targets. */
  row: number;
  image: RgbaImage;
  look: ResolvedView;
  range: [number, number];
  clipped: { lo: boolean; hi: boolean };
  signed: boolean;
  units: string;
  /** The other entries (their names) whose maps share this range (same units), when the scale is shared. */
  sharedWith: string[];
}

const labelOf = (m: MethodId) => descriptorOf(m).label;
/** The localisation metrics the comparison table shows (when the image has a ground truth). */
const LOCALISATION_COLUMNS = (['pointing', 'relevanceMass', 'iou', 'auc'] as const).map((id) => ({ ...LOCALISATION_METRICS.find((m) => m.id === id)!, short: { pointing: 'pointing game', relevanceMass: 'relevance mass', iou: 'top-k IoU', auc: 'mask AUC' }[id] }));
const unitsOf = (r: Explanation) => r.units ?? describeUnits(r);
const list = (names: string[]) => (names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

/**
 * Several methods on the same image and classes, side by side: each map in its own kind's colour map (jet for
 * CAMs and RISE, red–blue for signed weights, …) with its own colour bar, on its own range or — only among maps
 * of the same quantity (the same units) — on a shared one; a row per class when several were explained (as
 * shap's image_plot). Cells are at least 2× a 96-px image, pixelated; a click or Enter enlarges one. Below, each
 * method's cost and its deletion and insertion AUC against a random pixel order — the seed reports' table, live.
 */
export function ComparePanel() {
  const methods = useApp((s) => s.compareMethods);
  const settings = useApp((s) => s.explainSettings);
  const preprocessForCost = useApp((s) => s.preprocess);
  const dynamicBatch = useApp((s) => s.model?.spec.dynamicBatch ?? false);
  const layerChannels = useApp((s) => s.support?.catalog.candidates.find((c) => c.name === (s.explainSettings.layer || s.support?.catalog.suggested))?.channels);
  const batch = useApp(autoBatch);
  // what the comparison will cost: every method's calls plus its curves (from the descriptors)
  const compareCalls = useMemo(() => {
    if (!preprocessForCost) return 0;
    const curves = settings.metrics ?? FAITHFULNESS_DEFAULTS;
    let calls = 0;
    for (const [i, m] of methods.entries()) {
      try {
        calls += runCost(descriptorOf(m), paramsForJob(settings, m, batch) as never, { width: preprocessForCost.width, height: preprocessForCost.height, targets: settings.topLabels, channels: layerChannels, dynamicBatch }).calls;
        // the random-order baseline and the end points are evaluated for the first map only (reused after)
        calls += Math.ceil(curvesRows(curves.steps, i > 0) / (dynamicBatch ? curves.batchSize : 1));
      } catch {
        return 0;
      }
    }
    return calls;
  }, [methods, settings, preprocessForCost, dynamicBatch, layerChannels, batch]);
  const scale = useApp((s) => s.compareScale);
  const comparison = useApp((s) => s.comparison);
  const closeComparison = useApp((s) => s.closeComparison);
  const history = useApp((s) => s.history);
  const report = useApp((s) => s.report);
  // each compared run as the history keeps it (its image, labels, where it ran): what the exports need
  const entryOf = (e: ComparisonEntry) => (e.result ? history.find((h) => (e.historyId !== undefined ? h.id === e.historyId : h.result === e.result)) : undefined);
  const fromHistory = comparison?.source === 'history';
  const support = useApp((s) => s.support);
  // narrow selectors: progress reports must not re-render the comparison
  const runMethod = useApp((s) => s.run?.method);
  const comparing = useApp((s) => !!s.run?.step);
  const running = useApp((s) => !!s.run);
  const model = useApp((s) => s.model);
  const modelInput = useApp((s) => s.prediction?.result.modelInput);
  const setMethods = useApp((s) => s.setCompareMethods);
  const setScale = useApp((s) => s.setCompareScale);
  const runComparison = useApp((s) => s.runComparison);
  const cancel = useApp((s) => s.cancelExplanation);
  const layer = useApp((s) => s.explainSettings.layer);
  const [opacity, setOpacity] = useState(0.6);
  const [enlarged, setEnlarged] = useState<string>();
  const dialog = useRef<HTMLDialogElement>(null);
  const panel = useRef<HTMLElement>(null);
  // runs picked in the history come into view where they are drawn
  const historyComparison = comparison?.source === 'history' ? comparison.id : undefined;
  useEffect(() => {
    if (historyComparison !== undefined) panel.current?.scrollIntoView?.({ block: 'start' });
  }, [historyComparison]);
  // the picker's order: by group, registry order within a group
  const available: MethodId[] = methodsByGroup().flatMap((g) => g.methods);
  const toggle = (m: MethodId, on: boolean) => setMethods(on ? available.filter((x) => x === m || methods.includes(x)) : methods.filter((x) => x !== m));
  const targets = useMemo(() => (comparison ? (comparison.targets?.length ? comparison.targets : [comparison.target]) : []), [comparison]);
  const classLabel = (row: number) => `#${targets[row]} ${comparison?.labels?.[row] ?? (row === 0 ? comparison?.label : '') ?? ''}`.trim();
  const nameOf = (e: ComparisonEntry) => e.caption ?? labelOf(e.method);

  // maps of the same quantity (the same units) may share a range; anything else keeps its own
  const done = useMemo(() => (comparison?.entries ?? []).filter((e): e is ComparisonEntry & { result: Explanation } => !!e.result), [comparison]);
  const results = useMemo(() => done.map((e) => e.result), [done]);
  const byUnits = useMemo(() => {
    const groups = new Map<string, (ComparisonEntry & { result: Explanation })[]>();
    for (const e of done) groups.set(unitsOf(e.result), [...(groups.get(unitsOf(e.result)) ?? []), e]);
    return groups;
  }, [done]);
  const canShare = [...byUnits.values()].some((g) => g.length > 1);
  const shared = scale === 'shared' && canShare;

  const outlineOn = useApp((s) => s.showGroundTruthOutline);
  const truth = useApp((s) => s.groundTruth);
  const cells = useMemo(() => {
    const out = new Map<string, Cell>();
    const outlineOf = (e: ComparisonEntry, width: number, height: number) => {
      if (!outlineOn) return undefined;
      try {
        const mask = alignedGroundTruth(truth, e.historyId !== undefined ? history.find((h) => h.id === e.historyId)?.inputs : comparison?.inputs);
        return mask && mask.width === width && mask.height === height ? mask : undefined;
      } catch {
        return undefined;
      }
    };
    if (!comparison) return out;
    for (const e of done) {
      const r = e.result;
      // a history run over its own image; a methods comparison over the screen's (it is cleared when that changes)
      const base = e.baseImage ?? modelInput;
      if (!base || base.width !== r.width || base.height !== r.height) continue;
      const look = resolveView({ colormap: 'auto' }, r);
      const mask = outlineOf(e, r.width, r.height);
      const units = unitsOf(r);
      const group = shared ? (byUnits.get(units) ?? []) : [];
      // history runs show each run's own explained class; a methods comparison has a row per class
      const rowTargets = fromHistory ? [r.target] : targets;
      const groupRange = group.length > 1 ? sharedRange(group.flatMap((g) => (fromHistory ? g.result.classes.filter((c) => c.target === g.result.target) : g.result.classes).map((c) => c.map)), group.some((g) => g.result.signed), look.clipPercentile) : undefined;
      rowTargets.forEach((target, row) => {
        const c = r.classes.find((k) => k.target === target);
        if (!c) return;
        const range = groupRange ?? mapRange(c.map, r.signed, look.clipPercentile);
        const key = `${e.key}:${row}`;
        out.set(key, {
          key,
          entry: e.key,
          name: nameOf(e),
          method: r.method,
          target,
          row,
          image: ((picture) => (mask ? withMaskOutline(picture, mask) : picture))(renderHeatmapOverlay(base, c.map, range, look.colormap, opacity, { greyUnderlay: look.greyUnderlay, fadeAtZero: look.fadeAtZero })),
          look,
          range,
          clipped: clippedEnds(c.map, range),
          signed: r.signed,
          units,
          sharedWith: group.length > 1 ? group.filter((g) => g.key !== e.key).map(nameOf) : [],
        });
      });
    }
    return out;
  }, [comparison, modelInput, done, byUnits, shared, targets, opacity, fromHistory, outlineOn, truth, history]);

  const open = enlarged ? cells.get(enlarged) : undefined;
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  const multi = !fromHistory && targets.length > 1;
  // scored against the ground truth when the image has one: each run's first class, aligned with its own inputs
  const groundTruth = useApp((s) => s.groundTruth);
  const topKPercent = useApp((s) => s.topKPercent);
  const localisation = useMemo(() => {
    const out = new Map<string, LocalisationMetrics>();
    for (const e of done) {
      const inputs = e.historyId !== undefined ? history.find((h) => h.id === e.historyId)?.inputs : comparison?.inputs;
      try {
        const mask = alignedGroundTruth(groundTruth, inputs);
        const cls = e.result.classes.find((c) => c.target === (fromHistory ? e.result.target : targets[0]));
        if (mask && cls && mask.width === e.result.width && mask.height === e.result.height) out.set(e.key, localisationMetrics(cls.map, mask, { topKFraction: topKPercent === undefined ? undefined : topKPercent / 100 }));
      } catch {
        // a map that cannot be scored (NaN) shows no numbers
      }
    }
    return out;
  }, [done, groundTruth, history, comparison, fromHistory, targets, topKPercent]);
  const scored = localisation.size > 0;
  const exportReport = async () => {
    const runs = done.map(entryOf).filter((h) => h !== undefined);
    try {
      if (runs.length < done.length) throw new Error(`${done.length - runs.length} of the compared runs are no longer in the history (deleted or evicted); run the comparison again to report every run`);
      const title = `Glassbox comparison: ${comparison!.imageName} on ${comparison!.modelName}`;
      download(`${comparison!.imageName.replace(/\.[^.]+$/, '')}-comparison.html`, new Blob([await reportHtml(runs, title)], { type: 'text/html' }));
    } catch (e) {
      report(e, 'Exporting the comparison report');
    }
  };
  const cellLabel = (cell: Cell) => (fromHistory ? `#${cell.target} ${entries.find((e) => e.key === cell.entry)?.label ?? ''}`.trim() : classLabel(cell.row));
  const entries = comparison?.entries ?? [];
  const colorBar = (cell: Cell, compact: boolean) => (
    <ColorBar
      colormap={cell.look.colormap}
      fadeAtZero={cell.look.fadeAtZero}
      scale={{ range: cell.range, signed: cell.signed, normalised: false, clipped: cell.clipped }}
      quantity={cell.units}
      note={
        (cell.sharedWith.length ? `range shared with ${list(cell.sharedWith)}` : 'own range') +
        (cell.look.clipPercentile !== undefined ? `, ends at the ${cell.look.clipPercentile}th percentile` : '')
      }
      compact={compact}
      testId={compact ? `compare-scale-${cell.entry}` : 'compare-dialog-scale'}
    />
  );
  const renderCell = (e: ComparisonEntry, row: number) => {
    const cell = cells.get(`${e.key}:${row}`);
    const suffix = row === 0 ? '' : `-class-${targets[row]}`;
    const name = nameOf(e);
    return (
      <figure key={`${e.key}:${row}`} data-method={e.method} data-class={cell?.target ?? targets[row]} className="compare-cell" data-testid={`compare-cell-${e.key}${suffix}`}>
        {!multi && (
          <figcaption>
            {name}
            {fromHistory && cell && <span className="muted small"> · {cellLabel(cell)}{e.modelName && comparison?.modelName !== e.modelName ? ` · ${e.modelName}` : ''}</span>}
          </figcaption>
        )}
        {cell ? (
          <>
            <button type="button" className="compare-thumb" onClick={() => setEnlarged(cell.key)} aria-label={`Enlarge the ${name} map (${cellLabel(cell)})`} title="Enlarge (click or Enter)">
              <ImageCanvas image={cell.image} label={`${name} map, ${cellLabel(cell)}`} pixelated testId={`compare-map-${e.key}${suffix}`} />
            </button>
            {colorBar(cell, true)}
          </>
        ) : (
          <div className="placeholder">{e.error ?? (e.result ? 'not explained for this class' : runMethod === e.method ? 'running…' : 'waiting')}</div>
        )}
      </figure>
    );
  };

  const random = results.find((r) => r.metrics?.random)?.metrics?.random;
  const groupsText = [...byUnits.entries()].filter(([, g]) => g.length > 1).map(([units, g]) => `${list(g.map(nameOf))} (${units})`);
  const alone = [...byUnits.values()].filter((g) => g.length === 1).map((g) => nameOf(g[0]));
  return (
    <section className="panel" aria-labelledby="compare-h" data-testid="compare-panel" ref={panel}>
      <header>
        <h2 id="compare-h">{fromHistory ? 'Compare runs' : 'Compare methods'}</h2>
        {comparing ? (
          <button type="button" onClick={() => void cancel()} data-testid="cancel-compare">
            Cancel
          </button>
        ) : (
          <button type="button" className="primary" disabled={!model || running || !methods.length} onClick={() => void runComparison()} data-testid="run-compare">
            Run comparison{compareCalls ? ` · ${compareCalls} model calls` : ''}
          </button>
        )}
      </header>
      <div className="method-checks">
        {available.map((m) => {
          const why = methodUnavailable(m, support, layer);
          return (
            <label key={m} title={why ?? descriptorOf(m).reference} className={why ? 'muted' : undefined}>
              <input type="checkbox" aria-label={`Compare ${descriptorOf(m).label}`} checked={methods.includes(m)} disabled={!!why} onChange={(e) => toggle(m, e.target.checked)} /> {descriptorOf(m).label}
            </label>
          );
        })}
      </div>
      <div className="compare-controls">
        <label>
          Colour scale
          <select aria-label="Comparison scale" value={scale} onChange={(e) => setScale(e.target.value as 'shared' | 'normalised')}>
            <option value="normalised">each map on its own range</option>
            <option value="shared" disabled={results.length > 0 && !canShare}>
              shared by maps of the same quantity
            </option>
          </select>
        </label>
        <OpacityField value={opacity} onChange={setOpacity} />
      </div>
      {comparison && (
        <>
          {fromHistory ? (
            <p className="muted small compare-source" data-testid="compare-source">
              {entries.length} runs from the history · {comparison.imageName} on {comparison.modelName} · each over its own copy of the image, captioned by what sets it apart{' '}
              <button type="button" className="link" onClick={closeComparison} data-testid="close-compare">
                Close
              </button>
            </p>
          ) : (
            <p className="muted small">
              {multi ? `Classes ${targets.map((t, row) => classLabel(row)).join(', ')}` : `Class ${classLabel(0)}`} · {comparison.imageName} on {comparison.modelName} · each map in its own kind’s colours (jet for CAMs and RISE, red–blue for signed weights)
            </p>
          )}
          {results.length > 1 && (
            <p className="scale-groups" data-testid="compare-scale-note">
              {scale !== 'shared'
                ? canShare
                  ? `Each map on its own range. Maps of the same quantity can share one: ${groupsText.join('; ')}.`
                  : 'Each map on its own range: no two of these maps measure the same quantity (their units differ), so none can share a range.'
                : canShare
                  ? `Shared range for maps of the same quantity: ${groupsText.join('; ')}.${alone.length ? ` Own range (no other map measures the same quantity): ${list(alone)}.` : ''}`
                  : 'No two of these maps measure the same quantity (their units differ), so each keeps its own range.'}
            </p>
          )}
          <div className="compare-scroll" data-testid="compare-grid">
            {multi ? (
              <div className="compare-rows" style={{ gridTemplateColumns: `auto repeat(${entries.length}, minmax(200px, 280px))` }}>
                <span />
                {entries.map((e) => (
                  <span key={e.key} className="column-label">
                    {nameOf(e)}
                  </span>
                ))}
                {targets.map((t, row) => [
                  <span key={`label-${t}`} className="class-label">
                    {classLabel(row)}
                  </span>,
                  ...entries.map((e) => renderCell(e, row)),
                ])}
              </div>
            ) : (
              <div className="compare-cells">{entries.map((e) => renderCell(e, 0))}</div>
            )}
          </div>
          {comparison.done && (
            <div className="export-row">
              <button type="button" onClick={() => void exportReport()} disabled={!done.length} data-testid="compare-report">
                Report of this comparison (HTML)
              </button>
            </div>
          )}
          <table className="compare-table" data-testid="compare-table">
            <thead>
              <tr>
                <th>{fromHistory ? 'run' : 'method'}</th>
                {fromHistory && <th>class</th>}
                {fromHistory && <th>model</th>}
                <th>time</th>
                <th>model calls</th>
                <th title="lower is better">deletion AUC</th>
                <th title="higher is better">insertion AUC</th>
                {scored && LOCALISATION_COLUMNS.map((c) => <th key={c.id} title={`${c.help} ${c.reference}`}>{c.short}</th>)}
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.key} data-method={e.method} data-key={e.key}>
                  <td>{nameOf(e)}</td>
                  {fromHistory && <td>{e.result ? `#${e.result.target} ${e.label ?? ''}` : ''}</td>}
                  {fromHistory && <td>{e.modelName}</td>}
                  <td>{e.result ? formatMs(e.result.timings.totalMs) : (e.error ?? '…')}</td>
                  <td data-testid="compare-calls">
                    {e.result ? e.result.timings.modelCalls : ''}
                    {e.result?.timings.reusedRows ? <span className="muted"> + {e.result.timings.reusedRows} rows reused</span> : null}
                  </td>
                  <td>{e.result?.metrics ? e.result.metrics.deletion.auc.toFixed(3) : ''}</td>
                  <td>{e.result?.metrics ? e.result.metrics.insertion.auc.toFixed(3) : ''}</td>
                  {scored && LOCALISATION_COLUMNS.map((c) => <td key={c.id} data-metric={c.id}>{localisation.get(e.key) ? formatLocalisation(localisation.get(e.key)!, c.id) : ''}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
          {random && (
            <p className="muted small random-baseline-note" data-testid="compare-random-baseline">
              Baseline, pixels in a random order (the same for every method: it depends only on the image and the class): deletion AUC {random.deletion.auc.toFixed(3)}, insertion AUC{' '}
              {random.insertion.auc.toFixed(3)}. A map is informative where it beats these.
            </p>
          )}
        </>
      )}
      <dialog ref={dialog} className="map-dialog" data-testid="compare-dialog" aria-labelledby="compare-dialog-h" onClose={() => setEnlarged(undefined)}>
        {open && (
          <>
            <header>
              <h3 id="compare-dialog-h">
                {open.name} · {cellLabel(open)}
              </h3>
              <button type="button" onClick={() => dialog.current?.close()} autoFocus>
                Close
              </button>
            </header>
            <ImageCanvas image={open.image} label={`${open.name} map, enlarged`} pixelated testId="compare-dialog-map" />
            {colorBar(open, false)}
            {(() => {
              const h = entryOf(entries.find((e) => e.key === open.entry)!);
              return h ? <EntryExports entry={h} testId="compare-dialog-exports" /> : null;
            })()}
          </>
        )}
      </dialog>
    </section>
  );
}
