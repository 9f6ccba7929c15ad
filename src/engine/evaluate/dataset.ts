/**
 * Explanations evaluated over a dataset: for each image × model × method, predict, pick the target, run the method
 * (runMethod, as the worker and the CLI do for one image), score its map against the image's object mask
 * (localisation metrics) and, when asked, its deletion/insertion curves, and emit one row of scalars. Maps are
 * dropped as soon as they are scored, so memory stays flat however many images go through; the caller streams the
 * rows (CSV, the page's table) and aggregates them (aggregate.ts). Shared by the CLI and, later, the worker.
 */
import { GlassboxError } from '../errors';
import { runMethod } from '../explain/run';
import type { FaithfulnessParams } from '../explain/faithfulness-params';
import { descriptorOf, isMethodId, METHOD_IDS, type MethodId } from '../explain/registry';
import { defaultsOf } from '../explain/schema';
import type { CancelSignal, Explanation } from '../explain/types';
import type { GradientSource } from '../grad/gradient-model';
import { preprocessImage, type PreprocessConfig } from '../image/preprocess';
import type { RgbaImage } from '../image/types';
import { resolveLabels } from '../labels/labels';
import { now } from '../math/clock';
import { localisationMetrics, type LocalisationOptions } from '../metrics/localisation';
import { alignMask, type Mask } from '../metrics/mask';
import { rankScores } from '../predict/scores';
import type { Model } from '../runtime/ort-runtime';
import { createAggregate, type Aggregate, type EvaluationRow } from './aggregate';

export type { EvaluationRow } from './aggregate';

export interface DatasetItem {
  /** Unique within the dataset; shards and summaries order images by it. */
  name: string;
  image: RgbaImage;
  /** The object mask at the image's size (or already at the model input's size). */
  mask?: Mask;
  /** The class to explain: an index, or a label matched against each model's labels; default the model's top-1. */
  target?: number | string;
}

/**
 * Where the images come from:
 * - a lazy list: names (any order; sorted here), each loaded only when its turn comes — and only when it is in
 *   the shard — so a large folder costs one image in memory at a time;
 * - an iterable or async iterable of items, evaluated in the order given (with `shard`, it must come in name
 *   order, code-unit ascending, since shard membership is the position in that order).
 */
export type DatasetSource =
  | { names: readonly string[]; load: (name: string) => Promise<DatasetItem> }
  | Iterable<DatasetItem>
  | AsyncIterable<DatasetItem>;

export interface EvaluationModel {
  /** Short id used in rows and summaries (the CLI: the file name without .onnx). */
  id: string;
  name?: string;
  model: Model;
  /** Needed by gradient and CAM methods. */
  gradients?: GradientSource;
  /** Default: the model's suggested preprocessing. */
  preprocess?: PreprocessConfig;
  /** Class names by index; default the model's metadata labels (or ImageNet's for 1000 classes). */
  labels?: readonly string[];
}

export interface EvaluationMethod {
  method: MethodId;
  /** Default: the method's descriptor defaults. */
  params?: unknown;
}

export interface EvaluationMetrics {
  /** Score maps against masks (pointing game, relevance mass, rank accuracy, IoU, Dice, ROC AUC). */
  localisation: boolean;
  /** Deletion/insertion curves (one extra pass of model calls per row). */
  faithfulness?: FaithfulnessParams;
  /** Pointing tolerance and top-k share, as localisationMetrics takes them. */
  options?: LocalisationOptions;
}

/** Every count-th image, from index, in name order. */
export interface Shard {
  index: number;
  count: number;
}

export interface EvaluationProgress {
  /** Rows done and, when the dataset's size is known, the total for this shard. */
  done: number;
  total?: number;
  image: string;
  model: string;
  method: string;
  etaMs?: number;
}

