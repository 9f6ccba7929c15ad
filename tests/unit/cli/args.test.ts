import { describe, expect, it } from 'vitest';
import { segmentationDefaults } from '../../../src/engine/explain/meta/segmentation';
import { descriptorOf, METHOD_IDS } from '../../../src/engine/explain/registry';
import { defaultsOf } from '../../../src/engine/explain/schema';
import { parseCliArgs } from '../../../src/cli/args';
import { GlassboxError } from '../../../src/engine/errors';
import type { LimeParams } from '../../../src/engine/explain/lime';

const base = ['--model', 'm.onnx', '--image', 'i.png'];

function expectParamInvalid(argv: string[]): GlassboxError {
  let thrown: unknown;
  try {
    parseCliArgs(argv);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, argv.join(' ')).toBeInstanceOf(GlassboxError);
  expect((thrown as GlassboxError).code).toBe('PARAM_INVALID');
  return thrown as GlassboxError;
}

describe('parseCliArgs', () => {
  it('gives the defaults and an empty preprocessing patch for the required flags only', () => {
    expect(parseCliArgs(base)).toEqual({ model: 'm.onnx', image: 'i.png', top: 5, json: false, labels: undefined, threads: 1, preprocess: {} });
  });

  it('parses the full flag set into the request and the PreprocessConfig patch', () => {
    const r = parseCliArgs([
      ...base, '--size', '224', '--resize', 'crop', '--mean', '0.5,0.5,0.5', '--std', '0.25, 0.5 ,1', '--range', '255',
      '--bgr', '--layout', 'nhwc', '--top', '3', '--json', '--labels', 'l.txt', '--threads', '4',
    ]);
    expect(r.model).toBe('m.onnx');
    expect(r.image).toBe('i.png');
    expect(r.top).toBe(3);
    expect(r.json).toBe(true);
    expect(r.labels).toBe('l.txt');
    expect(r.threads).toBe(4);
    expect(r.preprocess).toEqual({
      width: 224, height: 224, resize: 'crop', mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1], range: 255, channelOrder: 'BGR', layout: 'NHWC',
    });
  });

  it('reads --size WxH as width × height', () => {
    expect(parseCliArgs([...base, '--size', '320x240']).preprocess).toEqual({ width: 320, height: 240 });
    expect(parseCliArgs([...base, '--size', '64X32']).preprocess).toEqual({ width: 64, height: 32 });
  });

  it('accepts the other values of each option', () => {
    expect(parseCliArgs([...base, '--resize', 'stretch', '--range', '1', '--rgb', '--layout', 'NCHW']).preprocess).toEqual({
      resize: 'stretch', range: 1, channelOrder: 'RGB', layout: 'NCHW',
    });
    expect(parseCliArgs([...base, '--mean=-1,0,1']).preprocess.mean).toEqual([-1, 0, 1]);
  });

  it('refuses a missing --model or --image', () => {
    expectParamInvalid(['--image', 'i.png']);
    expectParamInvalid(['--model', 'm.onnx']);
    expectParamInvalid([]);
  });

  it('refuses unknown flags and positionals', () => {
    expectParamInvalid([...base, '--frobnicate']);
    expectParamInvalid([...base, 'extra.png']);
  });

  it('refuses malformed values', () => {
    for (const bad of [
      ['--size', 'abc'], ['--size', '0'], ['--size', '224x'], ['--size', '9000'], ['--size', '-5'],
      ['--mean', '1,2'], ['--mean', '1,2,x'], ['--std', '1,2,3,4'],
      ['--top', '0'], ['--top', '2.5'], ['--top', 'five'], ['--threads', '0'],
      ['--layout', 'foo'], ['--resize', 'fit'], ['--range', '3'],
    ]) {
      expectParamInvalid([...base, ...bad]);
    }
  });

  it('refuses both --bgr and --rgb', () => {
    expectParamInvalid([...base, '--bgr', '--rgb']);
  });

  it('answers --help with the usage text in the hint', () => {
    const e = expectParamInvalid(['--help']);
    expect(e.hint).toContain('--model');
  });
});

