/**
 * A model's parameter count, as model-summary tools report it (torchinfo, keras' count_params): every weight the
 * file stores, i.e. the element counts of the graph's initializers (dense, and the stored values of sparse ones),
 * subgraphs included. Constant nodes are not counted (exporters fold weights into initializers).
 */
import { decodeModel } from './model-graph';
import type { onnx } from './proto';

const elements = (dims: readonly unknown[] | null | undefined) => (dims ?? []).reduce<number>((n, d) => n * Number(d), 1);

function graphParameters(graph: onnx.IGraphProto | null | undefined): number {
  if (!graph) return 0;
  let count = 0;
  for (const t of graph.initializer ?? []) count += elements(t.dims);
  for (const s of graph.sparseInitializer ?? []) count += elements(s.values?.dims);
  // If/Loop/Scan bodies hold their own initializers
  for (const node of graph.node ?? []) for (const a of node.attribute ?? []) count += graphParameters(a.g) + (a.graphs ?? []).reduce((n, g) => n + graphParameters(g), 0);
  return count;
}

/** The number of stored weights of a decoded model (functions' bodies have no initializers). */
export function parameterCount(model: { graph?: onnx.IGraphProto | null }): number {
  return graphParameters(model.graph);
}

/** The parameter count of an ONNX file's bytes (throws the same readable errors as readModelInfo for a bad file). */
export function parameterCountOfBytes(bytes: Uint8Array): number {
  return parameterCount(decodeModel(bytes));
}
