/**
 * The stability view's runs on the demo model (star-1, as the worker does them through runMethod): RISE with few
 * masks moves with the seed (std > 0, ρ < 1); with 8× the masks its per-pixel std falls by about √8 (a RISE map is a
 * mean over masks, its noise ∝ 1/√N) and the rankings agree better; Grad-CAM does not sample, so k seeds give
 * exactly the same map (std 0, ρ 1). Progress covers all k runs; a cancel stops them; a bad k is refused before any
 * model call.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/cli/decode-image';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { GlassboxError } from '../../src/engine/errors';
import { descriptorOf, type MethodId } from '../../src/engine/explain/registry';
import { defaultsOf } from '../../src/engine/explain/schema';
import { runStability } from '../../src/engine/explain/stability-run';
import type { ExplainRequest, Progress } from '../../src/engine/explain/types';
import { createGradientSource } from '../../src/engine/grad/gradient-model';
import { resizeForModel } from '../../src/engine/image/preprocess';

const runtime = createNodeRuntime(1);
const DEMO = path.resolve(import.meta.dirname, '../../public/demo');
const STAR = 3;

async function demoStar() {
  const bytes = new Uint8Array(fs.readFileSync(path.join(DEMO, 'shapes.onnx')));
  const model = await runtime.loadModel(bytes, { backend: 'wasm' });
  const preprocess = model.spec.suggestedPreprocess;
  const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(path.join(DEMO, 'images/star-1.png')))), preprocess);
  return { model, image, preprocess, gradients: createGradientSource(runtime, bytes, 'wasm') };
}

let loaded: ReturnType<typeof demoStar> | undefined;
const demo = () => (loaded ??= demoStar());

async function request(method: MethodId, params: Record<string, unknown>, extra: Partial<ExplainRequest<unknown>> = {}): Promise<ExplainRequest<unknown>> {
  return { ...(await demo()), targets: [STAR], seed: 11, params: { ...(defaultsOf(descriptorOf(method)) as object), ...params }, ...extra };
}

describe('stability over seeds on the demo model', () => {
  it('RISE: few masks move with the seed; 8× the masks cut the std by about √8 and raise ρ', async () => {
    const few = await runStability('rise', await request('rise', { masks: 100, scoreSpace: 'raw' }), 4);
    expect(few.seeds).toEqual([11, 12, 13, 14]);
    expect(few.results.map((r) => r.seed)).toEqual([11, 12, 13, 14]);
    expect(few.results.every((r) => r.method === 'rise' && r.target === STAR)).toBe(true);
    expect(few.stats.k).toBe(4);
    expect(few.stats.meanStd).toBeGreaterThan(0);
    expect(few.stats.meanRankCorrelation).toBeLessThan(1);
    expect(few.stats.identical).toBe(false);

    const many = await runStability('rise', await request('rise', { masks: 800, scoreSpace: 'raw' }), 4);
    const ratio = many.stats.meanStd / few.stats.meanStd;
    // 1/√8 ≈ 0.35; four seeds estimate each std roughly, so assert a clear drop and a loose band around √8
    expect(ratio).toBeLessThan(0.6);
    expect(ratio).toBeGreaterThan(0.2);
    expect(many.stats.meanRankCorrelation).toBeGreaterThan(few.stats.meanRankCorrelation);
    // the mean map is the mean of the k maps
    const p = 1234;
    expect(many.stats.mean[p]).toBeCloseTo(many.results.reduce((s, r) => s + r.map[p], 0) / 4, 5);
  });

  it('Grad-CAM does not sample: every seed gives the same map, std exactly 0 and ρ exactly 1', async () => {
    expect(descriptorOf('gradcam').seeded).toBe(false);
    const out = await runStability('gradcam', await request('gradcam', {}), 3);
    expect(out.stats.identical).toBe(true);
    expect(out.stats.maxStd).toBe(0);
    expect(Array.from(out.stats.std).every((s) => s === 0)).toBe(true);
    expect(out.stats.meanRankCorrelation).toBe(1);
    expect(out.stats.minRankCorrelation).toBe(1);
    expect(Array.from(out.stats.mean)).toEqual(Array.from(Float32Array.from(out.results[0].map)));
  });

  it('progress covers all k runs (seed named in the phase, done rising to k × the run total)', async () => {
    const reports: Progress[] = [];
    await runStability('rise', await request('rise', { masks: 64, scoreSpace: 'raw' }, { onProgress: (p) => reports.push(p) }), 3);
    expect(reports.length).toBeGreaterThan(3);
    expect(reports[0].phase).toMatch(/^seed 11 \(1 of 3\) · /);
    expect(reports.some((p) => p.phase.startsWith('seed 13 (3 of 3)'))).toBe(true);
    const last = reports.at(-1)!;
    expect(last.done).toBe(last.total);
    for (let i = 1; i < reports.length; i++) expect(reports[i].done).toBeGreaterThanOrEqual(reports[i - 1].done);
    expect(reports.every((p) => p.preview === undefined)).toBe(true);
  });

  it('a cancel during the second run stops the job with CANCELLED', async () => {
    const signal = { aborted: false };
    const seen = new Set<string>();
    const run = runStability('rise', await request('rise', { masks: 256, batchSize: 16, scoreSpace: 'raw' }, {
      signal,
      onProgress: (p) => {
        seen.add(p.phase.split(' · ')[0]);
        if (p.phase.startsWith('seed 12')) signal.aborted = true;
      },
    }), 5);
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect([...seen].some((s) => s.startsWith('seed 14'))).toBe(false);
  });

  it('a k outside 2 … 20 is refused before any model call', async () => {
    let calls = 0;
    const base = await request('rise', { masks: 10 });
    const counting = { ...base, onProgress: () => calls++ };
    for (const k of [1, 21, 2.5]) {
      const e = await runStability('rise', counting, k).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(GlassboxError);
      expect((e as GlassboxError).code).toBe('PARAM_INVALID');
    }
    expect(calls).toBe(0);
  });
});
