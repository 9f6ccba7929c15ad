/**
 * `npm run evaluate -- --models a.onnx,b.onnx --images DIR [--masks DIR] --methods gradcam --out results.csv`:
 * explanations evaluated over a folder of images (src/engine/evaluate), one CSV row per image × model × method,
 * then a summary table (mean and 95 % bootstrap interval per model × method × metric).
 * `npm run evaluate -- merge results-*.csv [--out merged.csv]`: shards' CSVs merged, with the same summary a single
 * run prints.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { GlassboxError, serializeError, type SerializedError } from '../engine/errors';
import { createAggregate, summaryFromRows, type EvaluationRow, type EvaluationSummary } from '../engine/evaluate/aggregate';
import { csvHeader, csvLine, formatSummary, rowsFromCsv, rowsToCsv } from '../engine/evaluate/csv';
import { checkShard, evaluateDataset, resolveTarget, shardNames, type DatasetItem, type EvaluationModel, type Shard } from '../engine/evaluate/dataset';
import { MASK_SUFFIX, matchMasks, parseTargets } from '../engine/evaluate/matching';
import { summaryHtml } from '../engine/evaluate/report-html';
import { FAITHFULNESS_DEFAULTS } from '../engine/explain/faithfulness-params';
import { isMethodId, METHOD_IDS, type MethodId } from '../engine/explain/registry';
import { createGradientSource } from '../engine/grad/gradient-model';
import { resolveLabels } from '../engine/labels/labels';
import { maskFromImage } from '../engine/metrics/mask';
import { decodeImageFile } from './decode-image';
import { createNodeRuntime, resolveNodeBackend } from './ort-node';
import { withExternalData } from './predict-file';

// shared with the page's dataset mode (src/engine/evaluate): re-exported for the CLI's callers
export { matchMasks, parseTargets, summaryHtml };

export const EVALUATE_USAGE = `Usage:
  npm run evaluate -- --models M.onnx[,M2.onnx…] --images DIR --out results.csv [options]
  npm run evaluate -- merge results-0.csv results-1.csv … [--out merged.csv]

Options:
  --models LIST        comma-separated ONNX classifiers (each uses its suggested preprocessing and metadata labels)
  --images DIR         a folder of images (PNG, JPEG, WebP, GIF, TIFF, AVIF), read in file-name order
  --masks DIR          object masks, matched by file-name stem: cat.png, cat_mask.png or cat-mask.png for cat.jpg
                       (any non-black pixel is object); images without a mask get no localisation metrics;
                       masks in the images' own folder must be named cat_mask.png or cat-mask.png
  --targets FILE       CSV "image,target": the class to explain per image, an index or a label (default top-1)
  --methods LIST       comma-separated methods (default gradcam), each with its default parameters:
                       ${METHOD_IDS.join(', ')}
  --metrics LIST       pointing, mass, rank, iou, dice, auc (need --masks), deletion, insertion
                       (default: the six localisation metrics with --masks, none without)
  --out FILE           the CSV, one row per image × model × method, written as it goes (required)
  --report FILE        also write the summary as a self-contained HTML page
  --shard I/N          evaluate only every N-th image from the I-th (0 ≤ I < N) in file-name order; merge the
                       shards' CSVs afterwards with "merge"
  --seed S             seed of the methods that sample and of the summary's bootstrap (default 0)
  --threads T          onnxruntime threads (default 1)
  --metric-steps S     points on the deletion/insertion curves (default ${FAITHFULNESS_DEFAULTS.steps})`;

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif']);

type MetricFlag = 'pointing' | 'mass' | 'rank' | 'iou' | 'dice' | 'auc' | 'deletion' | 'insertion';
const METRIC_FLAGS: Record<string, MetricFlag> = {
  pointing: 'pointing', mass: 'mass', relevancemass: 'mass', rank: 'rank', rankaccuracy: 'rank', iou: 'iou', dice: 'dice', auc: 'auc',
  deletion: 'deletion', insertion: 'insertion',
};
const LOCALISATION_FLAGS: readonly MetricFlag[] = ['pointing', 'mass', 'rank', 'iou', 'dice', 'auc'];
/** The row field each metric flag fills. */
const FIELD_OF: Record<MetricFlag, keyof EvaluationRow> = {
  pointing: 'pointing', mass: 'relevanceMass', rank: 'rankAccuracy', iou: 'iou', dice: 'dice', auc: 'auc', deletion: 'deletionAuc', insertion: 'insertionAuc',
};

