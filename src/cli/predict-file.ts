/** The CLI's work, as a function: load a model and an image from disk, predict, return a plain result. */
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GlassboxError } from '../engine/errors';
import { foreignModelError, foreignModelFormat, foreignModelFormatById } from '../engine/intake/export-guidance';
import { createGradientSource } from '../engine/grad/gradient-model';
import { descriptorOf } from '../engine/explain/registry';
import { createReuseCache } from '../engine/explain/reuse';
import { runMethod } from '../engine/explain/run';
import { renderFigure } from '../engine/export/figure';
import { decodeNpy, float32MapNpy, int32LabelsNpy } from '../engine/export/npy';
import { labelsCoverImage, labelsFromNpy, labelsFromRgba, regionCount, type LabelImage } from '../engine/segment/custom';
import type { CustomSegmentationSpec } from '../engine/explain/segmentation';
import { buildReport, type ReportRun } from '../engine/export/report';
import { serializeResultFile, type ResultContext } from '../engine/export/result-json';
import { explanationSummary } from '../engine/explain/summary';
import type { CancelSignal, Explanation, Progress } from '../engine/explain/types';
import { decodeModel } from '../engine/onnx/model-graph';
import { externalDataFiles, externalDataLocationProblem, inlineExternalData } from '../engine/onnx/external-data';
import { describePipeline, preprocessImage, resizeForModel, type PreprocessConfig } from '../engine/image/preprocess';
import type { RgbaImage } from '../engine/image/types';
import sharp from 'sharp';
import { parseLabels, resolveLabels } from '../engine/labels/labels';
import { rankScores } from '../engine/predict/scores';
import type { CliRequest } from './args';
import { decodeImageFile } from './decode-image';
import { createNodeRuntime, resolveNodeBackend, type NodeBackend } from './ort-node';
import { IMAGE_LIMITS, imageOverLimitError } from '../engine/intake/image-header';

export interface CliResult {
  model: string;
  image: string;
  top: { index: number; label: string; score: number; raw: number }[];
  outputKind: 'probabilities' | 'logits';
  labels: string;
  /** The backend that ran the model: wasm (onnxruntime-web) or native (onnxruntime-node). */
  backend: NodeBackend;
  threads: number;
  input: { name: string; shape: (number | string)[]; layout: string };
  preprocess: PreprocessConfig;
  pipeline: string[];
  warnings: string[];
  timings: { loadMs: number; decodeMs: number; preprocessMs: number; inferenceMs: number };
  /** With --method (one method): the explanation (also written to --out when given). */
  explanation?: Explanation;
  /** With --method a,b,…: one explanation per method, in order (instead of `explanation`). */
  explanations?: Explanation[];
  explanationFile?: string;
  /** With --report: the HTML report written. */
  reportFile?: string;
  /** With --out-dir: the files written (result JSON, map .npy, segments .npy, overlay PNG). */
  files?: string[];
  /** With --method (one method): the result in a few lines of text, whatever the method. */
  summary?: string[];
  /** With --method a,b,…: each method's summary, in order (instead of `summary`). */
  summaries?: string[][];
}

const FILE_PROBLEMS: Record<string, string> = { ENOENT: 'there is no such file', EACCES: 'permission denied', EPERM: 'permission denied', EISDIR: 'it is a folder, not a file' };

/** Default limits on what the CLI reads (raised with --max-model-mb, --max-image-mb, --max-megapixels). */
export const CLI_LIMITS = { modelMb: 2048, ...IMAGE_LIMITS } as const;

type InputKind = 'model' | 'image' | 'labels' | 'segments';
const MB = 1024 * 1024;

const codeFor = (what: InputKind) => (what === 'model' ? 'MODEL_UNREADABLE' : what === 'image' ? 'IMAGE_UNREADABLE' : what === 'labels' ? 'LABELS_INVALID' : 'PARAM_INVALID');

function cannotRead(file: string, what: InputKind, e: unknown): never {
  const errno = (e as NodeJS.ErrnoException).code;
  const problem = (errno && FILE_PROBLEMS[errno]) ?? 'it could not be read';
  throw new GlassboxError(codeFor(what), `Cannot read the ${what} file ${file}: ${problem}.`, 'Check the path and that the file is readable.', (e as Error).message);
}

/**
 * What is about to be read, checked first: a regular file (a device such as /dev/zero, a FIFO or a socket would be
 * read without end or block), and no larger than `maxMb` when given. Returns its size in bytes.
 */
