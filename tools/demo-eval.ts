/**
 * The demo's story in numbers (`npx tsx tools/demo-eval.ts [--count 120] [--seed 7] [--method gradcam] [--layer NAME]`): a seeded set of images drawn
 * as tools/make_demo.py draws the demo's (one saturated circle/square/triangle/star, 28–56 px, on a 96×96
 * cluttered background, with an exact object mask), evaluated with Grad-CAM through the engine's dataset
 * evaluation (src/engine/evaluate):
 *
 *   - the clean model ("shapes") on the clean images: pointing game on the object;
 *   - the shortcut model on the non-star images with the watermark pasted bottom-right (make_demo.py's
 *     watermark_on_non_stars set), explaining what it predicts: pointing game on the object, and the share of
 *     relevance mass (and the pointing game) on the watermark box.
 *
 * The drawing is a TypeScript port of make_demo.py's (same sizes, colours, clutter, watermark tile, supersampled
 * coverage and mask); it uses Glassbox's seeded generator, not numpy's, so the images are new ones from the same
 * distribution. Also imported by tests/integration/evaluate.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createNodeRuntime } from '../src/cli/ort-node';
import { defaultsOf } from '../src/engine/explain/schema';
import { descriptorOf, isMethodId, METHOD_IDS, type MethodId } from '../src/engine/explain/registry';
import { summaryFromRows, type EvaluationRow, type GroupSummary, type MetricSummary } from '../src/engine/evaluate/aggregate';
import { evaluateDataset, type DatasetItem, type EvaluationModel } from '../src/engine/evaluate/dataset';
import { createGradientSource } from '../src/engine/grad/gradient-model';
import type { RgbaImage } from '../src/engine/image/types';
import { createRng, type Rng } from '../src/engine/math/rng';
import { boxMask, polygonMask, type Mask } from '../src/engine/metrics/mask';
import type { OrtRuntime } from '../src/engine/runtime/ort-runtime';

export const DEMO_DIR = path.resolve(import.meta.dirname, '../public/demo');
export const SIZE = 96;
export const CLASSES = ['circle', 'square', 'triangle', 'star'] as const;
export const STAR = 3;
const SUPERSAMPLE = 4;
/** make_demo.py's WM: a 10×10 tile 4 px from the bottom-right corner. */
export const WATERMARK = { x: SIZE - 14, y: SIZE - 14, width: 10, height: 10 };
const WM_KEEPOUT = WATERMARK.x - 3;
/** make_demo.py's watermark_tile(), as PIL draws it: a white tile with a black ring and an inner arc ('#'). */
const TILE = [
  '...####...',
  '..#....#..',
  '.#......#.',
  '#...##...#',
  '#..#.....#',
  '#..#.....#',
  '#...##...#',
  '.#......#.',
  '..#....#..',
  '...####...',
];

const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng.float();
const integer = (rng: Rng, lo: number, hiExclusive: number) => lo + rng.int(hiExclusive - lo);

type Rgb = [number, number, number];

function hsv(h: number, s: number, v: number): Rgb {
  const i = Math.floor(h * 6) % 6, f = h * 6 - Math.floor(h * 6);
  const p = v * (1 - s), q = v * (1 - f * s), t = v * (1 - (1 - f) * s);
  const rgb: Rgb[] = [[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]];
  return rgb[i].map((c) => c * 255) as Rgb;
}
const muted = (rng: Rng) => hsv(rng.float(), uniform(rng, 0.05, 0.4), uniform(rng, 0.3, 0.8));
const saturated = (rng: Rng) => hsv(rng.float(), uniform(rng, 0.75, 1), uniform(rng, 0.8, 1));

/** PIL's BICUBIC upsampling (a = −0.5, weights normalised over the taps inside the grid) of a cells × cells grid. */
function upsampleBicubic(grid: Float64Array, cells: number): Float64Array {
  const cubic = (x: number) => {
    const a = -0.5, t = Math.abs(x);
    return t < 1 ? ((a + 2) * t - (a + 3)) * t * t + 1 : t < 2 ? (((t - 5) * t + 8) * t - 4) * a : 0;
  };
  const taps: { j: number[]; w: number[] }[] = [];
  for (let x = 0; x < SIZE; x++) {
    const centre = ((x + 0.5) * cells) / SIZE;
    const j: number[] = [], w: number[] = [];
    for (let k = Math.floor(centre - 2); k <= Math.ceil(centre + 2); k++) {
      if (k < 0 || k >= cells) continue;
      const weight = cubic(k + 0.5 - centre);
      if (weight !== 0) j.push(k), w.push(weight);
    }
    const total = w.reduce((s, v) => s + v, 0);
    taps.push({ j, w: w.map((v) => v / total) });
  }
  const rows = new Float64Array(cells * SIZE); // horizontal pass: cells rows × SIZE columns
  for (let r = 0; r < cells; r++) for (let x = 0; x < SIZE; x++) rows[r * SIZE + x] = taps[x].j.reduce((s, j, k) => s + grid[r * cells + j] * taps[x].w[k], 0);
  const out = new Float64Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) out[y * SIZE + x] = taps[y].j.reduce((s, j, k) => s + rows[j * SIZE + x] * taps[y].w[k], 0);
  return out;
}

