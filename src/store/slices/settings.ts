import { DEFAULT_HEATMAP_VIEW } from '../../engine/render/heatmap';
import { DEFAULT_VIEW } from '../../engine/render/lime-view';
import { defaultExplainSettings } from '../explain-settings';
import type { SettingsSlice, Slice } from '../types';

/** What the user sets and keeps across reloads: per-model preprocessing, method parameters, views. */
export const createSettingsSlice: Slice<SettingsSlice> = (set, get, ctx) => ({
  savedPreprocess: {},
  topK: 5,
  explainSettings: defaultExplainSettings(),
  view: DEFAULT_VIEW,
  heatmapView: DEFAULT_HEATMAP_VIEW,
  compareMethods: ['lime', 'kernelshap', 'rise', 'gradcam'],
  compareScale: 'normalised',

  setMethodParams(method, patch) {
    const s = get().explainSettings;
    set({ explainSettings: { ...s, params: { ...s.params, [method]: { ...s.params[method], ...patch } } } });
  },

  setExplainSettings(patch) {
    set({ explainSettings: { ...get().explainSettings, ...patch } });
  },

  setHeatmapView(patch) {
    set({ heatmapView: { ...get().heatmapView, ...patch } });
  },

  setView(patch) {
    set({ view: { ...get().view, ...patch } });
  },

  setCompareMethods(compareMethods) {
    set({ compareMethods });
  },

  setCompareScale(compareScale) {
    set({ compareScale });
  },

  flushSettings() {
    ctx.flush();
  },
});
