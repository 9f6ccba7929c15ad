import { useMemo, useRef, useState } from 'react';
import { descriptorOf } from '../../engine/explain/registry';
import type { RgbaImage } from '../../engine/image/types';
import { symmetricLimit } from '../../engine/render/colormap';
import { renderHeatmapOverlay } from '../../engine/render/heatmap';
import type { ExplanationState } from '../../store/app-store';
import { sameInputs, screenInputs } from '../../store/inputs';
import { ImageCanvas } from '../common/ImageCanvas';
import { useApp } from '../store-context';
import { EntryExports } from '../export/EntryExports';
import { download } from '../export/files';
import { reportHtml } from '../export/report';
import './history.css';

/** A result drawn over its own image (the one it was computed from), never over what is on screen now. */
function ownOverlay(entry: Pick<ExplanationState, 'result' | 'baseImage'>): RgbaImage | undefined {
  const { result, baseImage } = entry;
  if (baseImage.width !== result.width || baseImage.height !== result.height) return undefined;
  if (result.signed) {
    const limit = symmetricLimit(result.map) || 1;
    return renderHeatmapOverlay(baseImage, result.map, [-limit, limit], 'diverging', 0.55);
  }
  let lo = Infinity, hi = -Infinity;
  for (const v of result.map) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  return renderHeatmapOverlay(baseImage, result.map, [lo, hi > lo ? hi : lo + 1], 'jet', 0.5);
}

function caption(entry: ExplanationState): string {
  const r = entry.result;
  return `${descriptorOf(r.method).label} · #${r.target} ${entry.labels[0] ?? ''} · ${entry.imageName} on ${entry.modelName}${entry.openedFrom ? ` · from ${entry.openedFrom}` : ''}`;
}

function Thumb(props: { entry: ExplanationState; current: boolean; onScreen: boolean; selected: boolean; onSelect: (on: boolean) => void; onOpen: () => void; onPin: () => void; onDelete: () => void }) {
  // the overlay depends on the result and its image only (a pin makes a new entry object, not a new picture)
  const { result, baseImage } = props.entry;
  const overlay = useMemo(() => ownOverlay({ result, baseImage }), [result, baseImage]);
  const text = caption(props.entry);
  const pinned = !!props.entry.pinned;
  return (
    <li className={pinned ? 'pinned' : undefined}>
      <button
        type="button"
        className={`history-thumb${props.current ? ' current' : ''}${props.onScreen ? '' : ' other-inputs'}`}
        onClick={props.onOpen}
        aria-label={`${text}${props.current ? ' (shown)' : props.onScreen ? '' : ' (other image or model)'}`}
        aria-current={props.current ? 'true' : undefined}
        data-testid={`history-${props.entry.id}`}
        title={text}
      >
        {overlay && <ImageCanvas image={overlay} label={`${text}: map over ${props.entry.imageMissing ? 'grey (its image is not loaded)' : 'its own image'}`} pixelated />}
        <span>{descriptorOf(props.entry.result.method).label}</span>
      </button>
      <div className="history-actions">
        <input type="checkbox" checked={props.selected} onChange={(e) => props.onSelect(e.target.checked)} aria-label={`Select ${text}`} title="Select to compare or report" data-testid={`select-history-${props.entry.id}`} />
        <button type="button" className="link" aria-pressed={pinned} aria-label={`${pinned ? 'Unpin' : 'Pin'} ${text}`} title={pinned ? 'Pinned: kept when older results are removed' : 'Pin: keep it when older results are removed'} onClick={props.onPin} data-testid={`pin-history-${props.entry.id}`}>
          {pinned ? 'Pinned' : 'Pin'}
        </button>
        <button type="button" className="link" aria-label={`Delete ${text}`} onClick={props.onDelete} data-testid={`delete-history-${props.entry.id}`}>
          Delete
        </button>
      </div>
    </li>
  );
}

/**
 * Every finished result, newest first (kept across reloads in this browser's storage), each drawn over its own
 * image. A result computed from the inputs on screen opens as the current explanation; any other opens in a
 * dialog, over its own image. Results can be pinned (kept when the size budget removes old ones) or deleted.
 */