describe('parseCliArgs --method lime segmentations', () => {
  const lime = [...base, '--method', 'lime'];
  const seg = (argv: string[]) => (parseCliArgs(argv).explain!.params as LimeParams).segmentation;

  it('defaults to SLIC; --segmentation picks Felzenszwalb with its own parameters, --grid or grid the regular grid', () => {
    expect(seg(lime)).toEqual({ method: 'slic', nSegments: 50, compactness: 10, sigma: 1 });
    expect(seg([...lime, '--segmentation', 'felzenszwalb'])).toEqual({ method: 'felzenszwalb', scale: 100, sigma: 0.8, minSize: 20 });
    expect(seg([...lime, '--segmentation', 'felzenszwalb', '--scale', '300', '--sigma', '0.5', '--min-size', '50'])).toEqual({
      method: 'felzenszwalb', scale: 300, sigma: 0.5, minSize: 50,
    });
    expect(seg([...lime, '--grid', '--segments', '16'])).toEqual({ method: 'grid', nSegments: 16 });
    expect(seg([...lime, '--segmentation', 'grid', '--segments', '16'])).toEqual({ method: 'grid', nSegments: 16 });
  });

  it('refuses an unknown segmentation and a bad minimum size, naming the flag', () => {
    expect(expectParamInvalid([...lime, '--segmentation', 'watershed']).message).toMatch(/--segmentation must be slic, quickshift, felzenszwalb, grid or custom/);
    expect(seg([...lime, '--segmentation', 'quickshift'])).toEqual({ method: 'quickshift', kernelSize: 4, maxDist: 200, ratio: 0.2 });
    expect(seg([...lime, '--segmentation', 'quickshift', '--kernel-size', '3', '--max-dist', '6', '--ratio', '0.5'])).toEqual({ method: 'quickshift', kernelSize: 3, maxDist: 6, ratio: 0.5 });
    expect(expectParamInvalid([...lime, '--segmentation', 'felzenszwalb', '--min-size', '0']).message).toMatch(/--min-size/);
  });
});

describe('parseCliArgs gradient methods', () => {
  it('CAMs take --layer and --batch; IG its steps, baseline and rule; SmoothGrad samples and noise', () => {
    expect(parseCliArgs([...base, '--method', 'gradcam', '--layer', 'feat']).explain).toMatchObject({ method: 'gradcam', params: { layer: 'feat', batchSize: 32 } });
    expect(parseCliArgs([...base, '--method', 'scorecam', '--batch', '8']).explain!.params).toEqual({ batchSize: 8, layer: undefined });
    expect(parseCliArgs([...base, '--method', 'ig', '--steps', '64', '--baseline', '10,20,30', '--rule', 'riemann_trapezoid']).explain!.params).toMatchObject({
      steps: 64, baseline: { mode: 'color', color: [10, 20, 30] }, rule: 'riemann_trapezoid',
    });
    expect(parseCliArgs([...base, '--method', 'ig', '--baseline', 'blur', '--sigma', '3']).explain!.params).toMatchObject({ baseline: { mode: 'blur', blurSigma: 3 }, steps: 50 });
    expect(parseCliArgs([...base, '--method', 'smoothgrad', '--samples', '10', '--noise', '0.2']).explain!.params).toMatchObject({ samples: 10, noise: 0.2 });
  });

  it('refuses unknown methods, --layer on a non-CAM method, and bad steps or rules', () => {
    expect(expectParamInvalid([...base, '--method', 'shap']).message).toMatch(new RegExp(`--method must be one of ${METHOD_IDS.join(", ")} \\(got`));
    expect(expectParamInvalid([...base, '--method', 'ig', '--layer', 'x']).message).toMatch(/--layer does not apply to Integrated Gradients.*option of gradcam, gradcampp/);
    expect(expectParamInvalid([...base, '--method', 'ig', '--steps', '0']).message).toMatch(/--steps/);
    expect(expectParamInvalid([...base, '--method', 'ig', '--rule', 'simpson']).message).toMatch(/--rule/);
  });
});

describe('parseCliArgs kernelshap and --metrics', () => {
  it('kernelshap takes samples (auto by default), the background, exact-up-to and LIME’s segmentation flags; --metrics adds curves', () => {
    const r = parseCliArgs([...base, '--method', 'kernelshap', '--segments', '20', '--background', 'blur', '--exact-up-to', '10', '--metrics', '--metric-steps', '16']).explain!;
    expect(r.params).toMatchObject({ samples: 'auto', background: { mode: 'blur' }, exactUpTo: 10, segmentation: { method: 'slic', nSegments: 20 } });
    expect(r.metrics).toMatchObject({ steps: 16, deletionSubstrate: 'black', insertionSubstrate: 'blur' });
    expect(parseCliArgs([...base, '--method', 'kernelshap', '--samples', '500', '--background', '1,2,3']).explain!.params).toMatchObject({ samples: 500, background: { mode: 'color', color: [1, 2, 3] } });
    expect(parseCliArgs([...base, '--method', 'gradcam']).explain!.metrics).toBeUndefined();
  });
});

