/**
 * Batch any model: many ONNX files fix the batch dimension to 1 (the ONNX-zoo SqueezeNet), so every perturbed
 * image costs one model call. This rewrites the batch dimension of the input and outputs to a symbolic "N",
 * drops the stored intermediate shapes (they name the old batch), and fixes Reshape targets that hard-code the
 * batch as 1 (→ 0, "copy from the input", or −1 when the node sets allowzero). The caller must check the result
 * numerically (a batch of two equals two single runs) before using it: other ops can hide the batch in
 * constants (Expand, Tile, ConstantOfShape), which this does not chase.
 */
import { GraphEditor, int64Tensor } from './graph-edit';
import type { onnx } from './proto';

export interface BatchRewrite {
  bytes: Uint8Array;
  /** Reshape nodes whose target was changed. */
  reshapes: string[];
}

function batchIsOne(v: onnx.IValueInfoProto | undefined): boolean {
  const d = v?.type?.tensorType?.shape?.dim?.[0];
  return !!d && d.dimValue != null && Number(d.dimValue) === 1;
}

/** True when the model's (single) input has a fixed batch of 1. */
export function hasFixedBatchOfOne(bytes: Uint8Array): boolean {
  const editor = GraphEditor.fromBytes(bytes);
  return editor.graph.input?.length === 1 && batchIsOne(editor.graph.input[0]);
}

/**
 * Rewrite the editor's model in place: the input's and outputs' fixed batch of 1 becomes `symbol`; Reshape
 * targets with a leading 1 copy the batch instead. Returns the Reshape nodes changed, or undefined when the
 * batch is not a fixed 1 (nothing changed).
 */
export function symboliseBatch(editor: GraphEditor, symbol = 'N'): string[] | undefined {
  const input = editor.graph.input?.[0];
  if (editor.graph.input?.length !== 1 || !batchIsOne(input)) return undefined;
  const symbolic = (v: onnx.IValueInfoProto) => {
    const d = v.type?.tensorType?.shape?.dim?.[0];
    if (d && d.dimValue != null && Number(d.dimValue) === 1) {
      d.dimValue = undefined;
      d.dimParam = symbol;
    }
  };
  symbolic(input!);
  for (const o of editor.graph.output ?? []) symbolic(o);
  editor.graph.valueInfo = [];
  const reshapes: string[] = [];
  for (const n of editor.nodes) {
    if (n.opType !== 'Reshape') continue;
    const target = n.input?.[1];
    const value = target ? editor.constantValue(target) : undefined;
    if (!value || value.length < 2 || Number(value[0]) !== 1) continue;
    const allowZero = n.attribute?.some((a) => a.name === 'allowzero' && Number(a.i) === 1);
    const values = Array.from(value, Number);
    if (allowZero && values.includes(-1)) continue;
    values[0] = allowZero ? -1 : 0;
    // a fresh initializer: the old one may be shared with nodes that do not carry the batch
    n.input![1] = editor.addInitializer(int64Tensor(editor.fresh(`${target}_batched`), [values.length], values));
    reshapes.push(n.name || n.output?.[0] || 'Reshape');
  }
  return reshapes;
}

/** The rewritten model's bytes, or undefined when the batch is not a fixed 1. */
export function rewriteFixedBatch(bytes: Uint8Array, symbol = 'N'): BatchRewrite | undefined {
  const editor = GraphEditor.fromBytes(bytes);
  const reshapes = symboliseBatch(editor, symbol);
  return reshapes ? { bytes: editor.encode(), reshapes } : undefined;
}
