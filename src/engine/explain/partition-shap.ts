/**
 * Partition SHAP — Owen values over a hierarchical partition of the pixels (Lundberg & Lee, NeurIPS 2017).
 * Follows shap's PartitionExplainer (explainers/_partition.py: owen(), lower_credit()) with an Image masker
 * (maskers/_image.py: axis-aligned halving of the longer side), except that one seed breaks every priority tie.
 *
 * The recursion: a queue item (m00, f00, f11, node, weight) says "node's pixels go from hidden to shown while the
 * pixels of m00 are shown". Expanding it evaluates m10 = m00 + left and m01 = m00 + right and queues the four
 * halves (left off→on with and without right, right likewise) at half the weight; leaves, and whatever is still
 * queued when the evaluation budget is spent, keep (f11 − f00)·weight. Credit on an internal node is spread over
 * its pixels in proportion to size, so Σ map = f(image) − f(background) exactly, whatever the budget.
 */
import { GlassboxError } from '../errors';
import { tensorDims, tensorLength, writeModelInput, type PreprocessConfig } from '../image/preprocess';
import { now } from '../math/clock';
import { createRng, type Rng } from '../math/rng';
import { scoresIn } from '../predict/scores';
import type { Model } from '../runtime/ort-runtime';
import { batchCapacity, createStats, forEachBatch, timedCall } from './evaluate';
import { hiddenTensor, type HideSpec } from './hide';
import { PARTITION_SHAP_META, type PartitionShapParams } from './meta/partition-shap';
import { createProgressTracker } from './progress';
import { defaultsOf, validateParams } from './schema';
import { checkTargets } from './targets';
import type { CancelSignal, ClassAttribution, Explainer, ExplainRequest, PixelMapExplanation, Progress, ScoreSpace } from './types';

export type { PartitionShapParams } from './meta/partition-shap';

export const PARTITION_SHAP_DEFAULTS: PartitionShapParams = defaultsOf(PARTITION_SHAP_META);

function invalid(message: string): never {
  throw new GlassboxError('PARAM_INVALID', `Partition SHAP: ${message}`, 'Fix the value in the Partition SHAP panel (or the CLI flag).');
}

// ------------------------------------------------------------------------------------------ partition tree

/**
 * Axis-aligned binary partition of a width × height grid, nodes in breadth-first order (root 0, a parent before
 * its children). Rectangles are half-open: [x0, x1) × [y0, y1). Leaves have left = right = −1.
 */
export interface PartitionTree {
  width: number;
  height: number;
  count: number;
  x0: Uint16Array;
  y0: Uint16Array;
  x1: Uint16Array;
  y1: Uint16Array;
  left: Int32Array;
  right: Int32Array;
  parent: Int32Array;
  /** Pixels in the node. */
  size: Int32Array;
  /** Root at depth 0. */
  depth: Uint8Array;
}

/**
 * shap's Image masker split: the longer side is halved (rows first on a tie, as shap splits its first image axis —
 * the height — when it is at least as long), the first half taking floor(n/2); a node at most `minBlock` pixels on
 * each side is a leaf.
 */
export function buildPartitionTree(width: number, height: number, minBlock = 1): PartitionTree {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 65535 || height > 65535) {
    throw new GlassboxError('PARAM_INVALID', `Partition SHAP: cannot partition a ${width}×${height} image.`);
  }
  const capacity = 2 * width * height - 1;
  const x0 = new Uint16Array(capacity), y0 = new Uint16Array(capacity), x1 = new Uint16Array(capacity), y1 = new Uint16Array(capacity);
  const left = new Int32Array(capacity).fill(-1), right = new Int32Array(capacity).fill(-1), parent = new Int32Array(capacity).fill(-1);
  const size = new Int32Array(capacity);
  const depth = new Uint8Array(capacity);
  x1[0] = width;
  y1[0] = height;
  size[0] = width * height;
  let count = 1;
  for (let i = 0; i < count; i++) {
    const w = x1[i] - x0[i], h = y1[i] - y0[i];
    if (w <= minBlock && h <= minBlock) continue;
    const l = count++, r = count++;
    left[i] = l;
    right[i] = r;
    parent[l] = parent[r] = i;
    depth[l] = depth[r] = depth[i] + 1;
    x0[l] = x0[r] = x0[i];
    x1[l] = x1[r] = x1[i];
    y0[l] = y0[r] = y0[i];
    y1[l] = y1[r] = y1[i];
    if (h >= w) {
      const mid = y0[i] + Math.floor(h / 2);
      y1[l] = mid;
      y0[r] = mid;
    } else {
      const mid = x0[i] + Math.floor(w / 2);
      x1[l] = mid;
      x0[r] = mid;
    }
    size[l] = (x1[l] - x0[l]) * (y1[l] - y0[l]);
    size[r] = (x1[r] - x0[r]) * (y1[r] - y0[r]);
  }
  return {
    width,
    height,
    count,
    x0: x0.slice(0, count),
    y0: y0.slice(0, count),
    x1: x1.slice(0, count),
    y1: y1.slice(0, count),
    left: left.slice(0, count),
    right: right.slice(0, count),
    parent: parent.slice(0, count),
    size: size.slice(0, count),
    depth: depth.slice(0, count),
  };
}

