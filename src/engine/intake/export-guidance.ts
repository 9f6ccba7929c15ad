/**
 * Model files Glassbox cannot run but can say how to convert: one table, read by the dashboard's file intake
 * (by file name), the CLI's --model (by file name) and the ONNX reader (by the first bytes, for a file renamed
 * .onnx). Each entry names the framework and gives a short recipe that ends in an ONNX file with a dynamic batch
 * at opset 17, as README's "Exporting to ONNX" does.
 */
import { GlassboxError } from '../errors';

export type ForeignModelFormatId = 'pytorch' | 'keras' | 'tensorflow' | 'tflite' | 'safetensors' | 'coreml' | 'pickle';

export interface ForeignModelFormat {
  id: ForeignModelFormatId;
  /** File name endings, lower case, with the dot. */
  extensions: readonly string[];
  /** What such a file is, as the rest of a sentence that starts with its name: "is a PyTorch checkpoint, not an ONNX model". */
  what: string;
  /** The first line of the hint: what to do, in words. */
  todo: string;
  /** The recipe, line by line: Python as written, shell commands after "$ ". */
  recipe: (fileName: string) => string[];
}

const py = (s: string) => JSON.stringify(s);

/** torch.onnx.export as README's "Exporting to ONNX" writes it: opset 17, a dynamic batch axis (explanations batch images). */
const TORCH_EXPORT = [
  'torch.onnx.export(model, torch.randn(1, 3, 224, 224), "model.onnx", opset_version=17,',
  '                  input_names=["image"], output_names=["logits"],',
  '                  dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}})',
];

const TF2ONNX_SAVED_MODEL = ['$ pip install tf2onnx', '$ python -m tf2onnx.convert --saved-model saved_model_dir --opset 17 --output model.onnx'];

export const FOREIGN_MODEL_FORMATS: readonly ForeignModelFormat[] = [
  {
    id: 'pytorch',
    extensions: ['.pt', '.pth', '.ckpt'],
    what: 'is a PyTorch checkpoint, not an ONNX model',
    todo: 'Load it into its model class in Python and export it with torch.onnx.export (opset 17, dynamic batch):',
    recipe: (file) => [
      'import torch',
      'model = MyNet()  # the model class these weights belong to',
      `model.load_state_dict(torch.load(${py(file)}, map_location="cpu"))`,
      'model.eval()',
      ...TORCH_EXPORT,
      `# a whole saved model instead of weights: model = torch.load(${py(file)}, weights_only=False)`,
      ...(/\.ckpt$/i.test(file) ? [`# a PyTorch Lightning checkpoint: model = MyLitModule.load_from_checkpoint(${py(file)})`] : []),
    ],
  },
  {
    id: 'keras',
    extensions: ['.h5', '.hdf5', '.keras'],
    what: 'is a Keras model, not an ONNX model',
    todo: 'Save it as a TensorFlow SavedModel and convert that with tf2onnx (Glassbox reads the NHWC layout):',
    recipe: (file) => [
      'import tensorflow as tf',
      `model = tf.keras.models.load_model(${py(file)})`,
      'model.export("saved_model_dir")  # TensorFlow 2.13 or later',
      ...TF2ONNX_SAVED_MODEL,
    ],
  },
  {
    id: 'tensorflow',
    extensions: ['.pb'],
    what: 'is a TensorFlow graph (SavedModel or frozen graph), not an ONNX model',
    todo: 'Convert the SavedModel folder (the one holding saved_model.pb and variables/) with tf2onnx:',
    recipe: (file) =>
      /\.pb$/i.test(file)
        ? [...TF2ONNX_SAVED_MODEL, `# a frozen graph instead: --graphdef ${file} --inputs INPUT:0 --outputs OUTPUT:0`]
        : ['$ pip install tf2onnx', `$ python -m tf2onnx.convert --saved-model ${file} --opset 17 --output model.onnx`],
  },
  {
    id: 'tflite',
    extensions: ['.tflite'],
    what: 'is a TensorFlow Lite model, not an ONNX model',
    todo: 'Convert it with tf2onnx:',
    recipe: (file) => ['$ pip install tf2onnx', `$ python -m tf2onnx.convert --tflite ${file} --opset 17 --output model.onnx`],
  },
  {
    id: 'safetensors',
    extensions: ['.safetensors'],
    what: 'holds only weights (safetensors), not a network Glassbox can run',
    todo: 'Load the weights into their architecture in Python, then export it with torch.onnx.export:',
    recipe: (file) => [
      'import torch',
      'from safetensors.torch import load_file',
      'model = MyNet()  # the architecture, e.g. timm.create_model("resnet50")',
      `model.load_state_dict(load_file(${py(file)}))`,
      'model.eval()',
      ...TORCH_EXPORT,
      '# a Hugging Face model folder: $ optimum-cli export onnx --model MODEL_ID_OR_FOLDER onnx_dir/',
    ],
  },
  {
    id: 'coreml',
    extensions: ['.mlmodel', '.mlpackage'],
    what: 'is a Core ML model, not an ONNX model',
    todo: 'Export the original PyTorch or TensorFlow model to ONNX instead; an older Core ML neural network converts with onnxmltools:',
    recipe: (file) => [
      '$ pip install coremltools onnxmltools',
      'import coremltools, onnxmltools',
      `spec = coremltools.utils.load_spec(${py(file)})`,
      'onnxmltools.utils.save_model(onnxmltools.convert_coreml(spec), "model.onnx")',
    ],
  },
  {
    id: 'pickle',
    extensions: ['.pkl', '.pickle'],
    what: 'is a Python pickle, not an ONNX model',
    todo: 'If it is a fastai Learner or a whole pickled PyTorch model, load it in Python and export the network with torch.onnx.export:',
    recipe: (file) => [
      'import torch',
      'from fastai.vision.all import load_learner',
      `model = load_learner(${py(file)}).model.eval()  # a pickled PyTorch model: torch.load(${py(file)}, weights_only=False).eval()`,
      ...TORCH_EXPORT,
    ],
  },
];

