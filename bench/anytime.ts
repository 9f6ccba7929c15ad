/**
 * Anytime explanations (issue 14.5): `npx tsx bench/anytime.ts` (also run by `npm run bench`).
 * `ANYTIME_MODELS=demo,senet` and `ANYTIME_METHODS=lime,rise` pick what runs; `ANYTIME_TARGETS=0.9,0.95` the stop
 * targets; `BENCH_BACKEND=wasm|native` the backend (native when onnxruntime-node loads: the figures are model calls
 * and agreements, which do not depend on the backend, and native is 5× faster here).
 *
 * For each model and method: the method at today's default budget (LIME 1000 samples, KernelSHAP shap's 2M + 2048
 * coalitions, RISE 2000 masks) and with `stableAt` at each target on a budget of 4× the default, each compared with
 * an independent run at 4× the default (another seed): Spearman ρ of the superpixel weights (LIME, KernelSHAP) or
 * of the pixel maps (RISE), model calls, and calls against the default's; and the method as it runs now by default
 * (stableAt 0.95 within the default budget). The whole default budget is run with stableAt 0. The anytime runs share the default's seed
 * and a reuse cache (reuse.ts), so this script evaluates each row once; the calls printed are each run's own, as if
 * alone. Models: the demo, squeezenet1.1 on the cat photo (with ../shared/models), and two other architectures
 * from the gradient fixtures (an EfficientNet-style SE net and torchvision's ViT, random weights, 32×32 inputs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeImageFile } from '../src/cli/decode-image';
import { createNodeRuntime, loadOrtNode } from '../src/cli/ort-node';
import { explainKernelShap, KERNEL_SHAP_DEFAULTS } from '../src/engine/explain/kernel-shap';
import { explainLime, LIME_DEFAULTS } from '../src/engine/explain/lime';
import { createReuseCache, type ReuseCache } from '../src/engine/explain/reuse';
import { explainRise, RISE_DEFAULTS } from '../src/engine/explain/rise';
import { spearman } from '../src/engine/explain/stability';
import type { Explanation, ExplainRequest } from '../src/engine/explain/types';
import { resizeForModel, tensorDims, tensorLength, writeModelInput } from '../src/engine/image/preprocess';
import { rankScores } from '../src/engine/predict/scores';
import { sharedModelsAvailable, sharedPath } from '../tests/helpers/shared-models';

const ROOT = path.resolve(import.meta.dirname, '..');
const pick = (name: string) => process.env[name]?.split(',').filter(Boolean);
const wantedModels = pick('ANYTIME_MODELS');
const wantedMethods = pick('ANYTIME_METHODS');
const targets = (pick('ANYTIME_TARGETS') ?? ['0.9', '0.95']).map(Number);
const backend = (process.env.BENCH_BACKEND as 'wasm' | 'native' | undefined) ?? (loadOrtNode().ort ? 'native' : 'wasm');
const MODELS: [string, string, string][] = [
  ['demo', path.join(ROOT, 'public/demo/shapes.onnx'), path.join(ROOT, 'public/demo/images/star-1.png')],
  ...(sharedModelsAvailable() ? [['squeezenet', sharedPath('squeezenet1.1-fp32.onnx'), sharedPath('images/chelsea.png')] as [string, string, string]] : []),
  ['senet', path.join(ROOT, 'tests/fixtures/grad/realworld/senet.onnx'), path.join(ROOT, 'public/demo/images/star-1.png')],
  ['tvit', path.join(ROOT, 'tests/fixtures/grad/realworld/tvit.onnx'), path.join(ROOT, 'public/demo/images/star-1.png')],
];

type Base = Omit<ExplainRequest<unknown>, 'params' | 'seed'>;
interface Method {
  name: string;
  /** One run with `budget` (0: the default) and `stableAt`. */
  run(base: Base, budget: number, stableAt: number, seed: number): Promise<Explanation>;
  /** The default's budget in this method's unit, for M features. */
  defaultBudget(m: number): number;
  /** What is compared: superpixel weights or the pixel map. */
  values(e: Explanation): ArrayLike<number>;
}
const METHODS: Method[] = [
  {
    name: 'lime',
    run: (base, budget, stableAt, seed) => explainLime({ ...base, params: { ...LIME_DEFAULTS, samples: budget || LIME_DEFAULTS.samples, stableAt }, seed }),
    defaultBudget: () => LIME_DEFAULTS.samples,
    values: (e) => (e.kind === 'superpixel-weights' ? e.weights : e.map),
  },
  {
    name: 'kernelshap',
    run: (base, budget, stableAt, seed) => explainKernelShap({ ...base, params: { ...KERNEL_SHAP_DEFAULTS, samples: budget || 'auto', stableAt }, seed }),
    defaultBudget: (m) => 2 * m + 2048,
    values: (e) => (e.kind === 'superpixel-weights' ? e.weights : e.map),
  },
  {
    name: 'rise',
    run: (base, budget, stableAt, seed) => explainRise({ ...base, params: { ...RISE_DEFAULTS, masks: budget || RISE_DEFAULTS.masks, stableAt }, seed }),
    defaultBudget: () => RISE_DEFAULTS.masks,
    values: (e) => e.map,
  },
];

