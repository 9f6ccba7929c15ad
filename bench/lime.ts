/**
 * LIME cost against pure inference: `npx tsx bench/lime.ts` (also run by `npm run bench`).
 * For 1000 samples on the demo model and on squeezenet1.1, prints LIME's wall time and the time of running the
 * same number of images through the model in the same batches; the ratio shows what everything but
 * inference costs (segmentation, masking, the kernel and the ridge fit). Goal: ≤ 1.10.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeImageFile } from '../src/cli/decode-image';
import { createNodeRuntime } from '../src/cli/ort-node';
import { explainLime, LIME_DEFAULTS } from '../src/engine/explain/lime';
import { resizeForModel, tensorDims, tensorLength } from '../src/engine/image/preprocess';
import { resizeBilinearAntialiased } from '../src/engine/image/resize';
import { felzenszwalb } from '../src/engine/segment/felzenszwalb';
import { quickshift } from '../src/engine/segment/quickshift';
import { slic } from '../src/engine/segment/slic';
import { sharedModelsAvailable, sharedPath } from '../tests/helpers/shared-models';

const ROOT = path.resolve(import.meta.dirname, '..');
const SAMPLES = 1000;

async function bench(label: string, modelFile: string, imageFile: string) {
  const model = await createNodeRuntime(Number(process.env.BENCH_THREADS ?? 1)).loadModel(new Uint8Array(fs.readFileSync(modelFile)), { backend: 'wasm' });
  const cfg = model.spec.suggestedPreprocess;
  const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(imageFile))), cfg);
  const batch = model.spec.dynamicBatch ? LIME_DEFAULTS.batchSize : 1;
  const params = { ...LIME_DEFAULTS, samples: SAMPLES, batchSize: batch, stableAt: 0 }; // every sample: the overhead per call is what is measured
  await explainLime({ model, image, preprocess: cfg, targets: [0], params: { ...params, samples: batch * 2 }, seed: 0 }); // warm-up
  const input = new Float32Array(tensorLength(cfg) * batch).map((_, i) => Math.sin(i));
  const timeInference = async () => {
    const t = performance.now();
    for (let done = 0; done < SAMPLES; done += batch) {
      const n = Math.min(batch, SAMPLES - done);
      await model.run(input.subarray(0, n * tensorLength(cfg)), tensorDims(cfg, n));
    }
    return performance.now() - t;
  };
  const rounds: { lime: number; inference: number; internal: number }[] = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    const e = await explainLime({ model, image, preprocess: cfg, targets: [0], params, seed: r });
    const lime = performance.now() - t;
    rounds.push({ lime, inference: await timeInference(), internal: e.timings.inferenceMs });
  }
  rounds.sort((a, b) => a.lime / a.inference - b.lime / b.inference);
  const mid = rounds[1];
  console.log(
    `${label.padEnd(16)} LIME ${SAMPLES} samples, batch ${String(batch).padStart(2)}: ${mid.lime.toFixed(0).padStart(6)} ms · same images through the model alone: ${mid.inference.toFixed(0).padStart(6)} ms · ratio ${(mid.lime / mid.inference).toFixed(3)}`,
  );
  await model.dispose();
}

console.log(`LIME vs pure inference (median of 3 by ratio; onnxruntime-web WASM in Node, ${process.env.BENCH_THREADS ?? 1} thread)`);
await bench('demo shapes', path.join(ROOT, 'public/demo/shapes.onnx'), path.join(ROOT, 'public/demo/images/star-1.png'));
if (sharedModelsAvailable()) await bench('squeezenet1.1', sharedPath('squeezenet1.1-fp32.onnx'), sharedPath('images/chelsea.png'));

// Segmentations alone, on a real photo when ../shared/models is there.
{
  const source = sharedModelsAvailable()
    ? await decodeImageFile(new Uint8Array(fs.readFileSync(sharedPath('images/chelsea.png'))))
    : await decodeImageFile(new Uint8Array(fs.readFileSync(path.join(ROOT, 'public/demo/images/star-1.png'))));
  const median = (run: () => void) => {
    for (let i = 0; i < 2; i++) run();
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      run();
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[3];
  };
  console.log('\nSegmentation (median of 7; scikit-image 0.19 on this 2-core machine: SLIC ≈ 25 ms and ≈ 850 ms, Felzenszwalb ≈ 50 ms and ≈ 2400 ms)');
  for (const size of [224, 1024]) {
    const img = resizeBilinearAntialiased(source, size, size);
    const slicMs = median(() => slic(img, { nSegments: 100 }));
    const fzMs = median(() => felzenszwalb(img, {}));
    const qsMs = size === 224 ? median(() => quickshift(img, {})) : undefined;
    console.log(
      `  ${size}×${size}: SLIC (n_segments 100, compactness 10) ${slicMs.toFixed(1)} ms (goal ≈ ${size === 224 ? 10 : 150} ms) · Felzenszwalb (scale 100, σ 0.8) ${fzMs.toFixed(1)} ms` +
        (qsMs !== undefined ? ` · quickshift (lime's default: kernel 4, max_dist 200, ratio 0.2) ${qsMs.toFixed(0)} ms` : ''),
    );
  }
}
