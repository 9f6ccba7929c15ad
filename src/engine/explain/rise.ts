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
 * As the reference, the mask multiplies the normalised tensor: a hidden pixel is 0 after normalisation (the
 * dataset's mean colour under ImageNet-style mean/std, black without normalisation). Scores are probabilities
 * (softmax of logits; the reference appends a Softmax, TorchRay a sigmoid) or, on request, the raw outputs.
 */
import { GlassboxError } from '../errors';
import { tensorDims, tensorLength, writeModelInput } from '../image/preprocess';
import { now } from '../math/clock';
import { createRng, type Rng } from '../math/rng';
import { isDistribution, scoresIn } from '../predict/scores';
import { minMaxNormalise } from './cam';
import { createProgressTracker } from './progress';
import { checkTargets } from './targets';
import type { ClassAttribution, Explainer, ExplainRequest, Explanation, Progress, ScoreSpace } from './types';

export interface RiseParams {
  /** Number of random masks N. */
  masks: number;
  /** Cells per side of the random grid, s. */
  grid: number;
  /**
   * Probability that a grid cell is KEPT (the image shows through), as in eclique/RISE's code
   * (`grid = rand(N, s, s) < p1`); TorchRay's docstring calls it the probability of masking, but its code keeps
   * cells with probability p too. 'auto' tries 0.1 … 0.9 and keeps the one whose masked scores spread most.
   */
  p1: number | 'auto';
  /** Masked images per model call when the model takes a dynamic batch. */
  batchSize: number;
  scoreSpace: ScoreSpace;
  /** Masks tried for each candidate p1 when p1 is 'auto' (default 32); not counted in `masks`. */
  autoMasks?: number;
}

export const RISE_DEFAULTS: RiseParams = { masks: 2000, grid: 8, p1: 0.5, batchSize: 32, scoreSpace: 'probability' };

/** Candidates for p1 = 'auto' (DIANNA: np.arange(0.1, 1.0, 0.1)). */
export const RISE_AUTO_P1 = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const AUTO_MASKS_DEFAULT = 32;
/** A refined map is sent with progress at most this often (and always with the last batch). */
const PREVIEW_INTERVAL_MS = 300;
const EXAMPLE_COUNT = 4;

function invalid(message: string): never {
  throw new GlassboxError('PARAM_INVALID', `RISE: ${message}`, 'Fix the value in the RISE panel (or the CLI flag).');
}

export function validateRiseParams(p: RiseParams, context?: { width: number; height: number }): void {
  if (!Number.isInteger(p.masks) || p.masks < 1 || p.masks > 100_000) invalid(`the number of masks must be a whole number from 1 to 100000 (got ${p.masks}).`);
  const maxGrid = context ? Math.min(context.width, context.height) : 8192;
  if (!Number.isInteger(p.grid) || p.grid < 2 || p.grid > maxGrid) {
    const why = context ? ` (a cell must be at least one pixel of the ${context.width}×${context.height} input)` : '';
    invalid(`the grid size (cells per side) must be a whole number from 2 to ${maxGrid}${why} (got ${p.grid}).`);
  }
  if (p.p1 !== 'auto' && !(typeof p.p1 === 'number' && p.p1 > 0 && p.p1 < 1)) {
    invalid(`p1, the probability that a grid cell is kept, must be a number strictly between 0 and 1, or "auto" (got ${String(p.p1)}).`);
  }
  if (!Number.isInteger(p.batchSize) || p.batchSize < 1 || p.batchSize > 1024) invalid(`the batch size must be a whole number from 1 to 1024 (got ${p.batchSize}).`);
  if (p.scoreSpace !== 'probability' && p.scoreSpace !== 'raw') invalid(`score space must be "probability" or "raw" (got ${String(p.scoreSpace)}).`);
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

export async function explainRise(request: ExplainRequest<RiseParams>): Promise<Explanation> {
  const { model, image, preprocess, targets, params, seed } = request;
  const width = image.width, height = image.height;
  validateRiseParams(params, { width, height });
  checkTargets('RISE', targets, model.spec.numClasses);
  const started = now();

  const pixels = width * height;
  const elements = tensorLength(preprocess);
  const channels = preprocess.channels;
  const planar = preprocess.layout === 'NCHW';
  // The image tensor once; every masked image is this times the mask, pixel by pixel, in every channel (as the
  // reference multiplies the normalised tensor).
  const imageTensor = new Float32Array(elements);
  writeModelInput(image, preprocess, imageTensor);
  const autoCount = params.p1 === 'auto' ? (params.autoMasks ?? AUTO_MASKS_DEFAULT) : 0;
  const batchSize = model.spec.dynamicBatch ? Math.min(params.batchSize, Math.max(params.masks, autoCount)) : 1;
  const batchInput = new Float32Array(elements * batchSize);
  const batchMasks = new Float32Array(pixels * batchSize);
  const plan = riseMaskPlan(params.grid, width, height);

  const writeMasked = (mask: Float32Array, slot: number) => {
    const base = slot * elements;
    if (planar) {
      for (let c = 0; c < channels; c++) {
        const o = c * pixels;
        for (let i = 0; i < pixels; i++) batchInput[base + o + i] = imageTensor[o + i] * mask[i];
      }
    } else {
      for (let i = 0; i < pixels; i++) {
        const m = mask[i], o = i * channels;
        for (let c = 0; c < channels; c++) batchInput[base + o + c] = imageTensor[o + c] * m;
      }
    }
  };

  let inferenceMs = 0, modelCalls = 0, samples = 0;
  const run = async (n: number): Promise<{ out: Float32Array; classes: number }> => {
    const t = now();
    const out = await model.run(batchInput.subarray(0, n * elements), tensorDims(preprocess, n));
    inferenceMs += now() - t;
    modelCalls++;
    samples += n;
    return { out, classes: out.length / n };
  };

  // The unmasked image: the model's own score for each target, and which score space its outputs are in.
  const guard = createProgressTracker('scoring the image', 1, undefined, request.signal);
  await guard.checkpoint();
  batchInput.set(imageTensor);
  const unmasked = await run(1);
  for (const t of targets) if (t >= unmasked.classes) invalid(`target class ${t} does not exist (the model gives ${unmasked.classes} scores).`);
  // RISE weighs masks by class probabilities: softmax logits, keep outputs that already are a distribution.
  const alreadyProbabilities = (model.spec.outputKind ?? (isDistribution(unmasked.out) ? 'probabilities' : 'logits')) === 'probabilities';
  const scoresOf = (row: Float32Array): ArrayLike<number> => scoresIn(row, params.scoreSpace, alreadyProbabilities ? 'probabilities' : 'logits');
  const unmaskedScores = scoresOf(unmasked.out);
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
      for (let start = 0; start < autoCount; start += batchSize) {
        await tracker.checkpoint();
        const n = Math.min(batchSize, autoCount - start);
        for (let b = 0; b < n; b++) {
          const mask = batchMasks.subarray(b * pixels, (b + 1) * pixels);
          riseMask(rng, params.grid, RISE_AUTO_P1[k], width, height, mask, plan);
          writeMasked(mask, b);
        }
        const { out, classes } = await run(n);
        for (let b = 0; b < n; b++) {
          const f = scoresOf(out.subarray(b * classes, (b + 1) * classes))[targets[0]];
          count++;
          const d = f - mean;
          mean += d / count;
          m2 += d * (f - mean);
        }
        tracker.report(k * autoCount + start + n);
      }
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
  const examples: { mask: number[]; score: number }[] = [];
  const rng = createRng(seed);
  let preview: Progress['preview'];
  const onProgress = request.onProgress;
  const progress = createProgressTracker('masks', total, onProgress && ((p) => onProgress(preview ? { ...p, preview } : p)), request.signal);
  let lastPreview = now();
  for (let start = 0; start < total; start += batchSize) {
    await progress.checkpoint();
    const n = Math.min(batchSize, total - start);
    for (let b = 0; b < n; b++) {
      const mask = batchMasks.subarray(b * pixels, (b + 1) * pixels);
      riseMask(rng, params.grid, p1, width, height, mask, plan);
      writeMasked(mask, b);
    }
    const { out, classes } = await run(n);
    for (let b = 0; b < n; b++) {
      const scores = scoresOf(out.subarray(b * classes, (b + 1) * classes));
      const mask = batchMasks.subarray(b * pixels, (b + 1) * pixels);
      for (let j = 0; j < targets.length; j++) {
        const f = scores[targets[j]];
        if (f === 0) continue;
        const o = j * pixels;
        for (let i = 0; i < pixels; i++) sums[o + i] += f * mask[i];
      }
      if (start + b < EXAMPLE_COUNT) examples.push({ mask: Array.from(mask), score: scores[targets[0]] });
    }
    const done = start + n;
    if (onProgress && (done === total || now() - lastPreview >= PREVIEW_INTERVAL_MS)) {
      preview = { width, height, map: saliencyOf(sums, 0, pixels, done, p1) };
      lastPreview = now();
    }
    progress.report(done);
    preview = undefined;
  }
  progress.throwIfCancelled();

  const classes: ClassAttribution[] = targets.map((target, j) => ({
    target,
    modelPrediction: modelPrediction[j],
    map: saliencyOf(sums, j * pixels, pixels, total, p1),
  }));
  const map = classes[0].map;
  return {
    method: 'rise',
    target: targets[0],
    width,
    height,
    map,
    classes,
    normalisedMap: Array.from(minMaxNormalise(map)),
    signed: false,
    examples,
    params: { ...params, p1Chosen: p1, ...(p1Search ? { p1Search } : {}) },
    seed,
    scoreSpace: params.scoreSpace,
    timings: { totalMs: now() - started, inferenceMs, modelCalls, samples, batchSize },
  };
}

export const riseExplainer: Explainer<RiseParams> = {
  id: 'rise',
  label: 'RISE',
  reference: 'Petsiuk, Das & Saenko, BMVC 2018 · eclique/RISE',
  defaults: RISE_DEFAULTS,
  validate: (params, context) => validateRiseParams(params, context),
  explain: explainRise,
};
