/**
 * Reverse-mode differentiation as ONNX nodes. Given a model whose score tensor is S (e.g. logits [N, K]) and a
 * seed input dS (same shape), append the nodes that compute d(Σ dS⊙S)/dT for each requested tensor T, so one
 * onnxruntime session runs forward and backward together. One rule per op type (rules/); only the nodes on a
 * path from a requested tensor to S are differentiated.
 */
import { GlassboxError } from '../errors';
import { allInputs, type GraphEditor } from '../onnx/graph-edit';
import type { onnx } from '../onnx/proto';
import type { ShapeMap } from '../onnx/shapes';
import { RuleContext } from './context';
import { RULES } from './rules';

export interface BackwardRequest {
  /** The tensor whose seed-weighted sum is differentiated. */
  score: string;
  /** Tensors to differentiate with respect to (the model input, a layer's activation). */
  wrt: string[];
  shapes: ShapeMap;
  /** Name of the new seed input; its shape is the score's. */
  seedName?: string;
  /** Guided Backprop: ReLU passes back only positive gradients (Springenberg et al. 2015). */
  guidedRelu?: boolean;
}

export interface BackwardGraph {
  seed: string;
  /** wrt tensor → the graph output holding its gradient. */
  grads: Record<string, string>;
  /** Forward nodes to keep on the CPU under WebGPU. */
  cpuNodes: string[];
}

/** Op types on the path from `wrt` to `score` that have no backward rule (empty when all are covered). */
export function unsupportedOps(editor: GraphEditor, score: string, wrt: string[], shapes?: ShapeMap): string[] {
  const { nodes, breakers, reached } = activeNodes(editor, score, wrt, shapes);
  const missing = new Set<string>();
  for (const n of nodes) if (!RULES[n.opType ?? '']) missing.add(n.opType ?? '?');
  for (const b of breakers) missing.add(b.node.opType ?? '?');
  if (!missing.size && !reached.has(score)) missing.add(quantisedOp(editor) ?? 'Shape');
  return [...missing];
}

const FLOAT_TYPES = new Set(['float32', 'float16', 'float64', 'bfloat16']);
/** Control flow: a subgraph chosen or repeated at run time, which the backward graph cannot follow. */
const CONTROL_FLOW = new Set(['If', 'Loop', 'Scan']);
const SHAPE_READERS = new Set(['Shape', 'Size']);

function activeNodes(editor: GraphEditor, score: string, wrt: string[], shapes?: ShapeMap) {
  const order = editor.topologicalNodes();
  // float tensors that depend on a wrt tensor (integer shape arithmetic carries no gradient)
  const isFloat = (name: string) => !shapes?.get(name) || FLOAT_TYPES.has(shapes.get(name)!.dtype);
  const reached = new Set(wrt);
  // nodes that read a wrt-dependent float tensor but output no float one (QuantizeLinear, ArgMax, Cast to int):
  // the gradient stops there
  const cut: onnx.INodeProto[] = [];
  for (const n of order) {
    if (!allInputs(n).some((i) => reached.has(i))) continue;
    const outs = (n.output ?? []).filter(Boolean);
    // Shape/Size read only a tensor's dims: never a gradient path, never the reason one is missing
    if (CONTROL_FLOW.has(n.opType ?? '') || (!outs.some(isFloat) && !SHAPE_READERS.has(n.opType ?? ''))) cut.push(n);
    for (const o of outs) if (isFloat(o) || CONTROL_FLOW.has(n.opType ?? '')) reached.add(o);
  }
  // tensors the score depends on
  const feeds = new Set([score]);
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k];
    if ((n.output ?? []).some((o) => feeds.has(o))) for (const i of allInputs(n)) if (i) feeds.add(i);
  }
  // nodes with a float output that depends on a wrt tensor and feeds the score
  const nodes = order.filter((n) => (n.output ?? []).some((o) => feeds.has(o) && reached.has(o)) && allInputs(n).some((i) => reached.has(i)));
  const breakers = cut
    .filter((n) => (n.output ?? []).some((o) => feeds.has(o)) && !nodes.includes(n))
    .map((n) => ({ node: n, why: CONTROL_FLOW.has(n.opType ?? '') ? 'control flow' : `its output is ${shapes?.get(n.output?.[0] ?? '')?.dtype ?? 'not float'}` }));
  return { nodes, reached, feeds, breakers };
}

/** The quantising op of an int8/uint8 model (QDQ or QOperator format), if it is one. */
function quantisedOp(editor: GraphEditor): string | undefined {
  return editor.nodes.find((n) => /^(QuantizeLinear|DynamicQuantizeLinear|QLinear\w+|ConvInteger|MatMulInteger)$/.test(n.opType ?? ''))?.opType ?? undefined;
}

const nodeLabel = (n: onnx.INodeProto) => `"${n.opType}"${n.name ? ` (node "${n.name}")` : ''}`;

