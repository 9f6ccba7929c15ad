/**
 * RISE — Petsiuk, Das & Saenko, "RISE: Randomized Input Sampling for Explanation of Black-box Models" (BMVC 2018).
 * Follows eclique/RISE (explanations.py: generate_masks, forward), with masks made per batch from the seed as
 * TorchRay's attribution/rise.py does, and DIANNA's automatic choice of p1.
 *
 * Each mask is a random s×s grid of kept (1) / dropped (0) cells, upsampled bilinearly past the image and cropped
 * at a random shift, so its edges fall anywhere. The model scores the image multiplied by each mask, and the
 * saliency of class c is the score-weighted mean of the masks: sal_c = Σᵢ f_c(I⊙Mᵢ)·Mᵢ / (N·p1). Masks are drawn
 * from the seed batch by batch and never stored, so memory does not grow with N.
 *
 * A masked image is x·M + h·(1 − M), h what dropped cells show (hide.ts). By default h is the zero tensor, so, as
 * in the reference, the mask multiplies the normalised tensor: a hidden pixel is 0 after normalisation (the
 * dataset's mean colour under ImageNet-style mean/std, black without normalisation). Scores are probabilities
 * (softmax of logits; the reference appends a Softmax, TorchRay a sigmoid) or, on request, the raw outputs.
 * The first class's map from the even and from the odd masks are compared (their Pearson
 * correlation, the result's split-half stability: quality.ts); the sums are the same, so the map is unchanged.
 */
import { GlassboxError } from '../errors';
import { tensorLength, writeModelInput } from '../image/preprocess';
import { now } from '../math/clock';
import { createRng, type Rng } from '../math/rng';
import { isDistribution, scoresIn } from '../predict/scores';
import { minMaxNormalise } from './cam';
import { batchCapacity, createStats, evaluateRows, rowTimings, type ModelEvaluation } from './evaluate';
import { anytimeMonitor } from './anytime';
import { streamRows, UNPERTURBED_STREAM } from './reuse';
import { spearman } from './stability';
import { hiddenTensor } from './hide';
import { RISE_META, type RiseParams } from './meta/rise';
import { createProgressTracker } from './progress';
import { splitHalfAgreement } from './quality';
import { defaultsOf, validateParams } from './schema';
import { checkTargets } from './targets';
import type { ClassAttribution, Explainer, ExplainRequest, PixelMapExplanation } from './types';

export type { RiseParams } from './meta/rise';

export const RISE_DEFAULTS: RiseParams = defaultsOf(RISE_META);

/** Candidates for p1 = 'auto' (DIANNA: np.arange(0.1, 1.0, 0.1)). */
export const RISE_AUTO_P1 = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const AUTO_MASKS_DEFAULT = 32;
/** A refined map is sent with progress at most this often (and always with the last batch). */
const PREVIEW_INTERVAL_MS = 300;
const EXAMPLE_COUNT = 4;

function invalid(message: string): never {
  throw new GlassboxError('PARAM_INVALID', `RISE: ${message}`, 'Fix the value in the RISE panel (or the CLI flag).');
}