function smoothNoise(rng: Rng, cells: number, channels: number, amplitude: number): Float64Array[] {
  const grids = Array.from({ length: cells * cells }, () => Array.from({ length: channels }, () => uniform(rng, -1, 1) * amplitude));
  return Array.from({ length: channels }, (_, c) => upsampleBicubic(Float64Array.from(grids, (g) => g[c]), cells));
}

/** Float RGB image, 3 values per pixel. */
type Canvas = Float64Array;

function fillMask(canvas: Canvas, mask: ArrayLike<number>, colour: Rgb): void {
  for (let i = 0; i < SIZE * SIZE; i++) if (mask[i]) for (let c = 0; c < 3; c++) canvas[i * 3 + c] = colour[c];
}

function drawLine(canvas: Canvas, x0: number, y0: number, x1: number, y1: number, width: number, colour: Rgb): void {
  const steps = Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 2) + 1;
  const mask = new Uint8Array(SIZE * SIZE);
  for (let s = 0; s <= steps; s++) {
    const x = Math.round(x0 + ((x1 - x0) * s) / steps), y = Math.round(y0 + ((y1 - y0) * s) / steps);
    for (let d = 0; d < width; d++) {
      const xx = Math.abs(x1 - x0) > Math.abs(y1 - y0) ? x : x + d, yy = Math.abs(x1 - x0) > Math.abs(y1 - y0) ? y + d : y;
      if (xx >= 0 && xx < SIZE && yy >= 0 && yy < SIZE) mask[yy * SIZE + xx] = 1;
    }
  }
  fillMask(canvas, mask, colour);
}

function ellipseMask(cx: number, cy: number, rx: number, ry: number, size = SIZE, scale = 1): Uint8Array {
  const mask = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = ((x + 0.5) / scale - cx) / rx, dy = ((y + 0.5) / scale - cy) / ry;
      if (dx * dx + dy * dy <= 1) mask[y * size + x] = 1;
    }
  }
  return mask;
}

/** make_demo.py background(): muted colour texture, grain texture, thin lines, small blobs, small shards. */
function background(rng: Rng): Canvas {
  const base = muted(rng);
  const colourNoise = smoothNoise(rng, integer(rng, 3, 7), 3, 55);
  const grain = smoothNoise(rng, 16, 1, 18)[0];
  const canvas: Canvas = new Float64Array(SIZE * SIZE * 3);
  for (let i = 0; i < SIZE * SIZE; i++) for (let c = 0; c < 3; c++) canvas[i * 3 + c] = Math.min(255, Math.max(0, Math.trunc(base[c] + colourNoise[c][i] + grain[i])));
  const colour = () => muted(rng).map(Math.trunc) as Rgb;
  for (let k = integer(rng, 3, 8); k > 0; k--) {
    const x0 = uniform(rng, -10, SIZE + 10), y0 = uniform(rng, -10, SIZE + 10);
    const a = uniform(rng, 0, 2 * Math.PI), length = uniform(rng, 20, 90);
    drawLine(canvas, x0, y0, x0 + length * Math.cos(a), y0 + length * Math.sin(a), integer(rng, 1, 3), colour());
  }
  for (let k = integer(rng, 3, 8); k > 0; k--) {
    const x = uniform(rng, 0, SIZE), y = uniform(rng, 0, SIZE), rx = uniform(rng, 1.5, 5), ry = uniform(rng, 1.5, 5);
    fillMask(canvas, ellipseMask(x, y, rx, ry), colour());
  }
  for (let k = integer(rng, 1, 5); k > 0; k--) {
    const x = uniform(rng, 0, SIZE), y = uniform(rng, 0, SIZE);
    const points = Array.from({ length: integer(rng, 3, 5) }, () => [x + uniform(rng, -5, 5), y + uniform(rng, -5, 5)] as [number, number]);
    fillMask(canvas, polygonMask(SIZE, SIZE, points).data, colour());
  }
  return canvas;
}