export function foreignModelFormatById(id: ForeignModelFormatId): ForeignModelFormat {
  const format = FOREIGN_MODEL_FORMATS.find((f) => f.id === id);
  if (!format) throw new Error(`no export guidance for ${id}`);
  return format;
}

/** The non-ONNX model format a file name says, if any (case-insensitive; "saved_model.pb" → TensorFlow). */
export function foreignModelFormat(fileName: string): ForeignModelFormat | undefined {
  const lower = fileName.toLowerCase().replace(/[/\\]+$/, '');
  return FOREIGN_MODEL_FORMATS.find((f) => f.extensions.some((ext) => lower.endsWith(ext)));
}

const ascii = (bytes: Uint8Array, from: number, to: number) => String.fromCharCode(...bytes.subarray(from, Math.min(to, bytes.length)));

/**
 * The non-ONNX model format the first bytes show, if any, for bytes that did not read as ONNX: a file renamed
 * .onnx, or opened whatever its name. Signatures only (ZIP, HDF5, TFLite, safetensors, pickle); SavedModel and
 * Core ML are protobuf like ONNX itself and are known by name only.
 */
export function foreignModelFormatFromBytes(bytes: Uint8Array): ForeignModelFormat | undefined {
  const byId = foreignModelFormatById;
  if (bytes.length < 8) return undefined;
  const head = ascii(bytes, 0, 8);
  if (head.startsWith('PK\x03\x04')) {
    // torch.save writes a ZIP holding ".../data.pkl"; Keras 3 a ZIP holding config.json and model.weights.h5.
    const names = ascii(bytes, 0, 4096);
    if (names.includes('data.pkl') || names.includes('constants.pkl')) return byId('pytorch');
    if (names.includes('config.json') || names.includes('.weights.h5') || names.includes('metadata.json')) return byId('keras');
    return undefined;
  }
  if (head === '\x89HDF\r\n\x1a\n') return byId('keras');
  if (ascii(bytes, 4, 8) === 'TFL3') return byId('tflite');
  if (bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) {
    // torch.save's legacy format is a pickle that opens with its magic number (protocol 2, a 10-byte long).
    return bytes[1] === 2 && bytes[2] === 0x8a && bytes[3] === 0x0a ? byId('pytorch') : byId('pickle');
  }
  // safetensors: an 8-byte little-endian header length (under 4 GiB in practice), then the JSON header '{"'.
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const headerLength = view.getUint32(0, true);
  if (view.getUint32(4, true) === 0 && headerLength > 1 && headerLength <= bytes.length - 8 && bytes[8] === 0x7b && bytes[9] === 0x22) return byId('safetensors');
  return undefined;
}

/** The refusal for a model in another format: what it is, that Glassbox runs ONNX, and the recipe to convert it. */
export function foreignModelError(format: ForeignModelFormat, fileName?: string, detail?: string): GlassboxError {
  const example = fileName ?? `model${format.extensions[0]}`;
  return new GlassboxError(
    'MODEL_NOT_ONNX',
    `${fileName ?? 'This file'} ${format.what}. Convert it to ONNX first, then open the .onnx file.`,
    [format.todo, ...format.recipe(example)].join('\n'),
    detail,
  );
}
