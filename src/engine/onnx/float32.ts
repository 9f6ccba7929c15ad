/**
 * A float16 (or bfloat16) model rewritten to compute in float32: weights widened, graph inputs/outputs and value
 * infos retyped, Casts to half precision turned into Casts to float32, half-precision constants widened. The
 * backward graph, the shape oracle and the CAM layer search then see one float type; the results are the
 * gradients of the same function with its weights as stored (no fp16 rounding of intermediate values), which is
 * what PyTorch's autograd gives for the model `.float()`.
 */
import { float16BitsToFloat32 } from '../math/float16';
import { FLOAT, type GraphEditor } from './graph-edit';
import { onnx } from './proto';

const FLOAT16 = 10;
const BFLOAT16 = 16;
const HALF = new Set([FLOAT16, BFLOAT16]);

function halfBits(t: onnx.ITensorProto): Uint16Array {
  const raw = t.rawData && t.rawData.length ? new Uint8Array(t.rawData) : undefined;
  if (raw) return new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  // without raw_data, half values sit in int32_data, one 16-bit pattern per entry
  return Uint16Array.from(t.int32Data ?? []);
}

function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i] << 16;
  return new Float32Array(out.buffer);
}

/** The tensor widened to float32 in place (no-op for other types). */
function widen(t: onnx.ITensorProto): boolean {
  const dt = t.dataType ?? 0;
  if (!HALF.has(dt)) return false;
  const bits = halfBits(t);
  const values = dt === FLOAT16 ? float16BitsToFloat32(bits) : bfloat16ToFloat32(bits);
  t.dataType = FLOAT;
  t.rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  t.int32Data = [];
  return true;
}

function retype(values: onnx.IValueInfoProto[] | null | undefined): number {
  let changed = 0;
  for (const v of values ?? []) {
    const tt = v.type?.tensorType;
    if (tt && HALF.has(tt.elemType ?? 0)) {
      tt.elemType = FLOAT;
      changed++;
    }
  }
  return changed;
}

/** Attributes naming an element type that must follow the model's float type. */
const TYPE_ATTRS = new Set(['to', 'dtype']);

function widenGraph(g: onnx.IGraphProto): number {
  let changed = 0;
  for (const t of g.initializer ?? []) if (widen(t)) changed++;
  changed += retype(g.input) + retype(g.output) + retype(g.valueInfo);
  for (const n of g.node ?? []) {
    for (const a of n.attribute ?? []) {
      if (TYPE_ATTRS.has(a.name ?? '') && a.type === onnx.AttributeProto.AttributeType.INT && HALF.has(Number(a.i))) {
        a.i = FLOAT;
        changed++;
      }
      if (a.t && widen(a.t)) changed++;
      for (const t of a.tensors ?? []) if (widen(t)) changed++;
      if (a.g) changed += widenGraph(a.g);
      for (const sub of a.graphs ?? []) changed += widenGraph(sub);
    }
  }
  return changed;
}

/** Rewrite the editor's model to float32 throughout; returns how many tensors, types and attributes changed. */
export function widenToFloat32(editor: GraphEditor): number {
  return widenGraph(editor.graph);
}