async function checkInputFile(file: string, what: InputKind, limit?: { mb: number; flag: string }): Promise<number> {
  const stat = await fs.stat(file).catch((e: unknown) => cannotRead(file, what, e));
  if (stat.isDirectory()) {
    // A TensorFlow SavedModel is a folder: say how to convert it rather than that it is a folder.
    if (what === 'model' && (await fs.stat(path.join(file, 'saved_model.pb')).catch(() => undefined))) {
      throw foreignModelError(foreignModelFormatById('tensorflow'), file, `${file} is a folder holding saved_model.pb.`);
    }
    throw new GlassboxError(codeFor(what), `Cannot read the ${what} file ${file}: ${FILE_PROBLEMS.EISDIR}.`, 'Check the path and that the file is readable.');
  }
  if (!stat.isFile()) {
    const kind = stat.isFIFO() ? 'a FIFO (named pipe)' : stat.isSocket() ? 'a socket' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : 'not a regular file';
    throw new GlassboxError(codeFor(what), `Cannot read the ${what} file ${file}: it is ${kind}, not a regular file.`, `Give the path of the ${what} file itself, saved on disk; devices, pipes and sockets are not read.`);
  }
  if (limit && stat.size > limit.mb * MB) {
    throw new GlassboxError(
      // an image over the limit is IMAGE_UNSUPPORTED, as the dashboard says it (the file may be fine)
      what === 'image' ? 'IMAGE_UNSUPPORTED' : codeFor(what),
      `The ${what} file ${file} is ${(stat.size / MB).toFixed(1)} MB, over the ${limit.mb} MB limit.`,
      `If the file is right, raise the limit with ${limit.flag} N (N in MB).`,
    );
  }
  return stat.size;
}

async function readFileOrFail(file: string, what: InputKind, limit?: { mb: number; flag: string }): Promise<Uint8Array> {
  await checkInputFile(file, what, limit);
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (e) {
    return cannotRead(file, what, e);
  }
}

/** Field tags a serialized ONNX ModelProto can open with (ir_version, 0x08, in practice; any of its fields in principle). */
const MODEL_PROTO_TAGS = new Set([0x08, 0x12, 0x1a, 0x22, 0x28, 0x32, 0x3a, 0x42, 0x72]);
const looksLikeModelProto = (head: Uint8Array) =>
  head.length === 0 || MODEL_PROTO_TAGS.has(head[0]) || ((head[0] === 0xa2 || head[0] === 0xaa || head[0] === 0xca) && head[1] === 0x01);

/**
 * The model file, bounded: a regular file within --max-model-mb whose first bytes can open an ONNX ModelProto. Bytes
 * that cannot (random data, another format renamed .onnx) are refused from their first 64 KiB, with the same
 * errors (and export recipes) as the full parse, before the whole file is read.
 */
