/**
 * The only module that talks to onnxruntime. It receives the onnxruntime module (onnxruntime-web in the
 * worker, the same package's Node build in the CLI and tests) so one engine serves every place.
 */
import type * as OrtNamespace from 'onnxruntime-web';
import { GlassboxError } from '../errors';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../math/float16';
import { GraphEditor } from '../onnx/graph-edit';
import { decodeModel, summarizeModel, type Dim, type ModelGraphInfo, type TensorInfo } from '../onnx/model-graph';
import { upgradeOpset } from '../onnx/opset-upgrade';
import { rewriteFixedBatch } from '../onnx/batch-rewrite';
import { inspectClassifier, type ClassifierSpec } from './classifier-spec';
import { createCheckedGpuComposer, weightsPerRow, type GpuDeviceLike, type MaskedInputSpec } from './gpu-compose';

export type Ort = typeof OrtNamespace;
export type Backend = 'webgpu' | 'wasm';

export interface LoadOptions {
  backend: Backend;
  /** Rewrite a fixed batch of 1 to a symbolic one when a batch of two then equals two single runs (default true). */
  batchRewrite?: boolean;
  /** The file's graph summary when the caller already read it (to choose the backend), so it is not parsed twice. */
  info?: ModelGraphInfo;
}

/** A loaded classifier: runs batches of preprocessed images and returns their raw scores. */
export interface Model {
  readonly info: ModelGraphInfo;
  readonly spec: ClassifierSpec;
  readonly backend: Backend;
  /** `input` holds dims[0] images laid out as `dims`; returns dims[0] × numClasses raw scores. */
  run(input: Float32Array, dims: number[]): Promise<Float32Array>;
  /**
   * Where the model runs on WebGPU with a float32 input: a runner whose rows are composed on the GPU from a few
   * weights each (gpu-compose.ts), so a batch uploads its weights instead of its images. Undefined elsewhere.
   */
  maskedInputs?(spec: MaskedInputSpec): Promise<MaskedInputRunner | undefined>;
  dispose(): Promise<void>;
}

/** Runs rows given as weights (gpu-compose.ts) through the model; the model input never leaves the GPU. */
export interface MaskedInputRunner {
  /** Weights per row. */
  readonly per: number;
  /** Rows one call can take. */
  readonly maxRows: number;
  /** n rows' weights (n × per values) → n × numClasses raw scores. */
  run(weights: Float32Array, n: number): Promise<Float32Array>;
  dispose(): void;
}

/** A tensor handed to or returned by a graph session (float32 or int64 data). */
export interface TensorValue {
  data: Float32Array;
  dims: number[];
}

/** Any ONNX graph (an edited model: extra outputs, a backward graph) run with named feeds. */
export interface GraphSession {
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];
  readonly backend: Backend;
  run(feeds: Record<string, TensorValue>, fetch?: string[]): Promise<Record<string, TensorValue>>;
  dispose(): Promise<void>;
}

export interface SessionOptions {
  backend: Backend;
  /** On WebGPU, nodes to run on the CPU (MaxPool with an Indices output has no WebGPU kernel). */
  forceCpuNodeNames?: string[];
  /** Keep the graph as written (no fusions), e.g. to read intermediate tensors exactly. */
  optimization?: 'all' | 'extended' | 'basic' | 'disabled';
  /** In-memory files the model's external-data tensors name (GraphEditor.encodeForSession). */
  externalData?: { path: string; data: Uint8Array }[];
}

export interface OrtRuntime {
  loadModel(bytes: Uint8Array, options: LoadOptions): Promise<Model>;
  createSession(bytes: Uint8Array, options: SessionOptions): Promise<GraphSession>;
}

function tensorInfoFromOrt(meta: readonly OrtNamespace.InferenceSession.ValueMetadata[]): TensorInfo[] {
  return meta.map((m) =>
    m.isTensor
      ? { name: m.name, dtype: m.type, shape: m.shape.map((d): Dim => (typeof d === 'number' && d > 0 && d < 2 ** 31 ? d : typeof d === 'string' && d ? d : '?')) }
      : { name: m.name, dtype: 'non-tensor' },
  );
}

