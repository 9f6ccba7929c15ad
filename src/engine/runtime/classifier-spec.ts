import { GlassboxError } from '../errors';
import { defaultPreprocess, MAX_INPUT_PIXELS, MAX_INPUT_SIDE, validatePreprocess, type Layout, type PreprocessConfig } from '../image/preprocess';
import { labelsFromMetadata } from '../labels/labels';
import type { Dim, ModelGraphInfo, TensorInfo } from '../onnx/model-graph';
import type { ScoreKind } from '../predict/scores';

/** How Glassbox will feed and read a single-image classifier. */
export interface ClassifierSpec {
  inputName: string;
  inputDType: 'float32' | 'float16';
  inputShape: Dim[];
  layout: Layout;
  /** Why this layout: read from the graph, or guessed from where the channel axis of size 1/3 sits. */
  layoutSource: 'graph' | 'shape';
  channels: 1 | 3;
  /** Fixed spatial size, or undefined when the model accepts any size (dynamic H/W). */
  height?: number;
  width?: number;
  /** True when the batch dimension is symbolic: many images can go in one call. */
  dynamicBatch: boolean;
  /** Set when the file fixed the batch to 1 and Glassbox rewrote it (checked: a batch of two equals two single runs). */
  batchRewrite?: { reshapes: number; relativeError: number };
  outputName: string;
  outputShape: Dim[];
  /** Number of class scores; undefined until the first run when the output's class axis is symbolic. */
  numClasses?: number;
  /** From a final Softmax node; otherwise decided from the values at prediction time. */
  outputKind?: ScoreKind;
  metadataLabels?: string[];
  /** Preprocessing suggested for this model and why. */
  suggestedPreprocess: PreprocessConfig;
  preprocessSource: string;
  warnings: string[];
}

const IMAGE_DTYPES = new Set(['float32', 'float16']);

const CLASSIFIER_ONLY = 'Glassbox explains single-image classifiers: one float image input [N, C, H, W] or [N, H, W, C] and one output of class scores.';

function fail(code: ConstructorParameters<typeof GlassboxError>[0], message: string, hint = CLASSIFIER_ONLY): never {
  throw new GlassboxError(code, message, hint);
}

const fmtShape = (s?: Dim[]) => (s ? `[${s.join(', ')}]` : '(unknown)');

/**
 * Decide whether a model is a single-image classifier and how to feed it. `inputs`/`outputs` come from
 * onnxruntime (which already drops initializers listed as inputs); `graph` adds what only the file knows.
 */
