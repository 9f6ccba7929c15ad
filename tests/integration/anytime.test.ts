/**
 * Anytime LIME (issue 14.5, LIME part): with `stableAt`, the run checks its own split-half agreement after each batch
 * and stops once the map is predicted to agree with any larger budget at that Spearman ρ; the stop is reproducible
 * with a seed; without it every sample is used. Checked against a run with the full budget on the demo model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { predictedAgreement } from '../../src/engine/explain/anytime';
import { explainLime, LIME_DEFAULTS } from '../../src/engine/explain/lime';
import { spearman } from '../../src/engine/explain/stability';
import { explanationSummary } from '../../src/engine/explain/summary';
import { resizeForModel } from '../../src/engine/image/preprocess';
import { decodeImageFile } from '../../src/cli/decode-image';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('predicted agreement', () => {
  it('is the square root of the Spearman–Brown step-up of the split-half agreement', () => {
    expect(predictedAgreement(0.81)).toBeCloseTo(Math.sqrt((2 * 0.81) / 1.81), 12);
    expect(predictedAgreement(1)).toBe(1);
    expect(predictedAgreement(0)).toBe(0);
    expect(predictedAgreement(-0.3)).toBe(0);
  });
});

describe('anytime LIME on the demo model', async () => {
  const model = await createNodeRuntime(1).loadModel(new Uint8Array(fs.readFileSync(path.join(ROOT, 'public/demo/shapes.onnx'))), { backend: 'wasm' });
  const preprocess = model.spec.suggestedPreprocess;
  const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(path.join(ROOT, 'public/demo/images/star-1.png')))), preprocess);
  const run = (samples: number, seed: number, stableAt = 0) => explainLime({ model, image, preprocess, targets: [3], params: { ...LIME_DEFAULTS, samples, stableAt }, seed });

  it('stops before the budget once predicted stable, reproducibly with a seed, and agrees with the full-budget map', { timeout: 120_000 }, async () => {
    const a = await run(3000, 5, 0.9);
    const b = await run(3000, 5, 0.9);
    const anytime = a.stability!.anytime!;
    expect(anytime.stoppedAt).toBeDefined();
    expect(a.timings.samples).toBe(anytime.stoppedAt);
    expect(a.timings.samples).toBeLessThan(3000);
    // the same seed stops at the same sample with the same weights
    expect(b.timings.samples).toBe(a.timings.samples);
    expect(b.weights).toEqual(a.weights);
    // the curve ends with three checks in a row at the target
    expect(anytime.curve.slice(-3).every((c) => c.agreement >= 0.9)).toBe(true);
    // and the prediction holds: against an independent run with the whole budget
    const full = await run(3000, 77);
    const agreement = spearman(a.weights, full.weights);
    console.log(`stopped at ${a.timings.samples}, ρ with an independent 3000-sample run ${agreement.toFixed(3)}`);
    expect(agreement).toBeGreaterThan(0.8);
    expect(explanationSummary(a).join('\n')).toMatch(new RegExp(`stable after ${a.timings.samples} samples: predicted agreement with any larger budget ρ 0\\.9\\d\\d ≥ 0\\.9`));
  });

  it('without stableAt every sample is used; an unreachable target runs the whole budget and says so', { timeout: 60_000 }, async () => {
    const plain = await run(300, 1);
    expect(plain.timings.samples).toBe(300);
    expect(plain.stability?.anytime).toBeUndefined();
    const strict = await run(300, 1, 0.999);
    expect(strict.timings.samples).toBe(300);
    expect(strict.stability!.anytime!.stoppedAt).toBeUndefined();
    // the same samples as the plain run: the checks cost no model calls and change nothing
    expect(strict.weights).toEqual(plain.weights);
    expect(explanationSummary(strict).join('\n')).toMatch(/not stable within the budget of 300 samples/);
  });
});
