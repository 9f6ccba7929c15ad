/**
 * onnxruntime as the shape oracle: expose every node output as a graph output (name only), create a session
 * and read the types and shapes it infers. No shape inference of our own.
 */
import type { Dim, TensorInfo } from './model-graph';
import { GraphEditor } from './graph-edit';
import type { OrtRuntime } from '../runtime/ort-runtime';
import { onnx } from './proto';

export type ShapeMap = Map<string, TensorInfo>;

export async function inferShapes(runtime: OrtRuntime, editor: GraphEditor): Promise<ShapeMap> {
  const copy = new GraphEditor(onnx.ModelProto.decode(editor.encode()));
  for (const { name } of copy.nodeOutputs()) copy.addOutput(name);
  const session = await runtime.createSession(copy.encode(), { backend: 'wasm', optimization: 'disabled' });
  const shapes: ShapeMap = new Map();
  for (const t of [...session.inputs, ...session.outputs]) shapes.set(t.name, t);
  await session.dispose();
  return shapes;
}

/** Static dims of a shape, or undefined when any is symbolic. */
export function staticDims(shape: Dim[] | undefined): number[] | undefined {
  if (!shape || shape.some((d) => typeof d !== 'number')) return undefined;
  return shape as number[];
}
