/**
 * Checks a backward graph against central finite differences: build a tiny graph, append our backward nodes,
 * run forward+backward in onnxruntime-web (Node, WASM), and compare d(Σ seed⊙Y)/dX with
 * (S(x + ε·e_j) − S(x − ε·e_j)) / 2ε on sampled coordinates.
 */
import { createNodeRuntime } from '../../src/cli/ort-node';
import { appendBackward } from '../../src/engine/grad/backward';
import { GraphEditor, makeAttr, valueInfo, type AttrValue } from '../../src/engine/onnx/graph-edit';
import { onnx } from '../../src/engine/onnx/proto';
import { inferShapes } from '../../src/engine/onnx/shapes';
import { createRng } from '../../src/engine/math/rng';

export const runtime = createNodeRuntime(1);

export interface OpNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrValue>;
  /** attribute names to encode as FLOAT(S) */
  floats?: string[];
}

export interface GradCase {
  /** Differentiable float inputs and their dims. */
  inputs: { name: string; dims: number[]; values?: Float32Array }[];
  /** Constant tensors (weights, shapes): float32 arrays or int64 lists. */
  constants?: { name: string; dims: number[]; values: Float32Array | number[] }[];
  nodes: OpNode[];
  output: string;
  opset?: number;
  /** Keep random inputs at least this far from 0 (ops with a kink at 0). */
  awayFromZero?: number;
  seed?: number;
}

export function buildModel(c: GradCase): Uint8Array {
  const initializer = (c.constants ?? []).map((t) =>
    t.values instanceof Float32Array
      ? { name: t.name, dims: t.dims, dataType: 1, rawData: new Uint8Array(t.values.buffer.slice(0)) }
      : { name: t.name, dims: t.dims, dataType: 7, int64Data: t.values },
  );
  const graph = onnx.GraphProto.create({
    name: 'case',
    node: c.nodes.map((n) =>
      onnx.NodeProto.create({
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        name: `${n.op}_${n.outputs[0]}`,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => makeAttr(k, v, n.floats?.includes(k))),
      }),
    ),
    initializer,
    input: c.inputs.map((i) => valueInfo(i.name, i.dims)),
    output: [onnx.ValueInfoProto.create({ name: c.output })],
  });
  const model = onnx.ModelProto.create({ irVersion: 8, producerName: 'glassbox-tests', opsetImport: [{ domain: '', version: c.opset ?? 17 }], graph });
  return onnx.ModelProto.encode(model).finish();
}

export interface GradCheck {
  analytic: Record<string, Float32Array>;
  numeric: Record<string, Float64Array>;
  /** coordinates checked per input */
  checked: Record<string, number[]>;
  maxAbsError: number;
  maxAbsGrad: number;
}

/** Run the check; returns the analytic gradient, the finite differences and the worst error. */
export async function gradCheck(c: GradCase, { eps = 1e-2, samples = 48 } = {}): Promise<GradCheck> {
  const rng = createRng(c.seed ?? 7);
  const values: Record<string, Float32Array> = {};
  for (const i of c.inputs) {
    const n = i.dims.reduce((a, b) => a * b, 1);
    values[i.name] =
      i.values ??
      Float32Array.from({ length: n }, () => {
        let v = rng.float() * 2 - 1;
        if (c.awayFromZero) v = Math.sign(v || 1) * (c.awayFromZero + Math.abs(v));
        return v;
      });
  }
  const bytes = buildModel(c);
  const forward = await runtime.createSession(bytes, { backend: 'wasm' });
  const feeds = () => Object.fromEntries(c.inputs.map((i) => [i.name, { data: values[i.name], dims: i.dims }]));
  const base = await forward.run(feeds(), [c.output]);
  const outDims = base[c.output].dims;
  const seedValues = Float32Array.from({ length: base[c.output].data.length }, () => rng.float() * 2 - 1);

  const editor = GraphEditor.fromBytes(bytes);
  const shapes = await inferShapes(runtime, editor);
  const backward = appendBackward(editor, { score: c.output, wrt: c.inputs.map((i) => i.name), shapes });
  const session = await runtime.createSession(editor.encode(), { backend: 'wasm' });
  const out = await session.run({ ...feeds(), [backward.seed]: { data: seedValues, dims: outDims } }, Object.values(backward.grads));
  const analytic: Record<string, Float32Array> = {};
  for (const i of c.inputs) analytic[i.name] = out[backward.grads[i.name]].data;

  const score = async () => {
    const y = (await forward.run(feeds(), [c.output]))[c.output].data;
    let s = 0;
    for (let j = 0; j < y.length; j++) s += y[j] * seedValues[j];
    return s;
  };
  const numeric: Record<string, Float64Array> = {};
  const checked: Record<string, number[]> = {};
  let maxAbsError = 0, maxAbsGrad = 0;
  for (const i of c.inputs) {
    const x = values[i.name];
    const coords = x.length <= samples ? [...x.keys()] : Array.from({ length: samples }, () => Math.floor(rng.float() * x.length));
    numeric[i.name] = new Float64Array(x.length).fill(Number.NaN);
    checked[i.name] = coords;
    for (const j of coords) {
      const keep = x[j];
      x[j] = keep + eps;
      const plus = await score();
      x[j] = keep - eps;
      const minus = await score();
      x[j] = keep;
      const fd = (plus - minus) / (2 * eps);
      numeric[i.name][j] = fd;
      maxAbsError = Math.max(maxAbsError, Math.abs(fd - analytic[i.name][j]));
      maxAbsGrad = Math.max(maxAbsGrad, Math.abs(fd));
    }
  }
  await forward.dispose();
  await session.dispose();
  return { analytic, numeric, checked, maxAbsError, maxAbsGrad };
}
