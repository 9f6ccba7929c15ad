/**
 * Dataset-level summaries of explanation metrics, per (model, method): n, mean and a 95 % percentile-bootstrap
 * interval (Efron & Tibshirani 1993, ch. 13) of each metric over the images.
 *
 * What is kept: a few scalars per row (one number per metric), never a map, so memory grows by ~100 bytes per
 * image × model × method whatever the image size.
 *
 * Determinism (so shards merge into exactly the single run's summary): a summary is a function of the rows alone.
 * Within a group the rows are ordered by image name (code-unit order, not locale order), then by their values, and
 * every mean is summed in that order; each metric's bootstrap draws from its own generator seeded from
 * (seed, model, method, metric), so adding, removing or reordering other groups or metrics changes nothing.
 * Rows arriving in any order, from one run or from merged shards, give the same summary bit for bit.
 */
import { createRng } from '../math/rng';

/** One scalar row: an image × model × method, as evaluateDataset emits it and the CSV stores it. */
export interface EvaluationRow {
  /** The image's name (its file name in the CLI). */
  image: string;
  /** The model's id (the CLI: the file name without .onnx). */
  model: string;
  method: string;
  /** The explained class index and its label. */
  target: number;
  label: string;
  /** The model's top-1 class index, and its probability of the target class. */
  predicted: number;
  score: number;
  /** Pointing game hit (TorchRay tolerance); undefined without a mask. */
  pointing?: boolean;
  relevanceMass?: number;
  rankAccuracy?: number;
  iou?: number;
  dice?: number;
  auc?: number;
  /** Area under the deletion / insertion curve (RISE, Petsiuk et al. 2018), when asked for. */
  deletionAuc?: number;
  insertionAuc?: number;
  /** Wall time of the explanation (and its curves), and the model calls it made. */
  ms: number;
  modelCalls: number;
  /** The seed the method (and the summary's bootstrap) used. */
  seed: number;
  /** Why a metric is missing, when it is for a reason other than "not asked for" (e.g. a NaN map). */
  note?: string;
}

export type AggregateMetricId = 'pointing' | 'relevanceMass' | 'rankAccuracy' | 'iou' | 'auc' | 'deletionAuc' | 'insertionAuc' | 'ms';

export interface AggregateMetricInfo {
  id: AggregateMetricId;
  label: string;
  better: 'higher' | 'lower';
}

/** The summarised metrics, in table order. */
export const AGGREGATE_METRICS: readonly AggregateMetricInfo[] = [
  { id: 'pointing', label: 'pointing accuracy', better: 'higher' },
  { id: 'relevanceMass', label: 'relevance mass', better: 'higher' },
  { id: 'rankAccuracy', label: 'rank accuracy', better: 'higher' },
  { id: 'iou', label: 'top-k IoU', better: 'higher' },
  { id: 'auc', label: 'ROC AUC', better: 'higher' },
  { id: 'deletionAuc', label: 'deletion AUC', better: 'lower' },
  { id: 'insertionAuc', label: 'insertion AUC', better: 'higher' },
  { id: 'ms', label: 'time (ms)', better: 'lower' },
];

const METRIC_COUNT = AGGREGATE_METRICS.length;

/** A row's metric as a number (pointing hit → 1/0), NaN when absent. */
function metricValue(row: EvaluationRow, id: AggregateMetricId): number {
  const v = row[id];
  if (v === undefined) return NaN;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return Number.isFinite(v) ? v : NaN;
}

export interface BootstrapOptions {
  /** Seeds the bootstrap (the CLI uses the run's --seed, which the rows carry). */
  seed: number;
  /** Bootstrap resamples; 1000 by default. */
  resamples?: number;
  /** Interval level; 0.95 by default. */
  level?: number;
}

export const DEFAULT_RESAMPLES = 1000;

export interface MetricSummary {
  /** Rows with a value for this metric. */
  n: number;
  mean?: number;
  /** The percentile-bootstrap interval of the mean (undefined for n = 0). */
  low?: number;
  high?: number;
}

export interface GroupSummary {
  model: string;
  method: string;
  /** Rows (images) in the group. */
  rows: number;
  metrics: Record<AggregateMetricId, MetricSummary>;
}

export interface EvaluationSummary {
  groups: GroupSummary[];
  seed: number;
  resamples: number;
  level: number;
}

export interface AggregateEntry {
  image: string;
  /** One value per AGGREGATE_METRICS entry, NaN when absent. */
  values: Float64Array;
}

export interface AggregateGroup {
  model: string;
  method: string;
  entries: AggregateEntry[];
}

