/**
 * Batching fixed-batch models (issue 14.2): `npx tsx bench/batch.ts` (also run by `npm run bench`).
 * The ONNX-zoo SqueezeNet 1.1 fixes its batch to 1; Glassbox rewrites it on load (checked numerically). Prints
 * LIME with 1000 samples on the cat photo with the file as it is (one image per call) and rewritten (batches of
 * 32), and the ratio. Skipped, saying so, without ../shared/models.
 */
import fs from 'node:fs';
import { decodeImageFile } from '../src/cli/decode-image';
import { createNodeRuntime } from '../src/cli/ort-node';
import { explainLime, LIME_DEFAULTS } from '../src/engine/explain/lime';
import { resizeForModel } from '../src/engine/image/preprocess';
import { sharedModelsAvailable, sharedPath } from '../tests/helpers/shared-models';

const SAMPLES = 1000;
const THREADS = Number(process.env.BENCH_THREADS ?? 1);

async function lime(batchRewrite: boolean): Promise<{ ms: number; calls: number; weights: number[] }> {
  const model = await createNodeRuntime(THREADS).loadModel(new Uint8Array(fs.readFileSync(sharedPath('squeezenet1.1-fp32.onnx'))), { backend: 'wasm', batchRewrite });
  const cfg = model.spec.suggestedPreprocess;
  const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(sharedPath('images/chelsea.png')))), cfg);
  const params = { ...LIME_DEFAULTS, samples: SAMPLES, stableAt: 0 }; // every sample: the calls are what is measured
  await explainLime({ model, image, preprocess: cfg, targets: [285], params: { ...params, samples: 64 }, seed: 1 }); // warm-up
  const t = performance.now();
  const e = await explainLime({ model, image, preprocess: cfg, targets: [285], params, seed: 0 });
  const ms = performance.now() - t;
  await model.dispose();
  return { ms, calls: e.timings.modelCalls, weights: e.classes[0].weights ?? [] };
}

if (!sharedModelsAvailable()) {
  console.log('bench/batch.ts: ../shared/models not found, skipped.');
} else {
  console.log(`SqueezeNet 1.1 (fixed batch 1 in the file), LIME ${SAMPLES} samples, onnxruntime-web WASM in Node, ${THREADS} thread(s)`);
  const single = await lime(false);
  const batched = await lime(true);
  let diff = 0;
  for (let i = 0; i < single.weights.length; i++) diff = Math.max(diff, Math.abs(single.weights[i] - batched.weights[i]));
  console.log(`  as in the file (one image per call): ${single.ms.toFixed(0).padStart(6)} ms, ${single.calls} model calls`);
  console.log(`  batch rewritten (batches of ${LIME_DEFAULTS.batchSize}):       ${batched.ms.toFixed(0).padStart(6)} ms, ${batched.calls} model calls`);
  console.log(`  speed-up ${(single.ms / batched.ms).toFixed(2)}× · same weights (max |Δ| ${diff.toExponential(1)})`);
}
