/** The CLI's work, as a function: load a model and an image from disk, predict, return a plain result. */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GlassboxError } from '../engine/errors';
import { foreignModelError, foreignModelFormat, foreignModelFormatById } from '../engine/intake/export-guidance';
import { createGradientSource } from '../engine/grad/gradient-model';
import { runMethod } from '../engine/explain/run';
import { explanationSummary } from '../engine/explain/summary';
import type { Explanation, Progress } from '../engine/explain/types';
import { describePipeline, preprocessImage, resizeForModel, type PreprocessConfig } from '../engine/image/preprocess';
import { parseLabels, resolveLabels } from '../engine/labels/labels';
import { rankScores } from '../engine/predict/scores';
import type { CliRequest } from './args';
import { decodeImageFile } from './decode-image';
import { createNodeRuntime } from './ort-node';

export interface CliResult {
  model: string;
  image: string;
  top: { index: number; label: string; score: number; raw: number }[];
  outputKind: 'probabilities' | 'logits';
  labels: string;
  backend: 'wasm';
  threads: number;
  input: { name: string; shape: (number | string)[]; layout: string };
  preprocess: PreprocessConfig;
  pipeline: string[];
  warnings: string[];
  timings: { loadMs: number; decodeMs: number; preprocessMs: number; inferenceMs: number };
  /** With --method: the explanation (also written to --out when given). */
  explanation?: Explanation;
  explanationFile?: string;
  /** With --method: the result in a few lines of text, whatever the method. */
  summary?: string[];
}

const FILE_PROBLEMS: Record<string, string> = { ENOENT: 'there is no such file', EACCES: 'permission denied', EPERM: 'permission denied', EISDIR: 'it is a folder, not a file' };

async function readFileOrFail(file: string, what: 'model' | 'image' | 'labels'): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    // A TensorFlow SavedModel is a folder: say how to convert it rather than that it is a folder.
    if (what === 'model' && errno === 'EISDIR' && (await fs.stat(path.join(file, 'saved_model.pb')).catch(() => undefined))) {
      throw foreignModelError(foreignModelFormatById('tensorflow'), file, `${file} is a folder holding saved_model.pb.`);
    }
    const code = what === 'model' ? 'MODEL_UNREADABLE' : what === 'image' ? 'IMAGE_UNREADABLE' : 'LABELS_INVALID';
    const problem = (errno && FILE_PROBLEMS[errno]) ?? 'it could not be read';
    throw new GlassboxError(code, `Cannot read the ${what} file ${file}: ${problem}.`, 'Check the path and that the file is readable.', (e as Error).message);
  }
}

/** A model file in another framework's format gets its conversion recipe before anything is read. */
function refuseForeignModel(file: string): void {
  const format = foreignModelFormat(file);
  if (format) throw foreignModelError(format, path.basename(file));
}

