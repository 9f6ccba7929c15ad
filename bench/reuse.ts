/**
 * Work not repeated (issue 14.6): `npx tsx bench/reuse.ts` (also run by `npm run bench`; `REUSE_MODELS=demo`
 * picks models, `BENCH_BACKEND=wasm|native`). A comparison as the dashboard runs it — LIME, KernelSHAP and RISE at
 * their defaults, each with its deletion/insertion curves (32 steps) — without and with the worker's reuse cache,
 * then the same comparison again with the cache (a rerun in the comparison view). Prints model calls, rows run,
 * and wall time of each, and the ratios.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeImageFile } from '../src/cli/decode-image';
import { createNodeRuntime, loadOrtNode } from '../src/cli/ort-node';
import { FAITHFULNESS_DEFAULTS } from '../src/engine/explain/faithfulness-params';
import { defaultsOf } from '../src/engine/explain/schema';
import { descriptorOf, type MethodId } from '../src/engine/explain/registry';
import { createReuseCache, type ReuseCache } from '../src/engine/explain/reuse';
import { runMethod } from '../src/engine/explain/run';
import { resizeForModel, tensorDims, tensorLength, writeModelInput } from '../src/engine/image/preprocess';
import { now } from '../src/engine/math/clock';
import { rankScores } from '../src/engine/predict/scores';
import { sharedModelsAvailable, sharedPath } from '../tests/helpers/shared-models';

const ROOT = path.resolve(import.meta.dirname, '..');
const wanted = process.env.REUSE_MODELS?.split(',');
const backend = (process.env.BENCH_BACKEND as 'wasm' | 'native' | undefined) ?? (loadOrtNode().ort ? 'native' : 'wasm');
const MODELS: [string, string, string][] = [
  ['demo', path.join(ROOT, 'public/demo/shapes.onnx'), path.join(ROOT, 'public/demo/images/star-1.png')],
  ...(sharedModelsAvailable() ? [['squeezenet', sharedPath('squeezenet1.1-fp32.onnx'), sharedPath('images/chelsea.png')] as [string, string, string]] : []),
];
const METHODS: MethodId[] = ['lime', 'kernelshap', 'rise'];

console.log(`A comparison of ${METHODS.join(', ')} at their default budgets (stableAt 0), each with deletion/insertion curves (${backend}, 2 threads)`);
console.log('model        run                         model calls  method rows   rows reused     time');
for (const [name, modelFile, imageFile] of MODELS.filter(([n]) => !wanted || wanted.includes(n))) {
  const model = await createNodeRuntime(2, backend).loadModel(new Uint8Array(fs.readFileSync(modelFile)), { backend: 'wasm' });
  const preprocess = model.spec.suggestedPreprocess;
  const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(imageFile))), preprocess);
  const x = new Float32Array(tensorLength(preprocess));
  writeModelInput(image, preprocess, x);
  const target = rankScores(await model.run(x, tensorDims(preprocess, 1)), [], 1).top[0].index;
  const inputs = { modelSha256: name, imageSha256: imageFile };
  const comparison = async (reuse?: ReuseCache) => {
    const t = now();
    let calls = 0, rows = 0, reused = 0;
    for (const method of METHODS) {
      // each at its whole default budget (stableAt 0), as the README's figures were measured: the rows a rerun reuses
      const params = { ...defaultsOf(descriptorOf(method)), stableAt: 0 };
      const result = await runMethod(method, { model, image, preprocess, targets: [target], params, seed: 0, inputs, reuse }, { metrics: FAITHFULNESS_DEFAULTS });
      const curves = result.metrics!.timings;
      calls += result.timings.modelCalls + curves.modelCalls;
      reused += (result.timings.reusedRows ?? 0) + (curves.reusedRows ?? 0);
      rows += result.timings.samples - (result.timings.reusedRows ?? 0);
    }
    return { calls, rows, reused, ms: now() - t };
  };
  const plain = await comparison();
  const reuse = createReuseCache();
  const first = await comparison(reuse);
  const again = await comparison(reuse);
  const line = (label: string, r: typeof plain) =>
    console.log(`${name.padEnd(12)} ${label.padEnd(27)} ${String(r.calls).padStart(11)} ${String(r.rows).padStart(11)} ${String(r.reused).padStart(13)} ${(r.ms / 1000).toFixed(1).padStart(7)} s`);
  line('no reuse', plain);
  line('reuse cache, first run', first);
  line('reuse cache, run again', again);
  console.log(`${''.padEnd(12)} calls: first ${(first.calls / plain.calls).toFixed(2)}× · again ${(again.calls / plain.calls).toFixed(3)}× · time again ${(again.ms / plain.ms).toFixed(3)}× of no reuse`);
  await model.dispose();
}
