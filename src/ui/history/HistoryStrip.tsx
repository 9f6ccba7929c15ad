import { useMemo, useRef, useState } from 'react';
import { descriptorOf } from '../../engine/explain/registry';
import type { RgbaImage } from '../../engine/image/types';
import { symmetricLimit } from '../../engine/render/colormap';
import { renderHeatmapOverlay } from '../../engine/render/heatmap';
import type { ExplanationState } from '../../store/app-store';
import { sameInputs, screenInputs } from '../../store/inputs';
import { ImageCanvas } from '../common/ImageCanvas';
import { useApp } from '../store-context';
import './history.css';

/** A result drawn over its own image (the one it was computed from), never over what is on screen now. */
function ownOverlay(entry: ExplanationState): RgbaImage | undefined {
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
  return `${descriptorOf(r.method).label} · #${r.target} ${entry.labels[0] ?? ''} · ${entry.imageName} on ${entry.modelName}`;
}

function Thumb(props: { entry: ExplanationState; current: boolean; onScreen: boolean; onOpen: () => void }) {
  const overlay = useMemo(() => ownOverlay(props.entry), [props.entry]);
  const text = caption(props.entry);
  return (
    <li>
      <button
        type="button"
        className={`history-thumb${props.current ? ' current' : ''}${props.onScreen ? '' : ' other-inputs'}`}
        onClick={props.onOpen}
        aria-label={`${text}${props.current ? ' (shown)' : props.onScreen ? '' : ' (other image or model)'}`}
        aria-current={props.current ? 'true' : undefined}
        data-testid={`history-${props.entry.id}`}
        title={text}
      >
        {overlay && <ImageCanvas image={overlay} label={`${text}: map over its own image`} pixelated />}
        <span>{descriptorOf(props.entry.result.method).label}</span>
      </button>
    </li>
  );
}

/**
 * Every finished result of the session, newest first, each drawn over its own image. A result computed from the
 * inputs on screen opens as the current explanation; any other opens in a dialog, over its own image.
 */
export function HistoryStrip() {
  const history = useApp((s) => s.history);
  const current = useApp((s) => s.explanation?.id);
  const model = useApp((s) => s.model);
  const image = useApp((s) => s.image);
  const preprocess = useApp((s) => s.preprocess);
  const inputs = useMemo(() => screenInputs({ model, image, preprocess }), [model, image, preprocess]);
  const show = useApp((s) => s.showHistoryEntry);
  const [opened, setOpened] = useState<ExplanationState | undefined>();
  const dialog = useRef<HTMLDialogElement>(null);
  const openedOverlay = useMemo(() => (opened ? ownOverlay(opened) : undefined), [opened]);
  if (!history.length) return null;
  const open = (entry: ExplanationState) => {
    if (show(entry.id)) return;
    setOpened(entry);
    dialog.current?.showModal?.();
  };
  return (
    <section className="panel history" aria-labelledby="history-h" data-testid="history-strip">
      <header>
        <h2 id="history-h">Results this session</h2>
      </header>
      <ul className="history-list">
        {history.map((entry) => (
          <Thumb key={entry.id} entry={entry} current={entry.id === current} onScreen={sameInputs(entry.inputs, inputs)} onOpen={() => open(entry)} />
        ))}
      </ul>
      <dialog ref={dialog} className="history-dialog" data-testid="history-dialog" onClose={() => setOpened(undefined)} aria-label={opened ? caption(opened) : 'Result'}>
        {opened && (
          <>
            <p>
              <strong>{caption(opened)}</strong>
            </p>
            <p className="muted small">Computed for another image or model than the one on screen: shown over its own image. Load that image and model to explore it further.</p>
            {openedOverlay && <ImageCanvas image={openedOverlay} label={`${descriptorOf(opened.result.method).label} map over ${opened.imageName}`} pixelated className="history-large" testId="history-dialog-canvas" />}
            <form method="dialog">
              <button type="submit">Close</button>
            </form>
          </>
        )}
      </dialog>
    </section>
  );
}