console.log(`Anytime runs (${backend}): the default budget vs stableAt ${targets.join(' and ')} on 4× that budget, each against an independent run at 4× (Spearman ρ)`);
console.log('model       method      features   default: calls    ρ   ' + targets.map((t) => `| stableAt ${t}: calls    ρ   calls/default`).join(' ') + ` | now (stableAt ${LIME_DEFAULTS.stableAt} within the default budget): calls  ρ  calls/default`);
const summary: { model: string; method: string; target: number; ratio: number; rho: number; rhoDefault: number }[] = [];
const defaults: { model: string; method: string; ratio: number; rho: number; rhoDefault: number }[] = [];
for (const [name, modelFile, imageFile] of MODELS.filter(([n]) => !wantedModels || wantedModels.includes(n))) {
  const model = await createNodeRuntime(Number(process.env.BENCH_THREADS ?? 2), backend).loadModel(new Uint8Array(fs.readFileSync(modelFile)), { backend: 'wasm' });
  const preprocess = model.spec.suggestedPreprocess;
  const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(imageFile))), preprocess);
  const x = new Float32Array(tensorLength(preprocess));
  writeModelInput(image, preprocess, x);
  const target = rankScores(await model.run(x, tensorDims(preprocess, 1)), [], 1).top[0].index;
  const reuse: ReuseCache = createReuseCache(1024 * 1024 * 1024);
  const base: Base = { model, image, preprocess, targets: [target], inputs: { modelSha256: name, imageSha256: imageFile }, reuse };
  for (const method of METHODS.filter((m) => !wantedMethods || wantedMethods.includes(m.name))) {
    const byDefault = await method.run(base, 0, 0, 1);
    const features = byDefault.kind === 'superpixel-weights' ? byDefault.segmentCount : RISE_DEFAULTS.grid ** 2;
    const budget = method.defaultBudget(features);
    const reference = await method.run(base, 4 * budget, 0, 1000);
    const rho = (e: Explanation) => spearman(method.values(e), method.values(reference));
    // calls as if each run were alone: the rows it took from the cache in batches of 32 (every method's default)
    const calls = (e: Explanation) => e.timings.modelCalls + Math.ceil((e.timings.reusedRows ?? 0) / (model.spec.dynamicBatch ? 32 : 1));
    const cells: string[] = [];
    for (const t of targets) {
      const anytime = await method.run(base, 4 * budget, t, 1);
      const ratio = calls(anytime) / calls(byDefault);
      summary.push({ model: name, method: method.name, target: t, ratio, rho: rho(anytime), rhoDefault: rho(byDefault) });
      const stopped = anytime.stability?.anytime?.stoppedAt !== undefined;
      cells.push(`| ${String(calls(anytime)).padStart(13)}${stopped ? ' ' : '*'} ${rho(anytime).toFixed(3)}  ${ratio.toFixed(2).padStart(5)}×       `);
    }
    // today's default: stop when stable at LIME_DEFAULTS.stableAt within the default budget (never more calls)
    const now = await method.run(base, 0, LIME_DEFAULTS.stableAt, 1);
    const nowRatio = calls(now) / calls(byDefault);
    defaults.push({ model: name, method: method.name, ratio: nowRatio, rho: rho(now), rhoDefault: rho(byDefault) });
    const nowStopped = now.stability?.anytime?.stoppedAt !== undefined;
    cells.push(`| ${String(calls(now)).padStart(13)}${nowStopped ? ' ' : '*'} ${rho(now).toFixed(3)}  ${nowRatio.toFixed(2).padStart(5)}×`);
    console.log(`${name.padEnd(11)} ${method.name.padEnd(11)} ${String(features).padStart(8)}   ${String(calls(byDefault)).padStart(14)}  ${rho(byDefault).toFixed(3)} ${cells.join(' ')}`);
  }
  await model.dispose();
}
console.log('  (* the budget ran out before the target was predicted: 4× the default, or the default for "now")');
const halved = defaults.filter((s) => s.ratio <= 0.5 && s.rho >= s.rhoDefault - 0.01);
console.log(
  `now (stableAt ${LIME_DEFAULTS.stableAt} within the default budget): ${halved.length} of ${defaults.length} runs reach the whole budget's agreement (within 0.01) with at most half its calls (${halved.map((s) => `${s.model}/${s.method}`).join(', ') || 'none'}); ` +
    `calls ${(defaults.reduce((a, s) => a + s.ratio, 0) / Math.max(1, defaults.length)).toFixed(2)}× the whole budget's on average, ρ within ${Math.max(0, ...defaults.map((s) => s.rhoDefault - s.rho)).toFixed(3)} of it at worst`,
);
for (const t of targets) {
  const rows = summary.filter((s) => s.target === t);
  const met = rows.filter((s) => s.ratio <= 0.5 && s.rho >= s.rhoDefault - 0.01);
  console.log(`stableAt ${t}: ${met.length} of ${rows.length} runs reach the default's agreement (within 0.01) with at most half its calls: ${met.map((s) => `${s.model}/${s.method}`).join(', ') || 'none'}`);
}
