/**
 * onnxruntime as the shape oracle: expose every node output as a graph output (name only), create a session
 * and read the types it infers; then run it once (twice for a dynamic batch, with batches 1 and 2) on a
 * synthetic input to read every tensor's actual dims — static inference leaves the dims after run-time shape
 * arithmetic unknown (e.g. a ViT's token reshapes). A dim that is the batch is reported as 'N'; one that grows
 * with it by another factor (heads folded into the batch) as 'N×k'.
 *
 * The same runs read the values of small integer tensors (shape arithmetic): those equal at both batches do not
 * depend on the batch, so once the input size is fixed they are constants (`constants`), which lets the
 * backward graph treat a Slice or Gather whose indices are computed at run time like a constant one.
 */
import type { Dim, TensorInfo } from './model-graph';
import { FLOAT, type GraphEditor } from './graph-edit';
import type { OrtRuntime } from '../runtime/ort-runtime';
import { onnx } from './proto';

export type ShapeMap = Map<string, TensorInfo> & {
  /** Integer tensors (≤ MAX_FOLDED elements) whose value does not depend on the batch, by name. */
  constants?: Map<string, { values: number[]; dims: number[]; dtype: string }>;
};

const MAX_FOLDED = 64;
const INTEGER_TYPES = new Set(['int64', 'int32']);

export interface ShapeOptions {
  /** Dims for the input when the model leaves some open (besides the batch), e.g. [1, 3, 224, 224]. */
  inputDims?: number[];
}

/** Float initializers larger than this are replaced by graph inputs of the same shape in the shape probe. */
const PROBE_STRIP_ELEMENTS = 1024;

/**
 * The model as the shape oracle needs it: every node output exposed, and the large float weights turned into
 * graph inputs of the same shape, so the probe encodes and opens in a fraction of the full model's time (shape
 * inference needs their dims, not their values). Runs feed zeros for them: shapes and shape arithmetic do not
 * depend on weight values.
 */
function shapeProbe(editor: GraphEditor): { bytes: Uint8Array; weights: { name: string; dims: number[] }[] } {
  const probe = editor.clone();
  const weights: { name: string; dims: number[] }[] = [];
  const kept: onnx.ITensorProto[] = [];
  for (const t of probe.graph.initializer ?? []) {
    const dims = (t.dims ?? []).map(Number);
    if (t.dataType === FLOAT && dims.reduce((a, b) => a * b, 1) > PROBE_STRIP_ELEMENTS) weights.push({ name: t.name ?? '', dims });
    else kept.push(t);
  }
  probe.graph.initializer = kept;
  for (const w of weights) probe.addInput(w.name, w.dims);
  for (const { name } of probe.nodeOutputs()) probe.addOutput(name);
  return { bytes: probe.encode(), weights };
}

const SHAPE_OPS = new Set(['Shape', 'Size']);

export async function inferShapes(runtime: OrtRuntime, editor: GraphEditor, options: ShapeOptions = {}): Promise<ShapeMap> {
  const { bytes, weights } = shapeProbe(editor);
  const session = await runtime.createSession(bytes, { backend: 'wasm', optimization: 'disabled' });
  const constants = new Map<string, { values: number[]; dims: number[]; dtype: string }>();
  const shapes: ShapeMap = Object.assign(new Map<string, TensorInfo>(), { constants });
  const weightNames = new Set(weights.map((w) => w.name));
  const realInputs = session.inputs.filter((t) => !weightNames.has(t.name));
  for (const t of [...realInputs, ...session.outputs]) shapes.set(t.name, t);
  try {
    const input = realInputs.length === 1 ? realInputs[0] : undefined;
    const declared = input?.shape;
    if (input && declared && input.dtype === 'float32') {
      // static inference is enough when every dim is known or the batch, and no shape arithmetic needs folding
      const batchSymbol = typeof declared[0] === 'string' && declared[0] !== '?' ? declared[0] : undefined;
      const known = (d: Dim) => typeof d === 'number' || (batchSymbol !== undefined && d === batchSymbol);
      const complete = [...shapes.values()].every((t) => t.dtype === 'non-tensor' || (t.shape ?? ['?']).every(known));
      const shapeArithmetic = editor.nodes.some((n) => SHAPE_OPS.has(n.opType ?? ''));
      if (complete && !shapeArithmetic && declared.slice(1).every((d) => typeof d === 'number')) {
        if (batchSymbol) for (const [name, t] of shapes) shapes.set(name, { ...t, shape: t.shape?.map((d) => (d === batchSymbol ? 'N' : d)) });
        return shapes;
      }
      const base = declared.map((d, i) => (typeof d === 'number' ? d : (options.inputDims?.[i] ?? (i === 0 ? 1 : undefined))));
      if (base.every((d) => typeof d === 'number')) {
        const dynamicBatch = typeof declared[0] !== 'number';
        const zeros = weights.map((w) => ({ name: w.name, value: { data: new Float32Array(w.dims.reduce((a, b) => a * b, 1)), dims: w.dims } }));
        const runAt = async (batch: number) => {
          const dims = [batch, ...(base.slice(1) as number[])];
          const size = dims.reduce((a, b) => a * b, 1);
          const data = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.37) * 0.5);
          return session.run({ [input.name]: { data, dims }, ...Object.fromEntries(zeros.map((z) => [z.name, z.value])) });
        };
        const one = await runAt(1);
        const two = dynamicBatch ? await runAt(2) : undefined;
        for (const [name, value] of Object.entries(one)) {
          const info = shapes.get(name);
          if (!info) continue;
          const other = two?.[name]?.dims;
          const dims: Dim[] = value.dims.map((d, i) => (other && other[i] !== d ? (d === 1 && other[i] === 2 ? 'N' : other[i] === 2 * d ? `N×${d}` : 'N') : d));
          shapes.set(name, { ...info, shape: dims });
          if (INTEGER_TYPES.has(info.dtype) && value.data.length <= MAX_FOLDED) {
            const again = two?.[name];
            const same = !again || (again.data.length === value.data.length && again.data.every((v, i) => v === value.data[i]));
            if (same) constants.set(name, { values: Array.from(value.data), dims: value.dims, dtype: info.dtype });
          }
        }
        if (dynamicBatch) shapes.set(input.name, { ...input, shape: ['N', ...(base.slice(1) as number[])] });
      }
    }
  } catch {
    // keep the static report: a model that cannot run on a synthetic input still gets its declared shapes
  } finally {
    await session.dispose();
  }
  return shapes;
}

/** Static dims of a shape, or undefined when any is symbolic. */
export function staticDims(shape: Dim[] | undefined): number[] | undefined {
  if (!shape || shape.some((d) => typeof d !== 'number')) return undefined;
  return shape as number[];
}