export async function predictFile(req: CliRequest, onProgress?: (p: Progress) => void): Promise<CliResult> {
  const t0 = performance.now();
  const runtime = createNodeRuntime(req.threads);
  refuseForeignModel(req.model);
  const bytes = await readFileOrFail(req.model, 'model');
  const model = await runtime.loadModel(bytes, { backend: 'wasm' });
  const gradients = createGradientSource(runtime, bytes, 'wasm');
  const t1 = performance.now();
  try {
    const imageBytes = await readFileOrFail(req.image, 'image');
    const image = await decodeImageFile(imageBytes, path.basename(req.image));
    const t2 = performance.now();
    const cfg: PreprocessConfig = { ...model.spec.suggestedPreprocess, ...req.preprocess };
    if ((req.preprocess.width || req.preprocess.height) && model.spec.width !== undefined) {
      if (cfg.width !== model.spec.width || cfg.height !== model.spec.height) {
        throw new GlassboxError('PARAM_INVALID', `This model's input size is fixed at ${model.spec.width}×${model.spec.height}; --size ${cfg.width}x${cfg.height} cannot be used.`);
      }
    }
    const { tensor, dims } = preprocessImage(image, cfg);
    const t3 = performance.now();
    const raw = await model.run(tensor, dims);
    const t4 = performance.now();
    const fileLabels = req.labels ? parseLabels(new TextDecoder().decode(await readFileOrFail(req.labels, 'labels')), path.basename(req.labels)) : undefined;
    const labels = resolveLabels(raw.length, { file: fileLabels, metadata: model.spec.metadataLabels });
    const ranked = rankScores(raw, labels.labels, req.top, model.spec.outputKind);
    let explanation: Explanation | undefined;
    if (req.explain) {
      const order = rankScores(raw, labels.labels, raw.length, model.spec.outputKind).top.map((t) => t.index);
      const first = req.explain.target ?? order[0];
      if (first >= raw.length) throw new GlassboxError('PARAM_INVALID', `--target ${first} does not exist: the model has ${raw.length} classes (0–${raw.length - 1}).`);
      const targets = [first, ...order.filter((i) => i !== first)].slice(0, req.explain.topLabels);
      const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
      explanation = await runMethod(req.explain.method, {
        model,
        gradients,
        image: resizeForModel(image, cfg),
        preprocess: cfg,
        targets,
        params: req.explain.params,
        seed: req.explain.seed,
        onProgress,
        inputs: { modelSha256: sha256(bytes), imageSha256: sha256(imageBytes) },
      }, { metrics: req.explain.metrics, labels: labels.labels });
      if (req.explain.out) await fs.writeFile(req.explain.out, JSON.stringify({ ...explanation, labels: targets.map((t) => labels.labels[t]) }) + '\n');
    }
    return {
      explanation: req.explain?.out ? undefined : explanation,
      summary: explanation ? explanationSummary(explanation) : undefined,
      explanationFile: req.explain?.out,
      model: path.basename(req.model),
      image: path.basename(req.image),
      top: ranked.top,
      outputKind: ranked.outputKind,
      labels: labels.source,
      backend: 'wasm',
      threads: req.threads,
      input: { name: model.spec.inputName, shape: model.spec.inputShape, layout: cfg.layout },
      preprocess: cfg,
      pipeline: describePipeline(cfg, image.width, image.height),
      warnings: [...model.spec.warnings, ...(labels.warning ? [labels.warning] : [])],
      timings: { loadMs: t1 - t0, decodeMs: t2 - t1, preprocessMs: t3 - t2, inferenceMs: t4 - t3 },
    };
  } finally {
    await model.dispose();
    await gradients.dispose();
  }
}

export function formatTable(r: CliResult): string {
  const lines = [`${r.model} on ${r.image} (${r.backend}, ${r.threads} thread${r.threads > 1 ? 's' : ''})`];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  lines.push(...r.pipeline.map((s, i) => `  ${i + 1}. ${s}`));
  const width = Math.max(...r.top.map((t) => t.label.length), 5);
  lines.push('', `  rank  index  ${'label'.padEnd(width)}  probability`);
  r.top.forEach((t, i) => lines.push(`  ${String(i + 1).padStart(4)}  ${String(t.index).padStart(5)}  ${t.label.padEnd(width)}  ${t.score.toFixed(4)}`));
  lines.push('', `labels: ${r.labels}; ${r.outputKind === 'logits' ? 'softmax applied to logits' : 'outputs already probabilities'}`);
  if (r.summary) lines.push('', ...r.summary);
  if (r.explanationFile) lines.push(`explanation written to ${r.explanationFile}`);
  lines.push(`time: load ${r.timings.loadMs.toFixed(0)} ms, decode ${r.timings.decodeMs.toFixed(0)} ms, preprocess ${r.timings.preprocessMs.toFixed(0)} ms, inference ${r.timings.inferenceMs.toFixed(0)} ms`);
  return lines.join('\n');
}