/**
 * Evaluations the recursion needs to reach every leaf in every context: an internal node at depth d is expanded
 * 2^d times, two evaluations each (about M² for M leaves; shap's progress bar uses (M − 1)·M). The image and the
 * background (2 more) are not included.
 */
export function partitionEvaluationsNeeded(tree: PartitionTree): number {
  let total = 0;
  for (let i = 0; i < tree.count; i++) if (tree.left[i] >= 0) total += 2 ** (tree.depth[i] + 1);
  return total;
}

// ------------------------------------------------------------------------------------------ masks and queue

/** A set of shown tree nodes as an immutable list: its parent's nodes plus one (shared, never copied). */
interface MaskNode {
  readonly parent: MaskNode | null;
  readonly node: number;
}

interface QueueItem {
  mask: MaskNode | null;
  /** Scores (one per target) with `mask` shown, and with `mask` and `node` shown. */
  f00: Float64Array;
  f11: Float64Array;
  node: number;
  weight: number;
  /** max over targets |Δ|·weight: the largest comes out first. */
  priority: number;
  /** Seeded random number breaking priority ties (shap: np.random.randn()), smaller first. */
  tie: number;
}

/** Binary max-heap on (priority, then smaller tie), as shap's PriorityQueue on (−priority, randn). */
class OwenQueue {
  private items: QueueItem[] = [];
  get length(): number {
    return this.items.length;
  }
  private before(a: QueueItem, b: QueueItem): boolean {
    return a.priority > b.priority || (a.priority === b.priority && a.tie < b.tie);
  }
  push(item: QueueItem): void {
    const h = this.items;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): QueueItem | undefined {
    const h = this.items;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let best = i;
        if (l < h.length && this.before(h[l], h[best])) best = l;
        if (r < h.length && this.before(h[r], h[best])) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best], h[i]];
        i = best;
      }
    }
    return top;
  }
}

/** Masked images written straight into the model's tensor layout: the background, then each shown rectangle. */
function createMaskWriter(tree: PartitionTree, original: Float32Array, hidden: Float32Array, cfg: PreprocessConfig) {
  const { width, height, channels, layout } = cfg;
  const plane = width * height;
  const perImage = tensorLength(cfg);
  return {
    perImage,
    write(mask: MaskNode | null, out: Float32Array, slot: number): void {
      const base = slot * perImage;
      out.set(hidden, base);
      for (let m = mask; m; m = m.parent) {
        const n = m.node;
        const xa = tree.x0[n], xb = tree.x1[n], ya = tree.y0[n], yb = tree.y1[n];
        if (layout === 'NCHW') {
          for (let c = 0; c < channels; c++) {
            for (let y = ya; y < yb; y++) {
              const from = c * plane + y * width;
              out.set(original.subarray(from + xa, from + xb), base + from + xa);
            }
          }
        } else {
          for (let y = ya; y < yb; y++) {
            const from = (y * width + xa) * channels, to = (y * width + xb) * channels;
            out.set(original.subarray(from, to), base + from);
          }
        }
      }
    },
  };
}

// ------------------------------------------------------------------------------------------ Owen recursion

export interface OwenResult {
  tree: PartitionTree;
  /** Credit kept by each node, node-major: nodeValues[node·T + t] for target t (shap's dvalues). */
  nodeValues: Float64Array;
  /** Per target: f(background) and f(image). */
  baseValues: Float64Array;
  outputs: Float64Array;
  /** Per target, the per-pixel map (row-major), summing to outputs − baseValues. */
  maps: Float64Array[];
  /** Per pixel, the pixel count of the smallest node that received credit over it: how far the recursion got there. */
  resolution: Int32Array;
  evaluations: number;
  modelCalls: number;
  inferenceMs: number;
  batchSize: number;
}

export interface OwenInputs {
  model: Model;
  /** The original and the fully hidden image, each already in the model's tensor layout. */
  original: Float32Array;
  hidden: Float32Array;
  preprocess: PreprocessConfig;
  targets: number[];
  maxEvals: number;
  minBlock: number;
  batchSize: number;
  scoreSpace: ScoreSpace;
  rng: Rng;
  signal?: CancelSignal;
  onProgress?: (p: Progress) => void;
}

