/** Backward rules of data-movement ops: reshapes, transposes, concat/split, slicing, gathering, padding, resizing. */
import { intsAttr, makeAttr, numAttr, strAttr } from '../../onnx/graph-edit';
import type { RuleContext } from '../context';

type Rules = Record<string, (c: RuleContext) => void>;

function reshapeBack(c: RuleContext): void {
  if (c.needs(0)) c.set(0, c.reshapeLike(c.dy()!, c.x()));
}

function constInts(c: RuleContext, name: string, what: string): number[] {
  const v = c.g.constantValue(name);
  if (!v) throw c.unsupported(`its ${what} are computed at run time`);
  return Array.from(v, Number);
}

export const SHAPE_RULES: Rules = {
  Reshape: reshapeBack,
  Flatten: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Expand(c) {
    if (c.needs(0)) c.set(0, c.unbroadcast(c.dy()!, c.x(), c.y()));
  },
  Transpose(c) {
    if (!c.needs(0)) return;
    const r = c.rank(c.x());
    const perm = intsAttr(c.node, 'perm', undefined) ?? Array.from({ length: r }, (_, i) => r - 1 - i);
    const inverse = new Array(r);
    perm.forEach((p, i) => (inverse[p] = i));
    c.set(0, c.transpose(c.dy()!, inverse));
  },
  Concat(c) {
    const dy = c.dy()!;
    const r = c.rank(c.y());
    let axis = numAttr(c.node, 'axis', 0);
    if (axis < 0) axis += r;
    let offset = 0;
    (c.node.input ?? []).forEach((name, i) => {
      const size = c.dim(name, axis);
      if (c.needs(i)) c.set(i, c.op1('Slice', [dy, c.ints([offset]), c.ints([offset + size]), c.ints([axis])]));
      offset += size;
    });
  },
  Split(c) {
    if (!c.needs(0)) return;
    const r = c.rank(c.x());
    let axis = numAttr(c.node, 'axis', 0);
    if (axis < 0) axis += r;
    const parts = (c.node.output ?? []).map((o, i) => c.dy(i) ?? c.zerosLike(o));
    c.set(0, c.op1('Concat', parts, [makeAttr('axis', axis)]));
  },
  Slice(c) {
    if (!c.needs(0)) return;
    const x = c.x();
    const r = c.rank(x);
    const starts = constInts(c, c.x(1), 'starts');
    const ends = constInts(c, c.x(2), 'ends');
    const axes = c.x(3) ? constInts(c, c.x(3), 'axes') : starts.map((_, i) => i);
    const steps = c.x(4) ? constInts(c, c.x(4), 'steps') : starts.map(() => 1);
    if (steps.some((s) => s !== 1)) throw c.unsupported('steps other than 1 are not supported');
    // pad the gradient back to the input's extent with zeros
    const pads = new Array(2 * r).fill(0);
    axes.forEach((a0, i) => {
      const a = a0 < 0 ? a0 + r : a0;
      const size = c.dim(x, a);
      const clamp = (v: number) => Math.min(size, Math.max(0, v < 0 ? v + size : v));
      const begin = clamp(starts[i]), end = Math.max(begin, clamp(ends[i]));
      pads[a] = begin;
      pads[a + r] = size - end;
    });
    c.set(0, c.op1('Pad', [c.dy()!, c.ints(pads)]));
  },
  Gather(c) {
    if (!c.needs(0)) return;
    const x = c.x();
    const r = c.rank(x);
    let axis = numAttr(c.node, 'axis', 0);
    if (axis < 0) axis += r;
    const raw = c.g.constantValue(c.x(1));
    if (!raw) throw c.unsupported('its indices are computed at run time');
    const size = c.dim(x, axis);
    const indexShape = c.shape(c.x(1)) ?? [];
    if (indexShape.length > 1) throw c.unsupported('indices of rank above 1 are not supported');
    const indices = Array.from(raw, (v) => (Number(v) < 0 ? Number(v) + size : Number(v)));
    // dY has the indexed axis replaced by the indices' shape (removed for a scalar index)
    const dy = indexShape.length === 0 ? c.unsqueeze(c.dy()!, [axis]) : c.dy()!;
    // scatter-add the gradient slices into zeros shaped like X
    const shapeIndex = new Array(r).fill(1);
    shapeIndex[axis] = indices.length;
    const index = c.op1('Expand', [c.g.constInt64(indices, shapeIndex, 'gather_idx'), c.shapeOf(dy)]);
    c.set(0, c.op1('ScatterElements', [c.zerosLike(x), index, dy], [makeAttr('axis', axis), makeAttr('reduction', 'add')]));
  },
  Pad(c) {
    if (!c.needs(0)) return;
    if (strAttr(c.node, 'mode', 'constant') !== 'constant') throw c.unsupported('only constant padding is supported');
    const r = c.rank(c.x());
    const pads = constInts(c, c.x(1), 'pads');
    let axes = Array.from({ length: r }, (_, i) => i);
    if (c.x(3)) axes = constInts(c, c.x(3), 'axes').map((a) => (a < 0 ? a + r : a));
    if (pads.some((p) => p < 0)) throw c.unsupported('negative pads are not supported');
    // crop the padding off again: Slice from pad_begin to −pad_end (to the end when pad_end is 0)
    const starts: number[] = [], ends: number[] = [];
    axes.forEach((_a, i) => {
      starts.push(pads[i]);
      ends.push(pads[i + axes.length] > 0 ? -pads[i + axes.length] : Number.MAX_SAFE_INTEGER);
    });
    c.set(0, c.op1('Slice', [c.dy()!, c.ints(starts), c.ints(ends), c.ints(axes)]));
  },
  Resize(c) {
    if (!c.needs(0)) return;
    resizeBackward(c);
  },
  Upsample(c) {
    if (!c.needs(0)) return;
    resizeBackward(c);
  },
  Tile(c) {
    if (!c.needs(0)) return;
    const x = c.x();
    const r = c.rank(x);
    const repeats = constInts(c, c.x(1), 'repeats');
    // view dY as [r0, d0, r1, d1, …] and sum over the repeat axes
    const dims: number[] = [];
    for (let a = 0; a < r; a++) dims.push(repeats[a], c.dim(x, a));
    const split = c.op1('Reshape', [c.dy()!, c.ints(dims)]);
    c.set(0, c.reshapeLike(c.reduceSum(split, Array.from({ length: r }, (_, a) => 2 * a), false), x));
  },
};