async function readModelFile(file: string, maxMb: number): Promise<Uint8Array> {
  const size = await checkInputFile(file, 'model', { mb: maxMb, flag: '--max-model-mb' });
  let head: Uint8Array;
  try {
    const handle = await fs.open(file, 'r');
    try {
      const buffer = new Uint8Array(Math.min(size, 64 * 1024));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (e) {
    return cannotRead(file, 'model', e);
  }
  if (!looksLikeModelProto(head)) {
    decodeModel(head); // throws the parser's refusal (MODEL_UNREADABLE, or MODEL_NOT_ONNX with the recipe)
    throw new GlassboxError('MODEL_UNREADABLE', 'This file is not a readable ONNX model: it may be cut short, damaged, or saved in another format.', 'Export the model to ONNX again and open the .onnx file.', `The first byte (0x${head[0].toString(16)}) cannot open an ONNX ModelProto.`);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(file));
  } catch (e) {
    return cannotRead(file, 'model', e);
  }
  return withExternalData(bytes, file, maxMb * MB - size);
}

/**
 * A model whose weights live in separate files (external data) gets them read from its own folder and embedded, so
 * everything after sees one self-contained model. Locations that leave the folder (absolute, "..") are refused
 * before anything is read; the data files count towards the model size limit (`budgetBytes`: what is left of it).
 */
export async function withExternalData(bytes: Uint8Array, modelFile: string, budgetBytes = Infinity): Promise<Uint8Array> {
  const locations = externalDataFiles(bytes);
  if (locations.length === 0) return bytes;
  const folder = path.dirname(path.resolve(modelFile));
  for (const location of locations) {
    const problem = externalDataLocationProblem(location);
    if (problem) {
      throw new GlassboxError(
        'MODEL_LOAD_FAILED',
        `This model keeps its weights in "${location}", which Glassbox does not read: ${problem}.`,
        'Save the model with its weights file in the same folder: onnx.save(model, "model.onnx", save_as_external_data=True, location="model.onnx.data").',
      );
    }
  }
  const files = new Map<string, Uint8Array>();
  for (const location of locations) {
    const full = path.join(folder, location);
    if (!(await fs.stat(full).catch(() => undefined))) continue; // named below, all missing files at once
    budgetBytes -= await checkInputFile(full, 'model');
    if (budgetBytes < 0) {
      throw new GlassboxError('MODEL_UNREADABLE', `The model ${modelFile} with its weights file ${location} is over the model size limit.`, 'If the files are right, raise the limit with --max-model-mb N (N in MB).');
    }
    try {
      files.set(location, new Uint8Array(await fs.readFile(full)));
    } catch (e) {
      return cannotRead(full, 'model', e);
    }
  }
  const instruction = (n: number) => `put ${n === 1 ? 'it' : 'them'} in the model's folder (${path.dirname(modelFile)})`;
  return inlineExternalData(bytes, files, { instruction });
}

/** The image's size from its header (cheap: nothing decoded), refused over the pixel budget before decoding. */
async function checkImagePixels(bytes: Uint8Array, file: string, maxMegapixels: number): Promise<void> {
  let width: number | undefined, height: number | undefined;
  try {
    ({ width, height } = await sharp(bytes, { limitInputPixels: false }).metadata());
  } catch {
    return; // not an image sharp knows: decodeImageFile says so with its own wording
  }
  if (!width || !height || width * height <= maxMegapixels * 1e6) return;
  throw imageOverLimitError(path.basename(file), { width, height }, { imageMb: CLI_LIMITS.imageMb, megapixels: maxMegapixels }, '--max-megapixels N');
}

/** A model file in another framework's format gets its conversion recipe before anything is read. */
function refuseForeignModel(file: string): void {
  const format = foreignModelFormat(file);
  if (format) throw foreignModelError(format, path.basename(file));
}

/** An output file's folder must exist and be writable, and the file must not be a folder: checked before any work. */
async function checkWriteTarget(file: string, what: string, flag: string): Promise<void> {
  const folder = path.dirname(path.resolve(file));
  const fail = (problem: string, detail?: string): never => {
    throw new GlassboxError('PARAM_INVALID', `Cannot write the ${what} ${file}: ${problem}.`, `Check the ${flag} path: its folder must exist and be writable.`, detail);
  };
  const stat = await fs.stat(folder).catch((e: NodeJS.ErrnoException) => fail(`its folder ${folder} ${e.code === 'ENOENT' ? 'does not exist' : 'cannot be read'}`, e.message));
  if (!stat.isDirectory()) fail(`${folder} is not a folder`);
  await fs.access(folder, fsConstants.W_OK).catch((e: Error) => fail(`its folder ${folder} is not writable`, e.message));
  const existing = await fs.stat(file).catch(() => undefined);
  if (existing?.isDirectory()) fail('it is a folder');
}

/** --out-dir is created when missing (with its parents): the nearest folder that exists must be writable. */
async function checkOutDir(dir: string): Promise<void> {
  const fail = (problem: string, detail?: string): never => {
    throw new GlassboxError('PARAM_INVALID', `Cannot create the output folder ${dir}: ${problem}.`, 'Check the --out-dir path and that it is writable.', detail);
  };
  let at = path.resolve(dir);
  for (;;) {
    const stat = await fs.stat(at).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' || e.code === 'ENOTDIR' ? undefined : fail(`${at} cannot be read`, e.message)));
    if (stat) {
      if (!stat.isDirectory()) fail(`${at} is not a folder`);
      await fs.access(at, fsConstants.W_OK).catch((e: Error) => fail(`${at} is not writable`, e.message));
      return;
    }
    const parent = path.dirname(at);
    if (parent === at) return;
    at = parent;
  }
}

/** Every output path of the request, checked before the model is read, so that a long run cannot end in failure. */
async function checkOutputs(explain: CliRequest['explain']): Promise<void> {
  if (explain?.out) await checkWriteTarget(explain.out, 'result file', '--out');
  if (explain?.outDir) await checkOutDir(explain.outDir);
  if (explain?.report) await checkWriteTarget(explain.report, 'report', '--report');
}

/** Gradient rows up to which the CLI builds backward sessions for speed of building rather than of running. */
export const FEW_GRADIENT_PASSES = 8;

/**
 * `signal`: set `aborted` to stop an explanation at its next batch (it then throws CANCELLED); the CLI sets it on
 * SIGINT/SIGTERM.
 */
export async function predictFile(req: CliRequest, onProgress?: (p: Progress) => void, signal?: CancelSignal): Promise<CliResult> {
  await checkOutputs(req.explain);
  const t0 = performance.now();
  const backend = resolveNodeBackend(req.backend);
  const runtime = createNodeRuntime(req.threads, backend);
  refuseForeignModel(req.model);
  const bytes = await readModelFile(req.model, req.maxModelMb ?? CLI_LIMITS.modelMb);
  const model = await runtime.loadModel(bytes, { backend: 'wasm' });
  // One process, one request: on the native backend a request of a few gradient passes (a CAM, Saliency) is done
  // sooner with backward sessions that build fast ('extended'), one of many (Integrated Gradients, SmoothGrad) with
  // sessions that run fast ('all'; gradient-model.ts has the figures).
  const gradientPasses = (req.explain?.runs ?? []).reduce((n, run) => {
    const meta = descriptorOf(run.method);
    return meta.needs === 'inference' ? n : n + meta.rows(run.params as never, { width: 0, height: 0, targets: req.explain!.topLabels });
  }, 0);
  const gradients = createGradientSource(runtime, bytes, 'wasm', backend === 'native' && gradientPasses <= FEW_GRADIENT_PASSES ? { optimization: 'extended' } : {});
  // several methods, or a map and its curves, on one model and image share segmentations, backgrounds and the
  // curves' baseline rows; one method alone has nothing to share (and its rows would only take memory)
  const reuse = req.explain && (req.explain.runs.length > 1 || req.explain.metrics) ? createReuseCache() : undefined;
  const t1 = performance.now();
  try {
    const imageBytes = await readFileOrFail(req.image, 'image', { mb: req.maxImageMb ?? CLI_LIMITS.imageMb, flag: '--max-image-mb' });
    await checkImagePixels(imageBytes, req.image, req.maxMegapixels ?? CLI_LIMITS.megapixels);
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
    const explanations: Explanation[] = [];
    let files: string[] | undefined;
    if (req.explain) {
      const order = rankScores(raw, labels.labels, raw.length, model.spec.outputKind).top.map((t) => t.index);
      const first = req.explain.target ?? order[0];
      if (first >= raw.length) throw new GlassboxError('PARAM_INVALID', `--target ${first} does not exist: the model has ${raw.length} classes (0–${raw.length - 1}).`);
      const targets = [first, ...order.filter((i) => i !== first)].slice(0, req.explain.topLabels);
      const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
      const modelImage = resizeForModel(image, cfg);
      const several = req.explain.runs.length > 1;
      const context: ResultContext = {
        glassbox: await glassboxVersion(),
        model: { name: path.basename(req.model), sha256: sha256(bytes), inputs: model.info.inputs, outputs: model.info.outputs },
        image: { name: path.basename(req.image), sha256: sha256(imageBytes) },
        backend,
        threads: req.threads,
      };
      const segmentsFile = req.explain.segmentsFile;
      const customRegions = segmentsFile ? await readSegmentsFile(segmentsFile, image, cfg) : undefined;
      // Several methods run in turn on the same model, image and classes; progress names the method.
      for (const run of req.explain.runs) {
        if (signal?.aborted) throw new GlassboxError('CANCELLED', 'The explanation was cancelled.');
        const progress = several && onProgress ? (p: Progress) => onProgress({ ...p, phase: `${run.method}: ${p.phase}` }) : onProgress;
        const explanation = await runMethod(run.method, {
          model,
          gradients,
          image: modelImage,
          preprocess: cfg,
          targets,
          params: withCustomRegions(run.params, customRegions),
          seed: req.explain.seed,
          signal,
          onProgress: progress,
          inputs: { modelSha256: context.model.sha256, imageSha256: context.image.sha256 },
          reuse,
        }, { metrics: req.explain.metrics, labels: labels.labels });
        explanations.push(explanation);
        if (req.explain.outDir) {
          files = [...(files ?? []), ...(await writeExports(req.explain.outDir, `${path.parse(req.image).name}-${explanation.method}`, explanation, modelImage, context))];
        }
      }
      if (req.explain.out) {
        const withLabels = explanations.map((e) => ({ ...e, labels: targets.map((t) => labels.labels[t]) }));
        await fs.writeFile(req.explain.out, JSON.stringify(several ? withLabels : withLabels[0]) + '\n');
      }
      if (req.explain.report) await writeReport(req.explain.report, explanations, modelImage, context);
    }
    const keepInJson = !(req.explain?.out || req.explain?.outDir);
    const several = explanations.length > 1;
    return {
      explanation: keepInJson && !several ? explanations[0] : undefined,
      explanations: keepInJson && several ? explanations : undefined,
      files,
      summary: explanations.length === 1 ? explanationSummary(explanations[0]) : undefined,
      summaries: several ? explanations.map((e) => explanationSummary(e)) : undefined,
      explanationFile: req.explain?.out,
      reportFile: req.explain?.report,
      model: path.basename(req.model),
      image: path.basename(req.image),
      top: ranked.top,
      outputKind: ranked.outputKind,
      labels: labels.source,
      backend,
      threads: req.threads,
      input: { name: model.spec.inputName, shape: model.spec.inputShape, layout: cfg.layout },
      preprocess: cfg,
      pipeline: describePipeline(cfg, image.width, image.height),
      // every warning, the results' quality warnings too ("<method>: <message>"), so --json carries one list
      warnings: [
        ...model.spec.warnings,
        ...(labels.warning ? [labels.warning] : []),
        ...explanations.flatMap((e) => (e.quality ?? []).filter((q) => q.level === 'warning').map((q) => `${e.method}: ${q.message}`)),
      ],
      timings: { loadMs: t1 - t0, decodeMs: t2 - t1, preprocessMs: t3 - t2, inferenceMs: t4 - t3 },
    };
  } finally {
    await model.dispose();
    await gradients.dispose();
  }
}

/**
 * --segments-file: a label .npy (integer ids, H×W) or an image file (PNG: each colour one region), checked to cover
 * the image; the engine resamples labels of another size than the model input with the run's preprocessing.
 */
async function readSegmentsFile(file: string, image: RgbaImage, cfg: PreprocessConfig): Promise<CustomSegmentationSpec> {
  const bytes = await readFileOrFail(file, 'segments');
  const name = path.basename(file);
  let label: LabelImage;
  if (/\.npy$/i.test(file)) {
    label = labelsFromNpy(decodeNpy(bytes), name);
  } else {
    try {
      // the file's own pixels: no EXIF rotation, no downscaling, alpha dropped (a colour is the region, not its opacity)
      const { data, info } = await sharp(bytes, { animated: false, limitInputPixels: 1e9 }).toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      label = labelsFromRgba({ width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength) });
    } catch (e) {
      throw new GlassboxError('PARAM_INVALID', `Cannot read the segments file ${file}: it is neither a .npy nor an image sharp can decode.`, 'Give a label .npy (integer ids, height × width) or a PNG where each colour is one region.', (e as Error).message);
    }
  }
  const problem = labelsCoverImage(label, image, cfg);
  if (problem) throw new GlassboxError('PARAM_INVALID', `Custom regions (${name}): ${problem}.`, 'Check --segments-file and --image.');
  return { method: 'custom', name, labels: label.labels, width: label.width, height: label.height, regions: regionCount(label.labels) };
}

