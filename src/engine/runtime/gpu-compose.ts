/**
 * Masked model inputs built on the GPU (WebGPU only): the image and the hidden image, both already in the
 * model's layout and normalisation, are uploaded once; each batch then uploads only its rows' weights — one per
 * superpixel for LIME and KernelSHAP, one per pixel for RISE — and a compute shader writes
 * `original·w + hidden·(1 − w)` for every element straight into a GPU buffer the model reads as its input
 * (onnxruntime's Tensor.fromGpuBuffer). For ResNet-50 at batch 64 that is 64 × 50 weights instead of 38 MB of
 * pixels per call. The formula is the CPU paths' own (perturb.ts for 0/1 weights, rise.ts for masks), so a 0/1
 * weight picks an element exactly.
 *
 * The WebGPU types are declared here by shape: the engine compiles without the DOM library.
 */

/** What every row of a batch is composed from. */
export interface MaskedInputSpec {
  /** The image as a model input tensor (one image). */
  original: Float32Array;
  /** What a weight of 0 shows, as a model input tensor; zeros when absent. */
  hidden?: Float32Array;
  layout: 'NCHW' | 'NHWC';
  /** The input tensor's width, height and channels. */
  width: number;
  height: number;
  channels: number;
  /**
   * Per pixel, the feature (superpixel) whose weight it takes: rows then carry `features` weights. Without it a row
   * carries one weight per pixel.
   */
  pixelFeature?: Int32Array;
  features?: number;
}

/** Weights per row for a spec: one per feature, or one per pixel. */
export function weightsPerRow(spec: MaskedInputSpec): number {
  return spec.pixelFeature ? spec.features! : spec.width * spec.height;
}

export interface GpuBufferLike {
  readonly size: number;
  destroy(): void;
}

/** The subset of GPUDevice this module uses. */
export interface GpuDeviceLike {
  readonly limits: { maxStorageBufferBindingSize: number; maxBufferSize: number; maxComputeWorkgroupsPerDimension: number };
  readonly queue: { writeBuffer(buffer: GpuBufferLike, offset: number, data: ArrayBufferView): void; submit(commands: unknown[]): void };
  createBuffer(descriptor: { size: number; usage: number; label?: string }): GpuBufferLike;
  createShaderModule(descriptor: { code: string }): unknown;
  createComputePipeline(descriptor: { layout: 'auto'; compute: { module: unknown; entryPoint: string } }): { getBindGroupLayout(i: number): unknown };
  createBindGroup(descriptor: { layout: unknown; entries: { binding: number; resource: { buffer: GpuBufferLike; size?: number } }[] }): unknown;
  pushErrorScope(filter: 'validation' | 'out-of-memory'): void;
  popErrorScope(): Promise<{ message: string } | null>;
  createCommandEncoder(): {
    beginComputePass(): { setPipeline(p: unknown): void; setBindGroup(i: number, g: unknown): void; dispatchWorkgroups(x: number, y?: number): void; end(): void };
    finish(): unknown;
  };
}

// GPUBufferUsage flags (WebGPU spec)
const COPY_DST = 0x8;
const UNIFORM = 0x40;
const STORAGE = 0x80;
const WORKGROUP = 256;

const SHADER = /* wgsl */ `
struct Params { len: u32, pixels: u32, channels: u32, nhwc: u32, perRow: u32, byFeature: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> original: array<f32>;
@group(0) @binding(2) var<storage, read> hidden: array<f32>;
@group(0) @binding(3) var<storage, read> feature: array<i32>;
@group(0) @binding(4) var<storage, read> weights: array<f32>;
@group(0) @binding(5) var<storage, read_write> result: array<f32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let e = g.x;
  let row = g.y;
  if (e >= P.len) { return; }
  var pixel = e % P.pixels;
  if (P.nhwc == 1u) { pixel = e / P.channels; }
  var k = pixel;
  if (P.byFeature == 1u) { k = u32(feature[pixel]); }
  let w = weights[row * P.perRow + k];
  result[row * P.len + e] = original[e] * w + hidden[e] * (1.0 - w);
}
`;

export interface GpuComposer {
  /** Rows one composition can hold (the device's storage-binding limit). */
  readonly maxRows: number;
  /** Compose `n` rows from their weights (n × weightsPerRow values); the buffer holds exactly n rows. */
  compose(weights: Float32Array, n: number): GpuBufferLike;
  destroy(): void;
}