describe('parseCliArgs partitionshap and rise', () => {
  it('partitionshap: evaluations, background, block size; rise: masks, cells, keep probability or auto', () => {
    expect(parseCliArgs([...base, '--method', 'partitionshap', '--max-evals', '2000', '--background', 'black', '--min-block', '4', '--raw']).explain!.params).toMatchObject({ maxEvals: 2000, background: { mode: 'black' }, minBlock: 4, scoreSpace: 'raw' });
    expect(parseCliArgs([...base, '--method', 'partitionshap', '--background', '128,128,128']).explain!.params).toMatchObject({ background: { mode: 'color', color: [128, 128, 128] } });
    expect(parseCliArgs([...base, '--method', 'rise', '--masks', '500', '--cells', '6', '--p1', '0.3']).explain!.params).toMatchObject({ masks: 500, grid: 6, p1: 0.3 });
    expect(parseCliArgs([...base, '--method', 'rise', '--p1', 'auto']).explain!.params).toMatchObject({ p1: 'auto', masks: 2000 });
    expect(expectParamInvalid([...base, '--method', 'rise', '--p1', '1.5']).message).toMatch(/--p1: .*strictly between 0 and 1/);
  });
});

describe('method flags come from the descriptors', () => {
  it('--help lists every method of the registry with its flags', () => {
    const help = expectParamInvalid(['--help']).hint!;
    for (const id of METHOD_IDS) {
      expect(help, id).toMatch(new RegExp(`^  ${id} +${descriptorOf(id).label.replace(/[+()×]/g, (c) => `\\${c}`)} `, 'm'));
      for (const spec of descriptorOf(id).params) expect(help, `${id} --${spec.cli}`).toContain(`--${spec.cli}`);
    }
  });

  it('every method parses with no flags to exactly its descriptor defaults', () => {
    for (const id of METHOD_IDS) expect(parseCliArgs([...base, '--method', id]).explain!.params, id).toEqual(defaultsOf(descriptorOf(id)));
  });

  it('the segmentation defaults are the shared field group’s (lime: SLIC with 50 segments), not the engine’s SLIC defaults', () => {
    expect((parseCliArgs([...base, '--method', 'lime']).explain!.params as LimeParams).segmentation).toEqual(segmentationDefaults('slic'));
    expect(segmentationDefaults('slic')).toMatchObject({ nSegments: 50, sigma: 1 });
    expect((parseCliArgs([...base, '--method', 'kernelshap']).explain!.params as LimeParams).segmentation).toEqual(segmentationDefaults('slic'));
  });

  it('a flag of another method is refused, naming the methods it belongs to; a flag of another segmentation too', () => {
    expect(expectParamInvalid([...base, '--method', 'gradcam', '--samples', '10']).message).toMatch(/--samples does not apply to Grad-CAM.*lime/);
    expect(expectParamInvalid([...base, '--method', 'lime', '--compactness', '5', '--segmentation', 'grid']).message).toMatch(/--compactness does not apply to this segmentation/);
    expect(expectParamInvalid([...base, '--samples', '10']).message).toMatch(/--samples only applies with --method/);
  });
  it('--out-dir asks for the export files, next to --out or alone; it needs --method and a folder name', () => {
    expect(parseCliArgs([...base, '--method', 'gradcam', '--out-dir', 'results']).explain).toMatchObject({ method: 'gradcam', outDir: 'results', out: undefined });
    expect(parseCliArgs([...base, '--method', 'lime', '--out', 'r.json', '--out-dir', 'results']).explain).toMatchObject({ out: 'r.json', outDir: 'results' });
    expect(parseCliArgs([...base, '--method', 'lime']).explain!.outDir).toBeUndefined();
    expect(expectParamInvalid([...base, '--out-dir', 'results']).message).toMatch(/--out-dir only applies with --method/);
    expect(expectParamInvalid([...base, '--method', 'lime', '--out-dir', '']).message).toMatch(/--out-dir needs a folder name/);
    expect(expectParamInvalid(['--help']).hint).toMatch(/--out-dir DIR/);
  });
});
