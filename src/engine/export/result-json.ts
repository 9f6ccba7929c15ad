/**
 * The result file: one explanation with everything needed to reproduce it and to reopen it — which Glassbox,
 * model (SHA-256 and input/output signature), image (SHA-256), preprocessing, method, parameters, seed, target,
 * backend and threads — plus the map and the kind's extras. The dashboard and Python read the same file; the map's
 * float32 twin goes to a .npy (npy.ts). NaN values (a broken map) are written as null and read back as NaN.
 */
import { GlassboxError } from '../errors';
import type { PreprocessConfig } from '../image/preprocess';
import { isMethodId, METHOD_IDS } from '../explain/registry';
import type { Explanation } from '../explain/types';

export const RESULT_FORMAT = 'glassbox-result';
export const RESULT_FORMAT_VERSION = 1;

/** An ONNX graph input or output as the model declares it. */
export interface TensorSignature {
  name: string;
  /** Symbolic dimensions are strings ('batch'); undefined when the file declares no shape. */
  shape?: (number | string)[];
  dtype: string;
}

/** What the result file adds to an explanation: where it ran and on what. */
export interface ResultContext {
  /** Glassbox's version (package.json), passed in: the engine cannot read it. */
  glassbox: string;
  model: { name: string; sha256: string; inputs: TensorSignature[]; outputs: TensorSignature[] };
  image: { name: string; sha256: string };
  /** 'wasm', 'webgpu', … */
  backend: string;
  threads: number;
}

type ExplanationFields = Omit<Explanation, 'provenance'>;

/** The file: the header, the context, the preprocessing, then the explanation's own fields (kind, map, …). */
export type ResultFile = {
  format: typeof RESULT_FORMAT;
  formatVersion: typeof RESULT_FORMAT_VERSION;
  preprocess: PreprocessConfig;
} & ResultContext &
  ExplanationFields;

/** The result file's object for one explanation (its provenance becomes `model`, `image` and `preprocess`). */
export function resultFile(explanation: Explanation, context: ResultContext): ResultFile {
  const { provenance, ...fields } = explanation;
  if (!provenance) throw new GlassboxError('PARAM_INVALID', 'This result has no provenance (model and image hashes, preprocessing), so it cannot be saved reproducibly.', 'Run the explanation again: the run stamps its provenance.');
  if (provenance.modelSha256 !== context.model.sha256 || provenance.imageSha256 !== context.image.sha256) {
    throw new GlassboxError('PARAM_INVALID', 'This result was computed from another model or image than the one named for the file.', 'Save the result with the model and image it was computed from.');
  }
  return {
    format: RESULT_FORMAT,
    formatVersion: RESULT_FORMAT_VERSION,
    glassbox: context.glassbox,
    model: context.model,
    image: context.image,
    backend: context.backend,
    threads: context.threads,
    preprocess: provenance.preprocess,
    ...fields,
    // Fields Python users look for first, present even when empty.
    quality: explanation.quality ?? [],
  } as ResultFile;
}

/** The file's text (JSON writes NaN as null). */
export function serializeResultFile(explanation: Explanation, context: ResultContext): string {
  return JSON.stringify(resultFile(explanation, context)) + '\n';
}

/** The explanation a result file holds, with its provenance, as the dashboard uses it. */
export function explanationOf(file: ResultFile): Explanation {
  const { format: _f, formatVersion: _v, glassbox: _g, model, image, backend: _b, threads: _t, preprocess, ...fields } = file;
  return { ...fields, provenance: { modelSha256: model.sha256, imageSha256: image.sha256, preprocess } } as Explanation;
}

const HINT = 'Open a .json file that Glassbox wrote (npm run explain -- --out-dir DIR, or the dashboard’s export).';

