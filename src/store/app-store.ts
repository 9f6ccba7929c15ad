/**
 * One zustand store from a factory with its dependencies injected (testable without a worker), built from one
 * slice per concern (slices/: runtime, model, image, prediction, explanation, comparison, settings, messages).
 * Only the settings slice persists, written debounced (persistence.ts), never on every progress update; finished
 * results go to the injected history store (history-db.ts: IndexedDB in the browser).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { persist } from 'zustand/middleware';
import { DEFAULT_HEATMAP_VIEW } from '../engine/render/heatmap';
import { DEFAULT_VIEW } from '../engine/render/lime-view';
import { isMethodId } from '../engine/explain/registry';
import { migrateV1ExplainSettings, sanitizeExplainSettings } from './explain-settings';
import { debouncedStorage } from './persistence';
import { createComparisonSlice } from './slices/comparison';
import { createExplanationSlice } from './slices/explanation';
import { createGroundTruthSlice } from './slices/ground-truth';
import { createImageSlice } from './slices/image';
import { createMessagesSlice } from './slices/messages';
import { createModelSlice } from './slices/model';
import { createPredictionSlice } from './slices/prediction';
import { createRuntimeSlice } from './slices/runtime';
import { createSettingsSlice } from './slices/settings';
import { createShelfSlice } from './slices/shelf';
import { createStabilitySlice } from './slices/stability';
import { createSanitySlice } from './slices/sanity';
import { createDatasetSlice } from './slices/dataset';
import type { AppState, SliceContext, StoreDeps } from './types';

export type * from './types';
export type { HistoryStore } from './history-db';
export { defaultExplainSettings, paramsForJob, usesLayer } from './explain-settings';
export { autoBatch, currentProbe, rowKey } from './slices/job';

export type AppStore = StoreApi<AppState>;

type Persisted = Pick<AppState, 'runtime' | 'savedPreprocess' | 'topK' | 'explainSettings' | 'view' | 'heatmapView' | 'compareMethods' | 'compareScale'>;

export function createAppStore(deps: StoreDeps): AppStore {
  let jobCounter = 0;
  const storage = debouncedStorage<Persisted>(deps.storage, deps.persistDelayMs ?? 400);
  const ctx: SliceContext = { deps, nextJobId: () => ++jobCounter, reserveJobIds: (n) => void (jobCounter = Math.max(jobCounter, n)), flush: () => storage.flush() };

  return createStore<AppState>()(
    persist(
      (set, get) => ({
        ...createRuntimeSlice(set, get, ctx),
        ...createModelSlice(set, get, ctx),
        ...createImageSlice(set, get, ctx),
        ...createPredictionSlice(set, get, ctx),
        ...createExplanationSlice(set, get, ctx),
        ...createComparisonSlice(set, get, ctx),
        ...createGroundTruthSlice(set, get, ctx),
        ...createShelfSlice(set, get, ctx),
        ...createSettingsSlice(set, get, ctx),
        ...createMessagesSlice(set, get, ctx),
        ...createStabilitySlice(set, get, ctx),
        ...createSanitySlice(set, get, ctx),
        ...createDatasetSlice(set, get, ctx),
      }),
      {
        name: 'glassbox.settings',
        version: 2,
        storage,
        partialize: (s): Persisted => ({ runtime: s.runtime, savedPreprocess: s.savedPreprocess, topK: s.topK, explainSettings: s.explainSettings, view: s.view, heatmapView: s.heatmapView, compareMethods: s.compareMethods, compareScale: s.compareScale }),
        // version 1 kept parameters by method family
        migrate: (persisted, version) => {
          const p = (persisted ?? {}) as Record<string, unknown>;
          if (version < 2 && p.explainSettings) return { ...p, explainSettings: migrateV1ExplainSettings(p.explainSettings as Record<string, unknown>) } as Persisted;
          return p as Persisted;
        },
        // whatever was stored, only valid values for known methods come back
        merge: (persisted, current) => {
          const p = (persisted ?? {}) as Partial<Persisted>;
          const compareMethods = Array.isArray(p.compareMethods) ? p.compareMethods.filter((m) => typeof m === 'string' && isMethodId(m)) : current.compareMethods;
          return {
            ...current,
            ...p,
            explainSettings: sanitizeExplainSettings(p.explainSettings),
            heatmapView: { ...DEFAULT_HEATMAP_VIEW, ...p.heatmapView },
            view: { ...DEFAULT_VIEW, ...p.view },
            compareMethods,
          };
        },
      },
    ),
  );
}
