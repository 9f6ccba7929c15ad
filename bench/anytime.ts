/**
 * Anytime LIME (issue 14.5): `npx tsx bench/anytime.ts` (also run by `npm run bench`; `ANYTIME_MODELS=demo,senet`
 * picks models). For each model: LIME at today's default (1000 samples) and LIME with `stableAt` 0.95 on a
 * budget of 4000, each compared (Spearman ρ of the superpixel weights) with an independent run at 4× the default
 * (4000 samples, another seed): model calls used, calls saved against the default, and the agreement reached.
 * Models: the demo, squeezenet1.1 (with ../shared/models), and two other architectures from the gradient fixtures
 * (an EfficientNet-style SE net and torchvision's ViT, random weights, 32×32 inputs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeImageFile } from '../src/cli/decode-image';
import { createNodeRuntime } from '../src/cli/ort-node';
import { explainLime, LIME_DEFAULTS } from '../src/engine/explain/lime';
import { spearman } from '../src/engine/explain/stability';
import { resizeForModel } from '../src/engine/image/preprocess';
import { rankScores } from '../src/engine/predict/scores';
import { tensorDims, tensorLength, writeModelInput } from '../src/engine/image/preprocess';
import { sharedModelsAvailable, sharedPath } from '../tests/helpers/shared-models';

const ROOT = path.resolve(import.meta.dirname, '..');
const wanted = process.env.ANYTIME_MODELS?.split(',');
const MODELS: [string, string, string][] = [
  ['demo', path.join(ROOT, 'public/demo/shapes.onnx'), path.join(ROOT, 'public/demo/images/star-1.png')],
  ...(sharedModelsAvailable() ? [['squeezenet', sharedPath('squeezenet1.1-fp32.onnx'), sharedPath('images/chelsea.png')] as [string, string, string]] : []),
  ['senet', path.join(ROOT, 'tests/fixtures/grad/realworld/senet.onnx'), path.join(ROOT, 'public/demo/images/star-1.png')],
  ['tvit', path.join(ROOT, 'tests/fixtures/grad/realworld/tvit.onnx'), path.join(ROOT, 'public/demo/images/star-1.png')],
];

console.log('Anytime LIME: default 1000 samples vs stableAt 0.95 (budget 4000), each against an independent 4000-sample run (Spearman ρ of the weights)');
for (const [name, modelFile, imageFile] of MODELS.filter(([n]) => !wanted || wanted.includes(n))) {
  const model = await createNodeRuntime(Number(process.env.BENCH_THREADS ?? 1)).loadModel(new Uint8Array(fs.readFileSync(modelFile)), { backend: 'wasm' });
  const preprocess = model.spec.suggestedPreprocess;
  const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(imageFile))), preprocess);
  const x = new Float32Array(tensorLength(preprocess));
  writeModelInput(image, preprocess, x);
  const target = rankScores(await model.run(x, tensorDims(preprocess, 1)), [], 1).top[0].index;
  const run = (samples: number, seed: number, stableAt = 0) => explainLime({ model, image, preprocess, targets: [target], params: { ...LIME_DEFAULTS, samples, stableAt }, seed });
  const reference = await run(4000, 1000);
  const byDefault = await run(1000, 1);
  const anytime = await run(4000, 1, 0.95);
  const rho = (e: Awaited<ReturnType<typeof run>>) => spearman(e.weights, reference.weights).toFixed(3);
  const used = anytime.timings.samples;
  console.log(
    `  ${name.padEnd(10)} ${String(anytime.segmentCount).padStart(3)} superpixels · default: 1000 samples, ${byDefault.timings.modelCalls} calls, ρ ${rho(byDefault)} · anytime: ${used} samples` +
      `${anytime.stability?.anytime?.stoppedAt !== undefined ? '' : ' (budget)'}, ${anytime.timings.modelCalls} calls, ρ ${rho(anytime)} · samples vs default ${(used / 1000).toFixed(2)}×`,
  );
  await model.dispose();
}
