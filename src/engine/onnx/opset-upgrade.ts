/**
 * Raise an old model's default-domain ONNX opset (e.g. SqueezeNet's opset 7) to `target` in TypeScript, so the
 * backward graphs can use opset-16 ops (ScatterElements with reduction, Where, axes as inputs). Only the nodes
 * whose signature or inference semantics changed between the model's opset and `target` are rewritten; every
 * other default-domain op must be on the COMPATIBLE list (its later versions only add types, negative axes, or
 * optional attributes/inputs whose defaults keep the old behaviour), else the upgrade refuses with
 * MODEL_UNSUPPORTED. Subgraphs (If/Loop/Scan bodies) are rewritten too; other domains are left alone.
 *
 * Rewritten, each only when the model's opset is below the version named (targets 13–18):
 *  - any node: the legacy `consumed_inputs` attribute is dropped (< 6).
 *  - Softmax, LogSoftmax, Hardmax (< 13): old versions coerce the input to 2-D at `axis` and normalise over
 *    everything from `axis` on. When a declared shape shows the dims after `axis` are all 1 (SqueezeNet's
 *    [1,1000,1,1]) the node only gets its axis made explicit; otherwise Flatten(axis) → op(axis=1) →
 *    Reshape(Shape(X)).
 *  - Unsqueeze, Squeeze, ReduceSum (< 13), and ReduceMean/Max/Min/Prod/L1/L2/LogSum/LogSumExp/SumSquare
 *    (< 18, only when target ≥ 18): the `axes` attribute becomes an int64 input.
 *  - Split (< 13): the `split` attribute becomes an int64 input; for target ≥ 18, a Split with no sizes gets
 *    `num_outputs` = its output count.
 *  - Slice (< 10): `starts`, `ends`, `axes` attributes become int64 inputs.
 *  - Pad (< 11): `pads` (`paddings` before opset 2) becomes an int64 input, a non-zero `value` a scalar input of
 *    the data's type; `mode` stays.
 *  - Clip (< 11): `min`/`max` attributes become scalar inputs of the data's type (absent ones stay absent).
 *  - Dropout (< 12): Identity (inference); an unused mask output is dropped, a used one is refused.
 *  - BatchNormalization: `spatial` (must be 1), `is_test` dropped (< 9); unused training outputs dropped (< 14).
 *  - Upsample (any version; deprecated in 10) and opset-10 Resize: Resize(X, roi '', scales) with
 *    coordinate_transformation_mode 'asymmetric' and, for nearest, nearest_mode 'floor' when upsampling or
 *    'ceil' when downsampling (onnxruntime's pre-11 rounding, which is per axis, so mixed up/down scales and
 *    run-time scales are refused); Upsample-1's height/width scales and 'bilinear' mode are mapped.
 *  - Resize 11–12 with the removed 'tf_half_pixel_for_nn' (nearest only): 'half_pixel' with the nearest mode
 *    that rounds the same (floor → round_prefer_ceil, round_prefer_floor → ceil).
 *  - TopK (< 10): `k` becomes an int64 input.
 *  - Gemm (< 7): `broadcast` dropped (numpy broadcasting of C covers it).
 *  - Add, Sub, Mul, Div, Pow, And, Or, Xor, Equal, Greater, Less (< 7): `broadcast`/`axis` dropped; legacy
 *    broadcasting at an `axis` becomes numpy broadcasting by appending 1-dims to B (Unsqueeze with constant axes
 *    when both ranks are declared, else a Reshape to Shape(B) ++ ones computed at run time).
 *  - Scatter (< 11): renamed ScatterElements. RoiAlign (< 16): the old default coordinate_transformation_mode
 *    'output_half_pixel' made explicit. Cast (< 6): string `to` → enum. Reshape (< 5): `shape` attribute → input.
 *    Concat (< 4): default axis 1 made explicit. LpPool/GlobalLpPool (< 2): float `p` → int.
 *  - ImageScaler (pre-opset-10 experimental op): Mul(scale) → Add(bias as [C,1,1]).
 * Refused (MODEL_UNSUPPORTED, naming the node, op and opset): Tile < 6, GRU/LSTM/RNN < 7, Scan < 9, PRelu < 7
 * with a per-channel slope, BatchNormalization with spatial=0, any other op not listed, and models with local
 * functions. Constants go in as initializers; typed scalars use the data's declared type, or CastLike (target ≥
 * 15) when the model is not plainly float32. The IR version is raised to what the target opset needs (7 or 8).
 */
