import { describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, float32MapNpy, int32LabelsNpy, npyHeader, NPY_ALIGN } from '../../../src/engine/export/npy';
import { GlassboxError } from '../../../src/engine/errors';

const ascii = (b: Uint8Array) => String.fromCharCode(...b);

describe('npy', () => {
  it('writes the format 1.0 preamble: magic, version 1 0, little-endian header length', () => {
    const bytes = float32MapNpy([1, 2, 3, 4, 5, 6], 2, 3);
    expect([...bytes.subarray(0, 6)]).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
    expect([bytes[6], bytes[7]]).toEqual([1, 0]);
    const headerLength = bytes[8] | (bytes[9] << 8);
    expect(headerLength).toBe(npyHeader('<f4', [2, 3]).length);
    expect(ascii(bytes.subarray(10, 10 + headerLength))).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
  });

  it('pads the header with spaces and a final newline so the data starts at a multiple of 64 bytes', () => {
    for (const shape of [[1, 1], [96, 96], [12345, 678], [7]]) {
      const header = npyHeader('<i4', shape);
      expect((10 + header.length) % NPY_ALIGN, shape.join('×')).toBe(0);
      expect(header.endsWith('\n')).toBe(true);
      expect(header.slice(0, -1)).toMatch(/\} *$/);
    }
    expect(npyHeader('<f4', [7])).toContain("'shape': (7,)");
  });

  it('writes the data little-endian in C order and reads it back unchanged (float32)', () => {
    const map = [0.1, -2.5, 3e-8, 1e6, -0, 42];
    const bytes = float32MapNpy(map, 3, 2);
    const dataStart = bytes.length - 4 * 6;
    expect(dataStart % 64).toBe(0);
    const view = new DataView(bytes.buffer);
    expect(view.getFloat32(dataStart + 4, true)).toBe(Math.fround(-2.5));
    const back = decodeNpy(bytes);
    expect(back.descr).toBe('<f4');
    expect(back.shape).toEqual([3, 2]);
    expect([...back.data]).toEqual(map.map(Math.fround));
  });

  it('round-trips int32 labels, negative and large values included', () => {
    const labels = [0, 1, 2, 2147483647, -2147483648, 7];
    const bytes = int32LabelsNpy(labels, 2, 3);
    expect(ascii(bytes.subarray(10, bytes.length - 24))).toContain("'descr': '<i4'");
    const back = decodeNpy(bytes);
    expect(back.data).toBeInstanceOf(Int32Array);
    expect(back.shape).toEqual([2, 3]);
    expect([...back.data]).toEqual(labels);
  });

  it('NaN survives the round trip (a broken map stays visibly broken)', () => {
    expect(Number.isNaN(decodeNpy(float32MapNpy([NaN, 1], 1, 2)).data[0])).toBe(true);
  });

  it('refuses a shape the values do not fill, and bytes that are not a .npy', () => {
    expect(() => encodeNpy({ descr: '<f4', shape: [2, 2], data: new Float32Array(3) })).toThrow(/do not fill/);
    expect(() => decodeNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toThrow(GlassboxError);
    const whole = float32MapNpy([1, 2, 3, 4], 2, 2);
    const cut = whole.subarray(0, whole.length - 2);
    expect(() => decodeNpy(cut)).toThrow(/data bytes/);
  });
});
