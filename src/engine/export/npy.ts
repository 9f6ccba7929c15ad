/**
 * NumPy .npy files (format 1.0, numpy.lib.format): the magic "\x93NUMPY", version 1 0, a little-endian uint16
 * header length, then the header — a Python dict literal padded with spaces and ended by "\n" so that the data
 * starts at a multiple of 64 bytes (numpy's ARRAY_ALIGN since 1.14) — then the C-order data. Pure: bytes in, bytes out.
 */
import { GlassboxError } from '../errors';

export type NpyDescr = '<f4' | '<i4';

export interface NpyArray {
  descr: NpyDescr;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** The dtypes decodeNpy reads: float32, and integers of 1, 2, 4 or 8 bytes (label images as numpy saves them). */
export type NpyReadDescr = NpyDescr | '|i1' | '|u1' | '<i2' | '<u2' | '<u4' | '<i8';

/** A decoded .npy: float32 data as Float32Array, any integer dtype as Int32Array (values must fit int32). */
export interface DecodedNpy {
  descr: NpyReadDescr;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** Bytes per value and a reader for each integer dtype; '<' and '|' are the same for one-byte types. */
const INT_READERS: Record<string, { bytes: number; read: (view: DataView, offset: number) => number | bigint }> = {
  '|i1': { bytes: 1, read: (v, o) => v.getInt8(o) },
  '|u1': { bytes: 1, read: (v, o) => v.getUint8(o) },
  '<i2': { bytes: 2, read: (v, o) => v.getInt16(o, true) },
  '<u2': { bytes: 2, read: (v, o) => v.getUint16(o, true) },
  '<i4': { bytes: 4, read: (v, o) => v.getInt32(o, true) },
  '<u4': { bytes: 4, read: (v, o) => v.getUint32(o, true) },
  '<i8': { bytes: 8, read: (v, o) => v.getBigInt64(o, true) },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy.lib.format.ARRAY_ALIGN: the header is padded so the data starts at a multiple of this. */
export const NPY_ALIGN = 64;
const PREAMBLE_V1 = MAGIC.length + 2 + 2; // magic, version, uint16 header length

/** Python's repr of a shape tuple: (), (5,), (96, 96). */
function shapeRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** The padded header text (ends in "\n") for an array of this dtype and shape. */
export function npyHeader(descr: NpyDescr, shape: readonly number[]): string {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  const unpadded = PREAMBLE_V1 + dict.length + 1;
  const padding = (NPY_ALIGN - (unpadded % NPY_ALIGN)) % NPY_ALIGN;
  return dict + ' '.repeat(padding) + '\n';
}

function checkShape(shape: readonly number[], length: number): void {
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`invalid .npy shape ${shapeRepr(shape)}`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== length) throw new Error(`${length} values do not fill the shape ${shapeRepr(shape)}`);
}

/** One C-order array as .npy bytes. */
export function encodeNpy(array: NpyArray): Uint8Array {
  checkShape(array.shape, array.data.length);
  const header = npyHeader(array.descr, array.shape);
  // The header is ASCII (the engine has no TextEncoder: it compiles without DOM types).
  const headerBytes = Uint8Array.from(header, (c) => c.charCodeAt(0));
  const out = new Uint8Array(PREAMBLE_V1 + headerBytes.length + array.data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  const view = new DataView(out.buffer);
  view.setUint16(8, headerBytes.length, true);
  out.set(headerBytes, PREAMBLE_V1);
  let offset = PREAMBLE_V1 + headerBytes.length;
  // Written value by value with an explicit byte order: a typed array's own bytes follow the host's.
  if (array.descr === '<f4') for (let i = 0; i < array.data.length; i++, offset += 4) view.setFloat32(offset, array.data[i], true);
  else for (let i = 0; i < array.data.length; i++, offset += 4) view.setInt32(offset, array.data[i], true);
  return out;
}

/** A float32 height × width map (row-major values, e.g. an attribution map at model resolution). */
export function float32MapNpy(mapHW: ArrayLike<number>, height: number, width: number): Uint8Array {
  return encodeNpy({ descr: '<f4', shape: [height, width], data: Float32Array.from(mapHW) });
}

/** An int32 height × width label image (e.g. superpixel ids). */
export function int32LabelsNpy(labelsHW: ArrayLike<number>, height: number, width: number): Uint8Array {
  return encodeNpy({ descr: '<i4', shape: [height, width], data: Int32Array.from(labelsHW) });
}

function unreadable(why: string): GlassboxError {
  return new GlassboxError('FILE_UNSUPPORTED', `This is not a .npy file Glassbox can read: ${why}.`, "Glassbox reads little-endian float32 ('<f4') and int32 ('<i4') C-order arrays, as it writes them, and integer label arrays (int8/16/32/64, uint8/16/32).");
}

/**
 * Read a .npy file written by encodeNpy (or numpy.save of a C-order array, format 1.0–3.0): '<f4' as float32,
 * '<i4' as int32, and the other little-endian integer dtypes (int8, uint8, int16, uint16, uint32, int64) as int32
 * when every value fits.
 */
export function decodeNpy(bytes: Uint8Array): DecodedNpy {
  if (bytes.length < PREAMBLE_V1 || MAGIC.some((b, i) => bytes[i] !== b)) throw unreadable('it does not start with \\x93NUMPY');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3) throw unreadable(`format version ${major}.${bytes[7]} is unknown`);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) throw unreadable('the header is cut short');
  // Latin-1 (format 3.0 allows UTF-8, but the keys and values read here are ASCII either way).
  const header = String.fromCharCode(...bytes.subarray(8 + lengthBytes, dataStart));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw unreadable('its header lacks descr, fortran_order or shape');
  // one-byte dtypes have no byte order: numpy writes '|i1', some writers '<i1'
  const dtype = descr === '<i1' || descr === '<u1' ? `|${descr.slice(1)}` : descr;
  if (dtype !== '<f4' && !(dtype in INT_READERS)) throw unreadable(`its dtype is '${descr}'`);
  if (fortran === 'True') throw unreadable('it is in Fortran (column-major) order');
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw unreadable(`its shape (${shapeText}) is not a tuple of sizes`);
  const size = shape.reduce((a, b) => a * b, 1);
  const itemBytes = dtype === '<f4' ? 4 : INT_READERS[dtype].bytes;
  if (bytes.length - dataStart !== size * itemBytes) throw unreadable(`it holds ${bytes.length - dataStart} data bytes for a shape that needs ${size * itemBytes}`);
  if (dtype === '<f4') {
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(dataStart + 4 * i, true);
    return { descr: dtype, shape, data };
  }
  const { read } = INT_READERS[dtype];
  const data = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const v = read(view, dataStart + itemBytes * i);
    if (v < -2147483648 || v > 2147483647) throw unreadable(`value ${v} (at ${i}) does not fit in int32`);
    data[i] = Number(v);
  }
  return { descr: dtype as NpyReadDescr, shape, data };
}
