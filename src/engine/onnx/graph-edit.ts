/**
 * Editing an ONNX graph: list and add nodes, initializers and outputs, extract the part after a tensor,
 * normalise auto_pad, and re-encode. Works on the codec generated from the current onnx.proto, so re-encoding
 * keeps every field (unknown ones included).
 */
import { GlassboxError } from '../errors';
import { decodeModel } from './model-graph';
import { onnx, type ModelProto } from './proto';

/** Initializers at least this large are handed to a session as external data (encodeForSession). */
export const EXTERNAL_MIN_BYTES = 4096;

export const FLOAT = 1;
export const INT64 = 7;

type Attr = onnx.IAttributeProto;
export type AttrValue = number | number[] | string | Float32Array;

/** An attribute for a new node: integers (or integer lists) are INT(S) unless `floatAttrs` names them. */
export function makeAttr(name: string, value: AttrValue, asFloat = false): Attr {
  const AT = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: AT.STRING, s: Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff) };
  if (value instanceof Float32Array) return { name, type: AT.FLOATS, floats: Array.from(value) };
  if (Array.isArray(value)) return asFloat ? { name, type: AT.FLOATS, floats: value } : { name, type: AT.INTS, ints: value };
  return asFloat ? { name, type: AT.FLOAT, f: value } : { name, type: AT.INT, i: value };
}

/** Read an attribute of a node, or `fallback` when absent. */
export function attr<T extends AttrValue | undefined>(node: onnx.INodeProto, name: string, fallback: T): number | number[] | string | T {
  const a = node.attribute?.find((x) => x.name === name);
  if (!a) return fallback;
  const AT = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case AT.INT:
      return Number(a.i);
    case AT.FLOAT:
      return Number(a.f);
    case AT.INTS:
      return (a.ints ?? []).map(Number);
    case AT.FLOATS:
      return (a.floats ?? []).map(Number);
    case AT.STRING:
      return String.fromCharCode(...(a.s ?? []));
    default:
      return fallback;
  }
}

export function intsAttr(node: onnx.INodeProto, name: string, fallback: number[] | undefined): number[] | undefined {
  const v = attr(node, name, fallback);
  return Array.isArray(v) ? v : fallback;
}

export function numAttr(node: onnx.INodeProto, name: string, fallback: number): number {
  const v = attr(node, name, fallback);
  return typeof v === 'number' ? v : fallback;
}

export function strAttr(node: onnx.INodeProto, name: string, fallback: string): string {
  const v = attr(node, name, fallback);
  return typeof v === 'string' ? v : fallback;
}

/** The values of a constant tensor (initializer or Constant), as numbers; float types as Float32Array. */
export function tensorValues(t: onnx.ITensorProto): Float32Array | number[] {
  const dt = t.dataType ?? 0;
  const count = (t.dims ?? []).map(Number).reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length ? new Uint8Array(t.rawData) : undefined;
  if (dt === FLOAT) {
    if (raw) return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4).slice();
    return Float32Array.from(t.floatData ?? []);
  }
  if (dt === INT64) {
    if (raw) {
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return Array.from({ length: raw.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
    }
    return (t.int64Data ?? []).map(Number);
  }
  if (dt === 6) return raw ? Array.from(new Int32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))) : (t.int32Data ?? []).map(Number);
  if (dt === 11) return raw ? Array.from(new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))) : (t.doubleData ?? []).map(Number);
  throw new GlassboxError('MODEL_UNSUPPORTED', `Constant tensor "${t.name}" has data type ${dt}, which Glassbox cannot read (${count} values).`);
}

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  const data = Float32Array.from(values);
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) };
}

export function int64Tensor(name: string, dims: number[], values: number[]): onnx.ITensorProto {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims, dataType: INT64, rawData: bytes };
}

/** A node's inputs including the outer tensors its subgraphs (If/Loop/Scan bodies) read by name. */
export function allInputs(n: onnx.INodeProto): string[] {
  if (!n.attribute?.some((a) => a.g || a.graphs?.length)) return n.input ?? [];
  const outer = new Set<string>(n.input ?? []);
  const visit = (g: onnx.IGraphProto, local: Set<string>) => {
    for (const v of g.input ?? []) local.add(v.name ?? '');
    for (const t of g.initializer ?? []) local.add(t.name ?? '');
    for (const m of g.node ?? []) {
      for (const i of m.input ?? []) if (i && !local.has(i)) outer.add(i);
      for (const a of m.attribute ?? []) for (const sub of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) visit(sub, new Set(local));
      for (const o of m.output ?? []) local.add(o);
    }
  };
  for (const a of n.attribute ?? []) for (const sub of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) visit(sub, new Set());
  return [...outer];
}

