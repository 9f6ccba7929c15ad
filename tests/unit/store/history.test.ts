/** The results history behind a history store: kept across reloads, bounded by a budget, in memory when storage fails. */
import { describe, expect, it } from 'vitest';
import { historyEntryBytes, memoryHistory, type HistoryStore } from '../../../src/store/history-db';
import { page, settle, SIDE } from '../../helpers/store-fakes';

describe('results history', () => {
  it('a finished run survives a reload: the same entry (typed maps, image, curves, quality), ids stay unique', async () => {
    const db = memoryHistory();
    const first = await page(db);
    await first.getState().runExplanation();
    await settle();
    const before = first.getState().history[0];
    expect(before.result.metrics).toBeDefined();
    expect(first.getState().historyStorage).toBe('saved');
    // stored compactly: maps as Float32Array, superpixel ids as Int32Array, the image as its bytes
    const row = db.rows.get(before.id) as { result: { map: unknown; segments: unknown }; baseImage: { data: unknown } };
    expect(row.result.map).toBeInstanceOf(Float32Array);
    expect(row.result.segments).toBeInstanceOf(Int32Array);
    expect(row.baseImage.data).toBeInstanceOf(Uint8ClampedArray);

    const reloaded = await page(db);
    const [after] = reloaded.getState().history;
    expect(after.id).toBe(before.id);
    expect(after.inputs).toEqual(before.inputs);
    expect((after.result as { segments?: number[] }).segments).toEqual((before.result as { segments?: number[] }).segments);
    expect(after.result.map).toEqual(before.result.map.map((v) => Math.fround(v)));
    expect(Array.from(after.baseImage.data)).toEqual(Array.from(before.baseImage.data));
    expect({ ...after, result: undefined, baseImage: undefined }).toEqual({ ...before, result: undefined, baseImage: undefined });
    expect(after.result.quality).toEqual(before.result.quality);
    expect(after.result.timings).toEqual(before.result.timings);
    // re-opened over the inputs it was computed from
    expect(reloaded.getState().showHistoryEntry(after.id)).toBe(true);
    expect(reloaded.getState().explanation?.id).toBe(after.id);
    // a new run gets an id above every stored one
    await reloaded.getState().runExplanation();
    await settle();
    const ids = reloaded.getState().history.map((h) => h.id);
    expect(new Set(ids).size).toBe(2);
    expect(ids[0]).toBeGreaterThan(before.id);
    expect(db.rows.size).toBe(2);
  });

  it('not over another image: after a reload with another image on screen it does not open as the result', async () => {
    const db = memoryHistory();
    const first = await page(db);
    await first.getState().runExplanation();
    await settle();
    const other = await page(db, { image: 'dog.png' });
    const [entry] = other.getState().history;
    expect(other.getState().showHistoryEntry(entry.id)).toBe(false);
    expect(other.getState().explanation).toBeUndefined();
  });

  it('delete, pin and clear all reach the stored history', async () => {
    const db = memoryHistory();
    const store = await page(db);
    for (let i = 0; i < 3; i++) await store.getState().runExplanation();
    await settle();
    const [a, b, c] = store.getState().history.map((h) => h.id);
    store.getState().deleteHistoryEntry(b);
    store.getState().pinHistoryEntry(c, true);
    await settle();
    expect([...db.rows.keys()].sort()).toEqual([a, c].sort());
    const reloaded = await page(db);
    expect(reloaded.getState().history.map((h) => [h.id, !!h.pinned])).toEqual([[a, false], [c, true]]);
    reloaded.getState().clearHistory();
    await settle();
    expect(reloaded.getState().history).toEqual([]);
    expect(db.rows.size).toBe(0);
  });

  it('under a small budget the oldest unpinned results go first, pinned ones stay, and the user is told', async () => {
    const db = memoryHistory();
    const probe = await page(memoryHistory());
    await probe.getState().runExplanation();
    await settle();
    const size = historyEntryBytes(probe.getState().history[0]);
    expect(size).toBeGreaterThan(4 * SIDE * SIDE * 4); // the image and the maps at least

    const store = await page(db, { budget: Math.floor(3.5 * size) });
    await store.getState().runExplanation();
    await settle();
    const oldest = store.getState().history[0].id;
    store.getState().pinHistoryEntry(oldest, true);
    for (let i = 0; i < 3; i++) await store.getState().runExplanation();
    await settle();
    const ids = store.getState().history.map((h) => h.id);
    expect(ids).toHaveLength(3);
    expect(ids).toContain(oldest); // pinned: kept although the oldest
    expect(store.getState().historyNotice).toMatch(/oldest result was removed from the history to keep it under/);
    expect([...db.rows.keys()].sort()).toEqual([...ids].sort());
    // the newest result is never evicted, even when pinned ones fill the budget
    for (const id of ids) store.getState().pinHistoryEntry(id, true);
    await store.getState().runExplanation();
    await settle();
    expect(store.getState().history).toHaveLength(4);
    expect(store.getState().history[0].id).toBe(store.getState().explanation!.id);
  });

  it('a store that cannot open (private mode) or is full keeps the history in memory with one notice; the current result stays', async () => {
    const blocked: HistoryStore = { load: () => Promise.reject(new Error('blocked')), put: () => Promise.reject(new Error('unused')), delete: async () => undefined, clear: async () => undefined };
    const store = await page(blocked);
    expect(store.getState().historyStorage).toBe('memory');
    expect(store.getState().historyNotice).toMatch(/kept in this page only.*\(blocked\)/);
    await store.getState().runExplanation();
    expect(store.getState().explanation).toBeDefined();
    expect(store.getState().history).toHaveLength(1);
    expect(store.getState().messages).toEqual([]);

    let puts = 0;
    const full = memoryHistory();
    full.put = () => (puts++, Promise.reject(new DOMException('The quota has been exceeded.', 'QuotaExceededError')));
    const quota = await page(full);
    expect(quota.getState().historyStorage).toBe('saved');
    await quota.getState().runExplanation();
    await settle();
    const shown = quota.getState().explanation;
    expect(shown?.result.metrics).toBeDefined(); // the curves still arrived
    expect(quota.getState().history.map((h) => h.id)).toEqual([shown!.id]);
    expect(quota.getState().historyStorage).toBe('memory');
    expect(quota.getState().historyNotice).toMatch(/quota has been exceeded/);
    const notices: (string | undefined)[] = [];
    quota.subscribe((s) => notices.push(s.historyNotice));
    quota.getState().dismissHistoryNotice();
    await quota.getState().runExplanation();
    await settle();
    expect(puts).toBe(1); // no more writes once in memory
    expect(notices.every((n) => n === undefined)).toBe(true); // told once
    expect(quota.getState().history).toHaveLength(2);
  });
});
