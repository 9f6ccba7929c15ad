/**
 * Masked inputs composed on the GPU (issue 14.3, gpu-compose.ts): LIME, KernelSHAP and RISE hand the model a few
 * weights per row instead of an image, and the results must be those of the CPU path. Node has no WebGPU, so the
 * device here is a fake that runs the shader's arithmetic (one invocation per element and row, reading the bound
 * buffers as the WGSL declares them): it checks what gpu-compose.ts uploads, packs and dispatches and what the
 * methods send. The shader itself, with onnxruntime reading its output buffer, is checked against WASM in
 * Chromium's WebGPU (tests/browser/gradcam.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNodeRuntime } from '../../src/cli/ort-node';
import { decodeImageFile } from '../../src/cli/decode-image';
import { explainKernelShap, KERNEL_SHAP_DEFAULTS } from '../../src/engine/explain/kernel-shap';
import { explainLime, LIME_DEFAULTS } from '../../src/engine/explain/lime';
import { explainRise, RISE_DEFAULTS } from '../../src/engine/explain/rise';
import { resizeForModel, type PreprocessConfig } from '../../src/engine/image/preprocess';
import { createCheckedGpuComposer, createGpuComposer, type GpuBufferLike, type GpuDeviceLike } from '../../src/engine/runtime/gpu-compose';
import type { Model, MaskedInputRunner } from '../../src/engine/runtime/ort-runtime';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'tests/fixtures');

class FakeBuffer implements GpuBufferLike {
  readonly bytes: Uint8Array;
  destroyed = false;
  constructor(readonly size: number) {
    this.bytes = new Uint8Array(size);
  }
  destroy() {
    this.destroyed = true;
  }
}

/** A GPUDevice stand-in that executes the composer's dispatch the way its WGSL does. */
function fakeDevice(limits = { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 30, maxComputeWorkgroupsPerDimension: 65535 }, refuseShader = false) {
  const buffers: FakeBuffer[] = [];
  let written = 0;
  let bound: FakeBuffer[] = [];
  const scopes: ({ message: string } | null)[] = [];
  const device: GpuDeviceLike = {
    limits,
    pushErrorScope: () => void scopes.push(null),
    popErrorScope: async () => scopes.pop() ?? null,
    queue: {
      writeBuffer(buffer, offset, data) {
        const b = buffer as FakeBuffer;
        expect(b.destroyed).toBe(false);
        b.bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
        written += data.byteLength;
      },
      submit() {},
    },
    createBuffer({ size }) {
      expect(size % 4).toBe(0);
      const b = new FakeBuffer(size);
      buffers.push(b);
      return b;
    },
    createShaderModule({ code }) {
      // a GPU that refuses the shader says so in the innermost error scope, not by throwing
      if (refuseShader) scopes[scopes.length - 1] = { message: 'shader refused' };
      return code;
    },
    createComputePipeline: () => ({ getBindGroupLayout: () => 'layout' }),
    createBindGroup({ entries }) {
      expect(entries.map((e) => e.binding)).toEqual([0, 1, 2, 3, 4, 5]);
      return entries.map((e) => e.resource.buffer as FakeBuffer);
    },
    createCommandEncoder: () => ({
      beginComputePass: () => ({
        setPipeline() {},
        setBindGroup(_i: number, g: unknown) {
          bound = g as FakeBuffer[];
        },
        dispatchWorkgroups(x: number, y = 1) {
          const [params, original, hidden, feature, weights, result] = bound;
          const u32 = new Uint32Array(params.bytes.buffer);
          const [len, pixels, channels, nhwc, perRow, byFeature] = u32;
          expect(x * 256).toBeGreaterThanOrEqual(len);
          const f32 = (b: FakeBuffer) => new Float32Array(b.bytes.buffer);
          const [o, h, w, r] = [f32(original), f32(hidden), f32(weights), f32(result)];
          const feat = new Int32Array(feature.bytes.buffer);
          for (let row = 0; row < y; row++) {
            for (let e = 0; e < len; e++) {
              const pixel = nhwc ? Math.floor(e / channels) : e % pixels;
              const k = byFeature ? feat[pixel] : pixel;
              const wt = w[row * perRow + k];
              r[row * len + e] = Math.fround(Math.fround(o[e] * wt) + Math.fround(h[e] * Math.fround(1 - wt)));
            }
          }
        },
        end() {},
      }),
      finish: () => 'commands',
    }),
  };
  return { device, buffers, uploaded: () => written };
}

/** The model with maskedInputs on the fake device: composed rows read back and run through the real session. */
function onFakeGpu(model: Model, preprocess: PreprocessConfig, maxRows?: number) {
  const gpu = fakeDevice();
  const calls: { n: number; per: number }[] = [];
  const runners: MaskedInputRunner[] = [];
  const wrapped: Model = {
    info: model.info,
    spec: model.spec,
    backend: 'webgpu',
    run: (input, dims) => model.run(input, dims),
    async maskedInputs(spec) {
      const composer = (await createCheckedGpuComposer(gpu.device, spec))!;
      const per = spec.pixelFeature ? spec.features! : spec.width * spec.height;
      const runner: MaskedInputRunner = {
        per,
        maxRows: Math.min(maxRows ?? Infinity, composer.maxRows),
        async run(weights, n) {
          calls.push({ n, per });
          const out = composer.compose(weights, n) as FakeBuffer;
          const len = spec.original.length;
          expect(out.size).toBe(n * len * 4);
          const dims = preprocess.layout === 'NCHW' ? [n, spec.channels, spec.height, spec.width] : [n, spec.height, spec.width, spec.channels];
          return model.run(new Float32Array(out.bytes.buffer.slice(0)), dims);
        },
        dispose: () => composer.destroy(),
      };
      runners.push(runner);
      return runner;
    },
    dispose: () => model.dispose(),
  };
  return { model: wrapped, calls, gpu };
}

