/**
 * Work that need not be repeated: what a run computes from the model and the image alone — the model's raw
 * outputs for each perturbed input row, segmentations, background images — kept for the next run on the same
 * (model, image, preprocessing) and looked up by what produced it. A rerun with the same seed (a comparison run
 * again, a larger budget, an anytime run continued past where it stopped) then calls the model only for rows it
 * has not seen; methods sharing a segmentation or a background (LIME and KernelSHAP) compute it once.
 *
 * Rows are kept as a prefix per key (row 0, 1, …, n−1 of one deterministic stream of inputs), so a result never
 * depends on whether rows came from the model or from the cache: the same rows give the same numbers. The owner
 * (the worker, a CLI session) makes one cache per model and image and drops it when either changes; the cache holds
 * at most `budgetBytes` and forgets the least recently used entries first.
 */

/** The raw model outputs of rows 0 … count−1 of one stream of inputs (each `width` values). */
export interface RowStore {
  /** Values per row: given, or set by the first row stored (undefined until then). */
  readonly width: number | undefined;
  readonly count: number;
  /** Row `row`'s outputs when stored (a view valid until the next append), else undefined. */
  get(row: number): Float32Array | undefined;
  /** Store row `row` when it extends the prefix (row === count); other rows are ignored. */
  append(row: number, raw: ArrayLike<number>): void;
}

export interface ReuseStats {
  /** Values (segmentations, backgrounds, …) found instead of computed. */
  valuesReused: number;
}

export interface ReuseCache {
  /**
   * The row store under `key` for outputs of `width` values (a new, empty one when absent or of another width);
   * without a width, the first row stored sets it.
   */
  rows(key: string, width?: number): RowStore;
  /** The value under `key`, computed by `make` (and kept) the first time. */
  value<T>(key: string, make: () => T, bytes?: (value: T) => number): T;
  readonly stats: ReuseStats;
  /** Bytes held now. */
  bytes(): number;
  clear(): void;
}

/** Default size limit: 64 MB (a 4000-row LIME run on a 1000-class model keeps 16 MB of rows, 2000 RISE masks 8 MB). */
export const REUSE_BUDGET_BYTES = 64 * 1024 * 1024;
const CHUNK_ROWS = 256;

interface Entry {
  bytes: number;
  value: unknown;
}

function byteSize(value: unknown): number {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value && typeof value === 'object') {
    let sum = 64;
    for (const v of Object.values(value)) if (ArrayBuffer.isView(v) || (v && typeof v === 'object')) sum += byteSize(v);
    return sum;
  }
  return 64;
}

export function createReuseCache(budgetBytes = REUSE_BUDGET_BYTES): ReuseCache {
  // a Map iterates in insertion order: re-inserting on use keeps the least recently used first
  const entries = new Map<string, Entry>();
  let held = 0;
  const stats: ReuseStats = { valuesReused: 0 };
  const touch = (key: string, entry: Entry) => {
    entries.delete(key);
    entries.set(key, entry);
  };
  const evict = (keep: string) => {
    for (const [key, entry] of entries) {
      if (held <= budgetBytes) break;
      if (key === keep) continue;
      entries.delete(key);
      held -= entry.bytes;
    }
  };
  const grow = (key: string, entry: Entry, by: number) => {
    entry.bytes += by;
    held += by;
    if (held > budgetBytes) evict(key);
  };

  const cache: ReuseCache = {
    stats,
    rows(key, width) {
      const name = `rows:${key}`;
      const found = entries.get(name);
      if (found && (width === undefined || (found.value as RowStore).width === width)) {
        touch(name, found);
        return found.value as RowStore;
      }
      if (found) {
        entries.delete(name);
        held -= found.bytes;
      }
      const chunks: Float32Array[] = [];
      let count = 0;
      let size = width;
      const entry: Entry = { bytes: 0, value: undefined };
      const store: RowStore = {
        get width() {
          return size;
        },
        get count() {
          return count;
        },
        get(row) {
          if (!(row >= 0 && row < count)) return undefined;
          const chunk = chunks[Math.floor(row / CHUNK_ROWS)];
          const o = (row % CHUNK_ROWS) * size!;
          return chunk.subarray(o, o + size!);
        },
        append(row, raw) {
          size ??= raw.length;
          if (row !== count || raw.length !== size || entries.get(name) !== entry) return; // not next, or evicted meanwhile
          const c = Math.floor(row / CHUNK_ROWS);
          if (c === chunks.length) {
            chunks.push(new Float32Array(CHUNK_ROWS * size));
            grow(name, entry, CHUNK_ROWS * size * 4);
          }
          chunks[c].set(raw, (row % CHUNK_ROWS) * size);
          count++;
        },
      };
      entry.value = store;
      entries.set(name, entry);
      return store;
    },
    value(key, make, bytes) {
      const name = `value:${key}`;
      const found = entries.get(name);
      if (found) {
        touch(name, found);
        stats.valuesReused++;
        return found.value as never;
      }
      const value = make();
      const entry: Entry = { bytes: 0, value };
      entries.set(name, entry);
      grow(name, entry, bytes ? bytes(value) : byteSize(value));
      return value;
    },
    bytes: () => held,
    clear() {
      entries.clear();
      held = 0;
    },
  };
  return cache;
}

/** `make()`, kept in `reuse` under `key` when there is a cache (computed once per key), computed afresh without. */
export function cached<T>(reuse: ReuseCache | undefined, key: string, make: () => T): T {
  return reuse ? reuse.value(key, make) : make();
}

/** FNV-1a of a number array (custom region labels in a key, without the array itself). */
export function digestNumbers(values: ArrayLike<number>): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < values.length; i++) {
    h ^= values[i] & 0xffff;
    h = Math.imul(h, 0x01000193);
    h ^= values[i] >>> 16;
    h = Math.imul(h, 0x01000193);
  }
  return `${values.length}:${(h >>> 0).toString(16)}`;
}

/** A stable JSON key (object keys sorted; long number arrays replaced by their digest). */
export function reuseKey(parts: unknown): string {
  return JSON.stringify(parts, (_, v: unknown) => {
    if (ArrayBuffer.isView(v) || (Array.isArray(v) && v.length > 16 && v.every((x) => typeof x === 'number'))) return `#${digestNumbers(v as ArrayLike<number>)}`;
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return v;
  });
}

/** What identifies a request's model input stream: the model and image (their SHA-256), the preprocessing, the size. */
interface StreamRequest {
  model: { spec: { numClasses?: number } };
  image: { width: number; height: number };
  preprocess: unknown;
  inputs?: { modelSha256: string; imageSha256: string };
  reuse?: ReuseCache;
}

/**
 * The request's row store for the input stream `stream` (a method's rows, identified by what decides them), or
 * undefined when the request has no cache or does not say which model and image it is for.
 */
export function streamRows(request: StreamRequest, stream: unknown): RowStore | undefined {
  if (!request.reuse || !request.inputs) return undefined;
  const { inputs, preprocess, image } = request;
  return request.reuse.rows(reuseKey({ stream, inputs, preprocess, size: [image.width, image.height] }), request.model.spec.numClasses);
}

/** The unperturbed image's row: one stream every method that scores the image itself shares. */
export const UNPERTURBED_STREAM = 'the image';