export interface EvaluateRequest {
  kind: 'run';
  models: string[];
  images: string;
  masks?: string;
  targets?: string;
  methods: MethodId[];
  metrics: MetricFlag[];
  out: string;
  report?: string;
  shard?: Shard;
  seed: number;
  threads: number;
  metricSteps: number;
}

export interface MergeRequest {
  kind: 'merge';
  files: string[];
  out?: string;
  report?: string;
}

const bad = (message: string, hint = 'Run with --help for the options.'): never => {
  throw new GlassboxError('PARAM_INVALID', message, hint);
};

const list = (raw: string) => raw.split(',').map((s) => s.trim()).filter(Boolean);

function wholeNumber(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) bad(`${flag} must be a whole number from ${min} to ${max} (got "${raw}").`);
  return n;
}

export function parseShard(raw: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  if (!m) bad(`--shard must be I/N, e.g. 0/4 (got "${raw}").`, 'Number shards from 0: a dataset split in 4 runs as --shard 0/4, 1/4, 2/4 and 3/4.');
  const shard = { index: Number(m![1]), count: Number(m![2]) };
  checkShard(shard);
  return shard;
}

/** The command line as a request; every flag is checked here, before any file is read. */
export function parseEvaluateArgs(argv: string[]): EvaluateRequest | MergeRequest {
  let values: Record<string, string | boolean | undefined>, positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        models: { type: 'string' }, model: { type: 'string' }, images: { type: 'string' }, masks: { type: 'string' }, targets: { type: 'string' },
        methods: { type: 'string' }, method: { type: 'string' }, metrics: { type: 'string' }, out: { type: 'string' }, report: { type: 'string' },
        shard: { type: 'string' }, seed: { type: 'string' }, threads: { type: 'string' }, 'metric-steps': { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return bad((e as Error).message);
  }
  if (values.help) throw new GlassboxError('PARAM_INVALID', 'help requested', EVALUATE_USAGE);
  const str = (name: string) => values[name] as string | undefined;
  if (positionals[0] === 'merge') {
    const files = positionals.slice(1);
    if (files.length === 0) bad('merge needs the CSV files to merge.', 'npm run evaluate -- merge results-0.csv results-1.csv --out merged.csv');
    const other = Object.keys(values).filter((k) => values[k] !== undefined && k !== 'out' && k !== 'report');
    if (other.length > 0) bad(`merge takes only --out and --report (got --${other.join(', --')}).`, 'The metrics, methods and seed come from the CSV files.');
    return { kind: 'merge', files, out: str('out'), report: str('report') };
  }
  if (positionals.length > 0) bad(`Unexpected argument "${positionals[0]}".`, 'The only sub-command is "merge"; options start with --.');
  const models = list(str('models') ?? str('model') ?? '');
  if (models.length === 0) bad('--models is required: one or more .onnx files, comma-separated.', EVALUATE_USAGE);
  const images = str('images') ?? bad('--images is required: a folder of images.', EVALUATE_USAGE);
  const out = str('out') ?? bad('--out is required: the CSV file to write.', EVALUATE_USAGE);
  const methodNames = list(str('methods') ?? str('method') ?? 'gradcam');
  if (methodNames.length === 0) bad('--methods is empty.', `Choose from: ${METHOD_IDS.join(', ')}.`);
  for (const m of methodNames) if (!isMethodId(m)) bad(`Unknown method "${m}".`, `Choose from: ${METHOD_IDS.join(', ')}.`);
  if (new Set(methodNames).size !== methodNames.length) bad(`--methods names a method twice (${methodNames.join(',')}).`);
  const masks = str('masks');
  let metrics: MetricFlag[];
  if (str('metrics') !== undefined) {
    metrics = list(str('metrics')!).map((m) => METRIC_FLAGS[m.toLowerCase()] ?? bad(`Unknown metric "${m}".`, `Choose from: ${[...new Set(Object.values(METRIC_FLAGS))].join(', ')}.`));
    const needMask = metrics.filter((m) => LOCALISATION_FLAGS.includes(m));
    if (needMask.length > 0 && !masks) bad(`--metrics ${needMask.join(',')} compare the map with the object, so they need --masks DIR.`, 'Give a folder of masks, or choose only deletion,insertion.');
  } else metrics = masks ? [...LOCALISATION_FLAGS] : [];
  return {
    kind: 'run',
    models,
    images,
    masks,
    targets: str('targets'),
    methods: methodNames as MethodId[],
    metrics: [...new Set(metrics)],
    out,
    report: str('report'),
    shard: str('shard') !== undefined ? parseShard(str('shard')!) : undefined,
    seed: wholeNumber('--seed', str('seed'), 0, 0, 2 ** 32 - 1),
    threads: wholeNumber('--threads', str('threads'), 1, 1, 64),
    metricSteps: wholeNumber('--metric-steps', str('metric-steps'), FAITHFULNESS_DEFAULTS.steps, 2, 4096),
  };
}