export interface EvaluateDatasetOptions {
  items: DatasetSource;
  models: readonly EvaluationModel[];
  methods: readonly EvaluationMethod[];
  metrics: EvaluationMetrics;
  /** Every method's seed, and the rows' (the summary bootstraps with it). */
  seed: number;
  shard?: Shard;
  signal?: CancelSignal;
  /** Awaited between rows: return a promise that resolves on "resume" to pause the run. */
  pause?: () => void | Promise<void>;
  /**
   * Each row as it is made, with what it was computed from for a caller that draws it (the page's thumbnails):
   * the explanation, the image at model resolution and the aligned mask. Keep none of them: they go with the row.
   */
  onRow: (row: EvaluationRow, detail?: RowDetail) => void | Promise<void>;
  onProgress?: (p: EvaluationProgress) => void;
}

export interface RowDetail {
  result: Explanation;
  image: RgbaImage;
  mask?: Mask;
}

export interface EvaluateDatasetResult {
  /** Images evaluated (in this shard). */
  images: number;
  rows: number;
  /** The rows' scalars, ready to summarise or merge with other shards'. */
  aggregate: Aggregate;
}

export function checkShard(shard: Shard): void {
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new GlassboxError(
      'PARAM_INVALID',
      `A shard is I/N with N ≥ 1 and 0 ≤ I < N (got ${shard.index}/${shard.count}).`,
      'Number shards from 0: a dataset split in 4 runs as --shard 0/4, 1/4, 2/4 and 3/4.',
    );
  }
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The names in a shard: sorted by code unit (locale-independent), then every count-th from index. */
export function shardNames(names: readonly string[], shard: Shard = { index: 0, count: 1 }): string[] {
  checkShard(shard);
  const sorted = [...names].sort(compareText);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new GlassboxError('PARAM_INVALID', `Two images are both named "${sorted[i]}".`, 'Give every image a unique name.');
  }
  return sorted.filter((_, i) => i % shard.count === shard.index);
}

async function* itemsOf(source: DatasetSource, shard: Shard | undefined): AsyncGenerator<DatasetItem> {
  if ('names' in source && 'load' in source) {
    for (const name of shardNames(source.names, shard)) yield await source.load(name);
    return;
  }
  if (shard) checkShard(shard);
  let position = 0;
  let previous: string | undefined;
  for await (const item of source as AsyncIterable<DatasetItem>) {
    if (shard && previous !== undefined && compareText(previous, item.name) >= 0) {
      throw new GlassboxError(
        'PARAM_INVALID',
        `Sharding needs the images in name order, but "${item.name}" came after "${previous}".`,
        'Pass the dataset as a list of names with a loader, or sort the items by name.',
      );
    }
    previous = item.name;
    if (!shard || position++ % shard.count === shard.index) yield item;
  }
}

/** The target's index for one model: an index as given, a label looked up in the model's labels, or the top-1. */
export function resolveTarget(target: number | string | undefined, labels: readonly string[], top1: number, image: string, model: string): number {
  if (target === undefined) return top1;
  if (typeof target === 'number') {
    if (!Number.isInteger(target) || target < 0 || target >= labels.length) {
      throw new GlassboxError('PARAM_INVALID', `The target ${target} of ${image} does not exist in model ${model}: it has ${labels.length} classes (0–${labels.length - 1}).`, 'Check the targets file.');
    }
    return target;
  }
  const exact = labels.indexOf(target);
  if (exact >= 0) return exact;
  const wanted = target.trim().toLowerCase();
  const loose = labels.findIndex((l) => l.trim().toLowerCase() === wanted);
  if (loose >= 0) return loose;
  const shown = labels.slice(0, 10).map((l) => `"${l}"`).join(', ');
  throw new GlassboxError(
    'PARAM_INVALID',
    `The target "${target}" of ${image} is not a class of model ${model}.`,
    `Use a class index or one of its labels: ${shown}${labels.length > 10 ? `, … (${labels.length} in all)` : ''}.`,
  );
}

function checkMethods(methods: readonly EvaluationMethod[]): void {
  if (methods.length === 0) throw new GlassboxError('PARAM_INVALID', 'No method to evaluate.', `Choose one or more of: ${METHOD_IDS.join(', ')}.`);
  for (const m of methods) {
    if (!isMethodId(m.method)) throw new GlassboxError('PARAM_INVALID', `Unknown method "${String(m.method)}".`, `Choose from: ${METHOD_IDS.join(', ')}.`);
  }
}