/** A run's params with the custom regions' labels put in, where its segmentation is 'custom'. */
function withCustomRegions<P>(params: P, custom: CustomSegmentationSpec | undefined): P {
  const seg = (params as { segmentation?: { method?: string } }).segmentation;
  if (!custom || seg?.method !== 'custom') return params;
  return { ...params, segmentation: custom };
}

/** Glassbox's version, from package.json (the engine cannot read it; the result file records it). */
async function glassboxVersion(): Promise<string> {
  const pkg = JSON.parse(await fs.readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * --out-dir: `<stem>.json` (the result file), `<stem>.npy` (the first class's map, float32 H×W), `<stem>.segments.npy`
 * (superpixel ids, int32 H×W) and `<stem>.png` (the overlay with its title and colour bar). Returns the paths.
 */
async function writeExports(dir: string, stem: string, explanation: Explanation, image: RgbaImage, context: ResultContext): Promise<string[]> {
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new GlassboxError('PARAM_INVALID', `Cannot create the output folder ${dir}.`, 'Check the --out-dir path and that it is writable.', (e as Error).message);
  }
  const { width, height } = explanation;
  const png = await figurePng(explanation, image, context.model.name);
  const outputs: [string, Uint8Array | string][] = [
    [`${stem}.json`, serializeResultFile(explanation, context)],
    [`${stem}.npy`, float32MapNpy(explanation.map, height, width)],
    ...(explanation.kind === 'superpixel-weights' ? [[`${stem}.segments.npy`, int32LabelsNpy(explanation.segments, height, width)] as [string, Uint8Array]] : []),
    [`${stem}.png`, png],
  ];
  const written: string[] = [];
  for (const [name, content] of outputs) {
    const file = path.join(dir, name);
    try {
      await fs.writeFile(file, content);
    } catch (e) {
      throw new GlassboxError('PARAM_INVALID', `Cannot write ${file}.`, 'Check the --out-dir path and that it is writable.', (e as Error).message);
    }
    written.push(file);
  }
  return written;
}

/** The figure (overlay, title, colour bar) as PNG bytes: renderFigure's pixels with its SVG text composited on. */
async function figurePng(explanation: Explanation, image: RgbaImage, modelName: string): Promise<Buffer> {
  const figure = renderFigure(explanation, image, modelName);
  const raw = sharp(figure.pixels.data, { raw: { width: figure.pixels.width, height: figure.pixels.height, channels: 4 } });
  return (figure.svg ? raw.composite([{ input: Buffer.from(figure.svg), top: 0, left: 0 }]) : raw).png().toBuffer();
}

/** --report: every run's result file and figure in one self-contained HTML page (engine/export/report.ts). */
async function writeReport(file: string, explanations: Explanation[], image: RgbaImage, context: ResultContext): Promise<void> {
  const dataUrl = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;
  // the picture the model saw, so that a re-opened report draws each run over its own image
  const inputPng = dataUrl(await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 4 } }).png().toBuffer());
  const runs: ReportRun[] = [];
  for (const explanation of explanations) {
    runs.push({ resultJson: serializeResultFile(explanation, context), figurePng: dataUrl(await figurePng(explanation, image, context.model.name)), inputPng });
  }
  const html = buildReport(runs, { title: `Glassbox report: ${context.image.name} on ${context.model.name}`, generatedAt: new Date().toISOString(), glassbox: context.glassbox });
  try {
    await fs.writeFile(file, html);
  } catch (e) {
    throw new GlassboxError('PARAM_INVALID', `Cannot write the report ${file}.`, 'Check the --report path and that its folder is writable.', (e as Error).message);
  }
}

