/**
 * The custom regions the user loaded (a label .npy or PNG), held in memory only: the settings keep
 * { method: 'custom', name } and the labels join a run's params when its job is made (paramsForJob), so they never
 * reach localStorage. One label file serves LIME and KernelSHAP alike; a reload forgets it (the form says so).
 * The labels are kept at the file's own size: the engine places them on the model input with each run's
 * preprocessing, so a new image size or resize mode needs no step here.
 */
import type { CustomSegmentationSpec } from '../engine/explain/segmentation';
import type { LabelImage } from '../engine/segment/custom';

export interface LoadedRegions extends LabelImage {
  /** The file's name. */
  name: string;
  /** Distinct ids in the file. */
  regions: number;
}

let loaded: LoadedRegions | undefined;
const listeners = new Set<() => void>();

/** The label file loaded now, if any. */
export function loadedRegions(): LoadedRegions | undefined {
  return loaded;
}

/** Keep a newly read label file (or forget it with undefined). */
export function setLoadedRegions(regions: LoadedRegions | undefined): void {
  loaded = regions;
  for (const listener of listeners) listener();
}

/** For useSyncExternalStore: called whenever the loaded file changes. */
export function subscribeLoadedRegions(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** A custom spec from the settings with the loaded labels put in (unchanged when none are loaded: Run then refuses). */
export function withLoadedRegions(spec: CustomSegmentationSpec): CustomSegmentationSpec {
  if (!loaded) return { method: 'custom', ...(spec.name !== undefined ? { name: spec.name } : {}) };
  return { method: 'custom', name: loaded.name, labels: loaded.labels, width: loaded.width, height: loaded.height, regions: loaded.regions };
}
