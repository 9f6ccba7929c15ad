/**
 * Re-initialising a model's learned weights, layer by layer from the output down, for the model-parameter
 * randomisation test of Adebayo et al. 2018 ("Sanity Checks for Saliency Maps", cascading randomisation).
 *
 * Conventions, chosen once here:
 * - A *parameter layer* is a node whose weight is an initializer of a float type (float32, float16, float64):
 *   Conv, ConvTranspose, Gemm, MatMul (weight + the bias of an Add that only follows it, as torch exports Linear on
 *   3-D input), BatchNormalization and LayerNormalization / InstanceNormalization (scale and bias). Weights stored in
 *   Constant nodes, quantized weights and anything else (position embeddings, Reshape targets, shape tensors,
 *   BatchNorm's running statistics) are never touched.
 * - Order: reverse topological, so layer 0 is the one nearest the output (the logits layer) and the last one the
 *   first layer after the input — the order of the paper's cascade. A weight shared by several nodes belongs to the
 *   one nearest the output.
 * - New values follow the usual initial distribution of the layer (the paper re-initialises each layer "from its
 *   initial distribution"): weights He/Kaiming-normal N(0, 2 / fan_in) (the scale that keeps ReLU activations from
 *   shrinking or exploding, so the randomised net still gives usable maps), biases PyTorch's default
 *   U(−1/√fan_in, 1/√fan_in) (random, so every listed tensor really changes); normalisation layers reset to
 *   PyTorch's initial values, scale 1 and bias 0.
 * - Seeding: each layer draws from its own generator seeded by (seed, layer index), so the cascade is nested: the
 *   model with the top k + 1 layers randomised has exactly the top k layers of the model with k randomised.
 * - Shapes, data types and the storage form are kept: float16 weights are written as float16 (raw little-endian bytes).
 */
import { GlassboxError } from '../errors';
import { float32ToFloat16Bits } from '../math/float16';
import { createRng } from '../math/rng';
import { GraphEditor, numAttr } from './graph-edit';
import { onnx } from './proto';

const FLOAT = 1, FLOAT16 = 10, DOUBLE = 11;
const FLOAT_TYPES = new Set([FLOAT, FLOAT16, DOUBLE]);

export type ParameterRole = 'weight' | 'bias' | 'scale';

export interface ParameterLayer {
  /** The node's name, or `<opType>#<index in the graph>` when it has none. */
  name: string;
  opType: string;
  /** The initializers this layer owns, weight (or scale) first. */
  initializers: { name: string; role: ParameterRole; dims: number[]; dataType: number }[];
  /** Inputs per output unit, used for the weight's and bias's scale (1 for normalisation layers). */
  fanIn: number;
}

const prod = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/** The model's parameter layers, the one nearest the output first (see the file header). */
export function parameterLayers(modelBytes: Uint8Array): ParameterLayer[] {
  return layersOf(GraphEditor.fromBytes(modelBytes));
}

