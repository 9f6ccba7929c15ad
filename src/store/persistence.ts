/**
 * Settings storage that never writes on the hot path: zustand's persist hands it the settings on every state
 * change (progress updates included), and it only keeps the latest; a timer writes them once things are quiet,
 * and only when they changed. A profile showed localStorage.setItem taking 67–518 ms per run on the main thread
 * when it was written on every progress update.
 */
import type { PersistStorage, StateStorage, StorageValue } from 'zustand/middleware';

export interface DebouncedStorage<S> extends PersistStorage<S> {
  /** Write what is pending now. */
  flush(): void;
}

export function debouncedStorage<S>(storage: StateStorage, delayMs: number): DebouncedStorage<S> {
  let pending: { name: string; value: StorageValue<S> } | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const written = new Map<string, string>();
  const parse = (raw: string | null): StorageValue<S> | null => {
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as StorageValue<S>;
    } catch {
      return null; // unreadable settings: start from the defaults
    }
  };
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (!pending) return;
    const { name, value } = pending;
    pending = undefined;
    const text = JSON.stringify(value);
    if (written.get(name) === text) return;
    written.set(name, text);
    try {
      void storage.setItem(name, text);
    } catch {
      // storage full or blocked (private mode): settings stay in memory for this session
    }
  };
  return {
    getItem(name) {
      const raw = storage.getItem(name);
      if (raw !== null && typeof raw === 'object') return Promise.resolve(raw).then((r) => parse(r));
      if (raw !== null) written.set(name, raw);
      return parse(raw);
    },
    setItem(name, value) {
      pending = { name, value };
      if (timer === undefined) timer = setTimeout(flush, delayMs);
    },
    removeItem(name) {
      pending = undefined;
      written.delete(name);
      return storage.removeItem(name);
    },
    flush,
  };
}
