/** Numeric comparisons shared by tests. */
import { expect } from 'vitest';
import { f32 } from './method-fixtures';

/** Largest |a[i] − b[i]| (after checking the lengths agree). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** max |a − b| relative to max |b| (after checking the lengths agree). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let err = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

/** A PyTorch autograd fixture (tests/fixtures/grad/<net>.json format): input, targets and the reference tensors (base64). */
export interface AutogradRef {
  input_shape: number[];
  targets: number[];
  input: string;
  logits: string;
  feat_shape: number[];
  feat: string;
  grad_input: string;
  grad_feat: string;
}

/** dS/dlogits for the fixture's S = Σ logits[i, targets[i]]: one-hot rows. */
export function autogradSeed(ref: AutogradRef, classes: number): Float32Array {
  const seed = new Float32Array(ref.input_shape[0] * classes);
  ref.targets.forEach((t, i) => (seed[i * classes + t] = 1));
  return seed;
}

/** A gradient run equals the fixture: logits and activation to 1e-4, layer and input gradients to 1e-3 (relative). */
export function expectAutogradMatch(out: { scores: Float32Array; activation?: { data: Float32Array; dims: number[] }; gradLayer?: { data: Float32Array }; gradInput?: { data: Float32Array; dims: number[] } }, ref: AutogradRef): void {
  expect(relativeError(out.scores, f32(ref.logits))).toBeLessThan(1e-4);
  expect(out.activation!.dims).toEqual(ref.feat_shape);
  expect(relativeError(out.activation!.data, f32(ref.feat))).toBeLessThan(1e-4);
  expect(relativeError(out.gradLayer!.data, f32(ref.grad_feat))).toBeLessThan(1e-3);
  expect(out.gradInput!.dims).toEqual(ref.input_shape);
  expect(relativeError(out.gradInput!.data, f32(ref.grad_input))).toBeLessThan(1e-3);
}