export function HistoryStrip() {
  const history = useApp((s) => s.history);
  const current = useApp((s) => s.explanation?.id);
  const model = useApp((s) => s.model);
  const image = useApp((s) => s.image);
  const preprocess = useApp((s) => s.preprocess);
  const inputs = useMemo(() => screenInputs({ model, image, preprocess }), [model, image, preprocess]);
  const show = useApp((s) => s.showHistoryEntry);
  const storage = useApp((s) => s.historyStorage);
  const notice = useApp((s) => s.historyNotice);
  const pin = useApp((s) => s.pinHistoryEntry);
  const remove = useApp((s) => s.deleteHistoryEntry);
  const clear = useApp((s) => s.clearHistory);
  const dismissNotice = useApp((s) => s.dismissHistoryNotice);
  const compare = useApp((s) => s.compareHistory);
  const [opened, setOpened] = useState<ExplanationState | undefined>();
  const [picked, setPicked] = useState<number[]>([]);
  // only entries still in the history count (one may have been deleted or evicted)
  const selected = picked.filter((id) => history.some((h) => h.id === id));
  const selectedImages = new Set(history.filter((h) => selected.includes(h.id)).map((h) => h.inputs.imageSha256));
  const report = useApp((s) => s.report);
  const exportReport = async () => {
    // in the order they were run
    const entries = history.filter((h) => selected.includes(h.id)).reverse();
    try {
      download(`glassbox-report-${entries.length}-runs.html`, new Blob([await reportHtml(entries, `Glassbox report: ${entries.length} run${entries.length === 1 ? '' : 's'}`)], { type: 'text/html' }));
    } catch (e) {
      report(e, 'Exporting the report');
    }
  };
  const select = (id: number, on: boolean) => setPicked(on ? [...selected, id] : selected.filter((x) => x !== id));
  const dialog = useRef<HTMLDialogElement>(null);
  const openedOverlay = useMemo(() => (opened ? ownOverlay(opened) : undefined), [opened]);
  if (!history.length && !notice) return null;
  const open = (entry: ExplanationState) => {
    if (show(entry.id)) return;
    setOpened(entry);
    dialog.current?.showModal?.();
  };
  return (
    <section className="panel history" aria-labelledby="history-h" data-testid="history-strip">
      <header>
        <h2 id="history-h">Results history</h2>
        <span className="muted small" data-testid="history-storage">
          {storage === 'saved' ? 'saved in this browser' : storage === 'memory' ? 'this page only' : ''}
        </span>
        {history.length > 0 && (
          <button type="button" className="link" onClick={clear} aria-label={`Clear all ${history.length} results from the history`} data-testid="clear-history">
            Clear all
          </button>
        )}
      </header>
      {history.length > 1 && (
        <div className="history-selection" role="group" aria-label="Selected results">
          <span className="muted small" data-testid="history-selected">
            {selected.length ? `${selected.length} selected` : 'Tick results to compare them side by side or report them'}
            {selectedImages.size > 1 ? ' · from different images: pick results of one image to compare' : ''}
          </span>
          <button type="button" disabled={selected.length < 2 || selectedImages.size > 1} onClick={() => compare(selected)} data-testid="compare-history">
            Compare selected
          </button>
          <button type="button" disabled={!selected.length} onClick={() => void exportReport()} data-testid="report-history">
            Report of selected (HTML)
          </button>
          {selected.length > 0 && (
            <button type="button" className="link" onClick={() => setPicked([])}>
              Clear selection
            </button>
          )}
        </div>
      )}
      {notice && (
        <p className="muted small history-notice" role="status" data-testid="history-notice">
          {notice}{' '}
          <button type="button" className="link" onClick={dismissNotice} aria-label="Dismiss the history notice">
            Dismiss
          </button>
        </p>
      )}
      <ul className="history-list">
        {history.map((entry) => (
          <Thumb
            key={entry.id}
            entry={entry}
            current={entry.id === current}
            onScreen={sameInputs(entry.inputs, inputs)}
            selected={selected.includes(entry.id)}
            onSelect={(on) => select(entry.id, on)}
            onOpen={() => open(entry)}
            onPin={() => pin(entry.id, !entry.pinned)}
            onDelete={() => remove(entry.id)}
          />
        ))}
      </ul>
      <dialog ref={dialog} className="history-dialog" data-testid="history-dialog" onClose={() => setOpened(undefined)} aria-label={opened ? caption(opened) : 'Result'}>
        {opened && (
          <>
            <p>
              <strong>{caption(opened)}</strong>
            </p>
            <p className="muted small">
              {opened.imageMissing
                ? `Computed for another image or model than the one on screen; re-opened from ${opened.openedFrom ?? 'a file'} without a picture of its image, so it is drawn over grey. Load ${opened.imageName} and ${opened.modelName} to see it over its image and re-run it.`
                : 'Computed for another image or model than the one on screen: shown over its own image. Load that image and model to explore it further.'}
            </p>
            {openedOverlay && <ImageCanvas image={openedOverlay} label={`${descriptorOf(opened.result.method).label} map over ${opened.imageName}`} pixelated className="history-large" testId="history-dialog-canvas" />}
            <EntryExports entry={opened} testId="history-dialog-exports" />
            <form method="dialog">
              <button type="submit">Close</button>
            </form>
          </>
        )}
      </dialog>
    </section>
  );
}
