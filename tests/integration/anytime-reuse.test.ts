/**
 * Anytime KernelSHAP and RISE (issue 14.5) and reuse (14.6) on the demo model: each stops before its budget once
 * predicted stable, reproducibly with a seed; a stopped run continued with the reuse cache gives exactly the result
 * of an uninterrupted run and calls the model only for the rows it had not evaluated; methods sharing a
 * segmentation compute it once; the unperturbed image is scored once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { decodeImageFile } from '../../src/cli/decode-image';
import { explainKernelShap, KERNEL_SHAP_DEFAULTS } from '../../src/engine/explain/kernel-shap';
import { explainLime, LIME_DEFAULTS } from '../../src/engine/explain/lime';
import { createReuseCache, type ReuseCache } from '../../src/engine/explain/reuse';
import { explainRise, RISE_DEFAULTS } from '../../src/engine/explain/rise';
import { spearman } from '../../src/engine/explain/stability';
import { pearson } from '../../src/engine/math/correlation';
import { explanationSummary } from '../../src/engine/explain/summary';
import { resizeForModel } from '../../src/engine/image/preprocess';

const ROOT = path.resolve(import.meta.dirname, '../..');
const inputs = { modelSha256: 'demo-model', imageSha256: 'star-1' };

describe('anytime KernelSHAP and RISE, continuing and reuse, on the demo model', async () => {
  const model = await createNodeRuntime(1).loadModel(new Uint8Array(fs.readFileSync(path.join(ROOT, 'public/demo/shapes.onnx'))), { backend: 'wasm' });
  const preprocess = model.spec.suggestedPreprocess;
  const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(path.join(ROOT, 'public/demo/images/star-1.png')))), preprocess);
  const base = { model, image, preprocess, targets: [3], inputs };
  const shap = (samples: number, seed: number, stableAt = 0, reuse?: ReuseCache) => explainKernelShap({ ...base, params: { ...KERNEL_SHAP_DEFAULTS, samples, stableAt }, seed, reuse });
  // RISE in raw scores: star-1 is 99.96 % a star, so its probability hardly moves under any mask (saturated)
  const rise = (masks: number, seed: number, stableAt = 0, reuse?: ReuseCache) => explainRise({ ...base, params: { ...RISE_DEFAULTS, masks, stableAt, scoreSpace: 'raw' }, seed, reuse });

  it('KernelSHAP stops once predicted stable, the same way for a seed, with Σφ still f(x) − f(∅)', { timeout: 120_000 }, async () => {
    const a = await shap(4000, 3, 0.9);
    const b = await shap(4000, 3, 0.9);
    const anytime = a.stability!.anytime!;
    expect(anytime.stoppedAt).toBeDefined();
    expect(a.timings.samples).toBe(anytime.stoppedAt);
    expect(a.timings.samples).toBeLessThan(4002);
    expect(b.weights).toEqual(a.weights);
    expect(anytime.curve.slice(-3).every((c) => c.agreement >= 0.9)).toBe(true);
    // efficiency holds for the coalitions it stopped at
    expect(a.additivity!.sum).toBeCloseTo(a.additivity!.output - a.additivity!.baseValue, 6);
    const full = await shap(4000, 91);
    const agreement = spearman(a.weights, full.weights);
    console.log(`KernelSHAP stopped at ${a.timings.samples} of 4002, ρ with an independent full run ${agreement.toFixed(3)}`);
    expect(agreement).toBeGreaterThan(0.8);
    expect(explanationSummary(a).join('\n')).toMatch(/stable after \d+ samples/);
  });

  it('KernelSHAP with exact values has nothing to wait for, and says so', async () => {
    const exact = await explainKernelShap({ ...base, params: { ...KERNEL_SHAP_DEFAULTS, segmentation: { method: 'grid', nSegments: 9 }, stableAt: 0.95 }, seed: 1 });
    expect(exact.timings.samples).toBe(2 ** 9);
    expect(explanationSummary(exact).join('\n')).toMatch(/nothing to wait for \(all 2\^9 coalitions evaluated: exact Shapley values\)/);
  });

  it('RISE stops once predicted stable, the same way for a seed, and agrees with an independent full run', { timeout: 120_000 }, async () => {
    const a = await rise(6000, 4, 0.8);
    const b = await rise(6000, 4, 0.8);
    const anytime = a.stability!.anytime!;
    expect(anytime.stoppedAt).toBeDefined();
    expect(a.timings.samples).toBe(1 + anytime.stoppedAt!); // the unmasked image, then the masks
    // it counts masks, out of its budget of masks (not the 6001 inputs with the unmasked image)
    expect(anytime).toMatchObject({ budget: 6000, unit: 'masks' });
    expect(explanationSummary(a).join('\n')).toMatch(new RegExp(`stable after ${anytime.stoppedAt} masks: predicted agreement`));
    const unsettled = await rise(300, 4, 0.999);
    expect(explanationSummary(unsettled).join('\n')).toMatch(/not stable within the budget of 300 masks: predicted agreement ρ 0\.\d{3} < 0\.999/);
    expect(a.map).toEqual(b.map);
    expect(a.timings.samples).toBeLessThan(6001);
    const full = await rise(6000, 92);
    // RISE maps are smooth at the grid's scale: ~64 cells decide the pixel ranks, so one Spearman between two runs
    // scatters widely (0.5–0.62 for two independent 2000-mask runs here); their Pearson is steadier
    const r = pearson(a.map, full.map)!;
    console.log(`RISE stopped at ${anytime.stoppedAt} of 6000, with an independent full run ρ ${spearman(a.map, full.map).toFixed(3)}, r ${r.toFixed(3)}`);
    expect(r).toBeGreaterThan(0.85);
  });

  it('a stopped LIME run continued through the cache equals an uninterrupted run, calling the model only for the rest', { timeout: 120_000 }, async () => {
    const cache = createReuseCache();
    const lime = (samples: number, stableAt: number, reuse?: ReuseCache, continuesAnytime?: { target: number; stoppedAt: number }) =>
      explainLime({ ...base, params: { ...LIME_DEFAULTS, samples, stableAt, batchSize: 16 }, seed: 8, reuse, continuesAnytime });
    const stopped = await lime(2000, 0.9, cache);
    const at = stopped.stability!.anytime!.stoppedAt!;
    expect(at).toBeLessThan(2000);
    const continued = await lime(2000, 0, cache, { target: 0.9, stoppedAt: at });
    const fresh = await lime(2000, 0);
    expect(continued.weights).toEqual(fresh.weights);
    // its stability is still checked, without stopping: the stopped run's curve, then on past the stop
    const record = continued.stability!.anytime!;
    expect(record).toMatchObject({ target: 0.9, continuedFrom: at });
    expect(record.stoppedAt).toBeUndefined();
    expect(record.curve.slice(0, stopped.stability!.anytime!.curve.length)).toEqual(stopped.stability!.anytime!.curve);
    expect(record.curve.at(-1)!.samples).toBe(2000 - 16);
    expect(fresh.stability?.anytime).toBeUndefined();
    expect(continued.classes[0].intercept).toBe(fresh.classes[0].intercept);
    expect(continued.timings).toMatchObject({ samples: 2000, reusedRows: at });
    expect(continued.timings.modelCalls).toBe(Math.ceil((2000 - at) / 16));
    // a larger budget reuses all 2000
    const more = await lime(3000, 0, cache);
    expect(more.timings.reusedRows).toBe(2000);
    expect(more.timings.modelCalls).toBe(Math.ceil(1000 / 16));
  });

  it('RISE continued to more masks reuses the masks scored before and the unmasked image; the map equals a fresh run', { timeout: 120_000 }, async () => {
    const cache = createReuseCache();
    await rise(500, 6, 0, cache);
    const continued = await rise(1000, 6, 0, cache);
    const fresh = await rise(1000, 6);
    expect(continued.map).toEqual(fresh.map);
    expect(continued.timings.reusedRows).toBe(501);
    // the batch holding rows 480–511 runs its 12 new rows, then 512–999 in 16 calls
    expect(continued.timings.modelCalls).toBe(1 + Math.ceil(488 / 32));
  });

  it('LIME and KernelSHAP on the same segmentation cut the image once; a different model or image reuses nothing', { timeout: 120_000 }, async () => {
    const cache = createReuseCache();
    await explainLime({ ...base, params: { ...LIME_DEFAULTS, samples: 200 }, seed: 2, reuse: cache });
    const withCache = await explainKernelShap({ ...base, params: { ...KERNEL_SHAP_DEFAULTS, samples: 300 }, seed: 2, reuse: cache });
    expect(cache.stats.valuesReused).toBeGreaterThanOrEqual(2); // the segmentation and the mean-colour background
    expect(withCache.timings.segmentationMs).toBeLessThan(5);
    const without = await explainKernelShap({ ...base, params: { ...KERNEL_SHAP_DEFAULTS, samples: 300 }, seed: 2 });
    expect(withCache.weights).toEqual(without.weights);
    const other = await explainLime({ ...base, inputs: { ...inputs, modelSha256: 'another model' }, params: { ...LIME_DEFAULTS, samples: 200 }, seed: 2, reuse: cache });
    expect(other.timings.reusedRows).toBeUndefined();
  });
});
