/**
 * Explanation memory against the number of samples: `npx tsx bench/memory.ts` (also run by `npm run bench`).
 * Runs the CLI (src/cli/explain.ts, one child process per run) for LIME at 500 and at 5000 samples on the demo
 * model — and on squeezenet1.1 when ../shared/models is there — and prints each child's peak resident set size
 * (process.resourceUsage().maxRSS) and their ratio. Perturbed images are made per batch and only each sample's
 * coalition and score are kept, so 10× the samples should cost about the same memory. Goal: ratio ≤ 1.10.
 * Start-up (the TypeScript loader, compiling onnxruntime's WASM) moves a process's peak by ±15 MiB from run to
 * run whatever the samples, so the demo model's peaks are the median of BENCH_MEMORY_ROUNDS runs (3); squeezenet
 * (about 3 minutes for 5000 samples here) runs once.
 */
import path from 'node:path';
import { runTsWithPeakRss } from '../tests/helpers/peak-rss';
import { sharedModelsAvailable, sharedPath } from '../tests/helpers/shared-models';

const ROOT = path.resolve(import.meta.dirname, '..');
const SAMPLES = [500, 5000];
const ROUNDS = Number(process.env.BENCH_MEMORY_ROUNDS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function bench(label: string, modelFile: string, imageFile: string, rounds: number) {
  const peaks: number[] = [];
  const line: string[] = [];
  for (const samples of SAMPLES) {
    const args = ['--model', modelFile, '--image', imageFile, '--method', 'lime', '--samples', String(samples), '--json'];
    const runs = [];
    for (let r = 0; r < rounds; r++) {
      const run = await runTsWithPeakRss('src/cli/explain.ts', args);
      if (run.code !== 0) throw new Error(`${label}: the CLI failed (exit ${run.code}): ${run.stderr.trim()}`);
      runs.push(run);
    }
    const peak = median(runs.map((r) => r.peakRssMiB));
    peaks.push(peak);
    const all = rounds > 1 ? ` (${runs.map((r) => r.peakRssMiB.toFixed(0)).join(', ')})` : '';
    line.push(`${samples} samples ${peak.toFixed(0).padStart(4)} MiB${all} in ${(median(runs.map((r) => r.wallMs)) / 1000).toFixed(1)} s`);
  }
  console.log(`${label.padEnd(14)} ${line.join(' · ')} · ratio ${(peaks[1] / peaks[0]).toFixed(3)}`);
}

console.log(`LIME: peak RSS of the CLI process (npm run explain -- --method lime --json) at ${SAMPLES.join(' and ')} samples (goal: ratio ≤ 1.10)`);
await bench('demo shapes', path.join(ROOT, 'public/demo/shapes.onnx'), path.join(ROOT, 'public/demo/images/star-1.png'), ROUNDS);
if (sharedModelsAvailable()) await bench('squeezenet1.1', sharedPath('squeezenet1.1-fp32.onnx'), sharedPath('images/chelsea.png'), 1);
