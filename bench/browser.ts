/**
 * Browser inference against the same engine in Node: `npm run bench:browser`. Serves the production build (dist/, or
 * GLASSBOX_DIST; builds nothing) with isolation headers, opens it in headless Chromium, and times Model.run inside the
 * app's compute worker (its benchInference hook loads the model the app's way: createModel, WASM backend) against
 * createNodeRuntime on the same model, batch and thread count, in interleaved rounds (the machine is shared: both
 * sides see the same load). Prints median and fastest ms per image and the ratio page/Node (goal: within 1.2×).
 *
 * GLASSBOX_DIST may list several builds (dist-a,dist-b): each gets a page, all measured in the same rounds.
 * BENCH_THREADS sets the page's WASM threads (its settings) and Node's; default: the page's own choice.
 * First, the first BENCH_FIRST_CALLS (30) calls after loading squeezenet1.1 on each side (no warm-up). Then
 * BENCH_ROUNDS (default 5) × BENCH_REPS calls (default 8) per model and batch on each side.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Worker } from 'playwright-core';
import { preview } from 'vite';
import { createNodeRuntime } from '../src/cli/ort-node';
import { tensorDims } from '../src/engine/image/preprocess';
import type { ClassifierSpec } from '../src/engine/runtime/classifier-spec';
import { launchBrowser, openPage, readTopK, ROOT } from '../tests/browser/harness';
import { sharedModelsAvailable, sharedPath } from '../tests/helpers/shared-models';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REPS = Number(process.env.BENCH_REPS ?? 8);
const GOAL = 1.2;
const FIRST_CALLS = Number(process.env.BENCH_FIRST_CALLS ?? 30);
const dists = (process.env.GLASSBOX_DIST ?? 'dist').split(',').map((d) => d.trim()).filter(Boolean);

interface Case {
  model: string;
  file: string;
  batch: number;
}
// squeezenet first: its first calls are timed as a user's first calls after dropping a model on the page
const cases: Case[] = [
  ...(sharedModelsAvailable() ? [{ model: 'squeezenet1.1', file: sharedPath('squeezenet1.1-fp32.onnx'), batch: 1 }] : []),
  { model: 'shapes', file: path.join(ROOT, 'public/demo/shapes.onnx'), batch: 1 },
  { model: 'shapes', file: path.join(ROOT, 'public/demo/shapes.onnx'), batch: 32 },
];
const modelFiles = [...new Set(cases.map((c) => c.file))];

type Bench = {
  load(bytes: Uint8Array, choice: 'wasm'): Promise<{ spec: ClassifierSpec; backend: string; threads: number }>;
  run(dims: number[], reps: number, warmup?: number): Promise<number[]>;
};

/** One page of one build: its compute worker, with the app's demo prediction done (worker idle). */
async function openBuild(dist: string, threads: number | undefined) {
  const { server, url } = await startServerFor(dist);
  const browser = await launchBrowser();
  const { page, context } = await openPage(browser, 'about:blank');
  if (threads) await context.addInitScript((n) => localStorage.setItem('glassbox.settings', JSON.stringify({ state: { runtime: { threads: n } } })), threads);
  await page.goto(url);
  await readTopK(page);
  const worker = page.workers().find((w) => w.url().includes('compute.worker'));
  if (!worker) throw new Error(`${dist}: no compute worker`);
  return { dist, worker, close: async () => (await browser.close(), await server.close()) };
}