/** The descriptor's checks, and the masks per candidate of p1 = 'auto' (an engine option the descriptor does not list). */
export function validateRiseParams(p: RiseParams, context: { width: number; height: number } = { width: 0, height: 0 }): void {
  validateParams(RISE_META, p, context);
  if (p.autoMasks !== undefined && (!Number.isInteger(p.autoMasks) || p.autoMasks < 2 || p.autoMasks > 10_000)) {
    invalid(`the masks per candidate p1 ("auto") must be a whole number from 2 to 10000 (got ${p.autoMasks}).`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Masks

/** One axis of the upsampling: for each upsampled position, the two grid cells it blends and the second's weight. */
interface AxisTaps {
  lo: Int32Array;
  hi: Int32Array;
  weight: Float64Array;
}

/** Everything about a mask that depends only on the grid and the image size, computed once per explanation. */
export interface RiseMaskPlan {
  grid: number;
  width: number;
  height: number;
  /** ceil(W/s), ceil(H/s): the random shift is drawn from [0, cell). */
  cellWidth: number;
  cellHeight: number;
  /** (s+1)·cell: the size the grid is upsampled to before the crop. */
  upWidth: number;
  upHeight: number;
  cols: AxisTaps;
  rows: AxisTaps;
  /** Scratch: the s×s grid and the grid rows interpolated across the crop's columns. */
  cells: Float64Array;
  rowScratch: Float64Array;
}

/**
 * skimage.transform.resize(order=1, mode='reflect', anti_aliasing=False) along one axis, as eclique/RISE calls it:
 * scipy.ndimage.zoom(grid_mode=True) puts pixel centres at half-pixels (source = (o + ½)·s/up − ½), and numpy's
 * 'reflect' (ndimage 'mirror', d c b | a b c d) folds a source coordinate below 0 back onto the grid.
 */
function axisTaps(cells: number, up: number): AxisTaps {
  const lo = new Int32Array(up), hi = new Int32Array(up), weight = new Float64Array(up);
  const last = cells - 1;
  for (let o = 0; o < up; o++) {
    let c = ((o + 0.5) * cells) / up - 0.5;
    // Overshoot is under half a cell, so one fold is enough.
    if (c < 0) c = -c;
    else if (c > last) c = 2 * last - c;
    const i = Math.min(Math.floor(c), last);
    lo[o] = i;
    hi[o] = Math.min(i + 1, last);
    weight[o] = i < last ? c - i : 0;
  }
  return { lo, hi, weight };
}

export function riseMaskPlan(grid: number, width: number, height: number): RiseMaskPlan {
  if (!Number.isInteger(grid) || grid < 1 || !Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new GlassboxError('PARAM_INVALID', `RISE: a ${grid}-cell grid cannot mask a ${width}×${height} image.`);
  }
  const cellWidth = Math.ceil(width / grid), cellHeight = Math.ceil(height / grid);
  const upWidth = (grid + 1) * cellWidth, upHeight = (grid + 1) * cellHeight;
  return {
    grid,
    width,
    height,
    cellWidth,
    cellHeight,
    upWidth,
    upHeight,
    cols: axisTaps(grid, upWidth),
    rows: axisTaps(grid, upHeight),
    cells: new Float64Array(grid * grid),
    rowScratch: new Float64Array(grid * width),
  };
}

/**
 * The mask for a given s×s grid (row-major, values 0–1) and shift: the grid upsampled to (s+1)·cell and the
 * window [shiftY, shiftY + H) × [shiftX, shiftX + W) of it, row-major into `out` (H·W values in [0, 1]).
 */
export function riseMaskFromGrid(cells: ArrayLike<number>, plan: RiseMaskPlan, shiftX: number, shiftY: number, out: Float32Array): Float32Array {
  const { grid: s, width, height, cols, rows, rowScratch } = plan;
  if (cells.length !== s * s) throw new RangeError(`riseMaskFromGrid: the grid needs ${s * s} cells (got ${cells.length}).`);
  if (out.length < width * height) throw new RangeError(`riseMaskFromGrid: out needs ${width * height} values (got ${out.length}).`);
  if (!Number.isInteger(shiftX) || !Number.isInteger(shiftY) || shiftX < 0 || shiftX >= plan.cellWidth || shiftY < 0 || shiftY >= plan.cellHeight) {
    throw new RangeError(`riseMaskFromGrid: the shift must lie in [0, ${plan.cellWidth}) × [0, ${plan.cellHeight}) (got ${shiftX}, ${shiftY}).`);
  }
  // Separable: first each grid row across the crop's columns, then down the crop's rows.
  for (let r = 0; r < s; r++) {
    const row = r * s;
    for (let x = 0; x < width; x++) {
      const u = x + shiftX;
      const w = cols.weight[u];
      rowScratch[r * width + x] = cells[row + cols.lo[u]] * (1 - w) + cells[row + cols.hi[u]] * w;
    }
  }
  for (let y = 0; y < height; y++) {
    const v = y + shiftY;
    const w = rows.weight[v];
    const a = rows.lo[v] * width, b = rows.hi[v] * width;
    const o = y * width;
    for (let x = 0; x < width; x++) out[o + x] = rowScratch[a + x] * (1 - w) + rowScratch[b + x] * w;
  }
  return out;
}

/**
 * One RISE mask, as eclique/RISE's generate_masks: cells kept with probability p1 (s·s draws, row-major), then a
 * row shift in [0, cellH) and a column shift in [0, cellW); the mask is written to `out` (H·W, row-major, 0–1).
 * Pass a plan from riseMaskPlan to reuse its tables when making many masks. Returns the shift drawn.
 */
export function riseMask(
  rng: Rng,
  grid: number,
  p1: number,
  width: number,
  height: number,
  out: Float32Array,
  plan: RiseMaskPlan = riseMaskPlan(grid, width, height),
): { shiftX: number; shiftY: number } {
  if (plan.grid !== grid || plan.width !== width || plan.height !== height) throw new RangeError('riseMask: the plan was made for another grid or size.');
  const cells = plan.cells;
  for (let i = 0; i < cells.length; i++) cells[i] = rng.float() < p1 ? 1 : 0;
  const shiftY = rng.int(plan.cellHeight);
  const shiftX = rng.int(plan.cellWidth);
  riseMaskFromGrid(cells, plan, shiftX, shiftY, out);
  return { shiftX, shiftY };
}

// ---------------------------------------------------------------------------------------------------------------
// Explainer

/** The seed of the masks tried for p1 = 'auto': apart from the main stream, so the main masks for a seed and a p1
 *  are the same whether p1 was given or chosen. */
function autoSeed(seed: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) + 0x165667b1) >>> 0;
}

/** Σ f·M / (n·p1) for one class: the saliency after n masks. */
function saliencyOf(sums: Float64Array, offset: number, pixels: number, n: number, p1: number): number[] {
  const map = new Array<number>(pixels);
  const scale = 1 / (n * p1);
  for (let i = 0; i < pixels; i++) map[i] = sums[offset + i] * scale;
  return map;
}

export async function explainRise(request: ExplainRequest<RiseParams>): Promise<PixelMapExplanation> {
  const { model, image, preprocess, targets, params, seed } = request;
  const width = image.width, height = image.height;
  validateRiseParams(params, { width, height });
  checkTargets('RISE', targets, model.spec.numClasses);
  const started = now();

  const pixels = width * height;
  const elements = tensorLength(preprocess);
  const channels = preprocess.channels;
  const planar = preprocess.layout === 'NCHW';
  // The image tensor and what dropped cells show, once; every masked image is x·M + h·(1 − M), pixel by pixel, in
  // every channel. With the zero tensor for h that is x·M: the reference multiplies the normalised tensor.
  const imageTensor = new Float32Array(elements);
  writeModelInput(image, preprocess, imageTensor);
  const hidden = params.hide.mode === 'zeros' ? undefined : hiddenTensor(image, params.hide, preprocess);
  const autoCount = params.p1 === 'auto' ? (params.autoMasks ?? AUTO_MASKS_DEFAULT) : 0;
  // one slot per row of a batch, for the masks of the batch in flight
  const batchMasks = new Float32Array(pixels * batchCapacity(model.spec.dynamicBatch, params.batchSize, Math.max(params.masks, autoCount)));
  const plan = riseMaskPlan(params.grid, width, height);

  const writeMasked = (mask: Float32Array, out: Float32Array, base: number) => {
    if (planar) {
      for (let c = 0; c < channels; c++) {
        const o = c * pixels;
        if (hidden) for (let i = 0; i < pixels; i++) out[base + o + i] = imageTensor[o + i] * mask[i] + hidden[o + i] * (1 - mask[i]);
        else for (let i = 0; i < pixels; i++) out[base + o + i] = imageTensor[o + i] * mask[i];
      }
    } else {
      for (let i = 0; i < pixels; i++) {
        const m = mask[i], o = i * channels;
        if (hidden) for (let c = 0; c < channels; c++) out[base + o + c] = imageTensor[o + c] * m + hidden[o + c] * (1 - m);
        else for (let c = 0; c < channels; c++) out[base + o + c] = imageTensor[o + c] * m;
      }
    }
  };

  const stats = createStats();
  const evaluation = (phase: string): ModelEvaluation => ({ model, preprocess, batchSize: params.batchSize, stats, phase, signal: request.signal, onProgress: request.onProgress });
  /** `count` masks drawn from `rng` with keep probability `p`, through the model; each mask with its raw scores. */
  // on WebGPU the masked images are composed on the GPU: a row is then its mask, one weight per pixel
  const masked = { original: imageTensor, hidden, layout: preprocess.layout, width, height, channels };
  const evaluateMasks = (ev: ModelEvaluation, count: number, rng: Rng, p: number, consume: (row: number, mask: Float32Array, raw: Float32Array) => void) => {
    let batchStart = 0;
    const slot = (row: number) => batchMasks.subarray((row - batchStart) * pixels, (row - batchStart + 1) * pixels);
    return evaluateRows(
      { ...ev, masked },
      count,
      (row, out, offset, stored, weights) => {
        if (offset === 0) batchStart = row;
        const mask = slot(row);
        riseMask(rng, params.grid, p, width, height, mask, plan); // the map needs the mask, stored or not
        if (stored) return;
        if (weights) out.set(mask, offset);
        else writeMasked(mask, out, offset);
      },
      (row, raw) => consume(row, slot(row), raw),
    );
  };

  // The unmasked image: the model's own score for each target, and which score space its outputs are in.
  let unmasked = new Float32Array(0);
  await evaluateRows(
    { ...evaluation('scoring the image'), onProgress: undefined, rows: streamRows(request, UNPERTURBED_STREAM) },
    1,
    (_, out) => out.set(imageTensor),
    (_, raw) => (unmasked = Float32Array.from(raw)),
  );
  for (const t of targets) if (t >= unmasked.length) invalid(`target class ${t} does not exist (the model gives ${unmasked.length} scores).`);
  // RISE weighs masks by class probabilities: softmax logits, keep outputs that already are a distribution.
  const alreadyProbabilities = (model.spec.outputKind ?? (isDistribution(unmasked) ? 'probabilities' : 'logits')) === 'probabilities';
  const scoresOf = (row: Float32Array): ArrayLike<number> => scoresIn(row, params.scoreSpace, alreadyProbabilities ? 'probabilities' : 'logits');
  const unmaskedScores = scoresOf(unmasked);
  const modelPrediction = targets.map((t) => unmaskedScores[t]);

  // p1 = 'auto' (DIANNA): a few masks per candidate, keep the p whose first-target scores spread most.
  let p1: number;
  let p1Search: { p: number[]; std: number[]; masks: number } | undefined;
  if (params.p1 === 'auto') {
    const tracker = createProgressTracker('choosing p1', RISE_AUTO_P1.length * autoCount, request.onProgress, request.signal);
    const spreads: number[] = [];
    for (let k = 0; k < RISE_AUTO_P1.length; k++) {
      // The same random numbers for every candidate, so the spreads differ by p, not by luck.
      const rng = createRng(autoSeed(seed));
      let count = 0, mean = 0, m2 = 0;
      const rows = streamRows(request, { method: 'rise', phase: 'p1', seed, grid: params.grid, p1: RISE_AUTO_P1[k], hide: params.hide });
      await evaluateMasks({ ...evaluation('choosing p1'), within: { tracker, done: k * autoCount }, rows }, autoCount, rng, RISE_AUTO_P1[k], (_, _mask, raw) => {
        const f = scoresOf(raw)[targets[0]];
        count++;
        const d = f - mean;
        mean += d / count;
        m2 += d * (f - mean);
      });
      spreads.push(Math.sqrt(m2 / count));
    }
    let best = 0;
    for (let k = 1; k < spreads.length; k++) if (spreads[k] > spreads[best]) best = k;
    p1 = RISE_AUTO_P1[best];
    p1Search = { p: RISE_AUTO_P1.slice(), std: spreads, masks: autoCount };
  } else {
    p1 = params.p1;
  }

  // The N masks, batch by batch: Σ f_c(I⊙M)·M per target, and the map so far now and then.
  const total = params.masks;
  const sums = new Float64Array(targets.length * pixels);
  // Split-half stability: the first class's sums over the even masks (the odd masks' are the rest), so the
  // halves exist after any batch and an anytime run can judge itself.
  const evenSums = new Float64Array(pixels);
  const halves = () => {
    const odd = new Float64Array(pixels);
    for (let i = 0; i < pixels; i++) odd[i] = sums[i] - evenSums[i];
    return [evenSums, odd] as const;
  };
  // Anytime: Spearman of the halves' maps on a grid of at most ~4096 pixels (the map is smooth at the mask cells'
  // scale; a full-resolution rank of 50 000 pixels per batch would cost more than it tells)
  const stride = Math.max(1, Math.floor(Math.sqrt(pixels / 4096)));
  const probe: number[] = [];
  for (let y = 0; y < height; y += stride) for (let x = 0; x < width; x += stride) probe.push(y * width + x);
  const anytime = anytimeMonitor(params.stableAt, params.grid * params.grid, () => {
    const [a, b] = halves();
    return spearman(probe.map((i) => a[i]), probe.map((i) => b[i]));
  }, { budget: params.masks, unit: 'masks', continues: request.continuesAnytime });
  let done = 0;
  const examples: { mask: number[]; score: number }[] = [];
  const onProgress = request.onProgress;
  let lastPreview = now();
  const preview = (n: number) => {
    if (!onProgress || (n !== total && now() - lastPreview < PREVIEW_INTERVAL_MS)) return undefined;
    const map = saliencyOf(sums, 0, pixels, n, p1);
    lastPreview = now();
    return { preview: { width, height, map } };
  };
  // the masks are the seed's draws for this grid, p1 and size: a rerun (more masks, a continued anytime run)
  // reuses the rows evaluated before
  const maskRows = streamRows(request, { method: 'rise', phase: 'masks', seed, grid: params.grid, p1, hide: params.hide });
  await evaluateMasks({ ...evaluation('masks'), progressExtra: preview, stop: anytime?.stop, rows: maskRows }, total, createRng(seed), p1, (row, mask, raw) => {
    const scores = scoresOf(raw);
    for (let j = 0; j < targets.length; j++) {
      const f = scores[targets[j]];
      if (f === 0) continue;
      const o = j * pixels;
      for (let i = 0; i < pixels; i++) sums[o + i] += f * mask[i];
      if (j === 0 && row % 2 === 0) for (let i = 0; i < pixels; i++) evenSums[i] += f * mask[i];
    }
    if (row < EXAMPLE_COUNT) examples.push({ mask: Array.from(mask), score: scores[targets[0]] });
    done = row + 1;
  });

  const classes: ClassAttribution[] = targets.map((target, j) => ({
    target,
    modelPrediction: modelPrediction[j],
    map: saliencyOf(sums, j * pixels, pixels, done, p1),
  }));
  const map = classes[0].map;
  let stability: PixelMapExplanation['stability'];
  if (done >= 2) {
    const splitHalf = splitHalfAgreement(...halves());
    if (splitHalf !== undefined) stability = { splitHalf, ...(anytime ? { anytime: anytime.record } : {}) };
  }
  return {
    kind: 'pixel-map',
    method: 'rise',
    target: targets[0],
    width,
    height,
    map,
    classes,
    normalisedMap: Array.from(minMaxNormalise(map)),
    signed: false,
    examples,
    ...(stability ? { stability } : {}),
    params: { ...params, p1Chosen: p1, ...(p1Search ? { p1Search } : {}) },
    seed,
    scoreSpace: params.scoreSpace,
    timings: { totalMs: now() - started, ...rowTimings(stats) },
  };
}

export const riseExplainer: Explainer<RiseParams> = { explain: explainRise };
