/**
 * KernelSHAP, RISE and the deletion/insertion metrics against pure inference: `npx tsx bench/shap-rise.ts` (also
 * run by `npm run bench`). For KernelSHAP with 1000 sampled coalitions and RISE with 2000 masks on the demo
 * model and squeezenet1.1 (when ../shared/models is there), prints the wall time and the time of running the
 * same number of images through the model in the same batches; the ratio is what everything but inference
 * costs (goal ≤ 1.10). Then the cost of deletion+insertion curves (32 steps each).
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeImageFile } from '../src/cli/decode-image';
import { createNodeRuntime } from '../src/cli/ort-node';
import { faithfulness, FAITHFULNESS_DEFAULTS } from '../src/engine/explain/faithfulness';
import { explainKernelShap, KERNEL_SHAP_DEFAULTS } from '../src/engine/explain/kernel-shap';
import { explainRise, RISE_DEFAULTS } from '../src/engine/explain/rise';
import type { Explanation } from '../src/engine/explain/types';
import { resizeForModel, tensorDims, tensorLength } from '../src/engine/image/preprocess';
import { sharedModelsAvailable, sharedPath } from '../tests/helpers/shared-models';

const ROOT = path.resolve(import.meta.dirname, '..');
const runtime = createNodeRuntime(Number(process.env.BENCH_THREADS ?? 1));
const RISE_MASKS = Number(process.env.BENCH_RISE_MASKS ?? 2000);

async function bench(label: string, modelFile: string, imageFile: string) {
  const model = await runtime.loadModel(new Uint8Array(fs.readFileSync(modelFile)), { backend: 'wasm' });
  const cfg = model.spec.suggestedPreprocess;
  const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(imageFile))), cfg);
  const batch = model.spec.dynamicBatch ? 32 : 1;
  const input = new Float32Array(tensorLength(cfg) * batch).map((_, i) => Math.sin(i));
  const inference = async (count: number) => {
    const t = performance.now();
    for (let done = 0; done < count; done += batch) {
      const n = Math.min(batch, count - done);
      await model.run(input.subarray(0, n * tensorLength(cfg)), tensorDims(cfg, n));
    }
    return performance.now() - t;
  };
  // median of 3 by ratio on fast models, one round on slow ones (squeezenet: minutes per round)
  const rounds = model.spec.dynamicBatch ? 3 : 1;
  const row = async (name: string, run: () => Promise<Explanation>) => {
    let e = await run(); // warm-up
    const results: { wall: number; pure: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      e = await run();
      const wall = performance.now() - t;
      results.push({ wall, pure: await inference(e.timings.samples) });
    }
    results.sort((a, b) => a.wall / a.pure - b.wall / b.pure);
    const { wall, pure } = results[Math.floor(rounds / 2)];
    console.log(`${label.padEnd(14)} ${name.padEnd(28)} ${wall.toFixed(0).padStart(7)} ms · ${String(e.timings.samples).padStart(5)} images through the model alone ${pure.toFixed(0).padStart(7)} ms · ratio ${(wall / pure).toFixed(3)}`);
    return e;
  };
  const shap = await row('KernelSHAP, 1000 coalitions', () =>
    explainKernelShap({ model, image, preprocess: cfg, targets: [0], seed: 0, params: { ...KERNEL_SHAP_DEFAULTS, samples: 998, exactUpTo: 0, batchSize: batch, stableAt: 0 } }),
  );
  await row(`RISE, ${RISE_MASKS} masks`, () => explainRise({ model, image, preprocess: cfg, targets: [0], seed: 0, params: { ...RISE_DEFAULTS, masks: RISE_MASKS, batchSize: batch, stableAt: 0 } }));
  const t = performance.now();
  const m = await faithfulness({ model, image, preprocess: cfg, target: 0, map: shap.map, params: { ...FAITHFULNESS_DEFAULTS, batchSize: batch } });
  console.log(`${label.padEnd(14)} deletion + insertion (2 × ${m.steps + 1} images) ${(performance.now() - t).toFixed(0).padStart(7)} ms in ${m.timings.modelCalls} model calls`);
  await model.dispose();
}

console.log(`KernelSHAP and RISE vs pure inference (onnxruntime-web WASM in Node, ${process.env.BENCH_THREADS ?? 1} thread)`);
await bench('demo shapes', path.join(ROOT, 'public/demo/shapes.onnx'), path.join(ROOT, 'public/demo/images/star-1.png'));
if (sharedModelsAvailable()) await bench('squeezenet1.1', sharedPath('squeezenet1.1-fp32.onnx'), sharedPath('images/chelsea.png'));
else console.log('squeezenet1.1: skipped (../shared/models is not there)');
