/**
 * Reverse-mode differentiation as ONNX nodes. Given a model whose score tensor is S (e.g. logits [N, K]) and a
 * seed input dS (same shape), append the nodes that compute d(Σ dS⊙S)/dT for each requested tensor T, so one
 * onnxruntime session runs forward and backward together. One rule per op type (rules/); only the nodes on a
 * path from a requested tensor to S are differentiated.
 */
import { GlassboxError } from '../errors';
import type { GraphEditor } from '../onnx/graph-edit';
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
  const missing = new Set<string>();
  for (const n of activeNodes(editor, score, wrt, shapes).nodes) if (!RULES[n.opType ?? '']) missing.add(n.opType ?? '?');
  return [...missing];
}

const FLOAT_TYPES = new Set(['float32', 'float16', 'float64', 'bfloat16']);

function activeNodes(editor: GraphEditor, score: string, wrt: string[], shapes?: ShapeMap) {
  const order = editor.topologicalNodes();
  // float tensors that depend on a wrt tensor (integer shape arithmetic carries no gradient)
  const isFloat = (name: string) => !shapes?.get(name) || FLOAT_TYPES.has(shapes.get(name)!.dtype);
  const reached = new Set(wrt);
  for (const n of order) if ((n.input ?? []).some((i) => reached.has(i))) for (const o of n.output ?? []) if (o && isFloat(o)) reached.add(o);
  // tensors the score depends on
  const feeds = new Set([score]);
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k];
    if ((n.output ?? []).some((o) => feeds.has(o))) for (const i of n.input ?? []) if (i) feeds.add(i);
  }
  // nodes with a float output that depends on a wrt tensor and feeds the score
  const nodes = order.filter((n) => (n.output ?? []).some((o) => feeds.has(o) && reached.has(o)) && (n.input ?? []).some((i) => reached.has(i)));
  return { nodes, reached, feeds };
}

export function appendBackward(editor: GraphEditor, request: BackwardRequest): BackwardGraph {
  const { score, wrt, shapes } = request;
  const scoreShape = shapes.get(score)?.shape;
  if (!scoreShape) throw new GlassboxError('GRADIENT_UNSUPPORTED', `The shape of the score tensor "${score}" is unknown.`);
  for (const w of wrt) if (!shapes.has(w)) throw new GlassboxError('PARAM_INVALID', `There is no tensor "${w}" in this model.`);
  const { nodes, reached, feeds } = activeNodes(editor, score, wrt, shapes);
  for (const w of wrt) {
    if (!feeds.has(w)) throw new GlassboxError('PARAM_INVALID', `The model's scores do not depend on "${w}".`);
  }
  const missing = [...new Set(nodes.filter((n) => !RULES[n.opType ?? '']).map((n) => n.opType ?? '?'))];
  if (missing.length) {
    throw new GlassboxError(
      'GRADIENT_UNSUPPORTED',
      `Gradients cannot flow through ${missing.length === 1 ? 'operator' : 'operators'} ${missing.map((m) => `"${m}"`).join(', ')} in this model.`,
      'Use a gradient-free method (Score-CAM, Ablation-CAM, Eigen-CAM, LIME).',
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