import { GlassboxError } from '../errors';
import { FLOAT, INT64, GraphEditor, floatTensor, intsAttr, makeAttr, numAttr, strAttr } from './graph-edit';
import { onnx } from './proto';

type Node = onnx.INodeProto;
type Graph = onnx.IGraphProto;
type Attr = onnx.IAttributeProto;

export interface OpsetUpgrade {
  /** The model's default-domain opset before. */
  from: number;
  /** After (equal to `from` when nothing was done). */
  to: number;
  /** One line per rewritten node: op, node, what changed. */
  rewritten: string[];
}

export const MIN_UPGRADE_TARGET = 13;
export const MAX_UPGRADE_TARGET = 18;

const HINT = 'Re-export the model with ONNX opset 13 or newer (e.g. torch.onnx.export(..., opset_version=17)).';

/**
 * Default-domain ops whose every version up to 18 keeps the inference semantics and signature of the older ones
 * (ops that need a rule at some version are handled in `rewriteNode` instead).
 */
const COMPATIBLE = new Set(
  `Abs Acos Acosh And ArgMax ArgMin Asin Asinh Atan Atanh AveragePool Bernoulli BitShift CastLike Ceil Celu Compress
  ConcatFromSequence Constant ConstantOfShape Conv ConvInteger ConvTranspose Cos Cosh CumSum DepthToSpace
  DequantizeLinear Det DynamicQuantizeLinear Einsum Elu Erf Exp Expand EyeLike Flatten Floor Gather GatherElements
  GatherND GlobalAveragePool GlobalMaxPool GreaterOrEqual HardSigmoid HardSwish Identity If InstanceNormalization
  IsInf IsNaN LRN LeakyRelu LessOrEqual Log Loop LpNormalization MatMul MatMulInteger Max MaxPool MaxRoiPool MaxUnpool
  Mean MeanVarianceNormalization Min Mod Multinomial Neg NegativeLogLikelihoodLoss NonMaxSuppression NonZero Not
  OneHot Optional OptionalGetElement OptionalHasElement QLinearConv QLinearMatMul QuantizeLinear RandomNormal
  RandomNormalLike RandomUniform RandomUniformLike Range Reciprocal Relu ReverseSequence Round ScatterElements
  ScatterND Selu SequenceAt SequenceConstruct SequenceEmpty SequenceErase SequenceInsert SequenceLength Shape Shrink
  Sigmoid Sign Sin Sinh Size SoftmaxCrossEntropyLoss Softplus Softsign SpaceToDepth SplitToSequence Sqrt
  StringNormalizer Sum Tan Tanh TfIdfVectorizer ThresholdedRelu Transpose Trilu Unique Where`.split(/\s+/),
);

const REDUCE_UNTIL_18 = new Set(['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']);
const LEGACY_BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'And', 'Or', 'Xor', 'Equal', 'Greater', 'Less']);
/** Cast-1's string `to`, as TensorProto.DataType. */
const CAST_NAMES: Record<string, number> = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13,
};
const NON_FLOAT32_FLOATS = new Set([10, 11, 16]);

/**
 * Rewrite `editor`'s model in place to default-domain opset `target` (13–18). Models already at opset 16 or
 * newer (or at/above `target`) are left untouched.
 */
export function upgradeOpset(editor: GraphEditor, target = 17): OpsetUpgrade {
  const from = editor.opsetVersion('');
  if (!from || from >= 16 || from >= target) return { from, to: from, rewritten: [] };
  if (!Number.isInteger(target) || target < MIN_UPGRADE_TARGET || target > MAX_UPGRADE_TARGET) {
    throw new GlassboxError('PARAM_INVALID', `Glassbox can raise a model's opset to ${MIN_UPGRADE_TARGET}–${MAX_UPGRADE_TARGET}, not ${target}.`);
  }
  if (editor.model.functions?.length) {
    throw new GlassboxError('MODEL_UNSUPPORTED', `This model (ONNX opset ${from}) defines local functions, which Glassbox cannot convert to opset ${target}.`, HINT);
  }
  // Rewrites happen in place; a refusal part-way restores the graph as it was.
  const snapshot = onnx.GraphProto.encode(editor.graph).finish();
  const upgrader = new Upgrader(editor, from, target);
  try {
    upgrader.rewriteGraph(editor.graph);
  } catch (e) {
    editor.model.graph = onnx.GraphProto.decode(snapshot);
    throw e;
  }
  const imports = editor.model.opsetImport ?? [];
  for (const o of imports) if (!o.domain || o.domain === 'ai.onnx') o.version = target;
  const ir = target >= 15 ? 8 : 7;
  if (Number(editor.model.irVersion ?? 0) < ir) editor.model.irVersion = ir;
  return { from, to: target, rewritten: upgrader.rewritten };
}

