/**
 * The worker side of the sanity check: runs the engine's cascading randomisation (src/engine/explain/sanity.ts) on the
 * worker's model bytes, each randomised copy opened with the worker's onnxruntime on the model's backend (and
 * disposed after its step), and turns every map into a Float32Array so the result is transferred, not copied.
 */
import { GlassboxError } from '../src/engine/errors';
import { isMethodId } from '../src/engine/explain/registry';
import { openWithRuntime, runSanityCheck } from '../src/engine/explain/sanity';
import type { CancelSignal, Progress } from '../src/engine/explain/types';
import type { RgbaImage } from '../src/engine/image/types';
import type { Backend, OrtRuntime } from '../src/engine/runtime/ort-runtime';
import type { SanityJob, SanityRun } from '../src/worker-api';

export async function runSanityJob(
  runtime: OrtRuntime,
  backend: Backend,
  modelBytes: Uint8Array,
  image: RgbaImage,
  job: SanityJob,
  signal: CancelSignal,
  onProgress: (p: Progress) => void,
): Promise<{ run: SanityRun; transfer: ArrayBuffer[] }> {
  for (const m of job.methods) if (!isMethodId(m.method)) throw new GlassboxError('PARAM_INVALID', `Unknown method "${String(m.method)}".`);
  const result = await runSanityCheck({
    open: openWithRuntime(runtime, backend),
    modelBytes,
    image,
    preprocess: job.preprocess,
    target: job.target,
    methods: job.methods,
    steps: job.steps,
    seed: job.seed,
    signal,
    onProgress,
  });
  const transfer: ArrayBuffer[] = [];
  const typed = (map: number[]) => {
    const out = Float32Array.from(map);
    transfer.push(out.buffer);
    return out;
  };
  const run: SanityRun = {
    ...result,
    methods: result.methods.map((m) => ({ ...m, original: typed(m.original), steps: m.steps.map((s) => ({ ...s, map: typed(s.map) })) })),
  };
  return { run, transfer };
}
