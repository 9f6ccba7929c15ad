/** The "As Python" snippets carry the config's numbers; tests/integration/preprocess-code.test.ts runs them. */
import { describe, expect, it } from 'vitest';
import { defaultPreprocess, type PreprocessConfig } from '../../../src/engine/image/preprocess';
import { numpyPilSnippet, torchvisionSnippet } from '../../../src/engine/image/preprocess-code';

const imagenet = defaultPreprocess(224, 224);
const bgr: PreprocessConfig = {
  ...defaultPreprocess(160, 128),
  cropFraction: 0.9,
  range: 255,
  mean: [123.68, 116.779, 103.939],
  std: [1, 1, 1],
  channelOrder: 'BGR',
  layout: 'NHWC',
};
const stretchGrey: PreprocessConfig = { ...defaultPreprocess(28, 28), resize: 'stretch', mean: [0.1, 0.2, 0.3], std: [0.3, 0.3, 0.6], channels: 1 };

describe('NumPy + Pillow snippet', () => {
  it('ImageNet crop: size, resize side, mean/std, RGB, NCHW with batch axis', () => {
    const code = numpyPilSnippet(imagenet);
    expect(code).toContain('WIDTH, HEIGHT = 224, 224');
    expect(code).toContain('new_w, new_h = 256, int(256 * h / w)'); // round(224 / 0.875)
    expect(code).toContain('MEAN = np.array([0.485, 0.456, 0.406])');
    expect(code).toContain('STD = np.array([0.229, 0.224, 0.225])');
    expect(code).toContain('x = (x / 255 - MEAN) / STD');
    expect(code).toContain('x.transpose(2, 0, 1)');
    expect(code).not.toContain('::-1');
    expect(code).toContain('[1, 3, 224, 224]');
    expect(code).toContain('ImageOps.exif_transpose');
    expect(code).toContain('.convert("RGB")');
    expect(code).toMatch(/^def preprocess\(path\):$/m);
    expect(code).toContain('int(round((new_h - HEIGHT) / 2))');
  });

  it('BGR 0–255 NHWC: no /255, channels reversed, no transpose, non-square crop', () => {
    const code = numpyPilSnippet(bgr);
    expect(code).toContain('WIDTH, HEIGHT = 160, 128');
    expect(code).toContain('int(178 * h / w)'); // round(160 / 0.9)
    expect(code).toContain('MEAN = np.array([123.68, 116.779, 103.939])');
    expect(code).toContain('STD = np.array([1.0, 1.0, 1.0])');
    expect(code).toContain('x = (x - MEAN) / STD');
    expect(code).toContain('x = x[..., ::-1]');
    expect(code).not.toContain('transpose(2, 0, 1)');
    expect(code).toContain('[1, 128, 160, 3]');
  });

  it('greyscale stretch: luma, averaged mean/std, one channel, no crop', () => {
    const code = numpyPilSnippet(stretchGrey);
    expect(code).toContain('new_w, new_h = 28, 28');
    expect(code).not.toContain('HEIGHT) / 2');
    expect(code).toContain('0.299 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2]');
    expect(code).toContain(`MEAN = np.array([${(0.1 + 0.2 + 0.3) / 3}])`);
    expect(code).toContain(`STD = np.array([${(0.3 + 0.3 + 0.6) / 3}])`); // the engine's average, to the last bit
    expect(code).toContain('[1, 1, 28, 28]');
  });
});

describe('torchvision snippet', () => {
  it('ImageNet crop: a transforms.Compose with Resize(256), CenterCrop, Normalize, NCHW', () => {
    const code = torchvisionSnippet(imagenet);
    expect(code).toContain('from torchvision import transforms');
    expect(code).toContain('transforms.Compose([');
    expect(code).toContain('GlassboxResize(256)');
    expect(code).toContain('transforms.CenterCrop((224, 224))');
    expect(code).toContain('transforms.Lambda(lambda x: x / 255)');
    expect(code).toContain('transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])');
    expect(code).not.toContain('permute');
    expect(code).not.toContain('[[2, 1, 0]]');
    expect(code).toContain('.unsqueeze(0)');
    expect(code).toContain('[1, 3, 224, 224]');
  });

  it('BGR 0–255 NHWC: no /255, BGR reorder, permute to HWC; (h, w) crop', () => {
    const code = torchvisionSnippet(bgr);
    expect(code).toContain('GlassboxResize(178)');
    expect(code).toContain('transforms.CenterCrop((128, 160))');
    expect(code).not.toContain('x / 255');
    expect(code).toContain('transforms.Normalize(mean=[123.68, 116.779, 103.939], std=[1.0, 1.0, 1.0])');
    expect(code).toContain('x[[2, 1, 0]]');
    expect(code).toContain('x.permute(1, 2, 0)');
    expect(code).toContain('[1, 128, 160, 3]');
  });

  it('greyscale stretch: GlassboxResize((h, w)), luma, one-value Normalize', () => {
    const code = torchvisionSnippet(stretchGrey);
    expect(code).toContain('GlassboxResize((28, 28))');
    expect(code).not.toContain('CenterCrop');
    expect(code).toContain('0.299 * x[0] + 0.587 * x[1] + 0.114 * x[2]');
    expect(code).toContain(`transforms.Normalize(mean=[${(0.1 + 0.2 + 0.3) / 3}], std=[${(0.3 + 0.3 + 0.6) / 3}])`);
    expect(code).toContain('[1, 1, 28, 28]');
  });
});
