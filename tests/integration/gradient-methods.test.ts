/**
 * CAMs and gradient methods on models with known answers: the demo models (ground-truth object masks, and a
 * shortcut model that learnt a watermark), Integrated Gradients' completeness, and squeezenet1.1 on the cat
 * photo from ../shared/models (skipped when absent).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/cli/decode-image';
import { createGradientSource } from '../../src/engine/grad/gradient-model';
import { descriptorOf, loadExplainer, type MethodId } from '../../src/engine/explain/registry';
import { defaultsOf } from '../../src/engine/explain/schema';
import type { CamExplanation, ExplainRequest, Explanation, PixelMapExplanation } from '../../src/engine/explain/types';
import { resizeForModel } from '../../src/engine/image/preprocess';
import type { RgbaImage } from '../../src/engine/image/types';
import type { DemoManifest } from '../../src/store/demo';
import { runtime } from '../helpers/grad-check';
import { sharedModelsAvailable, sharedPath } from '../helpers/shared-models';

const DEMO = path.resolve(import.meta.dirname, '../../public/demo');
const manifest = JSON.parse(fs.readFileSync(path.join(DEMO, 'manifest.json'), 'utf8')) as DemoManifest;
const LABELS = ['circle', 'square', 'triangle', 'star'];
const decode = async (file: string) => decodeImageFile(new Uint8Array(fs.readFileSync(path.join(DEMO, file))));

/** A result with the fields of every kind optional, so a test can read a CAM's layer or IG's completeness. */
type AnyExplanation = Explanation & Partial<Omit<CamExplanation, 'kind'>> & Partial<Omit<PixelMapExplanation, 'kind'>>;

/** Run a method's explainer with its descriptor's defaults overridden by `params`. */
async function run(method: MethodId, request: Omit<ExplainRequest<unknown>, 'params'>, params: object = {}): Promise<AnyExplanation> {
  const explainer = (await loadExplainer(method)) as { explain: (r: ExplainRequest<unknown>) => Promise<Explanation> };
  return explainer.explain({ ...request, params: { ...defaultsOf(descriptorOf(method)), ...params } });
}

async function demo(modelFile: string) {
  const bytes = new Uint8Array(fs.readFileSync(path.join(DEMO, modelFile)));
  const model = await runtime.loadModel(bytes, { backend: 'wasm' });
  const gradients = createGradientSource(runtime, bytes, 'wasm');
  const explain = async (method: MethodId, image: RgbaImage, target: number, params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<AnyExplanation> =>
    run(method, { model, image: resizeForModel(image, model.spec.suggestedPreprocess), preprocess: model.spec.suggestedPreprocess, targets: [target], seed: 1, gradients, ...extra }, params);
  return { model, gradients, explain };
}

function peak(map: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < map.length; i++) if (map[i] > map[best]) best = i;
  return best;
}

/** Distance in pixels from pixel `p` to the nearest pixel where `inside` holds. */
function distanceTo(p: number, width: number, height: number, inside: (x: number, y: number) => boolean): number {
  const px = p % width, py = Math.floor(p / width);
  let best = Infinity;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (inside(x, y)) best = Math.min(best, Math.hypot(x - px, y - py));
  return best;
}