async function listFolder(dir: string, flag: string): Promise<string[]> {
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat) bad(`${flag} ${dir}: there is no such folder.`, 'Check the path.');
  if (!stat!.isDirectory()) bad(`${flag} ${dir} is a file, not a folder.`, `${flag} takes a folder.`);
  return (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())).map((e) => e.name);
}

async function readFile(file: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new GlassboxError(
      what === 'model' ? 'MODEL_UNREADABLE' : what === 'image' ? 'IMAGE_UNREADABLE' : 'PARAM_INVALID',
      `Cannot read the ${what} file ${file}: ${code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a folder' : 'it could not be read'}.`,
      'Check the path and that the file is readable.',
      (e as Error).message,
    );
  }
}

/** The folder of an output file must exist: checked before any work, so a long run cannot end in failure. */
async function checkWritable(file: string, flag: string): Promise<void> {
  const folder = path.dirname(path.resolve(file));
  const stat = await fs.stat(folder).catch(() => undefined);
  if (!stat?.isDirectory()) bad(`${flag} ${file}: its folder ${folder} does not exist.`, 'Create the folder first.');
}

function keepMetrics(row: EvaluationRow, metrics: readonly MetricFlag[]): EvaluationRow {
  const out = { ...row };
  for (const flag of Object.keys(FIELD_OF) as MetricFlag[]) if (!metrics.includes(flag)) delete out[FIELD_OF[flag]];
  return out;
}

