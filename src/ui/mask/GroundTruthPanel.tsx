/**
 * The ground truth of the image on screen: open a mask file (non-zero = object, or pick one colour of a label PNG
 * such as Pascal VOC's), drag a box or draw a freehand region on the image, or use the demo image's own mask. The
 * preview shows the image with the object tinted; the mask is laid over every map as an outline and scores it
 * (GroundTruthMetrics).
 */
import { useMemo, useRef, useState } from 'react';
import { VOC_CLASSES, type Mask, type Rgb } from '../../engine/metrics/mask';
import type { RgbaImage } from '../../engine/image/types';
import { FileButton } from '../common/FileButton';
import { ImageCanvas } from '../common/ImageCanvas';
import { useApp } from '../store-context';
import './mask.css';

/** Longest side of the preview: the image and its mask sampled down (nearest) so a large photo stays cheap. */
const PREVIEW_SIDE = 240;

/** The image with the object tinted and its border lit, at most PREVIEW_SIDE px on a side. */
export function maskPreview(image: RgbaImage, mask: Mask | undefined): RgbaImage {
  const scale = Math.min(1, PREVIEW_SIDE / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale)), height = Math.max(1, Math.round(image.height * scale));
  const data = new Uint8ClampedArray(width * height * 4);
  const inMask = (x: number, y: number) => {
    if (!mask || x < 0 || y < 0 || x >= width || y >= height) return false;
    return mask.data[Math.min(mask.height - 1, Math.floor(((y + 0.5) * mask.height) / height)) * mask.width + Math.min(mask.width - 1, Math.floor(((x + 0.5) * mask.width) / width))] !== 0;
  };
  for (let y = 0; y < height; y++) {
    const sy = Math.min(image.height - 1, Math.floor(((y + 0.5) * image.height) / height));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(image.width - 1, Math.floor(((x + 0.5) * image.width) / width));
      const s = (sy * image.width + sx) * 4, d = (y * width + x) * 4;
      const inside = inMask(x, y);
      const edge = inside && !(inMask(x - 1, y) && inMask(x + 1, y) && inMask(x, y - 1) && inMask(x, y + 1));
      for (let c = 0; c < 3; c++) {
        const v = image.data[s + c];
        data[d + c] = edge ? 255 : inside ? v * 0.6 + [255, 210, 60][c] * 0.4 : mask ? v * 0.55 : v;
      }
      data[d + 3] = 255;
    }
  }
  return { width, height, data };
}

const hex = (c: Rgb) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

type Tool = 'box' | 'freehand' | undefined;

