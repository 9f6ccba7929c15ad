/**
 * Models whose weights live in separate files ("external data": torch.onnx.export writes them for models over 2 GB,
 * onnx.save(..., save_as_external_data=True) on request). Each such tensor has data_location EXTERNAL and
 * external_data entries `location` (a path relative to the model's folder), `offset` and `length` (bytes).
 * Inlining the bytes once, at load, gives one self-contained model that every later user (the main session, the
 * gradient graphs, the sanity randomisation, the shelf) reads like any other.
 */
import { GlassboxError } from '../errors';
import { decodeModel } from './model-graph';
import { onnx, type ModelProto } from './proto';

/** One tensor's slice of an external file. `length` undefined: from `offset` to the end of the file. */
export interface ExternalDataRef {
  tensor: string;
  location: string;
  offset: number;
  length?: number;
}

const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;

/** Bytes per element of the fixed-size ONNX element types (by TensorProto.DataType number). */
const ELEMENT_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 14: 8, 15: 16, 16: 2 };

/** Protobuf's hard limit on one message: an inlined model above it cannot be read by onnxruntime. */
export const MAX_INLINE_MODEL_BYTES = 2 ** 31 - 1;

/** Every TensorProto of the model: initializers, sparse ones, Constant values and attributes, in subgraphs and functions too. */
function eachTensor(model: ModelProto, visit: (t: onnx.ITensorProto) => void): void {
  const nodes = (list: onnx.INodeProto[] | null | undefined) => {
    for (const node of list ?? []) {
      for (const a of node.attribute ?? []) {
        if (a.t) visit(a.t);
        for (const t of a.tensors ?? []) visit(t);
        for (const s of [a.sparseTensor, ...(a.sparseTensors ?? [])]) {
          if (s?.values) visit(s.values);
          if (s?.indices) visit(s.indices);
        }
        if (a.g) graph(a.g);
        for (const g of a.graphs ?? []) graph(g);
      }
    }
  };
  const graph = (g: onnx.IGraphProto) => {
    for (const t of g.initializer ?? []) visit(t);
    for (const s of g.sparseInitializer ?? []) {
      if (s.values) visit(s.values);
      if (s.indices) visit(s.indices);
    }
    nodes(g.node);
  };
  if (model.graph) graph(model.graph);
  for (const f of model.functions ?? []) nodes(f.node);
}

function refOf(t: onnx.ITensorProto): ExternalDataRef | undefined {
  if (t.dataLocation !== EXTERNAL) return undefined;
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const name = t.name || '(unnamed tensor)';
  const location = entries.get('location');
  const number = (key: string): number | undefined => {
    const text = entries.get(key);
    if (text === undefined || text === '') return undefined;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new GlassboxError('MODEL_LOAD_FAILED', `The weights of tensor "${name}" point into their external file at ${key} "${text}", which is not a byte position.`, 'Save the model again (onnx.save with save_as_external_data=True) and open the new files.');
    }
    return n;
  };
  if (!location) {
    throw new GlassboxError('MODEL_LOAD_FAILED', `Tensor "${name}" is marked as kept in an external file but names no file.`, 'Save the model again (onnx.save with save_as_external_data=True) and open the new files.');
  }
  return { tensor: name, location, offset: number('offset') ?? 0, length: number('length') };
}

/** Every tensor kept outside the model file, in file order. */
export function externalDataRefs(model: ModelProto): ExternalDataRef[] {
  const refs: ExternalDataRef[] = [];
  eachTensor(model, (t) => {
    const ref = refOf(t);
    if (ref) refs.push(ref);
  });
  return refs;
}

/** An external_data entry's key on the wire: field 1 (tag 0x0a), 8 bytes, "location". */
const LOCATION_KEY = [0x0a, 0x08, ...Array.from('location', (c) => c.charCodeAt(0))];

/**
 * Whether the bytes may hold an external-data reference: the wire form of its "location" key occurs. A native
 * byte search, so a large self-contained model is not parsed a second time only to learn it has none.
 */
export function mayHaveExternalData(bytes: Uint8Array): boolean {
  const first = LOCATION_KEY[2];
  for (let i = bytes.indexOf(first, 2); i !== -1; i = bytes.indexOf(first, i + 1)) {
    let k = 0;
    while (k < LOCATION_KEY.length && bytes[i - 2 + k] === LOCATION_KEY[k]) k++;
    if (k === LOCATION_KEY.length) return true;
  }
  return false;
}

/** The distinct external files a model reads, as the model names them (paths relative to its folder); none for a self-contained model. */
export function externalDataFiles(bytes: Uint8Array): string[] {
  if (bytes.byteLength > 0 && !mayHaveExternalData(bytes)) return [];
  return [...new Set(externalDataRefs(decodeModel(bytes)).map((r) => r.location))];
}