describe('Grad-CAM on the demo models', () => {
  it('clean model: on every image the CAM peaks on the object (within one feature cell) and concentrates on it', async () => {
    const { explain, gradients } = await demo('shapes.onnx');
    const catalog = await gradients.catalog();
    expect(catalog.suggested).toMatch(/features\.19\/Relu/); // the last ReLU before global pooling
    for (const entry of manifest.images) {
      const mask = await decode(entry.mask!);
      const inMask = (x: number, y: number) => mask.data[(y * mask.width + x) * 4] > 127;
      const e = await explain('gradcam', await decode(entry.file), LABELS.indexOf(entry.label));
      expect(e.layer).toBe(catalog.suggested);
      expect([e.camWidth, e.camHeight]).toEqual([12, 12]);
      const cell = e.width / e.camWidth!;
      expect(distanceTo(peak(e.map), e.width, e.height, inMask), entry.file).toBeLessThanOrEqual(cell * Math.SQRT2);
      let inside = 0, total = 0, area = 0;
      e.normalisedMap!.forEach((v, i) => {
        total += v;
        if (inMask(i % e.width, Math.floor(i / e.width))) (inside += v), area++;
      });
      expect(inside / total, entry.file).toBeGreaterThan((2 * area) / e.map.length);
    }
  });

  it('shortcut model: the CAM for "star" on watermarked non-stars lights the watermark, not the shape', async () => {
    const shortcut = await demo('shortcut.onnx');
    const clean = await demo('shapes.onnx');
    const trapped = manifest.images.filter((i) => i.watermark && i.label !== 'star');
    expect(trapped.length).toBeGreaterThan(0);
    for (const entry of trapped) {
      const { x, y, w, h } = entry.watermark!;
      const mask = await decode(entry.mask!);
      const meanWhere = (map: number[], inside: (px: number, py: number) => boolean) => {
        let s = 0, n = 0;
        map.forEach((v, i) => inside(i % 96, Math.floor(i / 96)) && ((s += v), n++));
        return s / n;
      };
      const onMark = (px: number, py: number) => px >= x && px < x + w && py >= y && py < y + h;
      const onShape = (px: number, py: number) => mask.data[(py * 96 + px) * 4] > 127;
      const e = await shortcut.explain('gradcam', await decode(entry.file), 3);
      const mark = meanWhere(e.normalisedMap!, onMark);
      expect(mark, entry.file).toBeGreaterThan(0.5);
      expect(mark, entry.file).toBeGreaterThan(3 * meanWhere(e.normalisedMap!, () => true));
      expect(mark, entry.file).toBeGreaterThan(2 * meanWhere(e.normalisedMap!, onShape));
      // the clean model, asked about the true class, looks at the shape instead
      const c = await clean.explain('gradcam', await decode(entry.file), LABELS.indexOf(entry.label));
      expect(meanWhere(c.normalisedMap!, onShape), entry.file).toBeGreaterThan(meanWhere(c.normalisedMap!, onMark));
    }
  });

  // What each variant computes is checked against references elsewhere: the gradient CAMs' and Eigen-CAM's math in
  // tests/unit/explain/cam.test.ts, Score-CAM and Ablation-CAM end to end in cam-references.test.ts.
  it('every CAM variant runs on the demo model, gives a map at input size and a raw CAM at feature size, and peaks near the star', async () => {
    const { explain } = await demo('shapes.onnx');
    const star = manifest.images.find((i) => i.label === 'star')!;
    const mask = await decode(star.mask!);
    for (const method of ['gradcampp', 'xgradcam', 'layercam', 'hirescam', 'scorecam', 'ablationcam', 'eigencam'] as const) {
      const e = await explain(method, await decode(star.file), 3);
      expect(e.kind, method).toBe('cam');
      expect(e.map.length, method).toBe(96 * 96);
      expect(e.cam!.length, method).toBe(144);
      expect(Math.min(...e.normalisedMap!), method).toBeGreaterThanOrEqual(0);
      expect(Math.max(...e.normalisedMap!), method).toBeLessThanOrEqual(1);
      expect(Math.max(...e.map), method).toBeGreaterThan(0);
      expect(distanceTo(peak(e.map), 96, 96, (x, y) => mask.data[(y * 96 + x) * 4] > 127), method).toBeLessThanOrEqual(16);
    }
  });

  it('Grad-CAM for two classes from one call: the wrong class lights up less (raw scale kept across classes)', async () => {
    const { explain } = await demo('shapes.onnx');
    const star = manifest.images.find((i) => i.label === 'star')!;
    const right = await explain('gradcam', await decode(star.file), 3);
    const wrong = await explain('gradcam', await decode(star.file), 0);
    expect(Math.max(...right.map)).toBeGreaterThan(Math.max(...wrong.map));
  });
});

