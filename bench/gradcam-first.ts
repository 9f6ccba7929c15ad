/**
 * First and later Grad-CAM against pytorch-grad-cam's time (issue 14.7): `npx tsx bench/gradcam-first.ts` (also
 * run by `npm run bench`). A random-weight torchvision ResNet-18 exported by bench/pytorch_gradcam.py (Debian's
 * python3-torch; cached in .bench/gradcam/), the same threads on both sides. Glassbox: the first Grad-CAM after the
 * model is loaded (shape oracle, backward graph and its session, the run) and the median of the next 5, in Node on
 * WASM and on onnxruntime-node (the CLI's `--backend native`, when it loads); PyTorch: a pytorch-grad-cam replica (hooked forward, autograd backward, weights, ReLU, upsample). Goals:
 * first ≤ 2× PyTorch, later ≤ 1×. Skipped, saying so, without /usr/bin/python3 and torch.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createNodeRuntime, loadOrtNode } from '../src/cli/ort-node';
import { createGradientSource } from '../src/engine/grad/gradient-model';
import { descriptorOf } from '../src/engine/explain/registry';
import { runMethod } from '../src/engine/explain/run';
import { defaultsOf } from '../src/engine/explain/schema';
import { createRgbaImage } from '../src/engine/image/types';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIR = path.join(ROOT, '.bench/gradcam');
const THREADS = Number(process.env.BENCH_THREADS ?? 1);

let torch: { first_ms: number; median_ms: number; torch: string } | undefined;
try {
  torch = JSON.parse(execFileSync('/usr/bin/python3', [path.join(ROOT, 'bench/pytorch_gradcam.py'), String(THREADS), DIR], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop()!);
} catch (e) {
  console.log(`bench/gradcam-first.ts: PyTorch side unavailable (${(e as Error).message.split('\n')[0]}), skipped.`);
}
/** First and median-of-5 later Grad-CAM on one backend. */
async function glassbox(backend: 'wasm' | 'native', optimization?: 'extended'): Promise<{ first: number; median: number }> {
  const runtime = createNodeRuntime(THREADS, backend);
  const bytes = new Uint8Array(fs.readFileSync(path.join(DIR, 'resnet18.onnx')));
  const model = await runtime.loadModel(bytes, { backend: 'wasm' });
  const gradients = createGradientSource(runtime, bytes, 'wasm', optimization ? { optimization } : {});
  const preprocess = model.spec.suggestedPreprocess;
  const image = createRgbaImage(224, 224);
  for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 37) % 251;
  const params = defaultsOf(descriptorOf('gradcam'));
  const once = async () => {
    const t = performance.now();
    await runMethod('gradcam', { model, gradients, image, preprocess, targets: [1], params, seed: 0 });
    return performance.now() - t;
  };
  const first = await once();
  const later: number[] = [];
  for (let i = 0; i < 5; i++) later.push(await once());
  await gradients.dispose();
  await model.dispose();
  return { first, median: later.sort((a, b) => a - b)[2] };
}

if (torch) {
  console.log(`Grad-CAM on ResNet-18 (random weights), ${THREADS} thread(s): Glassbox in Node vs a pytorch-grad-cam replica (PyTorch ${torch.torch} CPU: ${torch.first_ms.toFixed(0)} ms its first call, ${torch.median_ms.toFixed(0)} ms later; ratios against the later)`);
  const backends: ('wasm' | 'native')[] = ['wasm', ...(loadOrtNode().ort ? ['native' as const] : [])];
  if (backends.length === 1) console.log(`  onnxruntime-node cannot load here (${loadOrtNode().error}): native skipped.`);
  // native twice: backward sessions optimised fully ('all', as for many passes) and built fast ('extended', as the
  // CLI builds them for a request of a few passes such as one CAM: predict-file.ts)
  const configs = backends.flatMap((b) => (b === 'native' ? [['native', undefined], ['native', 'extended']] : [['wasm', undefined]]) as ['wasm' | 'native', 'extended' | undefined][]);
  for (const [backend, optimization] of configs) {
    const { first, median } = await glassbox(backend, optimization);
    console.log(`  ${(backend + (optimization ? ' (extended)' : '')).padEnd(17)} first after load: ${first.toFixed(0).padStart(5)} ms → ${(first / torch.median_ms).toFixed(2)}× (${(first / torch.first_ms).toFixed(2)}× PyTorch's first; goal ≤ 2) · later (median of 5): ${median.toFixed(0).padStart(4)} ms → ${(median / torch.median_ms).toFixed(2)}× (goal ≤ 1)`);
  }
}
