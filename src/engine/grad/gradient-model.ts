/**
 * A model prepared for gradient methods: the classifier's graph plus our backward graph in one onnxruntime
 * session. It returns, for a batch of inputs and a seed dS/dScore per row, the scores, the target layer's
 * activation and the gradients of Σ seed⊙score with respect to the layer and/or the input. Also a forward-only
 * "head" session from the layer to the scores, for the gradient-free CAMs that edit activations.
 */
import { GlassboxError } from '../errors';
import { GraphEditor } from '../onnx/graph-edit';
import type { Dim } from '../onnx/model-graph';
import { inferShapes, type ShapeMap } from '../onnx/shapes';
import { upgradeOpset } from '../onnx/opset-upgrade';
import { widenToFloat32 } from '../onnx/float32';
import { symboliseBatch } from '../onnx/batch-rewrite';
import { fixInputSize, foldShapeArithmetic } from './prepare';
import type { Backend, GraphSession, OrtRuntime, SessionOptions, TensorValue } from '../runtime/ort-runtime';
import { appendBackward, unsupportedOps } from './backward';
import { layerCatalog, type LayerCandidate, type LayerCatalog } from './layers';

const SHAPE_ONLY = new Set(['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout']);

export interface GradientRequest {
  /** Target layer whose activation (and gradient) is returned. */
  layer?: string;
  /** Also differentiate with respect to the model input. */
  input?: boolean;
  /** Guided Backprop's ReLU rule. */
  guidedRelu?: boolean;
}

export interface GradientRun {
  /** The differentiated scores (logits when the model ends in Softmax), [N, K]. */
  scores: Float32Array;
  activation?: TensorValue;
  gradLayer?: TensorValue;
  gradInput?: TensorValue;
}

export interface GradientModel {
  readonly layer?: LayerCandidate;
  readonly classes: number;
  /** 'logits' when the model's Softmax was looked through. */
  readonly scoreKind: 'logits' | 'outputs';
  readonly backend: Backend;
  run(input: Float32Array, dims: number[], seed: Float32Array): Promise<GradientRun>;
  dispose(): Promise<void>;
}