/**
 * Resize is linear in its input: dX = Rᵀ·dY per spatial axis. For nearest and (bi)linear modes the adjoint is
 * built from per-axis interpolation matrices R (H_out × H_in) computed here from the forward geometry, applied
 * with MatMul on the last two axes: dX = R_hᵀ · dY · R_w.
 */
function resizeBackward(c: RuleContext): void {
  const x = c.x(), y = c.y();
  const r = c.rank(x);
  if (r !== 4) throw c.unsupported('only 4-D (NCHW) resizes are supported');
  const mode = strAttr(c.node, 'mode', 'nearest');
  const transform = strAttr(c.node, 'coordinate_transformation_mode', c.op === 'Upsample' ? 'asymmetric' : 'half_pixel');
  const nearestMode = strAttr(c.node, 'nearest_mode', 'round_prefer_floor');
  if (mode !== 'nearest' && mode !== 'linear') throw c.unsupported(`mode "${mode}" is not supported`);
  const matrix = (axis: number): string => {
    const inSize = c.dim(x, axis), outSize = c.dim(y, axis);
    const scale = outSize / inSize;
    const m = new Float32Array(outSize * inSize);
    for (let o = 0; o < outSize; o++) {
      let src: number;
      if (transform === 'half_pixel') src = (o + 0.5) / scale - 0.5;
      else if (transform === 'pytorch_half_pixel') src = outSize > 1 ? (o + 0.5) / scale - 0.5 : 0;
      else if (transform === 'align_corners') src = outSize > 1 ? (o * (inSize - 1)) / (outSize - 1) : 0;
      else if (transform === 'asymmetric') src = o / scale;
      else throw c.unsupported(`coordinate transformation "${transform}" is not supported`);
      if (mode === 'nearest') {
        let i: number;
        if (nearestMode === 'floor') i = Math.floor(src);
        else if (nearestMode === 'ceil') i = Math.ceil(src);
        else if (nearestMode === 'round_prefer_ceil') i = Math.round(src);
        else i = src % 1 === 0.5 ? Math.floor(src) : Math.round(src);
        m[o * inSize + Math.min(inSize - 1, Math.max(0, i))] = 1;
      } else {
        const s = Math.min(inSize - 1, Math.max(0, src));
        const i0 = Math.floor(s), i1 = Math.min(inSize - 1, i0 + 1), t = s - i0;
        m[o * inSize + i0] += 1 - t;
        m[o * inSize + i1] += t;
      }
    }
    return c.g.constFloat(m, [outSize, inSize], 'resize_matrix');
  };
  const xs = c.shape(x)!, ys = c.shape(y)!;
  if (xs[0] !== ys[0] || xs[1] !== ys[1]) throw c.unsupported('resizing the batch or channel axis is not supported');
  const rh = matrix(2), rw = matrix(3);
  // dX[n,c] = R_hᵀ · dY[n,c] · R_w
  const left = c.op1('MatMul', [c.transpose(rh, [1, 0]), c.dy()!]);
  c.set(0, c.op1('MatMul', [left, rw]));
}