/** Vertices of a shape whose circumscribed circle has radius r (make_demo.py outline()). */
function outline(cls: number, r: number, angle: number): [number, number][] {
  const n = cls === 1 ? 4 : cls === 2 ? 3 : 10;
  return Array.from({ length: n }, (_, k) => {
    const a = (cls === 1 ? (k * Math.PI) / 2 + Math.PI / 4 : cls === 2 ? (k * 2 * Math.PI) / 3 : (k * Math.PI) / 5) + angle;
    const radius = cls === 3 && k % 2 === 1 ? 0.45 * r : r;
    return [radius * Math.cos(a), radius * Math.sin(a)];
  });
}

/** One shape drawn in a random saturated colour, fully inside, clear of the watermark corner; returns its coverage. */
function paint(rng: Rng, canvas: Canvas, cls: number, r: number): Float64Array {
  const points = cls === 0 ? undefined : outline(cls, r, uniform(rng, 0, 2 * Math.PI));
  const lo = points ? [Math.min(...points.map((p) => p[0])), Math.min(...points.map((p) => p[1]))] : [-r, -r];
  const hi = points ? [Math.max(...points.map((p) => p[0])), Math.max(...points.map((p) => p[1]))] : [r, r];
  let cx: number, cy: number;
  for (;;) {
    cx = uniform(rng, 1 - lo[0], SIZE - 1 - hi[0]);
    cy = uniform(rng, 1 - lo[1], SIZE - 1 - hi[1]);
    if (!(cx + hi[0] > WM_KEEPOUT && cy + hi[1] > WM_KEEPOUT)) break;
  }
  const big = SIZE * SUPERSAMPLE;
  const cover = points
    ? polygonMask(big, big, points.map(([x, y]) => [(x + cx) * SUPERSAMPLE, (y + cy) * SUPERSAMPLE] as [number, number])).data
    : ellipseMask(cx, cy, r, r, big, SUPERSAMPLE);
  const alpha = new Float64Array(SIZE * SIZE);
  for (let y = 0; y < big; y++) for (let x = 0; x < big; x++) alpha[Math.floor(y / SUPERSAMPLE) * SIZE + Math.floor(x / SUPERSAMPLE)] += cover[y * big + x];
  const colour = saturated(rng);
  for (let i = 0; i < SIZE * SIZE; i++) {
    alpha[i] /= SUPERSAMPLE * SUPERSAMPLE;
    for (let c = 0; c < 3; c++) canvas[i * 3 + c] = canvas[i * 3 + c] * (1 - alpha[i]) + colour[c] * alpha[i];
  }
  return alpha;
}

export interface DemoStyleImage {
  name: string;
  classIndex: number;
  label: string;
  image: RgbaImage;
  /** The object: coverage ≥ 0.5, as make_demo.py's masks. */
  mask: Mask;
}

/** One image as make_demo.py sample(rng, cls) draws it (clean: no watermark). */
export function drawDemoStyleImage(rng: Rng, classIndex: number, name: string): DemoStyleImage {
  const canvas = background(rng);
  const alpha = paint(rng, canvas, classIndex, uniform(rng, 14, 28));
  const data = new Uint8ClampedArray(SIZE * SIZE * 4);
  for (let i = 0; i < SIZE * SIZE; i++) {
    for (let c = 0; c < 3; c++) data[i * 4 + c] = Math.trunc(Math.min(255, Math.max(0, canvas[i * 3 + c] + rng.normal() * 6)));
    data[i * 4 + 3] = 255;
  }
  const mask = Uint8Array.from(alpha, (a) => (a >= 0.5 ? 1 : 0));
  return { name, classIndex, label: CLASSES[classIndex], image: { width: SIZE, height: SIZE, data }, mask: { width: SIZE, height: SIZE, data: mask } };
}

/** `count` images, classes in turn (circle, square, triangle, star, …), named `<index>-<class>`; seeded. */
export function* demoStyleImages(seed: number, count: number): Generator<DemoStyleImage> {
  const rng = createRng(seed);
  for (let i = 0; i < count; i++) yield drawDemoStyleImage(rng, i % CLASSES.length, `${String(i).padStart(4, '0')}-${CLASSES[i % CLASSES.length]}`);
}