/** The last part of an external-data location ("weights/model.bin" → "model.bin"): what a user picks or drops. */
export function externalDataBaseName(location: string): string {
  return location.split(/[/\\]/).filter(Boolean).pop() ?? location;
}

/**
 * Why a location cannot be read beside the model, if it cannot: an absolute path or one that climbs out of the
 * model's folder ("..") would let a model file make a program read any file on disk.
 */
export function externalDataLocationProblem(location: string): string | undefined {
  if (/^([/\\]|[A-Za-z]:)/.test(location)) return 'it is an absolute path';
  if (location.split(/[/\\]/).includes('..')) return 'it points outside the model\'s folder ("..")';
  return undefined;
}

const quoteList = (names: string[]) => names.map((n) => `"${n}"`).join(names.length === 2 ? ' and ' : ', ');

/** The refusal for data files not given, naming each; `instruction` says what to do ("drop it together with the .onnx"). */
export function missingExternalDataError(missing: string[], instruction: (count: number) => string = (n) => `open ${n === 1 ? 'it' : 'them'} together with the .onnx file`, hint?: string): GlassboxError {
  return new GlassboxError(
    'MODEL_LOAD_FAILED',
    `This model keeps its weights in ${quoteList(missing)}; ${instruction(missing.length)}.`,
    hint ?? 'The weights file is written next to the .onnx by torch.onnx.export (models over 2 GB) or onnx.save(..., save_as_external_data=True).',
  );
}

export interface InlineOptions {
  /** What to do about a missing file, after "This model keeps its weights in "x.data"; " (default: open it together with the .onnx file). */
  instruction?: (count: number) => string;
  hint?: string;
}

/**
 * The model with every external tensor's bytes embedded (raw_data set, data_location DEFAULT, external_data
 * cleared), read from `files` by location as the model names it. A self-contained model comes back unchanged
 * (the same array). Refuses, naming them, when files are missing, and when a tensor's slice does not fit its file
 * or its shape.
 */
export function inlineExternalData(bytes: Uint8Array, files: ReadonlyMap<string, Uint8Array>, options: InlineOptions = {}): Uint8Array {
  if (bytes.byteLength > 0 && !mayHaveExternalData(bytes)) return bytes;
  const model = decodeModel(bytes);
  const tensors: { tensor: onnx.ITensorProto; ref: ExternalDataRef }[] = [];
  eachTensor(model, (tensor) => {
    const ref = refOf(tensor);
    if (ref) tensors.push({ tensor, ref });
  });
  if (tensors.length === 0) return bytes;
  const missing = [...new Set(tensors.map((t) => t.ref.location))].filter((l) => !files.has(l));
  if (missing.length) throw missingExternalDataError(missing, options.instruction, options.hint);

  let total = bytes.byteLength;
  for (const { tensor, ref } of tensors) {
    const file = files.get(ref.location)!;
    const length = ref.length ?? file.byteLength - ref.offset;
    if (ref.offset + length > file.byteLength || length < 0) {
      throw new GlassboxError(
        'MODEL_LOAD_FAILED',
        `The weights file "${ref.location}" is ${file.byteLength} bytes, too short for tensor "${ref.tensor}" (bytes ${ref.offset}–${ref.offset + (ref.length ?? 0)}).`,
        'The weights file may be cut short or belong to another export: copy both files again from the same export.',
      );
    }
    const elementBytes = ELEMENT_BYTES[tensor.dataType ?? 0];
    const expected = elementBytes && (tensor.dims ?? []).reduce((n: number, d) => n * Number(d), elementBytes);
    if (expected && expected !== length) {
      throw new GlassboxError(
        'MODEL_LOAD_FAILED',
        `Tensor "${ref.tensor}" should hold ${expected} bytes but its slice of "${ref.location}" is ${length} bytes.`,
        'The weights file may belong to another export of the model: copy both files again from the same export.',
      );
    }
    total += length;
    if (total > MAX_INLINE_MODEL_BYTES) {
      throw new GlassboxError(
        'MODEL_UNSUPPORTED',
        'With its weights this model is over 2 GB, more than one ONNX file can hold and more than the browser\'s onnxruntime can run.',
        'Use a smaller model (fewer parameters, or float16 / int8 weights).',
      );
    }
    // a copy, not a view: the encoder copies anyway, and the file's buffer is not kept alive by the model
    tensor.rawData = file.slice(ref.offset, ref.offset + length);
    delete (tensor as { dataLocation?: unknown }).dataLocation;
    tensor.externalData = [];
  }
  return onnx.ModelProto.encode(model).finish();
}
