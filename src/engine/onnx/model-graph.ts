import { GlassboxError } from '../errors';
import { foreignModelError, foreignModelFormatFromBytes } from '../intake/export-guidance';
import { onnx, type ModelProto } from './proto';

export type Dim = number | string;

export interface TensorInfo {
  name: string;
  /** ONNX element type name, e.g. 'float32', 'int64'. */
  dtype: string;
  /** Undefined when the file declares no shape. Symbolic dims are strings ('batch'); unknown ones '?'. */
  shape?: Dim[];
}

/** What Glassbox reads from the ONNX file itself (onnxruntime reports the rest). */
export interface ModelGraphInfo {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: string;
  /** Graph inputs that are real inputs: old-IR files also list every initializer as an input. */
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  metadata: Record<string, string>;
  nodeCount: number;
  opTypeCounts: Record<string, number>;
  /** The op that produces the first output, looking through shape-only ops (Flatten, Reshape, Squeeze, Identity). */
  finalOpType?: string;
  /** Any float16 input, output or weight: WebGPU then needs the shader-f16 feature. */
  usesFloat16: boolean;
  /** Layout implied by the graph: a Transpose(0,3,1,2) right after the input means NHWC (tf2onnx/Keras). */
  layoutFromGraph?: 'NCHW' | 'NHWC';
}

const ELEMENT_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

export function decodeModel(bytes: Uint8Array): ModelProto {
  if (bytes.byteLength === 0) {
    throw new GlassboxError('MODEL_EMPTY', 'The model file is empty (0 bytes).', 'Check that the export finished and the file was copied completely.');
  }
  let model: ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw notOnnx(bytes, `The ONNX (protobuf) reader stopped: ${(e as Error).message}.`);
  }
  if (!model.graph || !model.irVersion) throw notOnnx(bytes, `The file parses as protobuf but has no ${model.graph ? 'IR version' : 'graph'}: it is not an ONNX ModelProto.`);
  return model;
}

/** Not ONNX: a known other model format gets its conversion recipe; anything else, the plain refusal. */
function notOnnx(bytes: Uint8Array, detail: string): GlassboxError {
  const format = foreignModelFormatFromBytes(bytes);
  if (format) return foreignModelError(format, undefined, detail);
  return new GlassboxError(
    'MODEL_UNREADABLE',
    'This file is not a readable ONNX model: it may be cut short, damaged, or saved in another format.',
    'Export the model to ONNX again (torch.onnx.export, or tf2onnx for Keras/TensorFlow: see “Exporting to ONNX” in the README) and open the .onnx file; if it was downloaded or copied, check that the copy finished.',
    detail,
  );
}

function tensorInfo(v: onnx.IValueInfoProto): TensorInfo {
  const tt = v.type?.tensorType;
  const dtype = tt ? (ELEMENT_TYPES[tt.elemType ?? 0] ?? `type ${tt.elemType}`) : v.type?.sequenceType ? 'sequence' : v.type?.mapType ? 'map' : 'unknown';
  const shape = tt?.shape?.dim?.map((d): Dim => (d.dimValue != null && Number(d.dimValue) > 0 ? Number(d.dimValue) : d.dimParam || '?'));
  return { name: v.name ?? '', dtype, shape: tt?.shape ? shape : undefined };
}

const SHAPE_ONLY = new Set(['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout', 'Cast']);
const ELEMENTWISE_PREFIX = new Set(['Cast', 'Mul', 'Add', 'Sub', 'Div', 'Identity']);

export function summarizeModel(model: ModelProto): ModelGraphInfo {
  const graph = model.graph!;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  for (const s of graph.sparseInitializer ?? []) if (s.values?.name) initializers.add(s.values.name);
  const nodes = graph.node ?? [];
  const producer = new Map<string, onnx.INodeProto>();
  const consumers = new Map<string, onnx.INodeProto[]>();
  const opTypeCounts: Record<string, number> = {};
  for (const n of nodes) {
    const op = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType ?? '?';
    opTypeCounts[op] = (opTypeCounts[op] ?? 0) + 1;
    for (const o of n.output ?? []) producer.set(o, n);
    for (const i of n.input ?? []) {
      if (!consumers.has(i)) consumers.set(i, []);
      consumers.get(i)!.push(n);
    }
  }
  const inputs = (graph.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(tensorInfo);
  const outputs = (graph.output ?? []).map(tensorInfo);

  let finalOpType: string | undefined;
  let cursor = outputs[0] ? producer.get(outputs[0].name) : undefined;
  while (cursor && SHAPE_ONLY.has(cursor.opType ?? '')) cursor = producer.get(cursor.input?.[0] ?? '');
  if (cursor) finalOpType = cursor.opType ?? undefined;

  let layoutFromGraph: ModelGraphInfo['layoutFromGraph'];
  if (inputs.length === 1) {
    // Walk forward through elementwise preprocessing (normalisation baked in) to the first structural op.
    let frontier = consumers.get(inputs[0].name) ?? [];
    for (let depth = 0; depth < 8 && frontier.length && !layoutFromGraph; depth++) {
      const next: onnx.INodeProto[] = [];
      for (const n of frontier) {
        if (n.opType === 'Transpose') {
          const perm = n.attribute?.find((a) => a.name === 'perm')?.ints?.map(Number);
          if (perm?.join() === '0,3,1,2') layoutFromGraph = 'NHWC';
          else if (perm?.join() === '0,2,3,1') layoutFromGraph = 'NCHW';
        } else if (['Conv', 'QLinearConv', 'ConvInteger', 'MaxPool', 'AveragePool', 'BatchNormalization'].includes(n.opType ?? '')) {
          layoutFromGraph = 'NCHW';
        } else if (ELEMENTWISE_PREFIX.has(n.opType ?? '') || n.opType === 'QuantizeLinear') {
          for (const o of n.output ?? []) next.push(...(consumers.get(o) ?? []));
        }
      }
      frontier = next;
    }
  }

  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';

  const FLOAT16 = 10;
  const usesFloat16 =
    [...inputs, ...outputs].some((t) => t.dtype === 'float16') || (graph.initializer ?? []).some((t) => t.dataType === FLOAT16);

  return {
    irVersion: Number(model.irVersion),
    opsets: (model.opsetImport ?? []).map((o) => ({ domain: o.domain || 'ai.onnx', version: Number(o.version) })),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    inputs,
    outputs,
    metadata,
    nodeCount: nodes.length,
    opTypeCounts,
    finalOpType,
    usesFloat16,
    layoutFromGraph,
  };
}