/** onnxruntime's session-creation failures, said in terms a data scientist can act on. */
export function translateOrtError(e: unknown): GlassboxError {
  const text = e instanceof Error ? e.message : String(e);
  const op =
    /(?:implementation for|not a registered function\/op[^:]*:?)\s*([\w.:]+)\(/.exec(text)?.[1] ??
    /([\w.]+:)?(\w+)\(-?\d+\) is not a registered function\/op/.exec(text)?.[2] ??
    /No Op registered for (\w+) with domain_version/.exec(text)?.[1];
  if (op || /not a registered function\/op|Could not find an implementation|No Op registered for/i.test(text)) {
    return new GlassboxError(
      'MODEL_UNSUPPORTED_OP',
      `This model uses an operator Glassbox cannot run${op ? `: "${op}"` : ''}.`,
      'It is a custom operator or one onnxruntime-web does not support: re-export with a standard ONNX opset (opset_version=17) and without custom operators.',
      text,
    );
  }
  if (/protobuf parsing failed|failed to load model|invalid model/i.test(text)) {
    return new GlassboxError(
      'MODEL_UNREADABLE',
      'This ONNX file is broken: onnxruntime found an error in its graph.',
      'Check it in Python with onnx.checker.check_model("model.onnx"), then export it again.',
      text,
    );
  }
  if (/no available backend|Failed to get GPU adapter|webgpu/i.test(text)) {
    return new GlassboxError('BACKEND_UNAVAILABLE', 'The chosen backend is not available here.', 'Switch to WASM.', text);
  }
  return new GlassboxError(
    'MODEL_LOAD_FAILED',
    'onnxruntime could not prepare this model to run.',
    'It may use a data type or operator version onnxruntime-web does not support: re-export with opset_version=17 and float32 weights, and check it with onnx.checker.check_model.',
    text,
  );
}

/**
 * When onnxruntime has no kernel for a standard operator at the model's (old) opset, the op and opset, and a way
 * to upgrade the model to opset 17; a failing upgrade names the op and what to run instead.
 */
function oldOperatorVersion(e: unknown, bytes: Uint8Array): { op: string; opset: number; upgrade: () => Uint8Array } | undefined {
  const text = e instanceof Error ? e.message : String(e);
  const op = /implementation for (\w+)\((\d+)\)/.exec(text)?.[1];
  if (!op) return undefined;
  const editor = GraphEditor.fromBytes(bytes);
  const opset = editor.opsetVersion('');
  if (!opset || opset >= 16) return undefined;
  return {
    op,
    opset,
    upgrade() {
      try {
        upgradeOpset(editor, 17);
      } catch (u) {
        throw new GlassboxError(
          'MODEL_UNSUPPORTED',
          `This model uses ONNX opset ${opset}, older than onnxruntime-web runs "${op}" at, and Glassbox could not upgrade it: ${(u as Error).message}`,
          'Upgrade it in Python: onnx.save(onnx.version_converter.convert_version(onnx.load("model.onnx"), 17), "model17.onnx"), or export it again with opset_version=17.',
          text,
        );
      }
      return editor.encode();
    },
  };
}

/** Largest relative difference allowed between a batched row and the same image run alone. */
export const BATCH_REWRITE_TOLERANCE = 1e-5;

/**
 * A model with a fixed batch of 1, rewritten so one call takes many images (batch-rewrite.ts), kept only when a
 * batch of two seeded inputs gives the outputs of two single runs of the original within BATCH_REWRITE_TOLERANCE;
 * otherwise the original, with a warning saying why every image stays one call.
 */
async function batchedTwin(original: OrtModel, bytes: Uint8Array, create: (b: Uint8Array) => Promise<OrtNamespace.InferenceSession>, wrap: (s: OrtNamespace.InferenceSession) => OrtModel): Promise<Model> {
  const spec = original.spec;
  const keep = (why: string) => {
    spec.warnings.push(`This model fixes its batch to 1, and ${why}, so every image is one model call (slower explanations). Export it with a dynamic batch (dynamic_axes={"input": {0: "batch"}}) to batch it.`);
    return original;
  };
  const rewrite = rewriteFixedBatch(bytes);
  if (!rewrite) return original;
  let session: OrtNamespace.InferenceSession;
  try {
    session = await create(rewrite.bytes);
  } catch {
    return keep('onnxruntime refused the graph rewritten for any batch');
  }
  const twin = wrap(session);
  try {
    const dims = spec.inputShape.map((d, i) => (i === 0 ? 2 : typeof d === 'number' ? d : (i === (spec.layout === 'NCHW' ? 1 : 3) ? spec.channels : 64)));
    const per = dims.slice(1).reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: 2 * per }, (_, i) => Math.sin(i * 0.7311 + 0.3) * 1.5);
    const batched = await twin.run(x, dims);
    const single = [await original.run(x.subarray(0, per), [1, ...dims.slice(1)]), await original.run(x.subarray(per), [1, ...dims.slice(1)])];
    const expected = new Float32Array(single[0].length * 2);
    expected.set(single[0]);
    expected.set(single[1], single[0].length);
    let err = 0, scale = 0;
    if (batched.length !== expected.length) throw new Error(`batch of 2 gave ${batched.length} values, two single runs ${expected.length}`);
    for (let i = 0; i < expected.length; i++) {
      err = Math.max(err, Math.abs(batched[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    const relative = err / Math.max(scale, 1e-12);
    if (!(relative <= BATCH_REWRITE_TOLERANCE)) {
      await twin.dispose();
      return keep(`a batch of two rewritten for any batch differs from two single runs (relative ${relative.toExponential(1)})`);
    }
    await original.dispose();
    twin.spec.batchRewrite = { reshapes: rewrite.reshapes.length, relativeError: relative };
    return twin;
  } catch (e) {
    await twin.dispose();
    return keep(`the graph rewritten for any batch failed on a batch of two (${(e as Error).message?.split('\n')[0] ?? e})`);
  }
}

/** Parse the ONNX file and summarise it, without onnxruntime: clear errors for files that are not ONNX. */
export function readModelInfo(bytes: Uint8Array): ModelGraphInfo {
  return summarizeModel(decodeModel(bytes));
}

/** How the CPU backend ('wasm' in LoadOptions/SessionOptions) maps onto the onnxruntime module passed in. */
export interface OrtRuntimeOptions {
  /** Its execution provider: 'wasm' for onnxruntime-web (default), 'cpu' for onnxruntime-node (same graphs, native code). */
  cpuProvider?: 'wasm' | 'cpu';
  /** Threads per session, for modules that take them per session (onnxruntime-node); onnxruntime-web reads env.wasm.numThreads. */
  intraOpNumThreads?: number;
}

export function createOrtRuntime(ort: Ort, runtimeOptions: OrtRuntimeOptions = {}): OrtRuntime {
  const cpuProvider = runtimeOptions.cpuProvider ?? 'wasm';
  const threads = runtimeOptions.intraOpNumThreads ? { intraOpNumThreads: runtimeOptions.intraOpNumThreads, interOpNumThreads: 1 } : {};
  return {
    async loadModel(bytes, options) {
      const info = options.info ?? readModelInfo(bytes);
      const create = (b: Uint8Array) =>
        ort.InferenceSession.create(b, {
          executionProviders: [options.backend === 'webgpu' ? 'webgpu' : cpuProvider],
          graphOptimizationLevel: 'all',
          logSeverityLevel: 3,
          ...threads,
        });
      let session: OrtNamespace.InferenceSession;
      let upgraded: string | undefined;
      let upgradedBytes: Uint8Array | undefined;
      try {
        session = await create(bytes);
      } catch (e) {
        // an operator version older than onnxruntime implements (e.g. BatchNormalization-6): upgrade in memory
        const old = oldOperatorVersion(e, bytes);
        if (!old) throw translateOrtError(e);
        upgradedBytes = old.upgrade();
        session = await create(upgradedBytes).catch((again: unknown) => {
          throw again instanceof GlassboxError ? again : translateOrtError(again);
        });
        upgraded = `This model uses ONNX opset ${old.opset}, older than onnxruntime-web runs "${old.op}" at; Glassbox upgraded it to opset 17 in memory, with the converter the gradient methods use.`;
      }
      let spec: ClassifierSpec;
      try {
        spec = inspectClassifier(info, tensorInfoFromOrt(session.inputMetadata), tensorInfoFromOrt(session.outputMetadata));
      } catch (e) {
        await session.release();
        throw e;
      }
      if (upgraded) spec.warnings.push(upgraded);
      const model = new OrtModel(ort, session, info, spec, options.backend);
      if (spec.dynamicBatch || options.batchRewrite === false || spec.inputShape[0] !== 1) return model;
      return batchedTwin(model, upgradedBytes ?? bytes, (b) => create(b), (s) => new OrtModel(ort, s, info, { ...spec, dynamicBatch: true, inputShape: ['N', ...spec.inputShape.slice(1)], outputShape: ['N', ...spec.outputShape.slice(1)] }, options.backend));
    },

    async createSession(bytes, options) {
      const ep =
        options.backend === 'webgpu'
          ? [{ name: 'webgpu', ...(options.forceCpuNodeNames?.length ? { forceCpuNodeNames: options.forceCpuNodeNames } : {}) }]
          : [cpuProvider];
      let session: OrtNamespace.InferenceSession;
      try {
        session = await ort.InferenceSession.create(bytes, {
          executionProviders: ep as OrtNamespace.InferenceSession.SessionOptions['executionProviders'],
          graphOptimizationLevel: options.optimization ?? 'all',
          logSeverityLevel: 3,
          ...(options.externalData?.length ? { externalData: options.externalData } : {}),
          ...threads,
        });
      } catch (e) {
        throw translateOrtError(e);
      }
      return new OrtGraphSession(ort, session, options.backend);
    },
  };
}

class OrtGraphSession implements GraphSession {
  readonly inputs: TensorInfo[];
  readonly outputs: TensorInfo[];

  constructor(
    private readonly ort: Ort,
    private readonly session: OrtNamespace.InferenceSession,
    readonly backend: Backend,
  ) {
    this.inputs = tensorInfoFromOrt(session.inputMetadata);
    this.outputs = tensorInfoFromOrt(session.outputMetadata);
  }

  async run(feeds: Record<string, TensorValue>, fetch?: string[]): Promise<Record<string, TensorValue>> {
    const ortFeeds: Record<string, OrtNamespace.Tensor> = {};
    for (const [name, v] of Object.entries(feeds)) ortFeeds[name] = new this.ort.Tensor('float32', v.data, v.dims);
    let results: OrtNamespace.InferenceSession.ReturnType;
    try {
      results = await this.session.run(ortFeeds, fetch ?? this.outputs.map((o) => o.name));
    } catch (e) {
      throw new GlassboxError('INFERENCE_FAILED', 'The model failed while running.', undefined, (e as Error).message ?? String(e));
    }
    const out: Record<string, TensorValue> = {};
    for (const [name, t] of Object.entries(results)) {
      const data = t.data;
      out[name] = {
        data: data instanceof Float32Array ? data : data instanceof Uint16Array && t.type === 'float16' ? float16BitsToFloat32(data) : Float32Array.from(data as ArrayLike<number>, Number),
        dims: t.dims.map(Number),
      };
      t.dispose();
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

class OrtModel implements Model {
  constructor(
    private readonly ort: Ort,
    private readonly session: OrtNamespace.InferenceSession,
    readonly info: ModelGraphInfo,
    readonly spec: ClassifierSpec,
    readonly backend: Backend,
  ) {}

  async run(input: Float32Array, dims: number[]): Promise<Float32Array> {
    const batch = dims[0];
    const perImage = input.length / batch;
    if (!Number.isInteger(perImage) || dims.reduce((a, b) => a * b, 1) !== input.length) {
      throw new GlassboxError('PARAM_INVALID', `Input of ${input.length} values does not match dims [${dims.join(', ')}].`);
    }
    // Models with a fixed batch of 1 run image by image.
    if (!this.spec.dynamicBatch && batch > 1) {
      const parts: Float32Array[] = [];
      for (let b = 0; b < batch; b++) parts.push(await this.run(input.subarray(b * perImage, (b + 1) * perImage), [1, ...dims.slice(1)]));
      const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
      parts.forEach((p, i) => out.set(p, i * p.length));
      return out;
    }
    const tensor =
      this.spec.inputDType === 'float16'
        ? new this.ort.Tensor('float16', float32ToFloat16Bits(input), dims)
        : new this.ort.Tensor('float32', input, dims);
    return this.scores(tensor, dims);
  }

  async maskedInputs(spec: MaskedInputSpec): Promise<MaskedInputRunner | undefined> {
    if (this.backend !== 'webgpu' || this.spec.inputDType !== 'float32') return undefined;
    const device = (await this.ort.env.webgpu?.device) as unknown as GpuDeviceLike | undefined;
    if (!device) return undefined;
    const composer = await createCheckedGpuComposer(device, spec);
    if (!composer) return undefined;
    const dimsOf = (n: number) => (spec.layout === 'NCHW' ? [n, spec.channels, spec.height, spec.width] : [n, spec.height, spec.width, spec.channels]);
    return {
      per: weightsPerRow(spec),
      maxRows: this.spec.dynamicBatch ? composer.maxRows : 1,
      run: (weights, n) => {
        const dims = dimsOf(n);
        const tensor = this.ort.Tensor.fromGpuBuffer(composer.compose(weights, n) as never, { dataType: 'float32', dims });
        return this.scores(tensor, dims);
      },
      dispose: () => composer.destroy(),
    };
  }

  /** One session call on an input tensor, the raw scores read back as float32. */
  private async scores(tensor: OrtNamespace.Tensor, dims: number[]): Promise<Float32Array> {
    let results: OrtNamespace.InferenceSession.ReturnType;
    try {
      results = await this.session.run({ [this.spec.inputName]: tensor }, [this.spec.outputName]);
    } catch (e) {
      throw new GlassboxError(
        'INFERENCE_FAILED',
        `The model failed on an input of shape [${dims.join(', ')}].`,
        'Check the input size and layout in the preprocessing panel.',
        (e as Error).message ?? String(e),
      );
    }
    const out = results[this.spec.outputName];
    const data = out.data;
    let scores: Float32Array;
    if (data instanceof Float32Array) scores = data;
    else if (data instanceof Uint16Array) scores = float16BitsToFloat32(data);
    else scores = Float32Array.from(data as ArrayLike<number>);
    out.dispose();
    return scores;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
