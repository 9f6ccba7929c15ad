/**
 * Custom regions and the persisted settings: the settings keep { method: 'custom', name }, never the labels
 * (they live in memory and join the job); a stored spec carrying labels is cut back to its name; without loaded
 * labels a run is refused with a message saying so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAppStore } from '../../../src/store/app-store';
import { setLoadedRegions } from '../../../src/store/custom-segments';
import { paramsForJob, sanitizeExplainSettings } from '../../../src/store/explain-settings';
import { checkMethod } from '../../../src/store/slices/job';

function memoryStorage() {
  const data = new Map<string, string>();
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k), data };
}

const LABELS = Int32Array.from({ length: 64 }, (_, i) => (i < 32 ? 11 : 12345));

afterEach(() => setLoadedRegions(undefined));

describe('custom regions are never persisted', () => {
  it('the stored settings hold the method and the file name, not the labels; the job carries the labels', () => {
    const storage = memoryStorage();
    const store = createAppStore({ compute: () => ({}) as never, assets: {} as never, storage, persistDelayMs: 0 });
    setLoadedRegions({ name: 'organs.npy', width: 8, height: 8, labels: LABELS, regions: 2 });
    store.getState().setMethodParams('lime', { segmentation: { method: 'custom', name: 'organs.npy' } });
    store.getState().setMethodParams('kernelshap', { segmentation: { method: 'custom', name: 'organs.npy' } });
    store.getState().flushSettings();
    const text = [...storage.data.values()].join('\n');
    const saved = JSON.parse(storage.data.get('glassbox.settings')!) as { state: { explainSettings: { params: Record<string, { segmentation: unknown }> } } };
    expect(saved.state.explainSettings.params.lime.segmentation).toEqual({ method: 'custom', name: 'organs.npy' });
    expect(saved.state.explainSettings.params.kernelshap.segmentation).toEqual({ method: 'custom', name: 'organs.npy' });
    expect(text).not.toContain('12345');
    expect(text).not.toContain('labels');

    const job = paramsForJob(store.getState().explainSettings, 'lime');
    expect(job.segmentation).toMatchObject({ method: 'custom', name: 'organs.npy', width: 8, height: 8, regions: 2 });
    expect(Array.from((job.segmentation as { labels: ArrayLike<number> }).labels)).toEqual(Array.from(LABELS));
  });

  it('a stored custom spec is kept as { method, name }: labels that reached storage somehow are dropped', () => {
    const s = sanitizeExplainSettings({ params: { lime: { segmentation: { method: 'custom', name: 'a.png', labels: [0, 1, 1], width: 3, height: 1, regions: 2 } }, kernelshap: { segmentation: { method: 'custom' } } } });
    expect(s.params.lime.segmentation).toEqual({ method: 'custom', name: 'a.png' });
    expect(s.params.kernelshap.segmentation).toEqual({ method: 'custom' });
  });

  it('after a reload (no labels in memory) Run refuses with a clear message', () => {
    const storage = memoryStorage();
    const store = createAppStore({ compute: () => ({}) as never, assets: {} as never, storage });
    store.getState().setMethodParams('lime', { segmentation: { method: 'custom', name: 'organs.npy' } });
    expect(() => checkMethod(store.getState, 'lime')).toThrow('LIME: segmentation custom regions (organs.npy): no labels loaded: choose a label file (.npy or .png).');
    setLoadedRegions({ name: 'organs.npy', width: 8, height: 8, labels: LABELS, regions: 2 });
    expect(() => checkMethod(store.getState, 'lime')).not.toThrow();
  });
});
