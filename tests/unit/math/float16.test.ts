import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../../src/engine/math/float16';

const toBits = (v: number) => float32ToFloat16Bits(new Float32Array([v]))[0];
const fromBits = (b: number) => float16BitsToFloat32(new Uint16Array([b]))[0];
const roundTrip = (v: number) => fromBits(toBits(v));

describe('float16', () => {
  it('round-trips exactly representable values', () => {
    for (const v of [0, 1, -2, 0.5, 65504, -65504, 2 ** -14, 2 ** -24, 3 * 2 ** -24, 1 + 2 ** -10, 1023 * 2 ** -24, 0.333251953125]) {
      expect(roundTrip(v), String(v)).toBe(v);
    }
  });

  it('keeps the sign of zero', () => {
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(Object.is(roundTrip(0), 0)).toBe(true);
    expect(toBits(-0)).toBe(0x8000);
    expect(toBits(0)).toBe(0x0000);
  });

  it('encodes the known bit patterns', () => {
    expect(toBits(1)).toBe(0x3c00);
    expect(toBits(-2)).toBe(0xc000);
    expect(toBits(65504)).toBe(0x7bff);
    expect(toBits(0.5)).toBe(0x3800);
    expect(toBits(2 ** -14)).toBe(0x0400); // smallest normal
    expect(toBits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toBits(Infinity)).toBe(0x7c00);
    expect(toBits(-Infinity)).toBe(0xfc00);
  });

  it('decodes the known bit patterns', () => {
    expect(fromBits(0x3c00)).toBe(1);
    expect(fromBits(0xc000)).toBe(-2);
    expect(fromBits(0x7bff)).toBe(65504);
    expect(fromBits(0x03ff)).toBe(1023 * 2 ** -24); // largest subnormal
    expect(fromBits(0x3555)).toBeCloseTo(0.333251953125, 12);
  });

  it('keeps Infinity and NaN', () => {
    expect(roundTrip(Infinity)).toBe(Infinity);
    expect(roundTrip(-Infinity)).toBe(-Infinity);
    expect(Number.isNaN(roundTrip(Number.NaN))).toBe(true);
    const nanBits = toBits(Number.NaN);
    expect(nanBits & 0x7c00).toBe(0x7c00);
    expect(nanBits & 0x03ff).not.toBe(0); // a NaN, not an infinity
  });

  it('overflows to Infinity', () => {
    expect(roundTrip(70000)).toBe(Infinity);
    expect(roundTrip(-70000)).toBe(-Infinity);
    expect(roundTrip(65520)).toBe(Infinity); // halfway between 65504 and 65536 rounds to even (the infinity pattern)
    expect(roundTrip(65519)).toBe(65504);
  });

  it('rounds to nearest, ties to even', () => {
    expect(roundTrip(1 + 2 ** -11)).toBe(1); // halfway between 1 and 1 + 2^-10, even mantissa wins
    expect(roundTrip(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9); // halfway between 1 + 2^-10 and 1 + 2^-9
    expect(roundTrip(1 + 2 ** -11 + 2 ** -20)).toBe(1 + 2 ** -10); // just above halfway rounds up
    expect(roundTrip(2 - 2 ** -12)).toBe(2); // mantissa carry into the exponent
  });

  it('rounds subnormals and underflows to signed zero', () => {
    expect(roundTrip(2 ** -25)).toBe(0); // halfway between 0 and 2^-24: even (0)
    expect(roundTrip(3 * 2 ** -25)).toBe(2 * 2 ** -24); // halfway between 1 and 2 units: even (2)
    expect(roundTrip(2 ** -25 + 2 ** -30)).toBe(2 ** -24);
    expect(roundTrip(2 ** -30)).toBe(0);
    expect(Object.is(roundTrip(-(2 ** -30)), -0)).toBe(true);
    expect(roundTrip(2 ** -14 - 2 ** -26)).toBe(2 ** -14); // largest subnormal rounds up into the smallest normal
  });

  it('converts whole arrays element by element', () => {
    const src = new Float32Array([1, -2, 0.5, 65504]);
    expect(Array.from(float32ToFloat16Bits(src))).toEqual([0x3c00, 0xc000, 0x3800, 0x7bff]);
    expect(Array.from(float16BitsToFloat32(float32ToFloat16Bits(src)))).toEqual([1, -2, 0.5, 65504]);
  });
});