/** A streaming aggregate: add rows as they come, summarise at any time. Holds METRIC_COUNT numbers per row. */
export interface Aggregate {
  add(row: EvaluationRow): void;
  /** Rows added so far. */
  readonly size: number;
  /** Numbers held (METRIC_COUNT per row): memory stays flat in the image size. */
  readonly valueCount: number;
  summary(options: BootstrapOptions): EvaluationSummary;
  /** Internal: the groups, for merging. */
  readonly groups: ReadonlyMap<string, AggregateGroup>;
}

const groupKey = (model: string, method: string) => `${model}\u0000${method}`;

export function createAggregate(): Aggregate {
  return aggregateOver(new Map());
}

function addEntry(groups: Map<string, AggregateGroup>, model: string, method: string, entry: AggregateEntry): void {
  const key = groupKey(model, method);
  let group = groups.get(key);
  if (!group) groups.set(key, (group = { model, method, entries: [] }));
  group.entries.push(entry);
}

function aggregateOver(groups: Map<string, AggregateGroup>): Aggregate {
  let size = 0;
  for (const group of groups.values()) size += group.entries.length;
  return {
    add(row) {
      const values = new Float64Array(METRIC_COUNT);
      AGGREGATE_METRICS.forEach((m, i) => (values[i] = metricValue(row, m.id)));
      addEntry(groups, row.model, row.method, { image: row.image, values });
      size++;
    },
    get size() {
      return size;
    },
    get valueCount() {
      return size * METRIC_COUNT;
    },
    groups,
    summary: (options) => summarise(groups, options),
  };
}

/** One aggregate holding the rows of all the parts (shards); its summary equals that of all rows in one run. */
export function mergeAggregates(...parts: Aggregate[]): Aggregate {
  const groups = new Map<string, AggregateGroup>();
  // entries are never mutated after they are added, so the merged aggregate shares them
  for (const part of parts) for (const group of part.groups.values()) for (const entry of group.entries) addEntry(groups, group.model, group.method, entry);
  return aggregateOver(groups);
}

/** The summary of a set of rows (any order): what a single run over them prints. */
export function summaryFromRows(rows: Iterable<EvaluationRow>, options: BootstrapOptions): EvaluationSummary {
  const aggregate = createAggregate();
  for (const row of rows) aggregate.add(row);
  return aggregate.summary(options);
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function compareEntries(a: AggregateEntry, b: AggregateEntry): number {
  const byName = compareText(a.image, b.image);
  if (byName !== 0) return byName;
  for (let i = 0; i < METRIC_COUNT; i++) {
    const x = a.values[i], y = b.values[i];
    if (Object.is(x, y)) continue;
    if (Number.isNaN(x)) return 1;
    if (Number.isNaN(y)) return -1;
    return x - y;
  }
  return 0;
}

/** FNV-1a (32 bit) of a string: the per-metric bootstrap seed. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Percentile with linear interpolation between order statistics (numpy's default "linear" method). */
function percentile(sorted: Float64Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Mean and percentile-bootstrap interval of `values` (in the given order): `resamples` resamples of size n drawn
 * with replacement, the mean of each, and the (1 − level)/2 and (1 + level)/2 percentiles of those means.
 */
export function bootstrapMean(values: Float64Array, seed: number, resamples = DEFAULT_RESAMPLES, level = 0.95): MetricSummary {
  const n = values.length;
  if (n === 0) return { n: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  const rng = createRng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += values[rng.int(n)];
    means[b] = s / n;
  }
  means.sort();
  return { n, mean, low: percentile(means, (1 - level) / 2), high: percentile(means, (1 + level) / 2) };
}

function summarise(groups: ReadonlyMap<string, AggregateGroup>, options: BootstrapOptions): EvaluationSummary {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const level = options.level ?? 0.95;
  const ordered = [...groups.values()].sort((a, b) => compareText(a.model, b.model) || compareText(a.method, b.method));
  const out: GroupSummary[] = ordered.map((group) => {
    const entries = [...group.entries].sort(compareEntries);
    const metrics = {} as Record<AggregateMetricId, MetricSummary>;
    AGGREGATE_METRICS.forEach((m, i) => {
      const present: number[] = [];
      for (const e of entries) if (!Number.isNaN(e.values[i])) present.push(e.values[i]);
      const seed = hash32(`${options.seed >>> 0}\u0000${group.model}\u0000${group.method}\u0000${m.id}`);
      metrics[m.id] = bootstrapMean(Float64Array.from(present), seed, resamples, level);
    });
    return { model: group.model, method: group.method, rows: entries.length, metrics };
  });
  return { groups: out, seed: options.seed, resamples, level };
}