describe('masked inputs composed on the GPU give the CPU path\'s results', async () => {
  const runtime = createNodeRuntime(1);
  const demo = await runtime.loadModel(new Uint8Array(fs.readFileSync(path.join(ROOT, 'public/demo/shapes.onnx'))), { backend: 'wasm' });
  const preprocess = demo.spec.suggestedPreprocess;
  const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(path.join(ROOT, 'public/demo/images/star-1.png')))), preprocess);
  const base = { image, preprocess, targets: [3], inputs: { modelSha256: 'demo', imageSha256: 'star-1' } };

  it('LIME: a row is its coalition (one weight per superpixel), and the weights equal the CPU run\'s', async () => {
    const params = { ...LIME_DEFAULTS, samples: 120, batchSize: 16 };
    const cpu = await explainLime({ ...base, model: demo, params, seed: 5 });
    const gpu = onFakeGpu(demo, preprocess);
    const composed = await explainLime({ ...base, model: gpu.model, params, seed: 5 });
    expect(composed.timings.inputsOnGpu).toBe(true);
    expect(cpu.timings.inputsOnGpu).toBeUndefined();
    expect(gpu.calls.every((c) => c.per === composed.segmentCount)).toBe(true);
    expect(gpu.calls.reduce((s, c) => s + c.n, 0)).toBe(cpu.timings.samples);
    // what crossed to the device: the image and the hidden image once, then per row m weights (not the image)
    const len = preprocess.width * preprocess.height * preprocess.channels;
    expect(gpu.gpu.uploaded()).toBeLessThan(3 * len * 4 + cpu.timings.samples * composed.segmentCount * 4 + 4096 + 64);
    expect(composed.weights).toEqual(cpu.weights);
    expect(composed.classes[0].intercept).toBe(cpu.classes[0].intercept);
    // every buffer it made is freed when the run ends
    expect(gpu.gpu.buffers.every((b) => b.destroyed)).toBe(true);
  });

  it('KernelSHAP with a device that holds 5 rows at most: batches of ≤ 5, same values', async () => {
    const params = { ...KERNEL_SHAP_DEFAULTS, samples: 200, batchSize: 32 };
    const cpu = await explainKernelShap({ ...base, model: demo, params, seed: 9 });
    const gpu = onFakeGpu(demo, preprocess, 5);
    const composed = await explainKernelShap({ ...base, model: gpu.model, params, seed: 9 });
    expect(Math.max(...gpu.calls.map((c) => c.n))).toBe(5);
    expect(composed.weights).toEqual(cpu.weights);
  });

  it('RISE: a row is its mask (one weight per pixel), hidden image or zeros, and the map equals the CPU run\'s', async () => {
    for (const hide of [{ mode: 'zeros' as const }, { mode: 'blur' as const, blurSigma: 4 }]) {
      const params = { ...RISE_DEFAULTS, masks: 64, batchSize: 16, hide: { ...RISE_DEFAULTS.hide, ...hide } };
      const cpu = await explainRise({ ...base, model: demo, params, seed: 2 });
      const gpu = onFakeGpu(demo, preprocess);
      const composed = await explainRise({ ...base, model: gpu.model, params, seed: 2 });
      expect(composed.timings.inputsOnGpu).toBe(true);
      expect(gpu.calls.every((c) => c.per === preprocess.width * preprocess.height)).toBe(true);
      const scale = Math.max(...cpu.map.map(Math.abs));
      let worst = 0;
      for (let i = 0; i < cpu.map.length; i++) worst = Math.max(worst, Math.abs(composed.map[i] - cpu.map[i]));
      expect(worst / scale).toBeLessThan(1e-6);
    }
  });

  it('NHWC models: each element takes its own pixel\'s weight', async () => {
    const nhwc = await runtime.loadModel(new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'models/tiny_nhwc.onnx'))), { backend: 'wasm' });
    const cfg = nhwc.spec.suggestedPreprocess;
    expect(cfg.layout).toBe('NHWC');
    const img = resizeForModel(image, cfg);
    const request = { image: img, preprocess: cfg, targets: [0], inputs: base.inputs, params: { ...LIME_DEFAULTS, samples: 40, batchSize: 8 }, seed: 3 };
    const cpu = await explainLime({ ...request, model: nhwc });
    const composed = await explainLime({ ...request, model: onFakeGpu(nhwc, cfg).model });
    expect(composed.weights).toEqual(cpu.weights);
    await nhwc.dispose();
  });

  it('a GPU that refuses the shader (reported in an error scope, not thrown) gives no composer, and frees what it made', async () => {
    const gpu = fakeDevice(undefined, true);
    const len = preprocess.width * preprocess.height * preprocess.channels;
    expect(await createCheckedGpuComposer(gpu.device, { original: new Float32Array(len), layout: 'NCHW', width: preprocess.width, height: preprocess.height, channels: preprocess.channels })).toBeUndefined();
    expect(gpu.buffers.length).toBeGreaterThan(0);
    expect(gpu.buffers.every((b) => b.destroyed)).toBe(true);
  });

  it('a device whose storage binding cannot hold one image gives no composer (the CPU path is used)', () => {
    const { device } = fakeDevice({ maxStorageBufferBindingSize: 1024, maxBufferSize: 1 << 30, maxComputeWorkgroupsPerDimension: 65535 });
    const len = preprocess.width * preprocess.height * preprocess.channels;
    expect(createGpuComposer(device, { original: new Float32Array(len), layout: 'NCHW', width: preprocess.width, height: preprocess.height, channels: preprocess.channels })).toBeUndefined();
  });
});
