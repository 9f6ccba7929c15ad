/**
 * Gradient cost: `npx tsx bench/gradients.ts` (also run by `npm run bench`). For the demo model and, when
 * ../shared/models is there, squeezenet1.1 and a ResNet-style net, prints the time of one forward pass and of
 * forward+backward (our appended backward graph, gradients to the suggested layer and to the input) on the same
 * batch, and their ratio (goal: ≤ about 3); then Grad-CAM and Integrated Gradients (50 steps) end to end.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeImageFile } from '../src/cli/decode-image';
import { createNodeRuntime } from '../src/cli/ort-node';
import { createGradientSource } from '../src/engine/grad/gradient-model';
import { descriptorOf } from '../src/engine/explain/registry';
import { runMethod } from '../src/engine/explain/run';
import { defaultsOf } from '../src/engine/explain/schema';
import { resizeForModel, tensorDims, tensorLength } from '../src/engine/image/preprocess';
import { sharedModelsAvailable, sharedPath } from '../tests/helpers/shared-models';

const ROOT = path.resolve(import.meta.dirname, '..');
const runtime = createNodeRuntime(Number(process.env.BENCH_THREADS ?? 1));

async function median(run: () => Promise<unknown>, rounds = 5): Promise<number> {
  await run();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(rounds / 2)];
}

async function bench(label: string, modelFile: string, imageFile: string) {
  const bytes = new Uint8Array(fs.readFileSync(modelFile));
  const model = await runtime.loadModel(bytes, { backend: 'wasm' });
  const gradients = createGradientSource(runtime, bytes, 'wasm');
  const cfg = model.spec.suggestedPreprocess;
  const catalog = await gradients.catalog();
  const layer = catalog.suggested!;
  const gm = await gradients.gradients({ layer, input: true });
  for (const batch of model.spec.dynamicBatch ? [1, 16] : [1]) {
    const input = new Float32Array(tensorLength(cfg) * batch).map((_, i) => Math.sin(i));
    const seed = new Float32Array(batch * gm.classes);
    for (let b = 0; b < batch; b++) seed[b * gm.classes] = 1;
    const forward = await median(() => model.run(input, tensorDims(cfg, batch)));
    const both = await median(() => gm.run(input, tensorDims(cfg, batch), seed));
    console.log(`${label.padEnd(14)} batch ${String(batch).padStart(2)}: forward ${forward.toFixed(1).padStart(7)} ms · forward+backward (layer and input) ${both.toFixed(1).padStart(7)} ms · ratio ${(both / forward).toFixed(2)}`);
  }
  const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(imageFile))), cfg);
  for (const method of ['gradcam', 'ig'] as const) {
    const meta = descriptorOf(method);
    let calls = 0;
    const ms = await median(async () => {
      const e = await runMethod(method, { model, image, preprocess: cfg, targets: [0], params: defaultsOf(meta), seed: 0, gradients });
      calls = e.timings.modelCalls;
    }, 3);
    console.log(`${label.padEnd(14)} ${meta.label.padEnd(21)} ${ms.toFixed(0).padStart(6)} ms end to end (${calls} session runs)`);
  }
  await gradients.dispose();
  await model.dispose();
}

console.log(`Gradients (onnxruntime-web WASM in Node, ${process.env.BENCH_THREADS ?? 1} thread; median of 5; layer: the suggested one)`);
await bench('demo shapes', path.join(ROOT, 'public/demo/shapes.onnx'), path.join(ROOT, 'public/demo/images/star-1.png'));
await bench('resnet-style', path.join(ROOT, 'tests/fixtures/grad/resnetish.onnx'), path.join(ROOT, 'public/demo/images/star-1.png'));
if (sharedModelsAvailable()) await bench('squeezenet1.1', sharedPath('squeezenet1.1-fp32.onnx'), sharedPath('images/chelsea.png'));
else console.log('squeezenet1.1: skipped (../shared/models is not there)');