async function evaluateFolder(req: EvaluateRequest, log: (line: string) => void): Promise<string> {
  // arguments and files first, models after: a typo fails in a second, not after loading
  const sameFolder = req.masks !== undefined && path.resolve(req.masks) === path.resolve(req.images);
  const imageFiles = (await listFolder(req.images, '--images')).filter((f) => !(sameFolder && MASK_SUFFIX.test(path.parse(f).name)));
  if (imageFiles.length === 0) bad(`--images ${req.images} holds no images (PNG, JPEG, WebP, GIF, TIFF or AVIF).`, 'Check the folder.');
  const masks = req.masks ? matchMasks(imageFiles, await listFolder(req.masks, '--masks'), sameFolder) : new Map<string, string>();
  if (req.masks && masks.size === 0) bad(`No mask in ${req.masks} matches an image in ${req.images}.`, 'A mask is named like its image: cat.png, cat_mask.png or cat-mask.png for cat.jpg.');
  const targets = req.targets ? parseTargets(new TextDecoder().decode(await readFile(req.targets, 'targets')), path.basename(req.targets)) : new Map<string, number | string>();
  const targetOf = (image: string) => targets.get(image) ?? targets.get(path.parse(image).name);
  const unmatchedTargets = [...targets.keys()].filter((k) => !imageFiles.some((f) => f === k || path.parse(f).name === k));
  for (const m of req.models) {
    const stat = await fs.stat(m).catch(() => undefined);
    if (!stat?.isFile()) bad(`--models ${m}: there is no such file.`, 'Check the path of each model.');
  }
  await checkWritable(req.out, '--out');
  if (req.report) await checkWritable(req.report, '--report');

  // native (onnxruntime-node) when it loads, else wasm; maps agree within 1e-4 (tests/integration/native-backend.test.ts)
  const runtime = createNodeRuntime(req.threads, resolveNodeBackend('auto'));
  const ids = req.models.map((m) => path.parse(m).name);
  const models: EvaluationModel[] = [];
  try {
    for (const [i, file] of req.models.entries()) {
      const bytes = await withExternalData(await readFile(file, 'model'), file);
      const model = await runtime.loadModel(bytes, { backend: 'wasm' });
      const id = ids.filter((x) => x === ids[i]).length > 1 ? file : ids[i];
      const labels = model.spec.numClasses !== undefined ? resolveLabels(model.spec.numClasses, { metadata: model.spec.metadataLabels }).labels : undefined;
      models.push({ id, name: path.basename(file), model, gradients: createGradientSource(runtime, bytes, 'wasm'), labels });
      // a label in the targets file that this model does not know fails now, not hours in
      if (labels) for (const [image, target] of targets) resolveTarget(target, labels, 0, image, id);
    }
    const names = shardNames(imageFiles, req.shard);
    const localisation = req.metrics.some((m) => LOCALISATION_FLAGS.includes(m));
    const handle = await fs.open(req.out, 'w');
    const aggregate = createAggregate();
    let withoutMask = 0;
    const showProgress = process.stderr.isTTY;
    try {
      await handle.write(csvHeader() + '\n');
      const result = await evaluateDataset({
        // the shard is chosen above, so only its images are read
        items: {
          names,
          load: async (name): Promise<DatasetItem> => {
            const image = await decodeImageFile(await readFile(path.join(req.images, name), 'image'), name);
            const maskFile = localisation ? masks.get(name) : undefined;
            if (localisation && !maskFile) withoutMask++;
            const mask = maskFile ? maskFromImage(await decodeImageFile(await readFile(path.join(req.masks!, maskFile), 'mask'), maskFile), { kind: 'nonzero' }) : undefined;
            return { name, image, mask, target: targetOf(name) };
          },
        },
        models,
        methods: req.methods.map((method) => ({ method })),
        metrics: {
          localisation,
          faithfulness: req.metrics.includes('deletion') || req.metrics.includes('insertion') ? { ...FAITHFULNESS_DEFAULTS, steps: req.metricSteps } : undefined,
        },
        seed: req.seed,
        onRow: async (row) => {
          const kept = keepMetrics(row, req.metrics);
          aggregate.add(kept);
          await handle.write(csvLine(kept) + '\n');
        },
        onProgress: (p) => {
          if (showProgress) process.stderr.write(`\r${p.done}/${p.total} ${p.image} · ${p.model} · ${p.method}${p.etaMs !== undefined ? `, ${(p.etaMs / 1000).toFixed(0)} s left` : ''}\x1b[K`);
        },
      });
      if (showProgress) process.stderr.write('\n');
      const summary = aggregate.summary({ seed: req.seed });
      if (req.report) await writeReport(req.report, summary, `${path.basename(req.out)}${req.shard ? ` (shard ${req.shard.index}/${req.shard.count})` : ''}`);
      const notes = [
        `${result.rows} rows (${result.images} images${req.shard ? ` of ${imageFiles.length}, shard ${req.shard.index}/${req.shard.count}` : ''} × ${models.length} model${models.length > 1 ? 's' : ''} × ${req.methods.length} method${req.methods.length > 1 ? 's' : ''}) written to ${req.out}`,
        ...(req.masks && withoutMask > 0 ? [`note: ${withoutMask} image${withoutMask > 1 ? 's have' : ' has'} no mask in ${req.masks}: no localisation metrics for ${withoutMask > 1 ? 'them' : 'it'}`] : []),
        ...(unmatchedTargets.length > 0 ? [`note: ${unmatchedTargets.length} line${unmatchedTargets.length > 1 ? 's' : ''} of ${req.targets} name no image in ${req.images} (e.g. ${unmatchedTargets[0]})`] : []),
        ...(req.report ? [`report written to ${req.report}`] : []),
      ];
      log(notes.join('\n'));
      return formatSummary(summary);
    } finally {
      await handle.close();
    }
  } finally {
    for (const m of models) {
      await m.model.dispose();
      await m.gradients?.dispose();
    }
  }
}