export interface HeadModel {
  readonly layer: LayerCandidate;
  /** Scores [N, K] for activations [N, …] fed at the layer. */
  run(activation: Float32Array, dims: number[]): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface ForwardModel {
  readonly layer?: LayerCandidate;
  readonly scoreKind: 'logits' | 'outputs';
  /** Scores in the differentiated space ([N, K]) and the layer's activation. */
  run(input: Float32Array, dims: number[]): Promise<{ scores: Float32Array; activation?: TensorValue }>;
  dispose(): Promise<void>;
}

/** Everything about one model that gradient methods need, prepared once per model. */
export interface GradientSource {
  catalog(): Promise<LayerCatalog>;
  /** Forward only, returning a layer's activation too (gradient-free CAMs). */
  forward(layer?: string): Promise<ForwardModel>;
  /** Ops on the path from the input (or from `layer`) to the scores that have no backward rule (empty: gradients work). */
  unsupported(layer?: string): Promise<string[]>;
  gradients(request: GradientRequest): Promise<GradientModel>;
  head(layer: string): Promise<HeadModel>;
  /**
   * The same model prepared for an input of these dims (batch first). Models with a dynamic height/width get
   * their size fixed to it (each size is prepared once); for fixed-size models this is the source itself.
   */
  forInput(dims: number[]): GradientSource;
  /** Disposes every size's sessions. */
  dispose(): Promise<void>;
}

/** The tensor to differentiate: the model output, or the logits before a final Softmax (as pytorch-grad-cam). */
export function scoreTensor(editor: GraphEditor): { name: string; kind: 'logits' | 'outputs' } {
  const output = editor.outputNames[0];
  let cursor = editor.producer(output);
  while (cursor && SHAPE_ONLY.has(cursor.opType ?? '')) cursor = editor.producer(cursor.input?.[0] ?? '');
  if (cursor && (cursor.opType === 'Softmax' || cursor.opType === 'LogSoftmax')) return { name: cursor.input?.[0] ?? output, kind: 'logits' };
  return { name: output, kind: 'outputs' };
}

/** True when the model's input has a symbolic dimension besides the batch (a dynamic height/width). */
function hasOpenSize(editor: GraphEditor): boolean {
  const dims = editor.graph.input?.[0]?.type?.tensorType?.shape?.dim ?? [];
  return dims.slice(1).some((d) => !(d.dimValue != null && Number(d.dimValue) > 0));
}

export interface GradientSourceOptions {
  /**
   * onnxruntime's graph optimisation for the backward sessions (default 'all'). On onnxruntime-node a ResNet-18
   * backward session builds in ~100 ms at 'all' and runs in 25 ms, at 'extended' builds in ~50 ms and runs in 38 ms:
   * a single pass (one CAM) is done sooner at 'extended', many passes (Integrated Gradients) at 'all'. On WASM the
   * levels differ little.
   */
  optimization?: 'all' | 'extended' | 'basic';
}

export function createGradientSource(runtime: OrtRuntime, bytes: Uint8Array, backend: Backend, options: GradientSourceOptions = {}): GradientSource {
  // Nothing is decoded until a gradient method asks (a model load costs no graph work); the first decode tells
  // whether the input size is open and is then handed to the first preparation, later sizes decode their own copy.
  let parsed: GraphEditor | undefined;
  let openSize: boolean | undefined;
  const decoded = () => {
    if (openSize === undefined) {
      parsed = GraphEditor.fromBytes(bytes);
      openSize = hasOpenSize(parsed);
      // a fixed size has one preparation (the root view's, which decodes its own): do not hold a second copy
      if (!openSize) parsed = undefined;
    }
    return openSize;
  };
  const take = () => {
    const e = parsed ?? GraphEditor.fromBytes(bytes);
    parsed = undefined;
    return e;
  };
  const views = new Map<string, GradientSource>();
  const at = (dims?: number[]): GradientSource => {
    const key = dims && decoded() ? dims.slice(1).join('×') : '';
    let view = views.get(key);
    if (!view) {
      view = sizedSource(runtime, take, backend, options.optimization, key ? dims : undefined, at, async () => {
        const all = [...views.values()];
        views.clear();
        for (const v of all) await (v as SizedSource).release();
      });
      views.set(key, view);
    }
    return view;
  };
  return at();
}

type SizedSource = GradientSource & { release(): Promise<void> };

function sizedSource(runtime: OrtRuntime, decode: () => GraphEditor, backend: Backend, optimization: GradientSourceOptions['optimization'], inputDims: number[] | undefined, at: (dims?: number[]) => GradientSource, disposeAll: () => Promise<void>): SizedSource {
  let prepared: Promise<{ editor: GraphEditor; shapes: ShapeMap; score: { name: string; kind: 'logits' | 'outputs' } }> | undefined;
  const prepare = () =>
    (prepared ??= (async () => {
      const editor = decode();
      // fp16/bf16 models are differentiated in float32 (one float type for seed, rules and outputs)
      widenToFloat32(editor);
      // a fixed batch of 1 made symbolic, as the loaded model is (ort-runtime checks that rewrite numerically and
      // batches only when it holds; a batch of one is right either way)
      symboliseBatch(editor);
      if (editor.opsetVersion('') < 16) upgradeOpset(editor, 17);
      fixInputSize(editor, inputDims);
      const shapes = await inferShapes(runtime, editor);
      foldShapeArithmetic(editor, shapes);
      editor.normaliseAutoPad((t) => {
        const s = shapes.get(t)?.shape;
        return s && s.slice(2).every((d) => typeof d === 'number') ? (s.slice(2) as number[]) : undefined;
      });
      return { editor, shapes, score: scoreTensor(editor) };
    })());
  let catalogPromise: Promise<LayerCatalog> | undefined;
  const sessions = new Map<string, Promise<GradientModel>>();
  const heads = new Map<string, Promise<HeadModel>>();
  const forwards = new Map<string, Promise<ForwardModel>>();
  const copy = (editor: GraphEditor) => editor.clone();
  // a session on the edited graph, its weights handed over without a copy (encodeForSession)
  const open = (editor: GraphEditor, options: Omit<SessionOptions, 'externalData'>) => {
    const { model, externalData } = editor.encodeForSession();
    return runtime.createSession(model, { ...options, externalData });
  };

  return {
    catalog: () => (catalogPromise ??= prepare().then(({ editor, shapes }) => layerCatalog(editor, shapes))),

    async unsupported(layer) {
      const { editor, shapes, score } = await prepare();
      return unsupportedOps(editor, score.name, layer ? [layer] : editor.inputNames, shapes);
    },

    gradients(request) {
      const key = JSON.stringify([request.layer ?? '', !!request.input, !!request.guidedRelu]);
      let p = sessions.get(key);
      if (!p) {
        p = (async () => {
          const { editor: base, shapes, score } = await prepare();
          const catalog = await this.catalog();
          const layer = request.layer ? catalog.candidates.find((c) => c.name === request.layer) : undefined;
          if (request.layer && !layer) throw new GlassboxError('PARAM_INVALID', `"${request.layer}" is not a spatial feature map or token sequence of this model.`, 'Pick a layer from the list.');
          const editor = copy(base);
          const inputName = editor.inputNames[0];
          const wrt = [...(layer ? [layer.name] : []), ...(request.input ? [inputName] : [])];
          if (!wrt.length) throw new GlassboxError('PARAM_INVALID', 'Nothing to differentiate: ask for a layer or the input.');
          const backward = appendBackward(editor, { score: score.name, wrt, shapes, guidedRelu: request.guidedRelu });
          editor.setOutputs([score.name, ...(layer ? [layer.name] : []), ...Object.values(backward.grads)]);
          const session = await open(editor, { backend, forceCpuNodeNames: backward.cpuNodes, ...(optimization ? { optimization } : {}) });
          const classes = Number((shapes.get(score.name)?.shape ?? []).slice(1).find((d) => typeof d === 'number' && d > 1) ?? 0);
          return new SessionGradientModel(session, inputName, score.name, shapes.get(score.name)?.shape ?? [], backward.seed, layer, layer ? backward.grads[layer.name] : undefined, request.input ? backward.grads[inputName] : undefined, classes, score.kind, backend);
        })();
        sessions.set(key, p);
        p.catch(() => sessions.delete(key));
      }
      return p;
    },

    forward(layerName) {
      const key = layerName ?? '';
      let p = forwards.get(key);
      if (!p) {
        p = (async () => {
          const { editor: base, score } = await prepare();
          const catalog = await this.catalog();
          const layer = layerName ? catalog.candidates.find((c) => c.name === layerName) : undefined;
          if (layerName && !layer) throw new GlassboxError('PARAM_INVALID', `"${layerName}" is not a spatial feature map or token sequence of this model.`, 'Pick a layer from the list.');
          const editor = copy(base);
          const inputName = editor.inputNames[0];
          editor.setOutputs([score.name, ...(layer ? [layer.name] : [])]);
          const session = await open(editor, { backend });
          return {
            layer,
            scoreKind: score.kind,
            async run(input: Float32Array, dims: number[]) {
              const out = await session.run({ [inputName]: { data: input, dims } }, [score.name, ...(layer ? [layer.name] : [])]);
              return { scores: out[score.name].data, activation: layer ? out[layer.name] : undefined };
            },
            dispose: () => session.dispose(),
          };
        })();
        forwards.set(key, p);
        p.catch(() => forwards.delete(key));
      }
      return p;
    },

    head(layerName) {
      let p = heads.get(layerName);
      if (!p) {
        p = (async () => {
          const { editor, score } = await prepare();
          const catalog = await this.catalog();
          const layer = catalog.candidates.find((c) => c.name === layerName);
          if (!layer) throw new GlassboxError('PARAM_INVALID', `"${layerName}" is not a spatial feature map or token sequence of this model.`);
          const sub = copy(editor);
          sub.setOutputs([score.name]);
          const head = sub.subgraphAfter(layerName, layer.shape.map((d, i) => (i === 0 ? 'N' : d)));
          const session = await open(head, { backend });
          return {
            layer,
            async run(activation: Float32Array, dims: number[]) {
              const out = await session.run({ [layerName]: { data: activation, dims } }, [score.name]);
              return out[score.name].data;
            },
            dispose: () => session.dispose(),
          };
        })();
        heads.set(layerName, p);
        p.catch(() => heads.delete(layerName));
      }
      return p;
    },

    forInput: (dims) => at(dims),
    dispose: () => disposeAll(),
    async release() {
      for (const p of sessions.values()) await (await p.catch(() => undefined))?.dispose();
      for (const p of heads.values()) await (await p.catch(() => undefined))?.dispose();
      for (const p of forwards.values()) await (await p.catch(() => undefined))?.dispose();
      sessions.clear();
      heads.clear();
      forwards.clear();
    },
  };
}

class SessionGradientModel implements GradientModel {
  constructor(
    private readonly session: GraphSession,
    private readonly inputName: string,
    private readonly scoreName: string,
    private readonly scoreShape: Dim[],
    private readonly seedName: string,
    readonly layer: LayerCandidate | undefined,
    private readonly gradLayerName: string | undefined,
    private readonly gradInputName: string | undefined,
    readonly classes: number,
    readonly scoreKind: 'logits' | 'outputs',
    readonly backend: Backend,
  ) {}

  async run(input: Float32Array, dims: number[], seed: Float32Array): Promise<GradientRun> {
    const n = dims[0];
    const seedDims = this.scoreShape.map((d, i) => (i === 0 ? n : typeof d === 'number' ? d : 1));
    const fetch = [this.scoreName, ...(this.layer ? [this.layer.name] : []), ...(this.gradLayerName ? [this.gradLayerName] : []), ...(this.gradInputName ? [this.gradInputName] : [])];
    const out = await this.session.run({ [this.inputName]: { data: input, dims }, [this.seedName]: { data: seed, dims: seedDims } }, fetch);
    return {
      scores: out[this.scoreName].data,
      activation: this.layer ? out[this.layer.name] : undefined,
      gradLayer: this.gradLayerName ? out[this.gradLayerName] : undefined,
      gradInput: this.gradInputName ? out[this.gradInputName] : undefined,
    };
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }
}
