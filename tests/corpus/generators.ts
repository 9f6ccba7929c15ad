/**
 * The bytes of each hostile-input case (tests/corpus/hostile.json), made at test time from a named generator and
 * its arguments, so that the manifest stays data: a fixture copied, cut or flipped; literal, zero or seeded random
 * bytes; a small valid ONNX classifier edited one way (huge declared initializer, NaN bias, int8 or 5-D input,
 * rank-3 output, …); images whose headers lie about their size; real odd images encoded by sharp (16-bit, CMYK,
 * grey, animated, TIFF, WebP); texts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { onnx } from '../../src/engine/onnx/proto';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface GeneratorSpec {
  generator: string;
  args?: Record<string, unknown>;
}

/** One case of tests/corpus/hostile.json (its `about` says what each field means). */
export interface HostileCase {
  id: string;
  kind: 'model' | 'image' | 'labels' | 'segments' | 'params';
  surfaces: ('cli' | 'browser')[];
  input?: GeneratorSpec & { name: string };
  args?: string[];
  exit: number;
  /** null: the input must be accepted. */
  code: string | null;
  message?: string;
  warning?: string;
  browser?: { code?: string | null; message?: string; context?: string; type?: string; loads?: boolean };
  knownIssue?: string;
  /** A known issue that takes minutes or gigabytes: run only with GLASSBOX_HOSTILE_RUNAWAYS=1. */
  runaway?: boolean;
}

export interface HostileCorpus {
  ceilings: { wallSeconds: number; peakRssMiB: number; workerHeapMiB: number };
  placeholders: Record<'$MODEL' | '$IMAGE', string>;
  defaultArgs: Record<string, string[]>;
  cases: HostileCase[];
}

export const RUN_RUNAWAYS = process.env.GLASSBOX_HOSTILE_RUNAWAYS === '1';

export function loadHostileCorpus(): HostileCorpus {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/corpus/hostile.json'), 'utf8')) as HostileCorpus;
}

type Args = Record<string, unknown>;
type Generator = (args: Args) => Buffer | Promise<Buffer>;

/** Seeded bytes (a linear congruential generator): the same seed gives the same file on every run. */
export function seededBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

const fixture = (file: string) => fs.readFileSync(path.join(ROOT, file));

// ------------------------------------------------------------------------------------------------ ONNX models

/** tiny_nchw_fixed.onnx: Conv(3→4) → Relu → GlobalAveragePool → Flatten → Gemm(4→5), input [1, 3, 8, 8]. */
const BASE_MODEL = 'tests/fixtures/models/tiny_nchw_fixed.onnx';

const dims = (values: (number | string)[]) => ({ dim: values.map((v) => (typeof v === 'number' ? { dimValue: v } : { dimParam: v })) });