/** Shards' CSVs as one: rows in image-name order (as a single run writes them), the summary of all rows. */
async function mergeFiles(req: MergeRequest, log: (line: string) => void): Promise<string> {
  if (req.out) await checkWritable(req.out, '--out');
  if (req.report) await checkWritable(req.report, '--report');
  const rows: EvaluationRow[] = [];
  const seen = new Map<string, string>();
  for (const file of req.files) {
    const part = rowsFromCsv(new TextDecoder().decode(await readFile(file, 'CSV')), path.basename(file));
    for (const row of part) {
      const key = `${row.image}\u0000${row.model}\u0000${row.method}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        bad(`${row.image} × ${row.model} × ${row.method} is in both ${earlier} and ${file}.`, 'Merge each shard once: shards made with --shard I/N for one N never overlap.');
      }
      seen.set(key, file);
      rows.push(row);
    }
  }
  const seeds = [...new Set(rows.map((r) => r.seed))];
  if (seeds.length > 1) bad(`The files were made with different seeds (${seeds.join(', ')}).`, 'Merge shards of one run: the same --seed for every shard.');
  // stable sort: each image's rows keep their model × method order, as in a single run
  rows.sort((a, b) => (a.image < b.image ? -1 : a.image > b.image ? 1 : 0));
  const summary = summaryFromRows(rows, { seed: seeds[0] ?? 0 });
  if (req.out) await fs.writeFile(req.out, rowsToCsv(rows));
  if (req.report) await writeReport(req.report, summary, req.files.map((f) => path.basename(f)).join(', '));
  log(`${rows.length} rows from ${req.files.length} file${req.files.length > 1 ? 's' : ''}${req.out ? ` written to ${req.out}` : ''}${req.report ? `; report written to ${req.report}` : ''}`);
  return formatSummary(summary);
}

async function writeReport(file: string, summary: EvaluationSummary, source: string): Promise<void> {
  try {
    await fs.writeFile(file, summaryHtml(summary, source, new Date().toISOString()));
  } catch (e) {
    throw new GlassboxError('PARAM_INVALID', `Cannot write the report ${file}.`, 'Check the --report path and that its folder is writable.', (e as Error).message);
  }
}

function formatError(error: SerializedError): string {
  const block = (label: string, text?: string) => (text ? `${label}: ${text.replace(/\n/g, '\n  ')}\n` : '');
  return `error [${error.code}]: ${error.message}\n${block('hint', error.hint)}${block('detail', error.detail)}`;
}

async function main(argv: string[]): Promise<number> {
  try {
    const req = parseEvaluateArgs(argv);
    const log = (line: string) => process.stdout.write(line + '\n');
    const table = req.kind === 'merge' ? await mergeFiles(req, log) : await evaluateFolder(req, log);
    process.stdout.write(table + '\n');
    return 0;
  } catch (e) {
    const error = serializeError(e);
    if (error.message === 'help requested') {
      process.stdout.write(EVALUATE_USAGE + '\n');
      return 0;
    }
    process.stderr.write(formatError(error));
    return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    process.stdout.write('', () => process.exit(code));
  });
}