export function GroundTruthPanel() {
  const image = useApp((s) => s.image);
  const groundTruth = useApp((s) => s.groundTruth);
  const loadMaskFile = useApp((s) => s.loadMaskFile);
  const setMaskShape = useApp((s) => s.setMaskShape);
  const clearMask = useApp((s) => s.clearMask);
  const outline = useApp((s) => s.showGroundTruthOutline);
  const setOutline = useApp((s) => s.setShowGroundTruthOutline);
  const topKPercent = useApp((s) => s.topKPercent);
  const setTopKPercent = useApp((s) => s.setTopKPercent);
  const [tool, setTool] = useState<Tool>();
  const [path, setPath] = useState<[number, number][]>([]);
  const box = useRef<HTMLDivElement>(null);
  const mine = groundTruth && image && groundTruth.imageSha256 === image.sha256 ? groundTruth : undefined;
  const preview = useMemo(() => (image ? maskPreview(image.image, mine?.mask) : undefined), [image, mine]);
  if (!image || !preview) return null;

  // pointer position in the decoded image's pixels
  const toImage = (e: React.PointerEvent): [number, number] => {
    const r = box.current!.getBoundingClientRect();
    return [Math.max(0, Math.min(image.width, ((e.clientX - r.left) / r.width) * image.width)), Math.max(0, Math.min(image.height, ((e.clientY - r.top) / r.height) * image.height))];
  };
  const onDown = (e: React.PointerEvent) => {
    if (!tool) return;
    (e.target as Element).setPointerCapture?.(e.pointerId);
    setPath([toImage(e)]);
  };
  const onMove = (e: React.PointerEvent) => {
    if (!tool || !path.length) return;
    const p = toImage(e);
    setPath(tool === 'box' ? [path[0], p] : [...path, p]);
  };
  const onUp = () => {
    if (!tool || path.length < 2) return setPath([]);
    if (tool === 'box') {
      const [[x0, y0], [x1, y1]] = path;
      setMaskShape({ kind: 'box', box: { x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.abs(x1 - x0), height: Math.abs(y1 - y0) } });
    } else setMaskShape({ kind: 'freehand', points: path });
    setPath([]);
    setTool(undefined);
  };
  const sx = (x: number) => (100 * x) / image.width, sy = (y: number) => (100 * y) / image.height;
  const colours = mine?.colours;
  return (
    <section className="panel contained" aria-labelledby="ground-truth-h" data-testid="ground-truth-panel">
      <header>
        <h2 id="ground-truth-h">Ground truth</h2>
        <FileButton accept="image/png,image/webp,image/bmp,image/gif,.png,.webp,.bmp,.gif" onFiles={(files) => { const f = [...files][0]; if (f) void loadMaskFile(f, f.name); }} testId="mask-input">
          Open mask…
        </FileButton>
      </header>
      <p className="muted small" data-testid="ground-truth-status">
        {mine ? `${mine.name} · object ${(100 * mine.fraction).toFixed(1)} % of the image` : 'No mask: open one (non-zero pixels = the object, or a label PNG), or draw a box or a region on the image.'}
      </p>
      <div className="mask-row" role="group" aria-label="Draw the ground truth">
        <button type="button" aria-pressed={tool === 'box'} onClick={() => setTool(tool === 'box' ? undefined : 'box')} data-testid="draw-box">
          Draw box
        </button>
        <button type="button" aria-pressed={tool === 'freehand'} onClick={() => setTool(tool === 'freehand' ? undefined : 'freehand')} data-testid="draw-freehand">
          Draw region
        </button>
        {mine && (
          <button type="button" className="link" onClick={clearMask} data-testid="clear-mask">
            Clear
          </button>
        )}
      </div>
      {tool && <p className="muted small">{tool === 'box' ? 'Drag across the object.' : 'Hold the pointer down and trace around the object.'}</p>}
      <div
        ref={box}
        className={`mask-preview${tool ? ' drawing' : ''}`}
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onPointerCancel={() => setPath([])}
        data-testid="mask-preview"
      >
        <ImageCanvas image={preview} label={mine ? `${image.name} with the ground-truth object tinted` : `${image.name}`} testId="mask-preview-canvas" />
        {path.length > 1 && (
          <svg viewBox="0 0 100 100" preserveAspectRatio="none" aria-hidden="true">
            {tool === 'box' ? (
              <rect x={Math.min(sx(path[0][0]), sx(path[1][0]))} y={Math.min(sy(path[0][1]), sy(path[1][1]))} width={Math.abs(sx(path[1][0]) - sx(path[0][0]))} height={Math.abs(sy(path[1][1]) - sy(path[0][1]))} fill="rgba(255,210,60,0.25)" stroke="#ffd23c" strokeWidth={0.8} vectorEffect="non-scaling-stroke" />
            ) : (
              <polyline points={path.map(([x, y]) => `${sx(x)},${sy(y)}`).join(' ')} fill="rgba(255,210,60,0.25)" stroke="#ffd23c" strokeWidth={0.8} vectorEffect="non-scaling-stroke" />
            )}
          </svg>
        )}
      </div>
      {colours && mine?.file && (
        <label className="mask-row">
          Object colour
          <select
            aria-label="Label colour that marks the object"
            value={mine.colour ? hex(mine.colour) : ''}
            onChange={(e) => {
              const c = colours.find((k) => hex(k.colour) === e.target.value);
              void loadMaskFile(mine.file!, mine.name.replace(/ \(.*\)$/, ''), c?.colour);
            }}
            data-testid="mask-colour"
          >
            <option value="">every non-background colour</option>
            {colours.map((c) => (
              <option key={hex(c.colour)} value={hex(c.colour)}>
                {hex(c.colour)}
                {c.vocIndex !== undefined ? ` · VOC ${VOC_CLASSES[c.vocIndex] ?? `#${c.vocIndex}`}` : ''} · {c.pixels} px
              </option>
            ))}
          </select>
        </label>
      )}
      {mine && (
        <div className="mask-row">
          <label>
            <input type="checkbox" checked={outline} onChange={(e) => setOutline(e.target.checked)} /> outline over maps
          </label>
          <label title="The share of the map's strongest pixels compared with the mask for IoU and Dice; empty: the object's own area (seed 003)">
            top-k for IoU{' '}
            <input
              type="number"
              min={0.1}
              max={100}
              step={0.1}
              placeholder="area"
              aria-label="Top-k percent for IoU and Dice"
              value={topKPercent ?? ''}
              onChange={(e) => {
                const v = e.target.value === '' ? undefined : Number(e.target.value);
                setTopKPercent(v !== undefined && Number.isFinite(v) && v > 0 && v <= 100 ? v : undefined);
              }}
              style={{ width: '6em' }}
            />{' '}
            %
          </label>
        </div>
      )}
    </section>
  );
}