/** As the harness's startServer (isolation headers on), for any build folder (the harness serves one fixed DIST). */
async function startServerFor(dist: string) {
  delete process.env.GLASSBOX_NO_ISOLATION;
  const server = await preview({ root: ROOT, configFile: path.join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir: path.resolve(ROOT, dist) }, preview: { port: 0, host: '127.0.0.1' } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

const pageLoad = (worker: Worker, bytes: Uint8Array) =>
  worker.evaluate(async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return (self as unknown as { benchInference: Bench }).benchInference.load(bytes, 'wasm');
  }, Buffer.from(bytes).toString('base64'));
const pageRun = (worker: Worker, dims: number[], reps: number, warmup = 1) =>
  worker.evaluate(([d, r, w]) => (self as unknown as { benchInference: Bench }).benchInference.run(d, r, w), [dims, reps, warmup] as const);

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const fmt = (ms: number) => ms.toFixed(2).padStart(8);

for (const dist of dists) if (!fs.existsSync(path.resolve(ROOT, dist, 'index.html'))) throw new Error(`no production build in ${dist}/ (npm run build, or vite build --outDir ${dist})`);
const requestedThreads = process.env.BENCH_THREADS ? Number(process.env.BENCH_THREADS) : undefined;
const pages = [];
for (const dist of dists) pages.push(await openBuild(dist, requestedThreads));

// the page's thread count decides Node's (onnxruntime-web fixes its pool at first use)
const firstBytes = new Uint8Array(fs.readFileSync(cases[0].file));
const threads = (await pageLoad(pages[0].worker, firstBytes)).threads;
for (const p of pages.slice(1)) await pageLoad(p.worker, firstBytes);
const runtime = createNodeRuntime(threads);
console.log(`Browser vs Node — Chromium (headless) compute worker vs Node ${process.version}, onnxruntime-web WASM, ${threads} thread${threads > 1 ? 's' : ''}\n`);

// The first calls after loading: a build whose wasm is slow to reach full speed shows here, not in the rounds below.
{
  const c = cases[0];
  const first = await runtime.loadModel(firstBytes, { backend: 'wasm' });
  const dims = tensorDims(first.spec.suggestedPreprocess, c.batch);
  const input = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i));
  const nodeFirst: number[] = [];
  for (let r = 0; r < FIRST_CALLS; r++) {
    const start = performance.now();
    await first.run(input, dims);
    nodeFirst.push(performance.now() - start);
  }
  await first.dispose();
  const show = (t: number[]) => `${fmt(median(t))} ms median, calls 1–8: ${t.slice(0, 8).map((ms) => Math.round(ms)).join(' ')}`;
  console.log(`${c.model}, its first ${FIRST_CALLS} calls after loading (batch ${c.batch}):`);
  console.log(`  Node               ${show(nodeFirst)}`);
  for (const p of pages) {
    const t = await pageRun(p.worker, dims, FIRST_CALLS, 0);
    console.log(`  page ${p.dist.padEnd(13)} ${show(t)}  page/Node ${(median(t) / median(nodeFirst)).toFixed(2)}×`);
  }
  console.log(`\nThen ${ROUNDS} interleaved rounds × ${REPS} calls per side:`);
}

// times[case][side] = ms per call, all rounds
const times = cases.map(() => new Map<string, number[]>());
for (const file of modelFiles) {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const node = await runtime.loadModel(bytes, { backend: 'wasm' });
  const specs = [];
  for (const p of pages) specs.push((await pageLoad(p.worker, bytes)).spec);
  const mine = cases.map((c, i) => ({ c, i })).filter(({ c }) => c.file === file);
  for (const { c } of mine) {
    if (c.batch > 1 && !node.spec.dynamicBatch) throw new Error(`${c.model} has a fixed batch: no batch ${c.batch}`);
    for (const s of specs) if (s.dynamicBatch !== node.spec.dynamicBatch) throw new Error(`${c.model}: page and Node disagree on dynamicBatch`);
  }
  const input = new Map(mine.map(({ c }) => [c.batch, Float32Array.from({ length: tensorDims(node.spec.suggestedPreprocess, c.batch).reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i))]));
  await node.run(input.get(mine[0].c.batch)!, tensorDims(node.spec.suggestedPreprocess, mine[0].c.batch)); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const { c, i } of mine) {
      const dims = tensorDims(node.spec.suggestedPreprocess, c.batch);
      const sides = [...pages.map((p) => p.dist), 'node'];
      // alternate which side goes first, so neither always follows the other's warm caches
      for (const side of round % 2 ? sides.reverse() : sides) {
        let t: number[];
        if (side === 'node') {
          await node.run(input.get(c.batch)!, dims);
          t = [];
          for (let r = 0; r < REPS; r++) {
            const start = performance.now();
            await node.run(input.get(c.batch)!, dims);
            t.push(performance.now() - start);
          }
        } else t = await pageRun(pages.find((p) => p.dist === side)!.worker, dims, REPS);
        times[i].set(side, [...(times[i].get(side) ?? []), ...t.map((ms) => ms / c.batch)]);
      }
    }
  }
  console.log(`${mine[0].c.model}: dynamicBatch ${node.spec.dynamicBatch}${node.spec.batchRewrite ? ' (fixed batch rewritten on load)' : ''}, input [${tensorDims(node.spec.suggestedPreprocess, 1).slice(1).join('×')}]`);
  for (const { c, i } of mine) {
    const n = times[i].get('node')!;
    console.log(`  batch ${String(c.batch).padStart(2)}  Node               ${fmt(median(n))} ms/image (fastest ${fmt(Math.min(...n))})`);
    for (const p of pages) {
      const t = times[i].get(p.dist)!;
      const ratio = median(t) / median(n);
      console.log(`            page ${p.dist.padEnd(13)} ${fmt(median(t))} ms/image (fastest ${fmt(Math.min(...t))})  page/Node ${ratio.toFixed(2)}× median, ${(Math.min(...t) / Math.min(...n)).toFixed(2)}× fastest${ratio <= GOAL ? '' : `  (goal ≤ ${GOAL}×)`}`);
    }
  }
  await node.dispose();
}

for (const p of pages) await p.close();
process.exit(0);