/** One edit of the base classifier each; the model stays a well-formed protobuf. */
const MODEL_EDITS: Record<string, (m: onnx.ModelProto, args: Args) => void> = {
  /** An initializer declaring 2^40 floats with only 4 bytes of data. */
  hugeInitializer(m) {
    const t = m.graph!.initializer!.find((i) => i.name === 'fc_b')!;
    t.dims = [1 << 20, 1 << 20];
  },
  /** The classifier's bias holds NaN: every score is NaN. */
  nanBias(m) {
    const t = m.graph!.initializer!.find((i) => i.name === 'fc_b')!;
    t.rawData = new Uint8Array(new Float32Array(5).fill(NaN).buffer);
  },
  /** The bias holds +Infinity. */
  infBias(m) {
    const t = m.graph!.initializer!.find((i) => i.name === 'fc_b')!;
    t.rawData = new Uint8Array(new Float32Array(5).fill(Infinity).buffer);
  },
  /** The input's element type changed (3: int8, 2: uint8, 9: bool, 11: double, 8: string). */
  inputElemType(m, args) {
    m.graph!.input![0].type!.tensorType!.elemType = Number(args.elemType);
  },
  /** The input declared with another shape (e.g. 5-D, or 2-D). */
  inputShape(m, args) {
    m.graph!.input![0].type!.tensorType!.shape = dims(args.shape as (number | string)[]);
  },
  /** The output declared with another shape (e.g. rank 3). */
  outputShape(m, args) {
    m.graph!.output![0].type!.tensorType!.shape = dims(args.shape as (number | string)[]);
  },
  /** A valid model whose input takes another element type (3: int8, 2: uint8, 9: bool), cast to float first. */
  castInput(m, args) {
    const g = m.graph!;
    g.input![0].type!.tensorType!.elemType = Number(args.elemType);
    g.node![0].input![0] = 'input_float';
    g.node!.unshift({ opType: 'Cast', input: ['input'], output: ['input_float'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] });
  },
  /** A valid model with a 5-D input [1, 3, 2, 8, 8], averaged over its third axis before the Conv. */
  input5d(m) {
    const g = m.graph!;
    g.input![0].type!.tensorType!.shape = dims([1, 3, 2, 8, 8]);
    g.node![0].input![0] = 'input_4d';
    g.node!.unshift({ opType: 'ReduceMean', input: ['input'], output: ['input_4d'], attribute: [{ name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [2] }, { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] });
  },
  /** A valid model whose output has rank 3: the scores unsqueezed to [1, 5, 1]. */
  outputRank3(m) {
    const g = m.graph!;
    const last = g.node![g.node!.length - 1];
    last.output = ['scores_2d'];
    g.initializer!.push({ name: 'unsqueeze_axes', dims: [1], dataType: 7, rawData: new Uint8Array(new BigInt64Array([2n]).buffer) });
    g.node!.push({ opType: 'Unsqueeze', input: ['scores_2d', 'unsqueeze_axes'], output: ['logits'] });
    g.output![0].type!.tensorType!.shape = dims([1, 5, 1]);
  },
  /** The graph's inputs removed. */
  noInputs(m) {
    m.graph!.input = [];
  },
  /** The graph's outputs removed. */
  noOutputs(m) {
    m.graph!.output = [];
  },
  /** No graph at all. */
  noGraph(m) {
    m.graph = null;
  },
  /** An opset from the future. */
  opset(m, args) {
    m.opsetImport = [{ domain: '', version: Number(args.version) }];
  },
  /** A node renamed to an operator that does not exist. */
  opType(m, args) {
    m.graph!.node![Number(args.node ?? 0)].opType = String(args.opType);
  },
  /** A node reading a tensor nothing produces. */
  danglingInput(m) {
    m.graph!.node![1].input = ['nowhere'];
  },
  /** Weights stored outside the file, at a location that leaves the model's folder. */
  externalData(m, args) {
    const t = m.graph!.initializer!.find((i) => i.name === 'fc_w')!;
    t.rawData = null;
    t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    t.externalData = [{ key: 'location', value: String(args.location) }, { key: 'offset', value: '0' }, { key: 'length', value: '80' }];
  },
};

// ------------------------------------------------------------------------------------------------ images

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** A PNG whose IHDR claims width × height (8-bit RGB); its pixel data is a token 1 KiB of zeros. */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.alloc(1024))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A baseline JPEG that is only its start, a frame header claiming width × height (3 components) and its end. */
function jpegHeader(width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.from([0xff, 0xd9])]);
}

/** A GIF89a whose logical screen and only image claim width × height, with a one-byte image body. */
function gifHeader(width: number, height: number): Buffer {
  const le = (v: number) => [v & 0xff, v >> 8];
  return Buffer.from([
    ...Buffer.from('GIF89a', 'ascii'), ...le(width), ...le(height), 0x80, 0, 0, // global colour table of 2
    0, 0, 0, 255, 255, 255,
    0x2c, 0, 0, 0, 0, ...le(width), ...le(height), 0, // image descriptor
    0x02, 0x02, 0x44, 0x01, 0x00, // LZW min code size 2, one sub-block of 2 bytes
    0x3b,
  ]);
}

/** A small picture with some structure (a diagonal gradient), as raw RGB. */
function gradientRgb(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 255) / Math.max(1, width - 1);
      data[i + 1] = (y * 255) / Math.max(1, height - 1);
      data[i + 2] = 128;
    }
  }
  return data;
}

/** A real image encoded by sharp: `format` png | jpeg | webp | tiff | gif | avif; `grey`, `bits16` (PNG), `cmyk` (JPEG/TIFF). */
async function sharpImage(args: Args): Promise<Buffer> {
  const width = Number(args.width ?? 32), height = Number(args.height ?? 32);
  let img = sharp(gradientRgb(width, height), { raw: { width, height, channels: 3 } });
  if (args.grey) img = img.toColourspace('b-w');
  if (args.cmyk) img = img.toColourspace('cmyk');
  if (args.bits16) img = img.toColourspace('rgb16');
  switch (args.format) {
    case 'png':
      return img.png().toBuffer();
    case 'jpeg':
      return img.jpeg({ quality: 90 }).toBuffer();
    case 'webp':
      return img.webp({ lossless: true }).toBuffer();
    case 'tiff':
      return img.tiff().toBuffer();
    case 'gif':
      return img.gif().toBuffer();
    case 'avif':
      return img.avif().toBuffer();
    default:
      throw new Error(`sharpImage: unknown format ${String(args.format)}`);
  }
}

/** An animated GIF: `frames` frames of width × height, each a different grey. */
async function animatedGif(args: Args): Promise<Buffer> {
  const width = Number(args.width ?? 16), height = Number(args.height ?? 16), frames = Number(args.frames ?? 3);
  const data = Buffer.alloc(width * height * frames * 3);
  for (let f = 0; f < frames; f++) data.fill((f * 255) / frames, f * width * height * 3, (f + 1) * width * height * 3);
  return sharp(data, { raw: { width, height: height * frames, channels: 3, pageHeight: height } }).gif({ loop: 0, delay: Array(frames).fill(100) }).toBuffer();
}