/** shap's owen() with fixed_context=None, then lower_credit() and a uniform spread over each leaf's pixels. */
export async function computeOwenValues(input: OwenInputs): Promise<OwenResult> {
  const { model, preprocess, targets, rng } = input;
  const T = targets.length;
  const tree = buildPartitionTree(preprocess.width, preprocess.height, input.minBlock);
  const writer = createMaskWriter(tree, input.original, input.hidden, preprocess);
  const perImage = writer.perImage;
  const batch = batchCapacity(model.spec.dynamicBatch, input.batchSize);
  // masks collected per round: two per expanded node; at least one node per round
  const roundMasks = Math.max(2, batch - (batch % 2));
  const needed = partitionEvaluationsNeeded(tree);
  const total = Math.min(input.maxEvals, needed + 2);
  // one progress phase (and ETA) over all rounds
  const progress = createProgressTracker('Owen values', total, input.onProgress, input.signal);
  const buffer = new Float32Array(roundMasks * perImage);
  const stats = createStats();

  /** Evaluate the first `count` images in `buffer`, in model calls of at most `batch`; one score vector per image. */
  const evaluate = async (count: number): Promise<Float64Array[]> => {
    const scores: Float64Array[] = [];
    await forEachBatch(count, { phase: 'Owen values', capacity: batch, within: { tracker: progress, done: stats.rows } }, async (start, n) => {
      const out = await timedCall(stats, n, () => model.run(buffer.subarray(start * perImage, (start + n) * perImage), tensorDims(preprocess, n)));
      const k = out.length / n;
      if (!Number.isInteger(k)) throw new GlassboxError('INFERENCE_FAILED', `The model returned ${out.length} scores for ${n} images.`);
      for (let b = 0; b < n; b++) {
        const row = out.subarray(b * k, (b + 1) * k);
        const s = scoresIn(row, input.scoreSpace, model.spec.outputKind);
        const f = new Float64Array(T);
        for (let t = 0; t < T; t++) {
          if (targets[t] >= k) invalid(`target class ${targets[t]} does not exist (the model gives ${k} scores).`);
          f[t] = s[targets[t]];
        }
        scores.push(f);
      }
    });
    return scores;
  };

  // f00 = f(background), f11 = f(image): the two evaluations outside the recursion (shap: max_evals − 2 left)
  buffer.set(input.hidden, 0);
  buffer.set(input.original, perImage);
  const [baseValues, outputs] = await evaluate(2);
  const budget = input.maxEvals - 2;

  const nodeValues = new Float64Array(tree.count * T);
  const credited = new Uint8Array(tree.count);
  const credit = (item: QueueItem) => {
    credited[item.node] = 1;
    const o = item.node * T;
    for (let t = 0; t < T; t++) nodeValues[o + t] += (item.f11[t] - item.f00[t]) * item.weight;
  };
  const priority = (a: Float64Array, b: Float64Array, weight: number) => {
    let m = 0;
    for (let t = 0; t < T; t++) m = Math.max(m, Math.abs(b[t] - a[t]));
    return m * weight;
  };

  const queue = new OwenQueue();
  queue.push({ mask: null, f00: baseValues, f11: outputs, node: 0, weight: 1, priority: 0, tie: 0 });
  let spent = 0;
  const round: { item: QueueItem; m10: MaskNode; m01: MaskNode }[] = [];
  while (queue.length > 0) {
    // Out of budget (shap lets the last round overshoot by one evaluation; we stop before it).
    if (spent + 2 > budget) {
      for (let item = queue.pop(); item; item = queue.pop()) credit(item);
      break;
    }
    round.length = 0;
    while (queue.length > 0 && 2 * (round.length + 1) <= roundMasks && spent + 2 * (round.length + 1) <= budget) {
      const item = queue.pop()!;
      const l = tree.left[item.node];
      if (l < 0) {
        credit(item);
        continue;
      }
      const m10: MaskNode = { parent: item.mask, node: l };
      const m01: MaskNode = { parent: item.mask, node: tree.right[item.node] };
      writer.write(m10, buffer, 2 * round.length);
      writer.write(m01, buffer, 2 * round.length + 1);
      round.push({ item, m10, m01 });
    }
    if (round.length === 0) continue;
    const f = await evaluate(2 * round.length);
    spent += 2 * round.length;
    for (let i = 0; i < round.length; i++) {
      const { item, m10, m01 } = round[i];
      const f10 = f[2 * i], f01 = f[2 * i + 1];
      const w = item.weight / 2;
      const l = tree.left[item.node], r = tree.right[item.node];
      // left and right switched on against the empty context, then each against its sibling already shown
      queue.push({ mask: item.mask, f00: item.f00, f11: f10, node: l, weight: w, priority: priority(item.f00, f10, w), tie: rng.normal() });
      queue.push({ mask: item.mask, f00: item.f00, f11: f01, node: r, weight: w, priority: priority(item.f00, f01, w), tie: rng.normal() });
      queue.push({ mask: m01, f00: f01, f11: item.f11, node: l, weight: w, priority: priority(f01, item.f11, w), tie: rng.normal() });
      queue.push({ mask: m10, f00: f10, f11: item.f11, node: r, weight: w, priority: priority(f10, item.f11, w), tie: rng.normal() });
    }
  }
  progress.throwIfCancelled();

  // lower_credit: a node's credit goes to its leaves in proportion to their size, i.e. each pixel receives its
  // ancestors' credit divided by their size. Nodes come parent-first, so one forward pass accumulates the density.
  const density = new Float64Array(tree.count * T);
  const smallest = new Int32Array(tree.count);
  for (let i = 0; i < tree.count; i++) {
    const p = tree.parent[i];
    for (let t = 0; t < T; t++) density[i * T + t] = (p >= 0 ? density[p * T + t] : 0) + nodeValues[i * T + t] / tree.size[i];
    smallest[i] = credited[i] || p < 0 ? tree.size[i] : smallest[p];
  }
  const { width, height } = tree;
  const maps = targets.map(() => new Float64Array(width * height));
  const resolution = new Int32Array(width * height);
  for (let i = 0; i < tree.count; i++) {
    if (tree.left[i] >= 0) continue;
    for (let y = tree.y0[i]; y < tree.y1[i]; y++) {
      for (let x = tree.x0[i]; x < tree.x1[i]; x++) {
        const px = y * width + x;
        for (let t = 0; t < T; t++) maps[t][px] = density[i * T + t];
        resolution[px] = smallest[i];
      }
    }
  }
  return { tree, nodeValues, baseValues, outputs, maps, resolution, evaluations: stats.rows, modelCalls: stats.modelCalls, inferenceMs: stats.inferenceMs, batchSize: batch };
}

