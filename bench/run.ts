/**
 * `npm run bench`: measured figures for the engine in Node (onnxruntime-web WASM, the same code as the worker).
 * Prints per-image inference time by batch size and thread count for the demo models and, when present, the
 * real ImageNet models in ../shared/models, plus the preprocessing cost of a photo.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { decodeImageFile } from '../src/cli/decode-image';
import { createNodeRuntime } from '../src/cli/ort-node';
import { preprocessImage, tensorDims, tensorLength } from '../src/engine/image/preprocess';
import { sharedModelsAvailable, sharedPath } from '../tests/helpers/shared-models';

const ROOT = path.resolve(import.meta.dirname, '..');
const REPEATS = 5;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeIt(fn: () => Promise<unknown> | unknown, repeats = REPEATS): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

async function benchModel(file: string, threads: number, batches: number[]) {
  const model = await createNodeRuntime(threads).loadModel(new Uint8Array(fs.readFileSync(file)), { backend: 'wasm' });
  const cfg = model.spec.suggestedPreprocess;
  const rows: string[] = [];
  let single = 0;
  for (const batch of model.spec.dynamicBatch ? batches : [1]) {
    const input = new Float32Array(tensorLength(cfg) * batch).map((_, i) => Math.sin(i));
    const ms = await timeIt(() => model.run(input, tensorDims(cfg, batch)));
    if (batch === 1) single = ms;
    rows.push(`batch ${String(batch).padStart(2)}: ${(ms / batch).toFixed(2).padStart(8)} ms/image  (${(1000 * batch / ms).toFixed(1)} images/s, ×${(single / (ms / batch)).toFixed(2)} vs batch 1)`);
  }
  await model.dispose();
  return rows;
}

const models = [path.join(ROOT, 'public/demo/shapes.onnx')];
if (sharedModelsAvailable()) models.push(sharedPath('squeezenet1.1-fp32.onnx'), sharedPath('mobilenetv2-12-int8.onnx'));

async function runWithThreads(threads: number) {
  for (const file of models) {
    console.log(`${path.basename(file)}, ${threads} thread${threads > 1 ? 's' : ''}:`);
    for (const row of await benchModel(file, threads, [1, 8, 32])) console.log(`  ${row}`);
  }
  if (threads === 1 && sharedModelsAvailable()) {
    const photo = await decodeImageFile(new Uint8Array(fs.readFileSync(sharedPath('images/grace_hopper.jpg'))));
    const model = await createNodeRuntime(1).loadModel(new Uint8Array(fs.readFileSync(sharedPath('squeezenet1.1-fp32.onnx'))), { backend: 'wasm' });
    const ms = await timeIt(() => preprocessImage(photo, model.spec.suggestedPreprocess), 9);
    console.log(`preprocess a 512×600 photo → 224×224 tensor (antialiased resize, crop, normalise): ${ms.toFixed(2)} ms`);
  }
  console.log('');
}

if (process.env.BENCH_THREADS) {
  await runWithThreads(Number(process.env.BENCH_THREADS));
} else {
  // onnxruntime-web fixes its thread pool at first use: one child process per thread count.
  console.log(`Glassbox bench — Node ${process.version}, onnxruntime-web WASM, median of ${REPEATS} runs\n`);
  for (const threads of [1, 2]) {
    process.stdout.write(execFileSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env: { ...process.env, BENCH_THREADS: String(threads) } }));
  }
}