function layersOf(editor: GraphEditor): ParameterLayer[] {
  const inits = new Map((editor.graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const floatInit = (name: string | undefined) => {
    const t = name ? inits.get(name) : undefined;
    return t && FLOAT_TYPES.has(t.dataType ?? 0) ? t : undefined;
  };
  const consumers = new Map<string, onnx.INodeProto[]>();
  for (const n of editor.nodes) for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const index = new Map(editor.nodes.map((n, i) => [n, i]));
  const owned = new Set<string>();
  const layers: ParameterLayer[] = [];

  for (const node of [...editor.topologicalNodes()].reverse()) {
    const op = node.opType ?? '';
    if (node.domain && node.domain !== 'ai.onnx') continue;
    const ins = node.input ?? [];
    const parts: { t: onnx.ITensorProto; role: ParameterRole }[] = [];
    let fanIn = 1;
    if (op === 'Conv' || op === 'ConvTranspose') {
      const w = floatInit(ins[1]);
      if (!w) continue;
      const dims = (w.dims ?? []).map(Number);
      // torch's fan_in: dim 1 × kernel area, for Conv ([M, C/g, k…]) and ConvTranspose ([C, M/g, k…]) alike
      fanIn = (dims[1] ?? 1) * prod(dims.slice(2));
      parts.push({ t: w, role: 'weight' });
      const b = floatInit(ins[2]);
      if (b) parts.push({ t: b, role: 'bias' });
    } else if (op === 'Gemm') {
      const w = floatInit(ins[1]);
      if (!w || floatInit(ins[0])) continue; // both operands constant: not a layer applied to data
      const dims = (w.dims ?? []).map(Number);
      fanIn = numAttr(node, 'transB', 0) ? dims[1] : dims[0];
      parts.push({ t: w, role: 'weight' });
      const c = floatInit(ins[2]);
      if (c) parts.push({ t: c, role: 'bias' });
    } else if (op === 'MatMul') {
      const w = floatInit(ins[1]);
      if (!w || floatInit(ins[0]) || (w.dims ?? []).length < 2) continue;
      const dims = (w.dims ?? []).map(Number);
      fanIn = dims[dims.length - 2];
      parts.push({ t: w, role: 'weight' });
      // Linear on 3-D input exports as MatMul then Add(bias, ·) (either order): the bias is this layer's when the
      // Add is the MatMul's only consumer and the constant is one value per output unit
      const next = consumers.get(node.output?.[0] ?? '') ?? [];
      if (next.length === 1 && next[0].opType === 'Add') {
        const other = (next[0].input ?? []).find((i) => i !== node.output?.[0]);
        const b = floatInit(other);
        if (b && prod((b.dims ?? []).map(Number)) === dims[dims.length - 1]) parts.push({ t: b, role: 'bias' });
      }
    } else if (op === 'BatchNormalization' || op === 'LayerNormalization' || op === 'InstanceNormalization') {
      const scale = floatInit(ins[1]);
      const bias = floatInit(ins[2]);
      if (scale) parts.push({ t: scale, role: 'scale' });
      if (bias) parts.push({ t: bias, role: 'bias' });
      if (!parts.length) continue;
    } else continue;

    const mine = parts.filter((p) => !owned.has(p.t.name ?? ''));
    if (!mine.length) continue;
    for (const p of mine) owned.add(p.t.name ?? '');
    layers.push({
      name: node.name || `${op}#${index.get(node)}`,
      opType: op,
      initializers: mine.map((p) => ({ name: p.t.name ?? '', role: p.role, dims: (p.t.dims ?? []).map(Number), dataType: p.t.dataType ?? 0 })),
      fanIn: Math.max(1, fanIn),
    });
  }
  return layers;
}

/** One generator per (seed, layer): a 32-bit mix of both, so nearby seeds and layers give unrelated streams. */
function layerSeed(seed: number, layer: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13) ^ Math.imul(layer + 1, 0xc2b2ae35), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function newValues(layer: ParameterLayer, role: ParameterRole, count: number, rng: ReturnType<typeof createRng>): Float64Array {
  const out = new Float64Array(count);
  const norm = layer.opType.endsWith('Normalization');
  if (norm) return out.fill(role === 'scale' ? 1 : 0);
  if (role === 'weight') {
    const std = Math.sqrt(2 / layer.fanIn);
    for (let i = 0; i < count; i++) out[i] = std * rng.normal();
  } else {
    const bound = 1 / Math.sqrt(layer.fanIn);
    for (let i = 0; i < count; i++) out[i] = (2 * rng.float() - 1) * bound;
  }
  return out;
}

/** Overwrite a tensor's values in its own data type, as raw little-endian bytes; shape and name unchanged. */
function writeValues(t: onnx.ITensorProto, values: Float64Array): void {
  const dt = t.dataType ?? 0;
  let raw: Uint8Array;
  if (dt === FLOAT) raw = new Uint8Array(Float32Array.from(values).buffer);
  else if (dt === FLOAT16) raw = new Uint8Array(float32ToFloat16Bits(Float32Array.from(values)).buffer);
  else if (dt === DOUBLE) raw = new Uint8Array(Float64Array.from(values).buffer);
  else throw new GlassboxError('MODEL_UNSUPPORTED', `Weight "${t.name}" has data type ${dt}; only float weights can be re-initialised.`);
  // Node and browsers are little-endian, as ONNX raw data is
  t.rawData = raw;
  t.floatData = [];
  t.int32Data = [];
  t.doubleData = [];
}

/**
 * A copy of the model with the parameter layers at the given indices (into `parameterLayers`) re-initialised; every
 * other tensor is left exactly as it was.
 */
export function randomiseLayers(modelBytes: Uint8Array, layerIndices: readonly number[], seed: number): Uint8Array {
  const editor = GraphEditor.fromBytes(modelBytes);
  const layers = layersOf(editor);
  for (const i of layerIndices) {
    if (!Number.isInteger(i) || i < 0 || i >= layers.length) {
      throw new GlassboxError('PARAM_INVALID', `There is no parameter layer ${i}: this model has ${layers.length} (numbered 0 from the output).`);
    }
  }
  for (const i of [...new Set(layerIndices)].sort((a, b) => a - b)) {
    const layer = layers[i];
    const rng = createRng(layerSeed(seed, i));
    for (const p of layer.initializers) {
      const t = editor.initializer(p.name)!;
      if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
        throw new GlassboxError('MODEL_UNSUPPORTED', `Weight "${p.name}" is stored outside the .onnx file; it cannot be re-initialised.`, 'Save the model with its weights inside the file (onnx.save_model(..., save_as_external_data=False)).');
      }
      writeValues(t, newValues(layer, p.role, prod(p.dims), rng));
    }
  }
  // keep the graph as the file had it: the editor only dropped initializer-inputs of old IR versions
  return editor.encode();
}

/** A copy of the model with its top `upTo` parameter layers (those nearest the output) re-initialised. */
export function randomiseCascade(modelBytes: Uint8Array, upTo: number, seed: number): Uint8Array {
  const count = parameterLayers(modelBytes).length;
  if (!Number.isInteger(upTo) || upTo < 0 || upTo > count) {
    throw new GlassboxError('PARAM_INVALID', `Cannot randomise the top ${upTo} layers: this model has ${count} parameter layers.`);
  }
  return randomiseLayers(modelBytes, Array.from({ length: upTo }, (_, i) => i), seed);
}
