/**
 * Dataset mode, worker side: the engine's evaluateDataset (src/engine/evaluate/dataset.ts) over files the page
 * passed by reference, read and decoded one image (and its mask) at a time when its turn comes. Each row goes to the
 * page as it is made, with the image at ≤ 48 px (transferred); nothing per image stays here but the row's scalars in
 * the engine's aggregate, so the worker's memory does not grow with the number of images.
 */
import * as Comlink from 'comlink';
import type { EvaluationProgress, EvaluationModel } from '../src/engine/evaluate/dataset';
import { mapThumbnail } from '../src/engine/render/thumbnail';
import { evaluateDataset } from '../src/engine/evaluate/dataset';
import { parseTargets, targetOf } from '../src/engine/evaluate/matching';
import { GlassboxError } from '../src/engine/errors';
import { isMethodId } from '../src/engine/explain/registry';
import type { CancelSignal, Progress } from '../src/engine/explain/types';
import { resizeBilinearAntialiased } from '../src/engine/image/resize';
import type { RgbaImage } from '../src/engine/image/types';
import { maskFromImage, type Mask } from '../src/engine/metrics/mask';
import type { DatasetFile, DatasetJob, DatasetRow, DatasetRunResult } from '../src/worker-api';
import { decodeImageInWorker, decodeMaskInWorker } from './decode-image';

/** Longest side of a row's picture. */
export const THUMB_SIDE = 48;
/** How often a paused run looks again whether it was resumed or cancelled. */
const PAUSE_POLL_MS = 50;

/** Pause flags of running dataset jobs, by id (cancel stays the worker's shared `cancel(jobId)`). */
const pauses = new Map<string, { paused: boolean }>();

export function setDatasetPause(jobId: string, paused: boolean): void {
  const flag = pauses.get(jobId);
  if (flag) flag.paused = paused;
}

/** The image at ≤ THUMB_SIDE px; with a mask, what is not the object is darkened so the object stands out. */
export function thumbnail(image: RgbaImage, mask?: Mask): RgbaImage {
  const scale = Math.min(1, THUMB_SIDE / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale)), height = Math.max(1, Math.round(image.height * scale));
  const small = resizeBilinearAntialiased(image, width, height);
  if (mask) {
    const d = small.data;
    for (let y = 0; y < height; y++) {
      const my = Math.min(mask.height - 1, Math.floor(((y + 0.5) * mask.height) / height));
      for (let x = 0; x < width; x++) {
        const mx = Math.min(mask.width - 1, Math.floor(((x + 0.5) * mask.width) / width));
        if (mask.data[my * mask.width + mx]) continue;
        const p = (y * width + x) * 4;
        d[p] *= 0.35;
        d[p + 1] *= 0.35;
        d[p + 2] *= 0.35;
      }
    }
  }
  return small;
}

export interface DatasetJobDeps {
  /** The current model first, then any shelf models. */
  models: EvaluationModel[];
  signal: CancelSignal;
  jobId: string;
  job: DatasetJob;
  files: DatasetFile[];
  onRow: (row: DatasetRow) => void | Promise<void>;
  onProgress: (p: Progress) => void;
}

export async function runDatasetJob({ models, signal, jobId, job, files, onRow, onProgress }: DatasetJobDeps): Promise<DatasetRunResult> {
  for (const m of job.methods) if (!isMethodId(m.method)) throw new GlassboxError('PARAM_INVALID', `Unknown method "${String(m.method)}".`);
  if (files.length === 0) throw new GlassboxError('PARAM_INVALID', 'The dataset has no images.', 'Add images (and their masks) to the dataset first.');
  const targets = job.targetsCsv ? parseTargets(job.targetsCsv, job.targetsName ?? 'targets.csv') : undefined;
  const byName = new Map(files.map((f) => [f.name, f]));
  // the image being evaluated: its picture, sent with each of its rows, then dropped for the next image's
  let shown: { name: string; thumb: RgbaImage } | undefined;
  const flag = { paused: false };
  pauses.set(jobId, flag);
  try {
    const result = await evaluateDataset({
      items: {
        names: files.map((f) => f.name),
        load: async (name) => {
          const file = byName.get(name)!;
          const decoded = await decodeImageInWorker(file.image, name);
          const mask = file.mask ? maskFromImage(await decodeMaskInWorker(file.mask, file.maskName ?? name), { kind: 'nonzero' }) : undefined;
          shown = { name, thumb: thumbnail(decoded.image, mask) };
          return { name, image: decoded.image, mask, target: targets ? targetOf(targets, name) : undefined };
        },
      },
      models,
      methods: job.methods,
      metrics: job.metrics,
      seed: job.seed,
      signal,
      pause: async () => {
        while (flag.paused && !signal.aborted) await new Promise((resolve) => setTimeout(resolve, PAUSE_POLL_MS));
      },
      onRow: async (row, detail) => {
        // the map the row scores, over its image; the image's own picture when there is no map to draw
        const thumb = detail ? mapThumbnail(detail, THUMB_SIDE) : shown?.name === row.image ? { ...shown.thumb, data: new Uint8ClampedArray(shown.thumb.data) } : undefined;
        // awaited: a slow page holds the run back rather than piling rows up in the message queue
        await onRow(thumb ? Comlink.transfer({ ...row, thumb }, [thumb.data.buffer]) : row);
      },
      onProgress: (p: EvaluationProgress) => onProgress({ phase: `${p.image} · ${p.method}`, done: p.done, total: p.total ?? p.done, etaMs: p.etaMs }),
    });
    return { images: result.images, rows: result.rows };
  } finally {
    pauses.delete(jobId);
  }
}