export function formatTable(r: CliResult): string {
  const lines = [`${r.model} on ${r.image} (${r.backend}, ${r.threads} thread${r.threads > 1 ? 's' : ''})`];
  // a result's quality warnings are printed with its summary below
  const qualityMessages = new Set([r.explanation, ...(r.explanations ?? [])].flatMap((e) => (e?.quality ?? []).map((q) => `${e!.method}: ${q.message}`)));
  for (const w of r.warnings) if (!qualityMessages.has(w)) lines.push(`warning: ${w}`);
  lines.push(...r.pipeline.map((s, i) => `  ${i + 1}. ${s}`));
  const width = Math.max(...r.top.map((t) => t.label.length), 5);
  lines.push('', `  rank  index  ${'label'.padEnd(width)}  probability`);
  r.top.forEach((t, i) => lines.push(`  ${String(i + 1).padStart(4)}  ${String(t.index).padStart(5)}  ${t.label.padEnd(width)}  ${t.score.toFixed(4)}`));
  lines.push('', `labels: ${r.labels}; ${r.outputKind === 'logits' ? 'softmax applied to logits' : 'outputs already probabilities'}`);
  if (r.summary) lines.push('', ...r.summary);
  for (const summary of r.summaries ?? []) lines.push('', ...summary);
  if (r.explanationFile) lines.push(`explanation${r.summaries ? 's' : ''} written to ${r.explanationFile}`);
  if (r.reportFile) lines.push(`report written to ${r.reportFile}`);
  if (r.files) lines.push('files written:', ...r.files.map((f) => `  ${f}`));
  lines.push(`time: load ${r.timings.loadMs.toFixed(0)} ms, decode ${r.timings.decodeMs.toFixed(0)} ms, preprocess ${r.timings.preprocessMs.toFixed(0)} ms, inference ${r.timings.inferenceMs.toFixed(0)} ms`);
  return lines.join('\n');
}