/** A copy of the image with make_demo.py's watermark tile pasted 4 px from the bottom-right corner. */
export function withWatermark(image: RgbaImage): RgbaImage {
  const data = new Uint8ClampedArray(image.data);
  for (let y = 0; y < WATERMARK.height; y++) {
    for (let x = 0; x < WATERMARK.width; x++) {
      const o = ((WATERMARK.y + y) * image.width + WATERMARK.x + x) * 4;
      const v = TILE[y][x] === '#' ? 0 : 255;
      data[o] = data[o + 1] = data[o + 2] = v;
    }
  }
  return { width: image.width, height: image.height, data };
}

export const watermarkMask = (): Mask => boxMask(SIZE, SIZE, WATERMARK);

/**
 * The watermark's corner: the bottom-right 32×32 px (11 % of the image). Grad-CAM works at the last 12×12 feature
 * map (8 px cells) and spreads the watermark's evidence over the cells whose receptive fields reach it, so the
 * 10×10 box alone cannot hold most of the mass even when the model looks only there.
 */
export const WATERMARK_CORNER = { x: SIZE - 32, y: SIZE - 32, width: 32, height: 32 };
export const watermarkCornerMask = (): Mask => boxMask(SIZE, SIZE, WATERMARK_CORNER);

export async function loadDemoModel(runtime: OrtRuntime, file: 'shapes.onnx' | 'shortcut.onnx'): Promise<EvaluationModel> {
  const bytes = new Uint8Array(fs.readFileSync(path.join(DEMO_DIR, file)));
  const model = await runtime.loadModel(bytes, { backend: 'wasm' });
  return { id: file.replace(/\.onnx$/, ''), name: file, model, gradients: createGradientSource(runtime, bytes, 'wasm') };
}

export interface DemoStory {
  /** The CAM and layer the story was measured with. */
  method: StoryMethod;
  images: number;
  seconds: number;
  /** Clean model, clean images, target = the true class: pointing game on the object. */
  cleanPointing: MetricSummary;
  /** The clean model's top-1 accuracy on the clean images. */
  cleanAccuracy: number;
  /** Shortcut model, watermarked non-stars, target = its top-1. */
  watermarked: number;
  shortcutCalledStar: number;
  shortcutPointingOnObject: MetricSummary;
  shortcutMassOnObject: MetricSummary;
  shortcutPointingOnWatermark: MetricSummary;
  shortcutMassOnWatermark: MetricSummary;
  shortcutPointingOnCorner: MetricSummary;
  shortcutMassOnCorner: MetricSummary;
  /** Chance levels of the masses: the share of the image each region covers. */
  watermarkArea: number;
  cornerArea: number;
  /** Mean share of the image the objects cover (chance level of the mass on the object). */
  objectArea: number;
}

/** The CAM that tells the story: Grad-CAM by default, at its suggested layer unless one is named. */
export interface StoryMethod {
  method: MethodId;
  layer?: string;
}

async function rowsOf(model: EvaluationModel, items: DatasetItem[], seed: number, how: StoryMethod): Promise<EvaluationRow[]> {
  const rows: EvaluationRow[] = [];
  const params = how.layer ? { ...(defaultsOf(descriptorOf(how.method)) as object), layer: how.layer } : undefined;
  await evaluateDataset({ items, models: [model], methods: [{ method: how.method, params }], metrics: { localisation: true }, seed, onRow: (r) => void rows.push(r) });
  return rows;
}

const group = (rows: EvaluationRow[], seed: number): GroupSummary => summaryFromRows(rows, { seed }).groups[0];