function cancelled(): GlassboxError {
  return new GlassboxError('CANCELLED', 'The evaluation was cancelled.');
}

/**
 * Evaluate every image × model × method (images outermost, so a stopped run has whole images). Rows go to
 * `onRow` as they are made; nothing per pixel outlives its row.
 */
export async function evaluateDataset(options: EvaluateDatasetOptions): Promise<EvaluateDatasetResult> {
  const { models, methods, metrics, seed, signal } = options;
  checkMethods(methods);
  if (models.length === 0) throw new GlassboxError('NO_MODEL', 'No model to evaluate.', 'Give one or more models.');
  const aggregate = createAggregate();
  const source = options.items;
  const total = 'names' in source && 'load' in source ? shardNames(source.names, options.shard).length * models.length * methods.length : undefined;
  const labelsOf = new Map<string, readonly string[]>();
  let images = 0, rows = 0;
  const started = now();
  for await (const item of itemsOf(source, options.shard)) {
    images++;
    for (const entry of models) {
      if (signal?.aborted) throw cancelled();
      const preprocess = entry.preprocess ?? entry.model.spec.suggestedPreprocess;
      const { resized, tensor, dims } = preprocessImage(item.image, preprocess);
      const raw = await entry.model.run(tensor, dims);
      let labels = entry.labels ?? labelsOf.get(entry.id);
      if (!labels) labelsOf.set(entry.id, (labels = resolveLabels(raw.length, { metadata: entry.model.spec.metadataLabels }).labels));
      const prediction = rankScores(raw, labels, 1, entry.model.spec.outputKind);
      const predicted = prediction.top[0].index;
      const target = resolveTarget(item.target, labels, predicted, item.name, entry.id);
      const mask = metrics.localisation && item.mask ? alignMask(item.mask, preprocess, { width: item.image.width, height: item.image.height }) : undefined;
      for (const { method, params } of methods) {
        await options.pause?.();
        if (signal?.aborted) throw cancelled();
        const t0 = now();
        const result = await runMethod(
          method,
          {
            model: entry.model,
            gradients: entry.gradients,
            image: resized,
            preprocess,
            targets: [target],
            params: params ?? defaultsOf(descriptorOf(method)),
            seed,
            signal,
          },
          { metrics: metrics.faithfulness, labels },
        );
        const ms = Math.round((now() - t0) * 1000) / 1000; // µs resolution: enough, and a short CSV cell
        const row: EvaluationRow = {
          image: item.name,
          model: entry.id,
          method,
          target,
          label: labels[target] ?? `class ${target}`,
          predicted,
          score: prediction.probabilities[target],
          ms,
          modelCalls: result.timings.modelCalls + (result.metrics?.timings.modelCalls ?? 0),
          seed,
        };
        if (mask) {
          try {
            const loc = localisationMetrics(result.map, mask, metrics.options);
            row.pointing = loc.pointing.hit;
            row.relevanceMass = loc.relevanceMass;
            row.rankAccuracy = loc.rankAccuracy;
            row.iou = loc.iou;
            row.dice = loc.dice;
            row.auc = loc.auc;
          } catch (e) {
            // a NaN map has no localisation; the row says so rather than stopping a long run
            if (!(e instanceof GlassboxError)) throw e;
            row.note = e.message;
          }
        }
        if (result.metrics) {
          row.deletionAuc = result.metrics.deletion.auc;
          row.insertionAuc = result.metrics.insertion.auc;
        }
        aggregate.add(row);
        rows++;
        await options.onRow(row, { result, image: resized, mask });
        if (options.onProgress) {
          const elapsed = now() - started;
          options.onProgress({
            done: rows,
            total,
            image: item.name,
            model: entry.id,
            method,
            etaMs: total !== undefined ? (elapsed / rows) * (total - rows) : undefined,
          });
        }
      }
    }
  }
  return { images, rows, aggregate };
}
