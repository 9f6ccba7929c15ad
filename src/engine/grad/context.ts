/**
 * What a backward rule sees: its forward node, the gradients arriving at the node's outputs, and helpers that
 * append ONNX nodes for the gradients of its inputs. Helpers follow the model's opset (axes as attributes or
 * inputs), so one rule serves opset 16 to 21.
 */
import { GlassboxError } from '../errors';
import { makeAttr, type GraphEditor } from '../onnx/graph-edit';
import type { Dim } from '../onnx/model-graph';
import type { onnx } from '../onnx/proto';
import type { ShapeMap } from '../onnx/shapes';

export class RuleContext {
  private readonly grads = new Map<number, string>();

  constructor(
    readonly g: GraphEditor,
    readonly node: onnx.INodeProto,
    readonly shapes: ShapeMap,
    private readonly outputGrads: (string | undefined)[],
    private readonly differentiable: (name: string) => boolean,
    readonly opset: number,
    readonly options: { guidedRelu: boolean },
    private readonly cpuNodes: string[],
  ) {}

  get op(): string {
    return this.node.opType ?? '';
  }

  /** Name of input i ('' when the optional input is absent). */
  x(i = 0): string {
    return this.node.input?.[i] ?? '';
  }

  y(i = 0): string {
    return this.node.output?.[i] ?? '';
  }

  /** The gradient arriving at output i, or undefined when nothing downstream uses it. */
  dy(i = 0): string | undefined {
    return this.outputGrads[i];
  }

  /** Whether input i needs a gradient (it depends on a tensor we differentiate). */
  needs(i: number): boolean {
    const name = this.x(i);
    return !!name && this.differentiable(name);
  }

  set(i: number, grad: string): void {
    this.grads.set(i, grad);
  }

  results(): Map<number, string> {
    return this.grads;
  }

  /** A tensor's shape: from onnxruntime's report, or from the file for initializers. */
  shape(name: string): Dim[] | undefined {
    const reported = this.shapes.get(name)?.shape;
    if (reported) return reported;
    const init = this.g.initializer(name);
    return init ? (init.dims ?? []).map(Number) : undefined;
  }

  rank(name: string): number {
    const s = this.shape(name);
    if (!s) throw this.unsupported(`the rank of "${name}" is unknown`);
    return s.length;
  }

  /** Static size of one axis (negative axes count from the end). */
  dim(name: string, axis: number): number {
    const s = this.shape(name);
    const a = axis < 0 ? (s?.length ?? 0) + axis : axis;
    const d = s?.[a];
    if (typeof d !== 'number') throw this.unsupported(`axis ${axis} of "${name}" has no fixed size`);
    return d;
  }

  unsupported(why: string): GlassboxError {
    return new GlassboxError(
      'GRADIENT_UNSUPPORTED',
      `Gradients through ${this.op} node "${this.node.name || this.y()}" are not supported: ${why}.`,
      'Use a gradient-free method (Score-CAM, Ablation-CAM, Eigen-CAM, LIME).',
    );
  }

  /** Append one node and return its (single) output. */
  op1(opType: string, inputs: string[], attrs: onnx.IAttributeProto[] = []): string {
    return this.g.addNode(opType, inputs, attrs, 1, `grad_${opType.toLowerCase()}`)[0];
  }

  opN(opType: string, inputs: string[], attrs: onnx.IAttributeProto[], outputs: number): string[] {
    return this.g.addNode(opType, inputs, attrs, outputs, `grad_${opType.toLowerCase()}`);
  }

  /** Keep a forward node on the CPU under WebGPU (no WebGPU kernel for what we need of it). */
  forceCpu(node: onnx.INodeProto): void {
    if (node.name) this.cpuNodes.push(node.name);
  }

  scalar(value: number): string {
    return this.g.constFloat([value], [], 'k');
  }

  ints(values: number[]): string {
    return this.g.constInt64(values, [values.length], 'axes');
  }

  mul(a: string, b: string): string {
    return this.op1('Mul', [a, b]);
  }

  add(a: string, b: string): string {
    return this.op1('Add', [a, b]);
  }

  sub(a: string, b: string): string {
    return this.op1('Sub', [a, b]);
  }

  div(a: string, b: string): string {
    return this.op1('Div', [a, b]);
  }

  /** dY where `condition` holds, else 0. */
  where(condition: string, value: string, otherwise = this.scalar(0)): string {
    return this.op1('Where', [condition, value, otherwise]);
  }

  shapeOf(name: string): string {
    return this.op1('Shape', [name]);
  }

  reshapeLike(value: string, like: string): string {
    return this.op1('Reshape', [value, this.shapeOf(like)]);
  }

  zerosLike(like: string): string {
    return this.op1('ConstantOfShape', [this.shapeOf(like)], [{ name: 'value', type: 4, t: { dims: [1], dataType: 1, floatData: [0] } }]);
  }

  reduceSum(x: string, axes: number[], keepdims = true): string {
    if (!axes.length) return x;
    return this.op1('ReduceSum', [x, this.ints(axes)], [makeAttr('keepdims', keepdims ? 1 : 0)]);
  }

  reduceMean(x: string, axes: number[], keepdims = true): string {
    if (this.opset >= 18) return this.op1('ReduceMean', [x, this.ints(axes)], [makeAttr('keepdims', keepdims ? 1 : 0)]);
    return this.op1('ReduceMean', [x], [makeAttr('axes', axes), makeAttr('keepdims', keepdims ? 1 : 0)]);
  }

  unsqueeze(x: string, axes: number[]): string {
    return this.op1('Unsqueeze', [x, this.ints(axes)]);
  }

  transpose(x: string, perm: number[]): string {
    return this.op1('Transpose', [x], [makeAttr('perm', perm)]);
  }

  /**
   * Sum a gradient computed at the broadcast shape of `output` down to the shape of `input` (numpy
   * broadcasting): reduce over the leading axes `input` lacks and the axes where it has size 1, then reshape.
   */
  unbroadcast(grad: string, input: string, output: string): string {
    const inShape = this.shape(input), outShape = this.shape(output);
    if (!inShape || !outShape) throw this.unsupported(`the shapes of "${input}" or "${output}" are unknown`);
    if (inShape.length === outShape.length && inShape.every((d, i) => d === outShape[i])) return grad;
    const offset = outShape.length - inShape.length;
    const axes: number[] = [];
    for (let a = 0; a < outShape.length; a++) {
      if (a < offset) axes.push(a);
      else if (inShape[a - offset] === 1 && outShape[a] !== 1) axes.push(a);
    }
    const reduced = this.reduceSum(grad, axes, true);
    return this.reshapeLike(reduced, input);
  }
}