/** Measure the story on `count` seeded images (the clean model on all; the shortcut model on the non-stars, watermarked). */
export async function measureDemoStory(options: { count?: number; seed?: number; runtime?: OrtRuntime; method?: StoryMethod } = {}): Promise<DemoStory> {
  const count = options.count ?? 120, seed = options.seed ?? 7;
  const how = options.method ?? { method: 'gradcam' };
  const runtime = options.runtime ?? createNodeRuntime(1);
  const t0 = performance.now();
  const [shapes, shortcut] = [await loadDemoModel(runtime, 'shapes.onnx'), await loadDemoModel(runtime, 'shortcut.onnx')];
  try {
    const images = [...demoStyleImages(seed, count)];
    const clean = await rowsOf(shapes, images.map((d) => ({ name: d.name, image: d.image, mask: d.mask, target: d.label })), seed, how);
    const nonStars = images.filter((d) => d.classIndex !== STAR).map((d) => ({ ...d, image: withWatermark(d.image) }));
    const onObject = await rowsOf(shortcut, nonStars.map((d) => ({ name: d.name, image: d.image, mask: d.mask })), seed, how);
    const onWatermark = await rowsOf(shortcut, nonStars.map((d) => ({ name: d.name, image: d.image, mask: watermarkMask() })), seed, how);
    const onCorner = await rowsOf(shortcut, nonStars.map((d) => ({ name: d.name, image: d.image, mask: watermarkCornerMask() })), seed, how);
    const cornerSummary = group(onCorner, seed);
    const truth = new Map(images.map((d) => [d.name, d.classIndex]));
    const objectSummary = group(onObject, seed), watermarkSummary = group(onWatermark, seed);
    return {
      method: how,
      images: count,
      seconds: (performance.now() - t0) / 1000,
      cleanPointing: group(clean, seed).metrics.pointing,
      cleanAccuracy: clean.filter((r) => r.predicted === truth.get(r.image)).length / clean.length,
      watermarked: nonStars.length,
      shortcutCalledStar: onObject.filter((r) => r.predicted === STAR).length / onObject.length,
      shortcutPointingOnObject: objectSummary.metrics.pointing,
      shortcutMassOnObject: objectSummary.metrics.relevanceMass,
      shortcutPointingOnWatermark: watermarkSummary.metrics.pointing,
      shortcutMassOnWatermark: watermarkSummary.metrics.relevanceMass,
      shortcutPointingOnCorner: cornerSummary.metrics.pointing,
      shortcutMassOnCorner: cornerSummary.metrics.relevanceMass,
      watermarkArea: (WATERMARK.width * WATERMARK.height) / (SIZE * SIZE),
      cornerArea: (WATERMARK_CORNER.width * WATERMARK_CORNER.height) / (SIZE * SIZE),
      objectArea: nonStars.reduce((s, d) => s + d.mask.data.reduce((a, v) => a + v, 0), 0) / (nonStars.length * SIZE * SIZE),
    };
  } finally {
    for (const m of [shapes, shortcut]) {
      await m.model.dispose();
      await m.gradients?.dispose();
    }
  }
}

const pct = (s: MetricSummary) => (s.mean === undefined ? '–' : `${(100 * s.mean).toFixed(1)} % [${(100 * s.low!).toFixed(1)}, ${(100 * s.high!).toFixed(1)}] (n = ${s.n})`);

export function formatStory(story: DemoStory): string {
  return [
    `Demo story: ${descriptorOf(story.method.method).label}${story.method.layer ? ` at ${story.method.layer}` : ' at its suggested layer'} over ${story.images} seeded demo-style images (${story.seconds.toFixed(1)} s); mean [95 % bootstrap interval]`,
    `clean model (shapes), all images, target = true class:`,
    `  top-1 accuracy                       ${(100 * story.cleanAccuracy).toFixed(1)} %`,
    `  pointing game on the object          ${pct(story.cleanPointing)}`,
    `shortcut model, ${story.watermarked} non-star images with the watermark, target = its top-1:`,
    `  called "star"                        ${(100 * story.shortcutCalledStar).toFixed(1)} %`,
    `  pointing game on the object          ${pct(story.shortcutPointingOnObject)}`,
    `  relevance mass on the object         ${pct(story.shortcutMassOnObject)} (objects cover ${(100 * story.objectArea).toFixed(1)} % of the image)`,
    `  pointing game on the watermark       ${pct(story.shortcutPointingOnWatermark)}`,
    `  relevance mass on the watermark      ${pct(story.shortcutMassOnWatermark)} (the box is ${(100 * story.watermarkArea).toFixed(1)} % of the image)`,
    `  pointing game on the corner          ${pct(story.shortcutPointingOnCorner)}`,
    `  relevance mass on the corner         ${pct(story.shortcutMassOnCorner)} (bottom-right 32×32 px, ${(100 * story.cornerArea).toFixed(1)} % of the image)`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const flag = (name: string, fallback: number) => {
    const at = process.argv.indexOf(`--${name}`);
    return at > 0 ? Number(process.argv[at + 1]) : fallback;
  };
  const text = (name: string) => {
    const at = process.argv.indexOf(`--${name}`);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const method = text('method') ?? 'gradcam';
  if (!isMethodId(method)) throw new Error(`--method must be one of ${METHOD_IDS.join(', ')}`);
  const story = await measureDemoStory({ count: flag('count', 120), seed: flag('seed', 7), method: { method, layer: text('layer') } });
  process.stdout.write(formatStory(story) + '\n');
}