/**
 * createGpuComposer, checked: WebGPU reports a shader or buffer it refused asynchronously, not by throwing, so the
 * pipeline is built and one row composed inside error scopes; any error gives undefined (the CPU path), never a
 * model run on a buffer the GPU did not write.
 */
export async function createCheckedGpuComposer(device: GpuDeviceLike, spec: MaskedInputSpec): Promise<GpuComposer | undefined> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let composer: GpuComposer | undefined;
  try {
    composer = createGpuComposer(device, spec);
    composer?.compose(new Float32Array(weightsPerRow(spec)).fill(1), 1);
  } finally {
    const errors = [await device.popErrorScope(), await device.popErrorScope()];
    if (errors.some(Boolean)) {
      composer?.destroy();
      composer = undefined;
    }
  }
  return composer;
}

/** Upload a spec's fixed parts and build the pipeline; undefined when one input does not fit a storage binding. */
export function createGpuComposer(device: GpuDeviceLike, spec: MaskedInputSpec): GpuComposer | undefined {
  const len = spec.original.length;
  const pixels = spec.width * spec.height;
  if (len !== pixels * spec.channels) throw new RangeError(`createGpuComposer: ${len} values are not ${spec.width}×${spec.height} pixels × ${spec.channels} channels.`);
  if (spec.hidden && spec.hidden.length !== len) throw new RangeError(`createGpuComposer: the hidden tensor has ${spec.hidden.length} values, the image ${len}.`);
  const perRow = weightsPerRow(spec);
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const maxRows = Math.min(Math.floor(limit / (len * 4)), device.limits.maxComputeWorkgroupsPerDimension);
  if (maxRows < 1 || Math.ceil(len / WORKGROUP) > device.limits.maxComputeWorkgroupsPerDimension) return undefined;
  const owned: GpuBufferLike[] = [];
  const upload = (data: ArrayBufferView & { byteLength: number }, usage: number) => {
    const buffer = device.createBuffer({ size: Math.max(16, Math.ceil(data.byteLength / 4) * 4), usage: usage | COPY_DST });
    device.queue.writeBuffer(buffer, 0, data);
    owned.push(buffer);
    return buffer;
  };
  const params = upload(new Uint32Array([len, pixels, spec.channels, spec.layout === 'NHWC' ? 1 : 0, perRow, spec.pixelFeature ? 1 : 0, 0, 0]), UNIFORM);
  const original = upload(spec.original, STORAGE);
  const hidden = upload(spec.hidden ?? new Float32Array(len), STORAGE);
  const feature = upload(spec.pixelFeature ?? new Int32Array(4), STORAGE);
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module: device.createShaderModule({ code: SHADER }), entryPoint: 'main' } });
  // one weights buffer for the largest batch; one output buffer per row count (a batch and the last, shorter one)
  let weights: GpuBufferLike | undefined;
  const outputs = new Map<number, GpuBufferLike>();
  return {
    maxRows,
    compose(w, n) {
      if (n < 1 || n > maxRows) throw new RangeError(`GpuComposer.compose: ${n} rows, at most ${maxRows}.`);
      if (w.length < n * perRow) throw new RangeError(`GpuComposer.compose: ${w.length} weights for ${n} rows of ${perRow}.`);
      const bytes = n * perRow * 4;
      if (!weights || weights.size < bytes) {
        weights?.destroy();
        weights = device.createBuffer({ size: Math.max(16, bytes), usage: STORAGE | COPY_DST });
      }
      device.queue.writeBuffer(weights, 0, w.subarray(0, n * perRow));
      let out = outputs.get(n);
      if (!out) {
        out = device.createBuffer({ size: n * len * 4, usage: STORAGE | COPY_DST | 0x4 /* COPY_SRC */ });
        outputs.set(n, out);
      }
      const group = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [params, original, hidden, feature, weights, out].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(Math.ceil(len / WORKGROUP), n);
      pass.end();
      device.queue.submit([encoder.finish()]);
      return out;
    },
    destroy() {
      for (const b of owned) b.destroy();
      weights?.destroy();
      for (const b of outputs.values()) b.destroy();
      outputs.clear();
    },
  };
}