/**
 * A mutable view of a model's main graph with name bookkeeping. Old-IR files that list initializers as graph
 * inputs are normalised on load (those inputs dropped), so every consumer sees one convention.
 */
export class GraphEditor {
  readonly model: ModelProto;
  private readonly names = new Set<string>();
  private counter = 0;

  constructor(model: ModelProto) {
    this.model = model;
    const g = this.graph;
    const initNames = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
    const before = (g.input ?? []).length;
    g.input = (g.input ?? []).filter((v) => !initNames.has(v.name ?? ''));
    // Below IR 4 every initializer had to be an input too; onnxruntime still insists for those versions.
    if (g.input.length !== before && Number(model.irVersion) < 4) model.irVersion = 4;
    this.collectNames(g);
  }

  /** Every name in a graph and its subgraphs (If/Loop/Scan bodies): fresh names must shadow none. */
  private collectNames(g: onnx.IGraphProto): void {
    for (const n of g.node ?? []) {
      for (const o of n.output ?? []) this.names.add(o);
      for (const i of n.input ?? []) this.names.add(i);
      if (n.name) this.names.add(n.name);
      for (const a of n.attribute ?? []) {
        if (a.g) this.collectNames(a.g);
        for (const sub of a.graphs ?? []) this.collectNames(sub);
      }
    }
    for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) this.names.add(v.name ?? '');
    for (const t of g.initializer ?? []) this.names.add(t.name ?? '');
  }

  static fromBytes(bytes: Uint8Array): GraphEditor {
    return new GraphEditor(decodeModel(bytes));
  }

  /**
   * An independent editor over the same weights without re-encoding them: the model, graph, lists and nodes are
   * copied (edits add nodes, inputs, outputs and initializers, or replace a node's lists), initializer tensors and
   * attributes are shared (never edited in place). A fraction of encode + decode for a model with large weights.
   */
  clone(): GraphEditor {
    const g = this.graph;
    const graph = onnx.GraphProto.create({
      ...g,
      node: this.nodes.map((n) => onnx.NodeProto.create({ ...n, input: [...(n.input ?? [])], output: [...(n.output ?? [])], attribute: [...(n.attribute ?? [])] })),
      initializer: [...(g.initializer ?? [])],
      input: [...(g.input ?? [])],
      output: [...(g.output ?? [])],
      valueInfo: [...(g.valueInfo ?? [])],
    });
    return new GraphEditor(onnx.ModelProto.create({ ...this.model, graph, opsetImport: [...(this.model.opsetImport ?? [])] }));
  }

  get graph(): onnx.GraphProto {
    return this.model.graph as onnx.GraphProto;
  }

  get nodes(): onnx.INodeProto[] {
    return this.graph.node ?? [];
  }

  /** The graph's real inputs (initializers excluded). */
  get inputNames(): string[] {
    return (this.graph.input ?? []).map((v) => v.name ?? '');
  }

  get outputNames(): string[] {
    return (this.graph.output ?? []).map((v) => v.name ?? '');
  }

  opsetVersion(domain = ''): number {
    const o = (this.model.opsetImport ?? []).find((x) => (x.domain ?? '') === domain || (domain === '' && x.domain === 'ai.onnx'));
    return o ? Number(o.version) : 0;
  }

  /** Raise the default-domain opset (ops used by backward graphs need ≥ 16 for ScatterElements' reduction). */
  ensureOpset(version: number): void {
    const o = (this.model.opsetImport ?? []).find((x) => !x.domain || x.domain === 'ai.onnx');
    if (o && Number(o.version) < version) {
      throw new GlassboxError(
        'MODEL_UNSUPPORTED',
        `This model uses ONNX opset ${Number(o.version)}; gradients need opset ${version} or newer.`,
        'Re-export the model with a newer opset (e.g. torch.onnx.export(..., opset_version=17)), or use the gradient-free methods.',
      );
    }
    if (!o) this.model.opsetImport = [...(this.model.opsetImport ?? []), { domain: '', version }];
  }

  /** A name not yet used anywhere in the graph. */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}__gb${this.counter++}`;
    while (this.names.has(name));
    this.names.add(name);
    return name;
  }

  initializer(name: string): onnx.ITensorProto | undefined {
    return (this.graph.initializer ?? []).find((t) => t.name === name);
  }

  /** The value of a tensor that is constant: an initializer or the output of a Constant node. */
  constantValue(name: string): Float32Array | number[] | undefined {
    const init = this.initializer(name);
    if (init) return tensorValues(init);
    const node = this.producer(name);
    if (node?.opType === 'Constant') {
      const t = node.attribute?.find((a) => a.name === 'value')?.t;
      if (t) return tensorValues(t);
      const ints = node.attribute?.find((a) => a.name === 'value_ints')?.ints;
      if (ints) return ints.map(Number);
      const floats = node.attribute?.find((a) => a.name === 'value_floats')?.floats;
      if (floats) return Float32Array.from(floats);
      const i = node.attribute?.find((a) => a.name === 'value_int');
      if (i) return [Number(i.i)];
      const f = node.attribute?.find((a) => a.name === 'value_float');
      if (f) return Float32Array.of(Number(f.f));
    }
    return undefined;
  }

  producer(name: string): onnx.INodeProto | undefined {
    return this.nodes.find((n) => (n.output ?? []).includes(name));
  }

  addInitializer(t: onnx.ITensorProto): string {
    this.names.add(t.name ?? '');
    this.graph.initializer = [...(this.graph.initializer ?? []), onnx.TensorProto.create(t)];
    return t.name ?? '';
  }

  constFloat(values: ArrayLike<number>, dims: number[] = [values.length], prefix = 'c'): string {
    return this.addInitializer(floatTensor(this.fresh(prefix), dims, values));
  }

  constInt64(values: number[], dims: number[] = [values.length], prefix = 'i'): string {
    return this.addInitializer(int64Tensor(this.fresh(prefix), dims, values));
  }

  /** Append a node; returns its output names (fresh ones unless given). */
  addNode(opType: string, inputs: string[], attrs: Attr[] = [], outputs: number | string[] = 1, prefix = opType.toLowerCase()): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(prefix)) : outputs;
    for (const o of outs) this.names.add(o);
    this.graph.node = [...this.nodes, onnx.NodeProto.create({ opType, input: inputs, output: outs, attribute: attrs, name: this.fresh(`${opType}_node`) })];
    return outs;
  }

  addInput(name: string, dims: (number | string)[], elemType = FLOAT): void {
    this.names.add(name);
    this.graph.input = [...(this.graph.input ?? []), valueInfo(name, dims, elemType)];
  }

  /** Make a tensor a graph output. With no type or shape onnxruntime infers both (and reports them). */
  addOutput(name: string): void {
    if (this.outputNames.includes(name)) return;
    this.graph.output = [...(this.graph.output ?? []), onnx.ValueInfoProto.create({ name })];
  }

  setOutputs(names: string[]): void {
    const existing = new Map((this.graph.output ?? []).map((v) => [v.name ?? '', v]));
    this.graph.output = names.map((n) => existing.get(n) ?? onnx.ValueInfoProto.create({ name: n }));
  }

  /** Every tensor computed by a node (candidates for layer activations), in graph order. */
  nodeOutputs(): { name: string; opType: string; node: onnx.INodeProto }[] {
    return this.nodes.flatMap((n) => (n.output ?? []).filter(Boolean).map((o) => ({ name: o, opType: n.opType ?? '', node: n })));
  }

  /** Nodes in a topological order (ONNX requires it of files, but edits may append out of order). */
  topologicalNodes(): onnx.INodeProto[] {
    const available = new Set<string>([...this.inputNames, ...(this.graph.initializer ?? []).map((t) => t.name ?? ''), '']);
    const pending = [...this.nodes];
    const out: onnx.INodeProto[] = [];
    while (pending.length) {
      const before = pending.length;
      for (let i = 0; i < pending.length; ) {
        const n = pending[i];
        if (allInputs(n).every((x) => available.has(x))) {
          out.push(n);
          for (const o of n.output ?? []) available.add(o);
          pending.splice(i, 1);
        } else i++;
      }
      if (pending.length === before) throw new GlassboxError('MODEL_UNREADABLE', `The graph has a cycle or a missing tensor near node "${pending[0].name || pending[0].opType}".`);
    }
    return out;
  }

  /**
   * The part of the graph computed from `tensor`: a new model whose only input is `tensor` (with the given
   * dims) and whose outputs are the current outputs that depend on it. Nodes that need other graph inputs are
   * refused; constant branches (initializers, Constant nodes, shape arithmetic on constants) are kept.
   */
  subgraphAfter(tensor: string, dims: (number | string)[]): GraphEditor {
    const dependent = new Set<string>([tensor]);
    const keep: onnx.INodeProto[] = [];
    const constant = new Set<string>((this.graph.initializer ?? []).map((t) => t.name ?? ''));
    constant.add('');
    for (const n of this.topologicalNodes()) {
      const ins = n.input ?? [];
      if (ins.some((i) => dependent.has(i))) {
        keep.push(n);
        for (const o of n.output ?? []) dependent.add(o);
      } else if (ins.every((i) => constant.has(i))) {
        keep.push(n);
        for (const o of n.output ?? []) constant.add(o);
      }
    }
    const outputs = (this.graph.output ?? []).filter((v) => dependent.has(v.name ?? ''));
    if (!outputs.length) throw new GlassboxError('PARAM_INVALID', `No model output depends on tensor "${tensor}".`);
    // Walk back from the outputs: only the nodes they need, constant branches included.
    const needed = new Set(outputs.map((v) => v.name ?? ''));
    const nodes: onnx.INodeProto[] = [];
    for (const n of [...keep].reverse()) {
      if (!(n.output ?? []).some((o) => needed.has(o))) continue;
      nodes.unshift(n);
      for (const i of n.input ?? []) {
        if (!dependent.has(i) && !constant.has(i)) throw new GlassboxError('PARAM_INVALID', `The part after "${tensor}" also needs "${i}", which is computed before it.`);
        needed.add(i);
      }
    }
    // only the initializers the kept nodes read (old IR versions refuse unused ones)
    const initializer = (this.graph.initializer ?? []).filter((t) => needed.has(t.name ?? ''));
    const model = onnx.ModelProto.create({
      ...this.model,
      graph: onnx.GraphProto.create({ ...this.graph, node: nodes, initializer, input: [valueInfo(tensor, dims)], output: outputs, valueInfo: [] }),
    });
    return new GraphEditor(model);
  }

  /**
   * Rewrite auto_pad SAME_UPPER / SAME_LOWER / VALID on Conv, ConvTranspose and pooling nodes into explicit
   * `pads`, given each node's input spatial size (from onnxruntime's shape report). Backward rules then see one
   * form.
   */
  normaliseAutoPad(spatialSizeOf: (tensor: string) => number[] | undefined): void {
    for (const n of this.nodes) {
      if (!['Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'LpPool'].includes(n.opType ?? '')) continue;
      const mode = strAttr(n, 'auto_pad', 'NOTSET');
      if (mode === 'NOTSET') continue;
      const size = spatialSizeOf(n.input?.[0] ?? '');
      let kernel = intsAttr(n, 'kernel_shape', undefined);
      if (!kernel && n.opType?.startsWith('Conv')) {
        const w = this.initializer(n.input?.[1] ?? '');
        kernel = w?.dims?.slice(2).map(Number);
      }
      if (!size || !kernel) throw new GlassboxError('MODEL_UNSUPPORTED', `Cannot make the padding of node "${n.name || n.opType}" explicit: its input size or kernel is unknown.`);
      const rank = kernel.length;
      const strides = intsAttr(n, 'strides', undefined) ?? new Array(rank).fill(1);
      const dilations = intsAttr(n, 'dilations', undefined) ?? new Array(rank).fill(1);
      const begin: number[] = [], end: number[] = [];
      for (let d = 0; d < rank; d++) {
        if (mode === 'VALID') {
          begin.push(0);
          end.push(0);
          continue;
        }
        if (n.opType === 'ConvTranspose') {
          // output = input·stride; total padding = stride·(in−1) + output_padding + (k−1)·d + 1 − out
          const outputPadding = intsAttr(n, 'output_padding', undefined)?.[d] ?? 0;
          const total = Math.max(0, strides[d] * (size[d] - 1) + outputPadding + (kernel[d] - 1) * dilations[d] + 1 - size[d] * strides[d]);
          const small = Math.floor(total / 2);
          begin.push(mode === 'SAME_UPPER' ? small : total - small);
          end.push(mode === 'SAME_UPPER' ? total - small : small);
          continue;
        }
        const out = Math.ceil(size[d] / strides[d]);
        const total = Math.max(0, (out - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - size[d]);
        const small = Math.floor(total / 2);
        begin.push(mode === 'SAME_UPPER' ? small : total - small);
        end.push(mode === 'SAME_UPPER' ? total - small : small);
      }
      n.attribute = [...(n.attribute ?? []).filter((a) => a.name !== 'auto_pad' && a.name !== 'pads'), makeAttr('pads', [...begin, ...end])];
    }
  }

  /**
   * The model for a new onnxruntime session without copying its weights: each large initializer becomes an
   * external-data reference (location, offset, length) into the buffer its raw_data already lies in — the
   * decoded model file's own bytes, for weights not edited since — and those buffers are handed to onnxruntime
   * as in-memory external data files (`SessionOptions.externalData`). The model bytes left are the graph alone
   * (kilobytes). For ResNet-18 on onnxruntime-node this takes encode + create from ~80 to ~50 ms, the JavaScript
   * copy of 47 MB gone. Tensors under EXTERNAL_MIN_BYTES stay inline. The editor itself is left as it was.
   */
  encodeForSession(): { model: Uint8Array; externalData: { path: string; data: Uint8Array }[] } {
    const initializers = this.model.graph?.initializer ?? [];
    const buffers = new Map<ArrayBufferLike, string>();
    const externalData: { path: string; data: Uint8Array }[] = [];
    // the fields each tensor had as its own (a decoded message reads absent fields from its prototype's defaults)
    const keys = ['rawData', 'dataLocation', 'externalData'] as const;
    const saved: { t: onnx.ITensorProto; own: Partial<Record<(typeof keys)[number], unknown>> }[] = [];
    for (const t of initializers) {
      const raw = t.rawData;
      if (!raw || raw.length < EXTERNAL_MIN_BYTES || t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) continue;
      let path = buffers.get(raw.buffer);
      if (!path) {
        path = `glassbox-weights-${buffers.size}.bin`;
        buffers.set(raw.buffer, path);
        externalData.push({ path, data: new Uint8Array(raw.buffer) });
      }
      const own: Partial<Record<(typeof keys)[number], unknown>> = {};
      for (const k of keys) if (Object.prototype.hasOwnProperty.call(t, k)) own[k] = t[k];
      saved.push({ t, own });
      t.externalData = [
        { key: 'location', value: path },
        { key: 'offset', value: String(raw.byteOffset) },
        { key: 'length', value: String(raw.length) },
      ];
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      t.rawData = new Uint8Array(0);
    }
    try {
      return { model: this.encode(), externalData };
    } finally {
      for (const { t, own } of saved) {
        for (const k of keys) delete t[k];
        Object.assign(t, own);
      }
    }
  }

  /**
   * The model's bytes. The weights are written apart from the rest: protobufjs grows one buffer by doubling and
   * moves every nested message to prefix its length, so a 47 MB ResNet-18 took ~100 ms, nearly all of it copying
   * weights; encoded here one tensor at a time and joined once, it takes a fraction. The graph is written twice —
   * once with everything but the initializers, then a second `graph` field holding only them — which a protobuf
   * parser merges into one graph (repeated fields of an embedded message appearing twice are concatenated).
   */
  encode(): Uint8Array {
    const graph = this.model.graph;
    const initializers = graph?.initializer ?? [];
    if (!graph || initializers.length === 0) return onnx.ModelProto.encode(this.model).finish();
    // the message objects themselves, their fields swapped out for a moment (a copy would drop the unknown fields
    // a newer onnx.proto wrote, which protobufjs keeps in a hidden $unknowns and writes back)
    const swap = <T extends object, K extends keyof T>(o: T, key: K, value: T[K], encode: () => Uint8Array) => {
      const saved = o[key];
      o[key] = value;
      try {
        return encode();
      } finally {
        o[key] = saved;
      }
    };
    const head = swap(graph, 'initializer', [], () => onnx.ModelProto.encode(this.model).finish());
    // each tensor: its fields but raw_data through protobufjs (small), then raw_data (field 9) copied once, below
    const tensors = initializers.map((t) => {
      const raw = t.rawData?.length ? t.rawData : undefined;
      const fields = raw ? swap(t, 'rawData', undefined, () => onnx.TensorProto.encode(t).finish()) : onnx.TensorProto.encode(t).finish();
      const length = fields.length + (raw ? 1 + varintLength(raw.length) + raw.length : 0);
      return { fields, raw, length };
    });
    // GraphProto.initializer is field 5, ModelProto.graph field 7, both length-delimited (wire type 2)
    const records = tensors.reduce((n, t) => n + 1 + varintLength(t.length) + t.length, 0);
    const out = new Uint8Array(head.length + 1 + varintLength(records) + records);
    out.set(head, 0);
    let pos = head.length;
    out[pos++] = (7 << 3) | 2;
    pos = writeVarint(out, pos, records);
    for (const t of tensors) {
      out[pos++] = (5 << 3) | 2;
      pos = writeVarint(out, pos, t.length);
      out.set(t.fields, pos);
      pos += t.fields.length;
      if (t.raw) {
        out[pos++] = (9 << 3) | 2;
        pos = writeVarint(out, pos, t.raw.length);
        out.set(t.raw, pos);
        pos += t.raw.length;
      }
    }
    return out;
  }
}

function varintLength(n: number): number {
  let bytes = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

function writeVarint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 128) {
    out[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

export function valueInfo(name: string, dims: (number | string)[], elemType = FLOAT): onnx.IValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
}