/** The error for nodes with no backward rule, each named with its node. */
function unsupportedError(nodes: onnx.INodeProto[], breakers: { node: onnx.INodeProto; why: string }[], from: string): GlassboxError {
  const control = [...nodes, ...breakers.map((b) => b.node)].filter((n) => CONTROL_FLOW.has(n.opType ?? ''));
  const byType = new Map<string, onnx.INodeProto>();
  for (const n of nodes) if (!byType.has(n.opType ?? '?')) byType.set(n.opType ?? '?', n);
  const parts = [...byType.values()].filter((n) => !CONTROL_FLOW.has(n.opType ?? '')).map(nodeLabel);
  const cuts = breakers.filter((b) => !CONTROL_FLOW.has(b.node.opType ?? ''));
  let message: string;
  if (control.length) {
    message = `Gradients cannot flow through the control-flow operator ${nodeLabel(control[0])}: its subgraph is chosen or repeated at run time, which the backward graph cannot follow.`;
  } else if (parts.length) {
    message = `Gradients cannot flow through ${parts.length === 1 ? 'operator' : 'operators'} ${parts.join(', ')} in this model.`;
  } else {
    const b = cuts[0];
    message = `No gradient reaches ${from}: the path to the scores goes through ${nodeLabel(b.node)}, and ${b.why}${/int8|uint8/.test(b.why) ? ' (a quantised model)' : ''}.`;
  }
  return new GlassboxError('GRADIENT_UNSUPPORTED', message, 'Use a gradient-free method (Score-CAM, Ablation-CAM, Eigen-CAM, LIME)' + (cuts.some((b) => /int8|uint8/.test(b.why)) ? ', or explain the float32 model this one was quantised from.' : '.'));
}

export function appendBackward(editor: GraphEditor, request: BackwardRequest): BackwardGraph {
  const { score, wrt, shapes } = request;
  const scoreShape = shapes.get(score)?.shape;
  if (!scoreShape) throw new GlassboxError('GRADIENT_UNSUPPORTED', `The shape of the score tensor "${score}" is unknown.`);
  for (const w of wrt) if (!shapes.has(w)) throw new GlassboxError('PARAM_INVALID', `There is no tensor "${w}" in this model.`);
  const { nodes, reached, feeds, breakers } = activeNodes(editor, score, wrt, shapes);
  for (const w of wrt) {
    if (!feeds.has(w)) throw new GlassboxError('PARAM_INVALID', `The model's scores do not depend on "${w}".`);
  }
  const missing = nodes.filter((n) => !RULES[n.opType ?? '']);
  // a cut only matters when nothing else carries the gradient to the score
  const from = wrt.length === 1 && wrt[0] === editor.inputNames[0] ? 'the input' : wrt.map((w) => `"${w}"`).join(' and ');
  if (missing.length || (breakers.length && !reached.has(score))) throw unsupportedError(missing, breakers, from);
  if (!reached.has(score)) {
    // the score reads the tensor's dims (Shape) but none of its values
    const quantised = quantisedOp(editor);
    throw new GlassboxError(
      'GRADIENT_UNSUPPORTED',
      `No gradient reaches ${from}: the scores depend on it only through its shape, not its values${quantised ? ` (this is a quantised model: its layers compute on integers, from "${quantised}" on)` : ''}.`,
      quantised ? 'Use a gradient-free method (Score-CAM, Ablation-CAM, Eigen-CAM, LIME), or explain the float32 model this one was quantised from.' : 'Pick another layer, or use a gradient-free method.',
    );
  }

  const seed = request.seedName ?? editor.fresh('grad_seed');
  editor.addInput(seed, scoreShape);
  const contributions = new Map<string, string[]>([[score, [seed]]]);
  const total = (name: string): string | undefined => {
    const parts = contributions.get(name);
    if (!parts?.length) return undefined;
    if (parts.length === 1) return parts[0];
    const sum = editor.addNode('Sum', parts, [], 1, 'grad_sum')[0];
    contributions.set(name, [sum]);
    return sum;
  };
  const cpuNodes: string[] = [];
  const opset = editor.opsetVersion('');
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k];
    const outputGrads = (node.output ?? []).map((o) => (o ? total(o) : undefined));
    if (outputGrads.every((g) => g === undefined)) continue;
    const ctx = new RuleContext(editor, node, shapes, outputGrads, (name) => reached.has(name) && feeds.has(name), opset, { guidedRelu: !!request.guidedRelu }, cpuNodes);
    RULES[node.opType ?? ''](ctx);
    for (const [i, grad] of ctx.results()) {
      const name = node.input?.[i] ?? '';
      if (!contributions.has(name)) contributions.set(name, []);
      contributions.get(name)!.push(grad);
    }
  }
  const grads: Record<string, string> = {};
  for (const w of wrt) {
    const g = total(w);
    if (!g) throw new GlassboxError('PARAM_INVALID', `No gradient reaches "${w}".`);
    const out = editor.fresh(`grad_of_${w.replace(/[^\w]/g, '_')}`);
    editor.addNode('Identity', [g], [], [out]);
    editor.addOutput(out);
    grads[w] = out;
  }
  return { seed, grads, cpuNodes };
}

export type Rule = (ctx: RuleContext) => void;
export type { onnx };