export function inspectClassifier(graph: ModelGraphInfo, inputs: TensorInfo[], outputs: TensorInfo[]): ClassifierSpec {
  const warnings: string[] = [];
  if (inputs.length === 0) {
    fail('MODEL_NO_INPUT', 'This model has no inputs, so there is no place to feed an image.', 'Export it with the image as its input, e.g. torch.onnx.export(model, torch.randn(1, 3, 224, 224), …).');
  }
  if (inputs.length > 1) {
    fail(
      'MODEL_MULTIPLE_INPUTS',
      `This model takes ${inputs.length} inputs (${inputs.map((i) => `"${i.name}"`).join(', ')}); Glassbox needs exactly one image input.`,
      'Export a version that takes only the image: for example wrap it in a module whose forward(image) supplies the other inputs.',
    );
  }
  const input = inputs[0];
  if (!IMAGE_DTYPES.has(input.dtype)) {
    const tokens =
      input.dtype === 'uint8'
        ? ' A uint8 input usually takes raw pixels 0–255 (some TensorFlow exports); Glassbox feeds float values.'
        : /^u?int/.test(input.dtype)
          ? ' Integer inputs usually mean token ids: this looks like a text model.'
          : '';
    fail(
      'MODEL_INPUT_DTYPE',
      `The input "${input.name}" takes ${input.dtype} values, not image pixels (float32 or float16).${tokens}`,
      'Glassbox explains image classifiers. If this is one, export it with a float32 image input (a quantized model can keep float input and output).',
    );
  }
  const shape = input.shape ?? graph.inputs.find((i) => i.name === input.name)?.shape;
  if (!shape || shape.length !== 4) {
    fail(
      'MODEL_INPUT_NOT_IMAGE',
      `The input "${input.name}" has shape ${fmtShape(shape)}, not an image batch like [N, 3, H, W] or [N, H, W, 3].`,
      'Glassbox needs a model that takes the image itself: if this one takes features or a flattened image, export it together with the layers before it, from an image input such as torch.randn(1, 3, 224, 224).',
    );
  }
  const isChannelDim = (d: Dim) => d === 1 || d === 3;
  let layout: Layout;
  let layoutSource: ClassifierSpec['layoutSource'];
  if (graph.layoutFromGraph && isChannelDim(shape[graph.layoutFromGraph === 'NCHW' ? 1 : 3])) {
    layout = graph.layoutFromGraph;
    layoutSource = 'graph';
  } else if (isChannelDim(shape[1]) && !isChannelDim(shape[3])) {
    layout = 'NCHW';
    layoutSource = 'shape';
  } else if (isChannelDim(shape[3]) && !isChannelDim(shape[1])) {
    layout = 'NHWC';
    layoutSource = 'shape';
  } else if (isChannelDim(shape[1])) {
    layout = 'NCHW';
    layoutSource = 'shape';
    warnings.push(`The input ${fmtShape(shape)} could be NCHW or NHWC; assuming NCHW. Change the layout in the preprocessing panel if predictions look wrong.`);
  } else {
    fail(
      'MODEL_INPUT_NOT_IMAGE',
      `The input "${input.name}" has shape ${fmtShape(shape)}: no axis of size 1 or 3 where the colour channels should be.`,
      'Glassbox reads colour (3 channels) or greyscale (1) images, channels first [N, C, H, W] or last [N, H, W, C].',
    );
  }
  const channels = shape[layout === 'NCHW' ? 1 : 3] as 1 | 3;
  const hDim = shape[layout === 'NCHW' ? 2 : 1];
  const wDim = shape[layout === 'NCHW' ? 3 : 2];
  const height = typeof hDim === 'number' ? hDim : undefined;
  const width = typeof wDim === 'number' ? wDim : undefined;
  if (height !== undefined && width !== undefined && height * width > MAX_INPUT_PIXELS) {
    fail(
      'MODEL_UNSUPPORTED',
      `The model's input is ${width}×${height} pixels (${((width * height) / 1e6).toFixed(1)} megapixels), over the ${(MAX_INPUT_PIXELS / 1e6).toFixed(1)} megapixels (${MAX_INPUT_SIDE}×${MAX_INPUT_SIDE}) Glassbox explains: each image through the model and its explanations would take gigabytes.`,
      'Export it at the size it was trained at (e.g. 224×224), or with a dynamic height and width and choose the size in the preprocessing panel.',
    );
  }

  if (outputs.length === 0) fail('MODEL_OUTPUT_NOT_SCORES', 'This model has no outputs.', 'Export it with its class scores as the output (output_names=["logits"]).');
  if (outputs.length > 1) warnings.push(`The model has ${outputs.length} outputs; using the first, "${outputs[0].name}", as class scores.`);
  const output = outputs[0];
  const outShape = output.shape ?? graph.outputs.find((o) => o.name === output.name)?.shape ?? [];
  if (!IMAGE_DTYPES.has(output.dtype) && output.dtype !== 'float64') {
    fail(
      'MODEL_OUTPUT_NOT_SCORES',
      `The output "${output.name}" holds ${output.dtype} values, not class scores: a model that outputs only the winning class cannot be explained.`,
      'Export it without its final argmax, so that it outputs one score per class.',
    );
  }
  // Class scores: [N, K] or [N, K, 1, 1] (SqueezeNet). Anything with a larger trailing extent is a map.
  const trailing = outShape.slice(1);
  const nonUnit = trailing.filter((d) => d !== 1);
  if (outShape.length < 2 || nonUnit.length > 1) {
    fail('MODEL_OUTPUT_NOT_SCORES', `The output "${output.name}" has shape ${fmtShape(outShape)}, not one score per class [N, classes]: this looks like a detection, segmentation or feature model.`);
  }
  const classDim = nonUnit[0] ?? 1;
  const numClasses = typeof classDim === 'number' ? classDim : undefined;
  if (numClasses !== undefined && numClasses < 2) {
    fail(
      'MODEL_OUTPUT_NOT_SCORES',
      `The output "${output.name}" has shape ${fmtShape(outShape)}: a single score. Glassbox needs one score per class (at least two).`,
      'For a binary classifier with one logit z, export both classes: torch.cat([torch.zeros_like(z), z], dim=1) — its softmax is [1 − sigmoid(z), sigmoid(z)].',
    );
  }

  const { config: suggestedPreprocess, source: preprocessSource } = suggestPreprocess(graph, { layout, channels, height, width }, warnings);
  return {
    inputName: input.name,
    inputDType: input.dtype as ClassifierSpec['inputDType'],
    inputShape: shape,
    layout,
    layoutSource,
    channels,
    height,
    width,
    dynamicBatch: typeof shape[0] === 'string',
    outputName: output.name,
    outputShape: outShape,
    numClasses,
    outputKind: graph.finalOpType === 'Softmax' ? 'probabilities' : undefined,
    metadataLabels: labelsFromMetadata(graph.metadata),
    suggestedPreprocess,
    preprocessSource,
    warnings,
  };
}

/** Starting preprocessing: the model's own "glassbox.preprocess" metadata, a known exporter's convention, or ImageNet. */
function suggestPreprocess(
  graph: ModelGraphInfo,
  input: { layout: Layout; channels: 1 | 3; height?: number; width?: number },
  warnings: string[],
): { config: PreprocessConfig; source: string } {
  const base: PreprocessConfig = { ...defaultPreprocess(input.width ?? 224, input.height ?? 224), layout: input.layout, channels: input.channels };
  const declared = graph.metadata['glassbox.preprocess'];
  if (declared) {
    try {
      const parsed = JSON.parse(declared) as Partial<PreprocessConfig> & { size?: number; channelOrder?: string };
      const config: PreprocessConfig = {
        ...base,
        ...parsed,
        width: input.width ?? parsed.width ?? parsed.size ?? base.width,
        height: input.height ?? parsed.height ?? parsed.size ?? base.height,
        layout: input.layout,
        channels: input.channels,
      } as PreprocessConfig;
      validatePreprocess(config);
      return { config, source: 'model metadata (glassbox.preprocess)' };
    } catch (e) {
      warnings.push(`Ignoring the model's glassbox.preprocess metadata: ${(e as Error).message}`);
    }
  }
  if (/caffe2/i.test(graph.producer)) {
    // Caffe2 zoo models (e.g. SqueezeNet 1.1) take BGR pixels in 0..255 without normalisation.
    return {
      config: { ...base, range: 255, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'BGR' },
      source: `producer "${graph.producer}": Caffe2 convention (BGR, 0–255, no normalisation)`,
    };
  }
  return { config: base, source: 'default (ImageNet mean/std, resize 256 + centre crop)' };
}