describe('gradient attribution methods on the demo model', () => {
  it('Integrated Gradients: Σ attributions equals f(x) − f(black) within 1 % on every demo image', async () => {
    const { explain } = await demo('shapes.onnx');
    for (const entry of manifest.images) {
      const e = await explain('ig', await decode(entry.file), LABELS.indexOf(entry.label));
      expect(e.completeness!.relativeError, entry.file).toBeLessThan(0.01);
      expect(Math.abs(e.completeness!.delta)).toBeGreaterThan(0.5);
      expect(e.signed).toBe(true);
    }
  });

  it('Integrated Gradients baselines: a black colour is the black baseline; the zero tensor and a blur are other paths, the zero tensor completing within 1 %', async () => {
    const { explain } = await demo('shapes.onnx');
    const entry = manifest.images[0];
    const img = await decode(entry.file);
    const target = LABELS.indexOf(entry.label);
    const black = await explain('ig', img, target, { steps: 16 });
    const colour = await explain('ig', img, target, { steps: 16, baseline: { mode: 'color', color: [0, 0, 0] } });
    expect(colour.map).toEqual(black.map);
    const blur = await explain('ig', img, target, { steps: 16, baseline: { mode: 'blur', blurSigma: 3 } });
    expect(blur.map).not.toEqual(black.map);
    const zeros = await explain('ig', img, target, { baseline: { mode: 'zeros' } });
    expect(zeros.completeness!.delta).not.toBeCloseTo(black.completeness!.delta, 3);
    expect(zeros.completeness!.relativeError).toBeLessThan(0.01);
  });

  it('Saliency, SmoothGrad, Input×Gradient and Guided Backprop put more of their mass on the object than its area', async () => {
    const { explain } = await demo('shapes.onnx');
    const entry = manifest.images.find((i) => i.label === 'square')!;
    const mask = await decode(entry.mask!);
    for (const method of ['saliency', 'smoothgrad', 'inputxgrad', 'guidedbackprop'] as const) {
      const e = await explain(method, await decode(entry.file), 1);
      let inside = 0, total = 0, area = 0;
      e.map.forEach((v, i) => {
        total += Math.abs(v);
        if (mask.data[i * 4] > 127) (inside += Math.abs(v)), area++;
      });
      expect(inside / total, method).toBeGreaterThan((1.5 * area) / e.map.length);
    }
  });

  it('SmoothGrad is seeded: the same seed repeats, another differs; Guided Backprop differs from the plain gradient', async () => {
    const { explain } = await demo('shapes.onnx');
    const img = await decode(manifest.images[0].file);
    const a = await explain('smoothgrad', img, 0, { samples: 4 });
    const b = await explain('smoothgrad', img, 0, { samples: 4 });
    const c = await explain('smoothgrad', img, 0, { samples: 4 }, { seed: 2 });
    expect(b.map).toEqual(a.map);
    expect(c.map).not.toEqual(a.map);
    const plain = await explain('inputxgrad', img, 0);
    const guided = await explain('guidedbackprop', img, 0);
    expect(guided.map).not.toEqual(plain.map);
  });

  it('Score-CAM cancels between batches; impossible parameters are refused', async () => {
    const { explain } = await demo('shapes.onnx');
    const img = await decode(manifest.images[0].file);
    const signal = { aborted: false };
    await expect(explain('scorecam', img, 0, { batchSize: 4 }, { signal, onProgress: () => (signal.aborted = true) })).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(explain('ig', img, 0, { steps: 0 })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    await expect(explain('gradcam', img, 0, { layer: 'no-such-tensor' })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    await expect(explain('gradcam', img, 9)).rejects.toMatchObject({ code: 'PARAM_INVALID' });
  });
});

describe('models gradients cannot pass through', () => {
  it('an op without a backward rule is named; gradient methods refuse, the gradient-free CAMs still run', async () => {
    const { buildModel } = await import('../helpers/grad-check');
    const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + seed) * 0.5);
    // input [N,3,8,8] → Conv(3→4) → Relu (the layer) → Sin → GlobalAveragePool → Flatten → Gemm → [N,3]
    const bytes = buildModel({
      inputs: [{ name: 'input', dims: [1, 3, 8, 8] }],
      constants: [
        { name: 'w', dims: [4, 3, 3, 3], values: rand(108, 1) },
        { name: 'fc', dims: [3, 4], values: rand(12, 2) },
      ],
      nodes: [
        { op: 'Conv', inputs: ['input', 'w'], outputs: ['conv'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Relu', inputs: ['conv'], outputs: ['act'] },
        { op: 'Sin', inputs: ['act'], outputs: ['wave'] },
        { op: 'GlobalAveragePool', inputs: ['wave'], outputs: ['pool'] },
        { op: 'Flatten', inputs: ['pool'], outputs: ['flat'] },
        { op: 'Gemm', inputs: ['flat', 'fc'], outputs: ['logits'], attrs: { transB: 1 } },
      ],
      output: 'logits',
    });
    const model = await runtime.loadModel(bytes, { backend: 'wasm' });
    const gradients = createGradientSource(runtime, bytes, 'wasm');
    expect(await gradients.unsupported()).toEqual(['Sin']);
    // the suggested layer is the map right before pooling: from there no Sin is in the way
    expect((await gradients.catalog()).suggested).toBe('wave');
    expect(await gradients.unsupported('wave')).toEqual([]);
    const image = { width: 8, height: 8, data: new Uint8ClampedArray(256).map((_, i) => (i * 37) % 256) };
    const call = (method: MethodId, params: object = {}) => run(method, { model, image, preprocess: { ...model.spec.suggestedPreprocess, width: 8, height: 8 }, targets: [1], seed: 0, gradients }, params);
    await expect(call('gradcam', { layer: 'act' })).rejects.toMatchObject({ code: 'GRADIENT_UNSUPPORTED', message: expect.stringContaining('"Sin"') });
    await expect(call('saliency')).rejects.toMatchObject({ code: 'GRADIENT_UNSUPPORTED', message: expect.stringContaining('"Sin"') });
    expect((await call('gradcam')).layer).toBe('wave');
    for (const method of ['eigencam', 'ablationcam', 'scorecam'] as const) {
      const e = await call(method, { layer: 'act' });
      expect(e.layer, method).toBe('act');
      expect(e.map.length).toBe(64);
      expect(Math.max(...e.map), method).toBeGreaterThan(0);
    }
  });
});

describe.skipIf(!sharedModelsAvailable())('squeezenet1.1 (opset 7, upgraded to 17 for the backward graph) on the cat photo', () => {
  it('Grad-CAM for "Egyptian cat" peaks inside the cat\'s face and is weaker on the background strip on the right', async () => {
    const bytes = new Uint8Array(fs.readFileSync(sharedPath('squeezenet1.1-fp32.onnx')));
    const model = await runtime.loadModel(bytes, { backend: 'wasm' });
    const gradients = createGradientSource(runtime, bytes, 'wasm');
    // Stretched, the cat's head fills the frame; only a strip on the right (x > 85 %) is wall and cloth.
    const cfg = { ...model.spec.suggestedPreprocess, resize: 'stretch' as const };
    const image = resizeForModel(await decodeImageFile(new Uint8Array(fs.readFileSync(sharedPath('images/chelsea.png')))), cfg);
    const catalog = await gradients.catalog();
    expect(catalog.candidates.find((c) => c.name === catalog.suggested)?.shape).toEqual(['N', 1000, 13, 13]);
    const e = await run('gradcam', { model, image, preprocess: cfg, targets: [285], seed: 0, gradients });
    expect(e.scoreSpace).toBe('logits'); // squeezenet ends in Softmax: the CAM uses the logits before it
    const p = peak(e.map);
    const px = (p % e.width) / e.width, py = Math.floor(p / e.width) / e.height;
    expect(px).toBeGreaterThan(0.15);
    expect(px).toBeLessThan(0.75);
    expect(py).toBeGreaterThan(0.15);
    expect(py).toBeLessThan(0.85);
    let strip = 0, stripN = 0, all = 0;
    e.normalisedMap!.forEach((v, i) => {
      all += v;
      if (i % e.width > 0.85 * e.width) (strip += v), stripN++;
    });
    expect(strip / stripN).toBeLessThan((0.75 * all) / e.map.length);
    await gradients.dispose();
    await model.dispose();
  });
});
