/**
 * Where finished results outlive the page: a HistoryStore keeps history entries (the result with its inputs key,
 * its own image, labels, scores and curves). The browser uses IndexedDB (plain API: one object store and four
 * operations do not need a wrapper library); tests inject an in-memory store. Settings stay in localStorage.
 */
import type { ExplanationState } from './types';

export interface HistoryStore {
  /** Every stored entry (any order). Rejects when storage cannot be opened (private mode, blocked). */
  load(): Promise<ExplanationState[]>;
  /** Insert or replace the entry with this id. Rejects on a quota error. */
  put(entry: ExplanationState): Promise<void>;
  delete(id: number): Promise<void>;
  clear(): Promise<void>;
}

/** Number arrays this long are stored as typed arrays (maps, superpixel ids, RISE masks). */
const PACK_MIN_LENGTH = 256;

function isNumberArray(v: unknown[]): v is number[] {
  for (const x of v) if (typeof x !== 'number') return false;
  return true;
}

function allInt32(v: number[]): boolean {
  for (const x of v) if (!Number.isInteger(x) || x < -2147483648 || x > 2147483647) return false;
  return true;
}

/** Long number arrays become Int32Array (integer ids) or Float32Array (maps are float32 in the engine and in .npy). */
function pack(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length >= PACK_MIN_LENGTH && isNumberArray(value)) return allInt32(value) ? Int32Array.from(value) : Float32Array.from(value);
    return value.map(pack);
  }
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = pack(v);
    return out;
  }
  return value;
}

function unpack(value: unknown): unknown {
  if (value instanceof Float32Array || value instanceof Int32Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(unpack);
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = unpack(v);
    return out;
  }
  return value;
}

/** The stored form: the result's long arrays packed; the image stays its bytes (structured clone keeps typed arrays). */
export function encodeEntry(entry: ExplanationState): Record<string, unknown> {
  const { baseImage, ...rest } = entry;
  return { ...(pack(rest) as Record<string, unknown>), baseImage: { width: baseImage.width, height: baseImage.height, data: new Uint8ClampedArray(baseImage.data) } };
}

export function decodeEntry(stored: Record<string, unknown>): ExplanationState {
  const { baseImage, ...rest } = stored as Record<string, unknown> & { baseImage: ExplanationState['baseImage'] };
  return { ...(unpack(rest) as Omit<ExplanationState, 'baseImage'>), baseImage: { width: baseImage.width, height: baseImage.height, data: new Uint8ClampedArray(baseImage.data) } };
}

/** Estimated stored size in bytes: typed arrays at their size, long number arrays at 4 bytes, the rest roughly. */
export function historyEntryBytes(entry: ExplanationState): number {
  let bytes = 0;
  const walk = (v: unknown) => {
    if (typeof v === 'number' || typeof v === 'boolean') bytes += 8;
    else if (typeof v === 'string') bytes += 2 * v.length + 8;
    else if (ArrayBuffer.isView(v)) bytes += v.byteLength;
    else if (Array.isArray(v)) {
      if (v.length >= PACK_MIN_LENGTH && isNumberArray(v)) bytes += 4 * v.length;
      else v.forEach(walk);
    } else if (v && typeof v === 'object') {
      bytes += 16;
      for (const [k, x] of Object.entries(v)) (bytes += 2 * k.length), walk(x);
    }
  };
  walk(entry);
  return bytes;
}

const DB_NAME = 'glassbox';
const STORE = 'history';

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * The browser's history store. Opening is lazy: where IndexedDB is missing or blocked (private mode, a policy),
 * load() rejects and the store keeps its history in memory; nothing here throws synchronously.
 */
export function indexedDbHistory(getFactory: () => IDBFactory | undefined = () => globalThis.indexedDB): HistoryStore {
  let opened: Promise<IDBDatabase> | undefined;
  const db = () =>
    (opened ??= new Promise<IDBDatabase>((resolve, reject) => {
      const factory = getFactory();
      if (!factory) throw new Error('IndexedDB is not available in this browser.');
      const request = factory.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened.'));
      request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab.'));
    }));
  const write = async (f: (store: IDBObjectStore) => IDBRequest) => {
    const tx = (await db()).transaction(STORE, 'readwrite');
    const finished = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted (storage full?)'));
    });
    f(tx.objectStore(STORE));
    await finished;
  };
  return {
    async load() {
      const rows = await done((await db()).transaction(STORE, 'readonly').objectStore(STORE).getAll());
      return (rows as Record<string, unknown>[]).map(decodeEntry);
    },
    put: (entry) => write((s) => s.put(encodeEntry(entry))),
    delete: (id) => write((s) => s.delete(id)),
    clear: () => write((s) => s.clear()),
  };
}

/** An in-memory history store (tests): stores the encoded form, so a load is a real round trip. */
export function memoryHistory(): HistoryStore & { rows: Map<number, Record<string, unknown>> } {
  const rows = new Map<number, Record<string, unknown>>();
  return {
    rows,
    load: async () => [...rows.values()].map((r) => decodeEntry(structuredClone(r))),
    put: async (entry) => void rows.set(entry.id, structuredClone(encodeEntry(entry))),
    delete: async (id) => void rows.delete(id),
    clear: async () => rows.clear(),
  };
}