function invalid(message: string): GlassboxError {
  return new GlassboxError('PARAM_INVALID', `This is not a valid Glassbox result file: ${message}.`, HINT);
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function field<T>(o: Json, key: string, where: string, check: (v: unknown) => v is T, what: string): T {
  const v = o[key];
  if (!check(v)) throw invalid(`${where}${key} ${v === undefined ? 'is missing' : `must be ${what}`}`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isSha256 = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isPositive = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

/** An array of numbers (null standing for NaN), of the given length when one is given; nulls become NaN. */
function numbers(o: Json, key: string, length: number | undefined, where = ''): number[] {
  const v = o[key];
  if (!Array.isArray(v)) throw invalid(`${where}${key} ${v === undefined ? 'is missing' : 'must be an array of numbers'}`);
  if (length !== undefined && v.length !== length) throw invalid(`${where}${key} has ${v.length} values where ${length} are needed`);
  for (let i = 0; i < v.length; i++) {
    if (v[i] === null) v[i] = NaN;
    else if (typeof v[i] !== 'number') throw invalid(`${where}${key}[${i}] is not a number`);
  }
  return v as number[];
}

function signatures(model: Json, key: 'inputs' | 'outputs'): void {
  const list = model[key];
  if (!Array.isArray(list)) throw invalid(`model.${key} ${list === undefined ? 'is missing' : 'must be a list of {name, shape, dtype}'}`);
  list.forEach((s, i) => {
    const where = `model.${key}[${i}].`;
    if (!isObject(s)) throw invalid(`model.${key}[${i}] must be {name, shape, dtype}`);
    field(s, 'name', where, isString, 'a string');
    field(s, 'dtype', where, isString, 'a string');
    if (s.shape !== undefined && !(Array.isArray(s.shape) && s.shape.every((d) => isCount(d) || isString(d)))) throw invalid(`${where}shape must be a list of sizes or names`);
  });
}

/**
 * Read a result file's text back, checking what the dashboard and Python rely on: the header, the context, the
 * map's size and the kind's extras. Anything else is refused with what is wrong (PARAM_INVALID).
 */
export function parseResultFile(text: string): ResultFile {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new GlassboxError('PARAM_INVALID', 'This is not a valid Glassbox result file: it is not JSON.', HINT, (e as Error).message);
  }
  if (!isObject(o)) throw invalid('it is not a JSON object');
  if (o.format !== RESULT_FORMAT) throw invalid(o.format === undefined ? 'it has no "format": "glassbox-result" header' : `its format is "${String(o.format)}", not "${RESULT_FORMAT}"`);
  if (!isPositive(o.formatVersion)) throw invalid('formatVersion must be a whole number');
  if (o.formatVersion > RESULT_FORMAT_VERSION) {
    throw new GlassboxError('PARAM_INVALID', `This result file is format version ${o.formatVersion}; this Glassbox reads version ${RESULT_FORMAT_VERSION}.`, 'Open it with a newer Glassbox.');
  }
  field(o, 'glassbox', '', isString, 'a version string');
  const model = field(o, 'model', '', isObject, 'an object {name, sha256, inputs, outputs}');
  field(model, 'name', 'model.', isString, 'a string');
  field(model, 'sha256', 'model.', isSha256, 'a SHA-256 in hex');
  signatures(model, 'inputs');
  signatures(model, 'outputs');
  const image = field(o, 'image', '', isObject, 'an object {name, sha256}');
  field(image, 'name', 'image.', isString, 'a string');
  field(image, 'sha256', 'image.', isSha256, 'a SHA-256 in hex');
  field(o, 'backend', '', isString, 'a string');
  field(o, 'threads', '', isPositive, 'a whole number ≥ 1');
  const preprocess = field(o, 'preprocess', '', isObject, 'an object');
  field(preprocess, 'width', 'preprocess.', isPositive, 'a whole number ≥ 1');
  field(preprocess, 'height', 'preprocess.', isPositive, 'a whole number ≥ 1');
  const method = field(o, 'method', '', isString, 'a string');
  if (!isMethodId(method)) throw invalid(`method "${method}" is not one of ${METHOD_IDS.join(', ')}`);
  field(o, 'params', '', isObject, 'an object');
  field(o, 'seed', '', isCount, 'a whole number ≥ 0');
  field(o, 'target', '', isCount, 'a class index (a whole number ≥ 0)');
  if (o.targetLabel !== undefined) field(o, 'targetLabel', '', isString, 'a string');
  field(o, 'signed', '', isBoolean, 'true or false');
  if (!['probability', 'raw', 'logits'].includes(o.scoreSpace as string)) throw invalid('scoreSpace must be "probability", "raw" or "logits"');
  if (o.units !== undefined) field(o, 'units', '', isString, 'a string');
  field(o, 'timings', '', isObject, 'an object');
  if (!Array.isArray(o.quality)) throw invalid('quality must be a list of signals');
  if (o.metrics !== undefined) field(o, 'metrics', '', isObject, 'an object');
  const width = field(o, 'width', '', isPositive, 'a whole number ≥ 1');
  const height = field(o, 'height', '', isPositive, 'a whole number ≥ 1');
  const pixels = width * height;
  numbers(o, 'map', pixels);
  const classes = o.classes === undefined ? (o.classes = [{ target: o.target, map: o.map }]) : o.classes;
  if (!Array.isArray(classes) || classes.length === 0) throw invalid('classes must be a non-empty list');
  classes.forEach((c, i) => {
    if (!isObject(c)) throw invalid(`classes[${i}] must be an object`);
    field(c, 'target', `classes[${i}].`, isCount, 'a class index');
    numbers(c, 'map', pixels, `classes[${i}].`);
    if (c.weights !== undefined) numbers(c, 'weights', undefined, `classes[${i}].`);
  });
  switch (o.kind) {
    case 'superpixel-weights': {
      const count = field(o, 'segmentCount', '', isPositive, 'a whole number ≥ 1');
      const segments = numbers(o, 'segments', pixels);
      if (segments.some((s) => !Number.isInteger(s) || s < 0 || s >= count)) throw invalid(`segments must hold superpixel ids from 0 to ${count - 1}`);
      numbers(o, 'weights', count);
      break;
    }
    case 'pixel-map':
      if (o.normalisedMap !== undefined) numbers(o, 'normalisedMap', pixels);
      break;
    case 'cam': {
      field(o, 'layer', '', isString, 'a layer name');
      const camWidth = field(o, 'camWidth', '', isPositive, 'a whole number ≥ 1');
      const camHeight = field(o, 'camHeight', '', isPositive, 'a whole number ≥ 1');
      numbers(o, 'cam', camWidth * camHeight);
      numbers(o, 'normalisedMap', pixels);
      break;
    }
    default:
      throw invalid(`kind must be "superpixel-weights", "pixel-map" or "cam"${o.kind === undefined ? '' : ` (got "${String(o.kind)}")`}`);
  }
  return o as unknown as ResultFile;
}