// ------------------------------------------------------------------------------------------ explainer

/** What hidden pixels show, with the descriptor's blur sigma when a blur gives none (shap's Image masker: blur(10, 10)). */
function backgroundOf(p: PartitionShapParams): HideSpec {
  return p.background.mode === 'blur' ? { ...p.background, blurSigma: p.background.blurSigma ?? PARTITION_SHAP_DEFAULTS.background.blurSigma } : p.background;
}

export async function explainPartitionShap(request: ExplainRequest<PartitionShapParams>): Promise<PixelMapExplanation> {
  const { model, image, preprocess, targets, params, seed } = request;
  validateParams(PARTITION_SHAP_META, params, { width: image.width, height: image.height });
  checkTargets('Partition SHAP', targets, model.spec.numClasses);
  if (image.width !== preprocess.width || image.height !== preprocess.height) {
    invalid(`the image is ${image.width}×${image.height} but the model input is ${preprocess.width}×${preprocess.height}.`);
  }
  const started = now();
  const original = new Float32Array(tensorLength(preprocess));
  writeModelInput(image, preprocess, original);
  const hidden = hiddenTensor(image, backgroundOf(params), preprocess);

  const r = await computeOwenValues({
    model,
    original,
    hidden,
    preprocess,
    targets,
    maxEvals: params.maxEvals,
    minBlock: params.minBlock,
    batchSize: params.batchSize,
    scoreSpace: params.scoreSpace,
    rng: createRng(seed),
    signal: request.signal,
    onProgress: request.onProgress,
  });

  const classes: ClassAttribution[] = targets.map((target, t) => ({ target, modelPrediction: r.outputs[t], map: Array.from(r.maps[t]) }));
  const map = classes[0].map;
  let sum = 0, limit = 0;
  for (const v of map) {
    sum += v;
    limit = Math.max(limit, Math.abs(v));
  }
  limit ||= 1;
  return {
    kind: 'pixel-map',
    method: 'partitionshap',
    target: targets[0],
    width: image.width,
    height: image.height,
    map,
    classes,
    normalisedMap: map.map((v) => v / limit),
    signed: true,
    additivity: { baseValue: r.baseValues[0], output: r.outputs[0], sum },
    params: params as unknown as Record<string, unknown>,
    seed,
    scoreSpace: params.scoreSpace,
    timings: { totalMs: now() - started, inferenceMs: r.inferenceMs, modelCalls: r.modelCalls, samples: r.evaluations, batchSize: r.batchSize },
  };
}

export const partitionShapExplainer: Explainer<PartitionShapParams> = { explain: explainPartitionShap };
