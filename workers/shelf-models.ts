/**
 * The model shelf, worker side: extra models held beside the current one, each with its own session and gradient
 * source, addressed by id. They share the worker's one-at-a-time session queue, cancel flags and current image,
 * so a shelf job is cancelled, queued and fed exactly as a job on the current model.
 */
import * as Comlink from 'comlink';
import { GlassboxError } from '../src/engine/errors';
import { runMethod } from '../src/engine/explain/run';
import type { ExplainRequest, Progress } from '../src/engine/explain/types';
import type { GradientSource } from '../src/engine/grad/gradient-model';
import { preprocessImage } from '../src/engine/image/preprocess';
import type { RgbaImage } from '../src/engine/image/types';
import { resolveLabels } from '../src/engine/labels/labels';
import { parameterCountOfBytes } from '../src/engine/onnx/param-count';
import type { Model } from '../src/engine/runtime/ort-runtime';
import type { BackendChoice, ComputeApi, ExplainJob, LoadedModel, ShelfModel } from '../src/worker-api';

export interface HeldModel {
  model: Model;
  bytes: Uint8Array;
  summary: LoadedModel;
  gradients: GradientSource;
}

type HeldImage = { pixels: RgbaImage; sha256: string };

export interface ShelfDeps {
  createModel(bytes: Uint8Array, name: string, choice: BackendChoice): Promise<Omit<HeldModel, 'bytes'>>;
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  jobs: Map<string, { aborted: boolean }>;
  image(): HeldImage | undefined;
  explainRequest(job: ExplainJob, signal: { aborted: boolean }, model: HeldModel, pixels: HeldImage, onProgress: (p: Progress) => void): ExplainRequest<unknown>;
}

/** The error for an id the worker does not hold (removed, or the worker was restarted): the store re-adds it. */
export const UNKNOWN_SHELF_MODEL = 'unknown shelf model';

/** The shelf's part of the compute API. */
export type ShelfApi = Pick<ComputeApi, 'shelfAdd' | 'shelfRemove' | 'shelfPredict' | 'shelfExplain'>;

/** The shelf's API and, for other worker jobs (dataset mode), the models it holds. */
export function createShelf(deps: ShelfDeps): { api: ShelfApi; held(id: string): HeldModel } {
  const shelf = new Map<string, HeldModel>();
  let counter = 0;
  const held = (id: string) => {
    const m = shelf.get(id);
    if (!m) throw new GlassboxError('NO_MODEL', 'This model is no longer loaded in the engine; add it again.', undefined, `${UNKNOWN_SHELF_MODEL} ${id}`);
    return m;
  };
  const heldImage = () => {
    const pixels = deps.image();
    if (!pixels) throw new GlassboxError('NO_IMAGE', 'Load an image first.');
    return pixels;
  };
  const api: ShelfApi = {
    shelfAdd: (bytes, name, backend) =>
      deps.exclusive(async () => {
        const next = await deps.createModel(bytes, name, backend);
        const id = `shelf-${++counter}`;
        shelf.set(id, { ...next, bytes });
        const { spec } = next.summary;
        const resolved = spec.numClasses !== undefined ? resolveLabels(spec.numClasses, { metadata: spec.metadataLabels }) : undefined;
        const labels = resolved ? (resolved.source === 'none' ? undefined : resolved.labels) : spec.metadataLabels;
        const model: ShelfModel = { ...next.summary, id, paramCount: next.summary.paramCount ?? parameterCountOfBytes(bytes), labels };
        return model;
      }),

    shelfRemove: (id) =>
      deps.exclusive(async () => {
        const m = shelf.get(id);
        if (!m) return;
        shelf.delete(id);
        await m.model.dispose();
        await m.gradients.dispose();
      }),

    shelfPredict: (id, config) =>
      deps.exclusive(async () => {
        const m = held(id);
        const pixels = heldImage();
        const t0 = performance.now();
        const { resized, tensor, dims } = preprocessImage(pixels.pixels, config);
        const t1 = performance.now();
        const raw = (await m.model.run(tensor, dims)).slice();
        const t2 = performance.now();
        const modelInput = { width: resized.width, height: resized.height, data: new Uint8ClampedArray(resized.data) };
        return Comlink.transfer({ raw, modelInput, dims, preprocessMs: t1 - t0, inferenceMs: t2 - t1 }, [raw.buffer, modelInput.data.buffer]);
      }),

    shelfExplain: (jobId, id, job, onProgress) => {
      const signal = { aborted: false };
      deps.jobs.set(jobId, signal);
      return deps.exclusive(async () => {
        try {
          const m = held(id);
          return await runMethod(job.method, deps.explainRequest(job, signal, m, heldImage(), onProgress), { metrics: job.metrics, labels: job.labels });
        } finally {
          deps.jobs.delete(jobId);
        }
      });
    },
  };
  return { api, held };
}
