/**
 * Making a real-world model ready for the shape oracle and the backward graph:
 * - a dynamic height/width is fixed to the chosen input size (the batch stays symbolic), so every feature map
 *   has a size and pooling/reshape rules can be written;
 * - shape arithmetic computed at run time (Shape → Gather → Div → Concat …, as torch.onnx exports a ViT's
 *   head split or a chunk) is folded into constants once onnxruntime has evaluated it, when it depends only on
 *   shapes and not on the batch, so Slice/Gather/Reduce rules see constant indices;
 */
import { GlassboxError } from '../errors';
import { allInputs, int64Tensor, type GraphEditor } from '../onnx/graph-edit';
import type { onnx } from '../onnx/proto';
import type { ShapeMap } from '../onnx/shapes';

/**
 * Fix the model input's symbolic dims (all but the batch) to `dims` (a full input shape, batch included);
 * returns true when something was fixed. Without `dims`, symbolic spatial dims become 224.
 */
export function fixInputSize(editor: GraphEditor, dims?: number[]): boolean {
  const input = editor.graph.input?.[0];
  const shape = input?.type?.tensorType?.shape?.dim;
  if (!shape) return false;
  let fixed = false;
  shape.forEach((d, i) => {
    if (i === 0) return;
    const known = d.dimValue != null && Number(d.dimValue) > 0;
    if (known) return;
    const value = dims?.[i] ?? 224;
    if (!(Number.isInteger(value) && value > 0)) throw new GlassboxError('PARAM_INVALID', `The model's input dimension ${i} is open and no size was given for it.`);
    d.dimValue = value;
    d.dimParam = undefined;
    fixed = true;
  });
  // value_info recorded for the old symbolic size would contradict the fixed one
  if (fixed) editor.graph.valueInfo = [];
  return fixed;
}

const SHAPE_SOURCES = new Set(['Shape', 'Size']);

/**
 * Replace node inputs that are integer tensors computed from shapes alone (and equal at batch 1 and 2) with
 * constant initializers holding the values onnxruntime computed. Returns how many inputs were replaced.
 */
export function foldShapeArithmetic(editor: GraphEditor, shapes: ShapeMap): number {
  const constants = shapes.constants;
  if (!constants?.size) return 0;
  const known = new Set<string>([...(editor.graph.initializer ?? []).map((t) => t.name ?? ''), '']);
  // tensors that depend on nothing but shapes and constants
  const fromShapes = new Set<string>();
  for (const n of editor.topologicalNodes()) {
    const ins = allInputs(n).filter(Boolean);
    const pure = SHAPE_SOURCES.has(n.opType ?? '') || n.opType === 'Constant' || ins.every((i) => known.has(i) || fromShapes.has(i));
    if (pure) for (const o of n.output ?? []) fromShapes.add(o);
  }
  const replacement = new Map<string, string>();
  let replaced = 0;
  for (const n of editor.nodes) {
    if (SHAPE_SOURCES.has(n.opType ?? '')) continue;
    (n.input ?? []).forEach((name, k) => {
      if (!name || known.has(name) || !fromShapes.has(name) || editor.producer(name)?.opType === 'Constant') return;
      const value = constants.get(name);
      if (!value) return;
      let init = replacement.get(name);
      if (!init) {
        const fresh = editor.fresh(`folded_${name.replace(/[^\w]/g, '_')}`);
        init = editor.addInitializer(value.dtype === 'int32' ? int32Tensor(fresh, value.dims, value.values) : int64Tensor(fresh, value.dims, value.values));
        replacement.set(name, init);
      }
      n.input![k] = init;
      replaced++;
    });
  }
  return replaced;
}

function int32Tensor(name: string, dims: number[], values: number[]): onnx.ITensorProto {
  return { name, dims, dataType: 6, int32Data: values };
}