// ------------------------------------------------------------------------------------------------ generators

const GENERATORS: Record<string, Generator> = {
  /** A file of the repository as it is. */
  fixture: (a) => fixture(String(a.path)),
  /**
   * The first `bytes` bytes (negative: all but the last −`bytes`), or the first `fraction` of the length, of a
   * repository file (`path`) or of another generator's output (`of`).
   */
  truncate: async (a) => {
    const whole = a.of ? await generate(a.of as GeneratorSpec) : fixture(String(a.path));
    const at = a.bytes !== undefined ? (Number(a.bytes) < 0 ? whole.length + Number(a.bytes) : Number(a.bytes)) : Math.floor(whole.length * Number(a.fraction));
    return whole.subarray(0, at);
  },
  /** A repository file with the byte at `offset` (negative: from the end) XOR-ed with `xor`. */
  flipByte: (a) => {
    const b = Buffer.from(fixture(String(a.path)));
    const at = Number(a.offset) < 0 ? b.length + Number(a.offset) : Number(a.offset);
    b[at] ^= Number(a.xor ?? 0xff);
    return b;
  },
  /** Literal bytes: `hex` (spaces allowed) and/or `text` (UTF-8), repeated `repeat` times. */
  bytes: (a) => {
    const one = Buffer.concat([Buffer.from(String(a.hex ?? '').replace(/\s+/g, ''), 'hex'), Buffer.from(String(a.text ?? ''), 'utf8')]);
    return Buffer.concat(Array(Number(a.repeat ?? 1)).fill(one));
  },
  /** `length` zero bytes. */
  zeros: (a) => Buffer.alloc(Number(a.length)),
  /** `length` seeded random bytes. */
  random: (a) => seededBytes(Number(a.length), Number(a.seed ?? 1)),
  /** `prefix` (hex) followed by `length` seeded random bytes. */
  magicThenRandom: (a) => Buffer.concat([Buffer.from(String(a.hex).replace(/\s+/g, ''), 'hex'), seededBytes(Number(a.length), Number(a.seed ?? 1))]),
  /** The base classifier with one edit (MODEL_EDITS). */
  onnxEdit: (a) => {
    const model = onnx.ModelProto.decode(fixture(String(a.path ?? BASE_MODEL)));
    const edit = MODEL_EDITS[String(a.edit)];
    if (!edit) throw new Error(`onnxEdit: unknown edit ${String(a.edit)}`);
    edit(model, a);
    return Buffer.from(onnx.ModelProto.encode(model).finish());
  },
  pngHeader: (a) => pngHeader(Number(a.width), Number(a.height)),
  jpegHeader: (a) => jpegHeader(Number(a.width), Number(a.height)),
  gifHeader: (a) => gifHeader(Number(a.width), Number(a.height)),
  sharpImage,
  animatedGif,
  /** A text file: `text`, or `line` repeated `count` times (each ending in a newline), or `char` repeated `length` times. */
  text: (a) => {
    if (a.line !== undefined) return Buffer.from(Array.from({ length: Number(a.count) }, (_, i) => String(a.line).replace('{i}', String(i)) + '\n').join(''), 'utf8');
    if (a.char !== undefined) return Buffer.from(String(a.char).repeat(Number(a.length)), 'utf8');
    return Buffer.from(String(a.text), 'utf8');
  },
  /** A NumPy .npy file: `descr` ('<i4', '<f4', …), `shape`, filled with `fill` (or 0..n−1 modulo `modulo`). */
  npy: (a) => {
    const shape = a.shape as number[];
    const descr = String(a.descr ?? '<i4');
    const header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
    const padded = header + ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
    const pre = Buffer.alloc(10);
    pre.write('\x93NUMPY', 0, 'latin1');
    pre[6] = 1;
    pre[7] = 0;
    pre.writeUInt16LE(padded.length, 8);
    const count = a.count !== undefined ? Number(a.count) : shape.reduce((x, y) => x * y, 1);
    const size = Number(descr.slice(2));
    const body = Buffer.alloc(count * size);
    for (let i = 0; i < count; i++) {
      const v = a.fill !== undefined ? Number(a.fill) : i % Number(a.modulo ?? 4);
      if (descr === '<i4') body.writeInt32LE(v, i * 4);
      else if (descr === '<f4') body.writeFloatLE(v, i * 4);
      else if (descr === '<f8') body.writeDoubleLE(v, i * 8);
      else body[i] = v;
    }
    return Buffer.concat([pre, Buffer.from(padded, 'latin1'), body]);
  },
};

export const GENERATOR_NAMES = Object.keys(GENERATORS);

/** The bytes of a case's input. */
export async function generate(spec: GeneratorSpec): Promise<Buffer> {
  const generator = GENERATORS[spec.generator];
  if (!generator) throw new Error(`unknown generator "${spec.generator}" (known: ${GENERATOR_NAMES.join(', ')})`);
  return Buffer.from(await generator(spec.args ?? {}));
}