interface Known {
  elemType?: number;
  /** Declared dims: numbers, symbolic names, '?' for unknown; undefined when no shape is declared. */
  dims?: (number | string)[];
}

class Upgrader {
  readonly rewritten: string[] = [];
  /** Tensors read by some node (any graph) or returned by some graph. */
  private readonly used = new Set<string>();
  private readonly known = new Map<string, Known>();
  /** Names inside subgraphs, which the editor's name bookkeeping does not see. */
  private readonly subgraphNames = new Set<string>();
  private readonly valueInfos: onnx.IValueInfoProto[][] = [];
  private plainFloat32 = true;
  /** The op of the node being rewritten, as it was (rules may change n.opType). */
  private currentOp = '';

  constructor(
    private readonly editor: GraphEditor,
    private readonly from: number,
    private readonly target: number,
  ) {
    this.scan(editor.graph, false);
  }

  private scan(g: Graph, nested: boolean): void {
    const note = (name: string) => nested && this.subgraphNames.add(name);
    for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) {
      const tt = v.type?.tensorType;
      const dims = tt?.shape ? (tt.shape.dim ?? []).map((d) => (d.dimValue != null && Number(d.dimValue) > 0 ? Number(d.dimValue) : d.dimParam || '?')) : undefined;
      this.remember(v.name ?? '', { elemType: tt?.elemType ?? undefined, dims });
      note(v.name ?? '');
    }
    this.valueInfos.push(g.valueInfo ?? []);
    for (const v of g.output ?? []) this.used.add(v.name ?? '');
    for (const t of g.initializer ?? []) {
      this.remember(t.name ?? '', { elemType: t.dataType ?? undefined, dims: (t.dims ?? []).map(Number) });
      note(t.name ?? '');
    }
    for (const n of g.node ?? []) {
      for (const i of n.input ?? []) this.used.add(i);
      for (const o of n.output ?? []) note(o);
      if (n.name) note(n.name);
      if (n.opType === 'Constant') {
        const t = n.attribute?.find((a) => a.name === 'value')?.t;
        if (t) this.remember(n.output?.[0] ?? '', { elemType: t.dataType ?? undefined, dims: (t.dims ?? []).map(Number) });
      }
      if (n.opType === 'Cast' && NON_FLOAT32_FLOATS.has(numAttr(n, 'to', 0))) this.plainFloat32 = false;
      for (const a of n.attribute ?? []) {
        if (a.t && NON_FLOAT32_FLOATS.has(a.t.dataType ?? 0)) this.plainFloat32 = false;
        for (const sub of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) this.scan(sub, true);
      }
    }
  }

  private remember(name: string, k: Known): void {
    if (k.elemType && NON_FLOAT32_FLOATS.has(k.elemType)) this.plainFloat32 = false;
    const old = this.known.get(name);
    this.known.set(name, { elemType: k.elemType || old?.elemType, dims: k.dims ?? old?.dims });
  }

  rewriteGraph(g: Graph): void {
    const out: Node[] = [];
    for (const n of g.node ?? []) {
      for (const a of n.attribute ?? []) for (const sub of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) this.rewriteGraph(sub);
      if (n.domain && n.domain !== 'ai.onnx') out.push(n);
      else out.push(...this.rewriteNode(n));
    }
    g.node = out;
  }

  private rewriteNode(n: Node): Node[] {
    const op = n.opType ?? '';
    this.currentOp = op;
    const { from, target } = this;
    if (n.attribute?.some((a) => a.name === 'consumed_inputs')) {
      dropAttrs(n, 'consumed_inputs');
      this.note(n, 'legacy consumed_inputs dropped');
    }
    switch (op) {
      case 'Softmax':
      case 'LogSoftmax':
      case 'Hardmax':
        return from < 13 ? this.softmax(n) : [n];
      case 'Unsqueeze':
      case 'Squeeze':
      case 'ReduceSum':
        return from < 13 ? this.axesToInput(n) : [n];
      case 'Split':
        return this.split(n);
      case 'Slice':
        return from < 10 ? this.slice(n) : [n];
      case 'Pad':
        return from < 11 ? this.pad(n) : [n];
      case 'Clip':
        return from < 11 ? this.clip(n) : [n];
      case 'Dropout':
        return from < 12 ? this.dropout(n) : [n];
      case 'BatchNormalization':
        return this.batchNorm(n);
      case 'Upsample':
        return this.upsample(n);
      case 'Resize':
        return from < 11 ? this.legacyResize(n, n.input?.[1] ?? '', 'Resize-10') : this.resizeTfHalfPixel(n);
      case 'TopK':
        if (from < 10) {
          const k = numAttr(n, 'k', -1);
          if (k < 0) this.refuse(n, 'it has no k');
          n.input = [n.input?.[0] ?? '', this.int64Const([k], [1], 'k')];
          dropAttrs(n, 'k');
          this.note(n, `k=${k} attribute → input`);
        }
        return [n];
      case 'Gemm':
        if (from < 7 && hasAttr(n, 'broadcast')) {
          dropAttrs(n, 'broadcast');
          this.note(n, 'legacy broadcast attribute dropped');
        }
        return [n];
      case 'Scatter':
        n.opType = 'ScatterElements';
        this.note(n, 'renamed ScatterElements');
        return [n];
      case 'RoiAlign':
        if (from < 16 && target >= 16 && !hasAttr(n, 'coordinate_transformation_mode')) {
          setAttr(n, makeAttr('coordinate_transformation_mode', 'output_half_pixel'));
          this.note(n, "coordinate_transformation_mode 'output_half_pixel' (the pre-16 default) made explicit");
        }
        return [n];
      case 'Cast':
        if (from < 6) this.castTo(n);
        return [n];
      case 'Reshape':
        if (from < 5 && hasAttr(n, 'shape')) {
          n.input = [n.input?.[0] ?? '', this.int64Const(intsAttr(n, 'shape', []) ?? [], undefined, 'shape')];
          dropAttrs(n, 'shape');
          this.note(n, 'shape attribute → input');
        }
        return [n];
      case 'Concat':
        if (from < 4 && !hasAttr(n, 'axis')) {
          setAttr(n, makeAttr('axis', 1));
          this.note(n, 'default axis 1 made explicit');
        }
        return [n];
      case 'LpPool':
      case 'GlobalLpPool': {
        const p = n.attribute?.find((a) => a.name === 'p');
        if (from < 2 && p && p.type === onnx.AttributeProto.AttributeType.FLOAT) {
          if (!Number.isInteger(p.f)) this.refuse(n, `its p = ${p.f} is not an integer`);
          setAttr(n, makeAttr('p', Number(p.f)));
          this.note(n, 'float p → int');
        }
        return [n];
      }
      case 'PRelu':
        if (from < 7) {
          const slope = this.editor.constantValue(n.input?.[1] ?? '');
          if (!slope || slope.length !== 1) this.refuse(n, 'its slope is per channel, which opset 7 broadcasts differently');
        }
        return [n];
      case 'Tile':
        if (from < 6) this.refuse(n, 'Tile before opset 6 takes (tiles, axis) inputs');
        return [n];
      case 'GRU':
      case 'LSTM':
      case 'RNN':
        if (from < 7) this.refuse(n, 'recurrent ops before opset 7 have a different signature');
        return [n];
      case 'Scan':
        if (from < 9) this.refuse(n, 'Scan-8 has batch semantics that later versions dropped');
        return [n];
      case 'ImageScaler':
        return this.imageScaler(n);
    }
    if (REDUCE_UNTIL_18.has(op)) return from < 18 && target >= 18 ? this.axesToInput(n) : [n];
    if (LEGACY_BROADCAST.has(op)) return from < 7 ? this.legacyBroadcast(n) : [n];
    if (COMPATIBLE.has(op)) return [n];
    return this.refuse(n, 'Glassbox does not know how this operator changed between those opsets');
  }

  // ─── rules ───────────────────────────────────────────────────────────────────────────────────────────────

  private softmax(n: Node): Node[] {
    const x = n.input?.[0] ?? '';
    const y = n.output?.[0] ?? '';
    const axis = numAttr(n, 'axis', 1);
    const dims = this.known.get(x)?.dims ?? this.known.get(y)?.dims;
    if (dims) {
      const a = axis < 0 ? axis + dims.length : axis;
      if (a >= 0 && a < dims.length && dims.slice(a + 1).every((d) => d === 1)) {
        setAttr(n, makeAttr('axis', a));
        this.note(n, `axis ${a} made explicit (the dims after it are 1, so the 2-D coercion changes nothing)`);
        return [n];
      }
    }
    const shape = this.make('Shape', [x]);
    const flat = this.make('Flatten', [x], [makeAttr('axis', axis)]);
    const normalised = this.fresh(`${n.opType?.toLowerCase()}_2d`);
    n.input = [flat.output![0]];
    n.output = [normalised];
    setAttr(n, makeAttr('axis', 1));
    const back = this.make('Reshape', [normalised, shape.output![0]], [], [y]);
    this.note(n, `axis ${axis} over the flattened tail: Flatten → ${n.opType}(axis 1) → Reshape`);
    return [shape, flat, n, back];
  }

  private axesToInput(n: Node): Node[] {
    const axes = intsAttr(n, 'axes', undefined);
    if (!axes) return [n];
    dropAttrs(n, 'axes');
    // An empty list meant "all axes", as does a missing axes input.
    if (!axes.length && n.opType !== 'Unsqueeze') return [n];
    n.input = [n.input?.[0] ?? '', this.int64Const(axes, [axes.length], 'axes')];
    this.note(n, `axes [${axes.join(', ')}] attribute → input`);
    return [n];
  }

  private split(n: Node): Node[] {
    const sizes = intsAttr(n, 'split', undefined);
    if (this.from < 13 && sizes) {
      n.input = [n.input?.[0] ?? '', this.int64Const(sizes, [sizes.length], 'split')];
      dropAttrs(n, 'split');
      this.note(n, `split [${sizes.join(', ')}] attribute → input`);
    }
    if (this.from < 18 && this.target >= 18 && !(n.input?.[1] ?? '') && !hasAttr(n, 'num_outputs')) {
      setAttr(n, makeAttr('num_outputs', n.output?.length ?? 1));
      this.note(n, 'num_outputs made explicit');
    }
    return [n];
  }

  private slice(n: Node): Node[] {
    const starts = intsAttr(n, 'starts', undefined);
    const ends = intsAttr(n, 'ends', undefined);
    const axes = intsAttr(n, 'axes', undefined);
    if (!starts || !ends) this.refuse(n, 'it has no starts/ends');
    n.input = [
      n.input?.[0] ?? '',
      this.int64Const(starts!, undefined, 'starts'),
      this.int64Const(ends!, undefined, 'ends'),
      ...(axes ? [this.int64Const(axes, undefined, 'axes')] : []),
    ];
    dropAttrs(n, 'starts', 'ends', 'axes');
    this.note(n, 'starts/ends/axes attributes → inputs');
    return [n];
  }

  private pad(n: Node): Node[] {
    const x = n.input?.[0] ?? '';
    const pads = intsAttr(n, 'pads', undefined) ?? intsAttr(n, 'paddings', undefined);
    if (!pads) this.refuse(n, 'it has no pads');
    const value = numAttr(n, 'value', 0);
    const before: Node[] = [];
    n.input = [x, this.int64Const(pads!, undefined, 'pads'), ...(value !== 0 ? [this.scalarLike(n, value, x, before)] : [])];
    dropAttrs(n, 'pads', 'paddings', 'value');
    this.note(n, `pads${value !== 0 ? ' and value' : ''} attributes → inputs`);
    return [...before, n];
  }

  private clip(n: Node): Node[] {
    const x = n.input?.[0] ?? '';
    const before: Node[] = [];
    const bound = (name: string) => (hasAttr(n, name) ? this.scalarLike(n, numAttr(n, name, 0), x, before) : '');
    const inputs = [x, bound('min'), bound('max')];
    while (inputs.length > 1 && !inputs[inputs.length - 1]) inputs.pop();
    n.input = inputs;
    dropAttrs(n, 'min', 'max');
    this.note(n, 'min/max attributes → inputs');
    return [...before, n];
  }

  private dropout(n: Node): Node[] {
    this.dropUnusedOutputs(n, 1, 'its mask output is used; as Identity there is no mask');
    n.opType = 'Identity';
    n.input = [n.input?.[0] ?? ''];
    n.attribute = [];
    this.note(n, 'Identity (inference)');
    return [n];
  }

  private batchNorm(n: Node): Node[] {
    if (this.from < 9) {
      if (numAttr(n, 'spatial', 1) !== 1) this.refuse(n, 'it normalises per activation (spatial = 0), which opset 9 removed');
      if (hasAttr(n, 'spatial') || hasAttr(n, 'is_test')) {
        dropAttrs(n, 'spatial', 'is_test');
        this.note(n, 'spatial/is_test attributes dropped');
      }
    }
    if (this.from < 14 && this.target >= 14 && (n.output?.length ?? 0) > 1) {
      this.dropUnusedOutputs(n, 1, 'it returns training statistics that other nodes use');
      this.note(n, 'unused training outputs dropped');
    }
    return [n];
  }

  private upsample(n: Node): Node[] {
    let mode = strAttr(n, 'mode', 'nearest');
    if (mode === 'bilinear') mode = 'linear';
    let scales: string;
    if (this.from < 7) {
      scales = this.floatConst([1, 1, numAttr(n, 'height_scale', 1), numAttr(n, 'width_scale', 1)], [4], 'scales');
    } else if (this.from < 9) {
      const s = n.attribute?.find((a) => a.name === 'scales')?.floats?.map(Number);
      if (!s) this.refuse(n, 'it has no scales');
      scales = this.floatConst(s!, [s!.length], 'scales');
    } else scales = n.input?.[1] ?? '';
    n.attribute = [makeAttr('mode', mode)];
    return this.legacyResize(n, scales, 'Upsample');
  }

  /** Opset-10 Resize and every Upsample: X, scales → Resize(X, '', scales) with onnxruntime's pre-11 rounding. */
  private legacyResize(n: Node, scales: string, what: string): Node[] {
    const mode = strAttr(n, 'mode', 'nearest');
    const attrs = [makeAttr('mode', mode), makeAttr('coordinate_transformation_mode', 'asymmetric')];
    let how = 'asymmetric';
    if (mode === 'nearest') {
      const s = this.editor.constantValue(scales);
      if (!s) this.refuse(n, 'its scales are computed at run time, so up- and downsampling (rounded differently before opset 11) cannot be told apart');
      const up = Array.from(s!).some((v) => v > 1);
      const down = Array.from(s!).some((v) => v < 1);
      if (up && down) this.refuse(n, 'it upsamples some axes and downsamples others, which opset 11 cannot round the same way');
      const nearest = down ? 'ceil' : 'floor';
      attrs.push(makeAttr('nearest_mode', nearest));
      how += `, nearest_mode ${nearest}`;
    } else if (mode !== 'linear') this.refuse(n, `its mode "${mode}" is not nearest or linear`);
    n.opType = 'Resize';
    n.input = [n.input?.[0] ?? '', '', scales];
    n.attribute = attrs;
    this.note(n, `${what} → Resize(X, roi '', scales), ${mode}, ${how}`);
    return [n];
  }

  private resizeTfHalfPixel(n: Node): Node[] {
    if (this.from >= 13 || strAttr(n, 'coordinate_transformation_mode', 'half_pixel') !== 'tf_half_pixel_for_nn') return [n];
    const nearest = strAttr(n, 'nearest_mode', 'round_prefer_floor');
    // (x + 0.5)/s rounded by `nearest` equals ((x + 0.5)/s − 0.5) rounded by `same`.
    const same: Record<string, string> = { floor: 'round_prefer_ceil', round_prefer_floor: 'ceil' };
    if (strAttr(n, 'mode', 'nearest') !== 'nearest' || !same[nearest]) {
      this.refuse(n, `its coordinate_transformation_mode 'tf_half_pixel_for_nn' (removed in opset 13) with nearest_mode '${nearest}' has no equivalent`);
    }
    setAttr(n, makeAttr('coordinate_transformation_mode', 'half_pixel'));
    setAttr(n, makeAttr('nearest_mode', same[nearest]));
    this.note(n, `tf_half_pixel_for_nn + ${nearest} → half_pixel + ${same[nearest]}`);
    return [n];
  }

  private castTo(n: Node): void {
    const to = n.attribute?.find((a) => a.name === 'to');
    if (to?.type !== onnx.AttributeProto.AttributeType.STRING) return;
    const name = strAttr(n, 'to', '').toUpperCase();
    const code = CAST_NAMES[name];
    if (!code) this.refuse(n, `its target type "${name}" is unknown`);
    setAttr(n, makeAttr('to', code));
    this.note(n, `to "${name}" → ${code}`);
  }

  /** Legacy (pre-7) broadcasting: B matches a run of A's dims starting at `axis`; numpy aligns from the end. */
  private legacyBroadcast(n: Node): Node[] {
    const broadcast = numAttr(n, 'broadcast', 0);
    const hasAxis = hasAttr(n, 'axis');
    let axis = numAttr(n, 'axis', 0);
    if (!hasAttr(n, 'broadcast') && !hasAxis) return [n];
    dropAttrs(n, 'broadcast', 'axis');
    if (!broadcast || !hasAxis) {
      this.note(n, 'legacy broadcast attribute dropped');
      return [n];
    }
    const a = n.input?.[0] ?? '';
    const b = n.input?.[1] ?? '';
    const rankA = this.rank(a);
    const rankB = this.rank(b);
    if (axis < 0) {
      if (rankA === undefined) this.refuse(n, `it broadcasts at axis ${axis} of an input whose rank is not declared`);
      axis += rankA!;
    }
    if (rankA !== undefined && rankB !== undefined) {
      const extra = rankA - axis - rankB;
      if (extra < 0) this.refuse(n, `B (rank ${rankB}) does not fit into A (rank ${rankA}) at axis ${axis}`);
      if (extra === 0) {
        this.note(n, `legacy broadcast at axis ${axis} is numpy broadcasting here; attributes dropped`);
        return [n];
      }
      const axes = Array.from({ length: extra }, (_, i) => rankB + i);
      const unsqueeze = this.make('Unsqueeze', [b, this.int64Const(axes, [extra], 'axes')]);
      n.input = [a, unsqueeze.output![0]];
      this.note(n, `legacy broadcast at axis ${axis}: B unsqueezed at [${axes.join(', ')}]`);
      return [unsqueeze, n];
    }
    // Ranks only known at run time: reshape B to Shape(B) ++ ones(rank(A) − axis − rank(B)).
    const shapeA = this.make('Shape', [a]);
    const rankOfA = this.make('Shape', [shapeA.output![0]]);
    const shapeB = this.make('Shape', [b]);
    const rankOfB = this.make('Shape', [shapeB.output![0]]);
    const minusAxis = this.make('Sub', [rankOfA.output![0], this.int64Const([axis], [1], 'axis')]);
    const count = this.make('Sub', [minusAxis.output![0], rankOfB.output![0]]);
    const ones = this.make('ConstantOfShape', [count.output![0]], [{ name: 'value', type: onnx.AttributeProto.AttributeType.TENSOR, t: int64Scalar(1) }]);
    const newShape = this.make('Concat', [shapeB.output![0], ones.output![0]], [makeAttr('axis', 0)]);
    const reshaped = this.make('Reshape', [b, newShape.output![0]]);
    const added = [shapeA, rankOfA, shapeB, rankOfB, minusAxis, count, ones, newShape, reshaped];
    n.input = [a, reshaped.output![0]];
    this.note(n, `legacy broadcast at axis ${axis}: B reshaped to Shape(B) ++ ones at run time`);
    return [...added, n];
  }

  private imageScaler(n: Node): Node[] {
    const x = n.input?.[0] ?? '';
    const y = n.output?.[0] ?? '';
    const scale = numAttr(n, 'scale', 1);
    const bias = n.attribute?.find((a) => a.name === 'bias')?.floats?.map(Number) ?? [];
    const before: Node[] = [];
    const scaleName = this.scalarLike(n, scale, x, before);
    if (!bias.length) {
      this.note(n, 'Mul(scale)');
      return [...before, this.make('Mul', [x, scaleName], [], [y], n.name ?? undefined)];
    }
    const biasName = this.constLike(n, bias, [bias.length, 1, 1], x, before);
    const mul = this.make('Mul', [x, scaleName]);
    const add = this.make('Add', [mul.output![0], biasName], [], [y], n.name ?? undefined);
    this.note(n, 'Mul(scale) → Add(bias per channel)');
    return [...before, mul, add];
  }

  // ─── helpers ─────────────────────────────────────────────────────────────────────────────────────────────

  /** Constants as main-graph initializers (visible in subgraphs too), named apart from subgraph names. */
  private int64Const(values: number[], dims: number[] = [values.length], prefix = 'i'): string {
    return this.editor.addInitializer(saturatedInt64Tensor(this.fresh(prefix), dims, values));
  }

  private floatConst(values: number[], dims: number[] = [values.length], prefix = 'c'): string {
    return this.editor.addInitializer(floatTensor(this.fresh(prefix), dims, values));
  }

  private rank(name: string): number | undefined {
    return this.known.get(name)?.dims?.length;
  }

  /** A float constant with `like`'s element type: float32 directly, else CastLike (opset 15). */
  private constLike(n: Node, values: number[], dims: number[], like: string, before: Node[]): string {
    const c = this.floatConst(values, dims, 'c');
    const elemType = this.known.get(like)?.elemType ?? (this.plainFloat32 ? FLOAT : undefined);
    if (elemType === FLOAT) return c;
    if (this.target < 15) this.refuse(n, `its constant would need the type of "${like}", which is not declared float32 (CastLike needs target opset ≥ 15)`);
    const cast = this.make('CastLike', [c, like]);
    before.push(cast);
    return cast.output![0];
  }

  private scalarLike(n: Node, value: number, like: string, before: Node[]): string {
    return this.constLike(n, [value], [], like, before);
  }

  /** Drop outputs from `keep` on when nothing reads them; refuse when something does. */
  private dropUnusedOutputs(n: Node, keep: number, whyRefused: string): void {
    const extra = (n.output ?? []).slice(keep).filter(Boolean);
    if (extra.some((o) => this.used.has(o))) this.refuse(n, whyRefused);
    n.output = (n.output ?? []).slice(0, keep);
    for (const list of this.valueInfos) {
      for (let i = list.length - 1; i >= 0; i--) if (extra.includes(list[i].name ?? '')) list.splice(i, 1);
    }
  }

  private fresh(prefix: string): string {
    let name: string;
    do name = this.editor.fresh(prefix);
    while (this.subgraphNames.has(name));
    return name;
  }

  /** A helper node (not yet placed); fresh output names unless given. */
  private make(opType: string, inputs: string[], attribute: Attr[] = [], outputs?: string[], name?: string): Node {
    return onnx.NodeProto.create({
      opType,
      input: inputs,
      output: outputs ?? [this.fresh(opType.toLowerCase())],
      attribute,
      name: name || this.fresh(`${opType}_upgrade`),
    });
  }

  private note(n: Node, what: string): void {
    this.rewritten.push(`${this.currentOp} "${n.name || n.output?.[0] || '?'}": ${what}`);
  }

  private refuse(n: Node, why: string): never {
    throw new GlassboxError(
      'MODEL_UNSUPPORTED',
      `Cannot convert ${this.currentOp} node "${n.name || n.output?.[0] || '?'}" from ONNX opset ${this.from} to ${this.target}: ${why}.`,
      HINT,
    );
  }
}

function hasAttr(n: Node, name: string): boolean {
  return !!n.attribute?.some((a) => a.name === name);
}

function dropAttrs(n: Node, ...names: string[]): void {
  n.attribute = (n.attribute ?? []).filter((a) => !names.includes(a.name ?? ''));
}

function setAttr(n: Node, a: Attr): void {
  n.attribute = [...(n.attribute ?? []).filter((x) => x.name !== a.name), onnx.AttributeProto.create(a)];
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/**
 * int64 values decode as doubles, so INT64_MAX (PyTorch's "to the end" in Slice ends) arrives as 2^63, which a
 * plain BigInt conversion would wrap to INT64_MIN: saturate instead.
 */
function saturatedInt64Tensor(name: string, dims: number[], values: number[]): onnx.ITensorProto {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => {
    const b = BigInt(Math.trunc(v));
    view.setBigInt64(i * 8, b > INT64_MAX ? INT64_MAX : b < INT64_MIN ? INT64_MIN : b, true);
  });
  return { name, dims, dataType: INT64, rawData: bytes };
}

function int64Scalar(v: number): onnx.ITensorProto {
  return { dims: [1], dataType: 7, int64Data: [v] };
}
