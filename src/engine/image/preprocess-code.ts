/**
 * The preprocessing pipeline as runnable Python: a torchvision `transforms.Compose` and a NumPy + Pillow version.
 * Both reproduce `preprocessImage` (float32 within 1e-5; tests/integration/preprocess-code.test.ts runs them).
 *
 * Why the resize is spelled out: PIL's `Image.resize(..., BILINEAR)` is the same antialiased triangle filter but
 * works in fixed point and rounds to 8 bits between its two passes; the engine keeps the horizontal pass in
 * float32 and rounds once, so plain PIL/torchvision resizes differ by 1/255 on some pixels. The snippets carry a
 * short NumPy port of resize.ts (same coefficients, same summation order) instead.
 */
import { tensorDims, type PreprocessConfig } from './preprocess';

/** Python literal for a JS number: both use the shortest round-trip decimal, so the double is the same. */
function py(v: number): string {
  const s = String(v);
  return /^-?\d+$/.test(s) ? `${s}.0` : s;
}

const pyList = (v: readonly number[]) => `[${v.map(py).join(', ')}]`;

/** The values the snippets embed, derived once from the config. */
function codeValues(cfg: PreprocessConfig) {
  const grey = cfg.channels === 1;
  // A greyscale model normalises its one channel with the average of the three means/stds (as writeModelInput).
  const mean = grey ? [(cfg.mean[0] + cfg.mean[1] + cfg.mean[2]) / 3] : [...cfg.mean];
  const std = grey ? [(cfg.std[0] + cfg.std[1] + cfg.std[2]) / 3] : [...cfg.std];
  const target = Math.max(cfg.width, cfg.height);
  const shorter = cfg.resize === 'crop' ? Math.round(target / cfg.cropFraction) : undefined; // as planResize
  return { grey, mean, std, shorter, target, dims: tensorDims(cfg, 1) };
}

function header(cfg: PreprocessConfig, what: string): string {
  const v = codeValues(cfg);
  const resize =
    cfg.resize === 'crop'
      ? `shorter side to ${v.shorter} (round(${v.target} / ${+cfg.cropFraction.toFixed(6)})), centre crop ${cfg.width}x${cfg.height}`
      : `stretch to ${cfg.width}x${cfg.height}`;
  const order = v.grey ? 'greyscale (luma)' : cfg.channelOrder;
  return `"""Glassbox preprocessing as ${what}.

${resize}; values 0-${cfg.range}; (x - mean) / std; ${order}; ${cfg.layout} float32 [${v.dims.join(', ')}].
Gives the tensor the dashboard feeds the model (within 1e-5). The dashboard first shrinks photos
larger than 4096 px on a side; this script does not.
Usage: python3 preprocess.py photo.jpg [tensor.npy]
"""`;
}

/** NumPy port of resize.ts: PIL's antialiased bilinear filter, kept in floating point until one final rounding. */
const RESIZE_PY = `def _filter_taps(in_size, out_size):
    """Per output index: first input index and float32 triangle weights (PIL's precompute_coeffs)."""
    scale = in_size / out_size
    support = max(scale, 1.0)  # the triangle widens when shrinking: this is the antialiasing
    taps = math.ceil(support) * 2 + 1
    first = np.zeros(out_size, np.int64)
    weights = np.zeros((out_size, taps), np.float32)
    for i in range(out_size):
        centre = (i + 0.5) * scale
        lo = max(int(centre - support + 0.5), 0)
        hi = min(int(centre + support + 0.5), in_size)
        w = [max(1 - abs((k + lo - centre + 0.5) / support), 0.0) for k in range(hi - lo)]
        total = 0.0
        for x in w:
            total += x
        w = np.array(w, np.float32)
        if total > 0:
            w = (w.astype(np.float64) / total).astype(np.float32)
        first[i] = lo
        weights[i, : len(w)] = w
    return first, weights


def _resample(rgb, out_size, axis):
    in_size = rgb.shape[axis]
    first, weights = _filter_taps(in_size, out_size)
    shape = [1, 1, 1]
    shape[axis] = out_size
    acc = 0.0
    for k in range(weights.shape[1]):  # tap by tap, in the dashboard's summation order
        src = np.take(rgb, np.minimum(first + k, in_size - 1), axis=axis).astype(np.float64)
        acc = acc + src * weights[:, k].astype(np.float64).reshape(shape)
    return acc


def resize_bilinear(rgb, width, height):
    """uint8 RGB (H, W, 3) -> uint8 (height, width, 3): Image.BILINEAR's antialiased filter, rounded once."""
    if rgb.shape[1] == width and rgb.shape[0] == height:
        return rgb.copy()
    tmp = _resample(rgb, width, axis=1).astype(np.float32)  # horizontal pass, kept in float32
    out = _resample(tmp, height, axis=0)  # vertical pass
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)  # round half to even, as the browser does`;

/** Python lines computing (new_w, new_h) from the photo's (w, h), as planResize. */
function resizeSizePy(cfg: PreprocessConfig, indent: string): string {
  const v = codeValues(cfg);
  if (cfg.resize === 'stretch') return `${indent}new_w, new_h = ${cfg.width}, ${cfg.height}`;
  // planResize never lets a side fall below the crop (max(width, ...)); spelled out so non-square crops work too.
  return [
    `${indent}# torchvision's Resize(${v.shorter}): shorter side to ${v.shorter}, the longer one truncated`,
    `${indent}if w <= h:`,
    `${indent}    new_w, new_h = ${v.shorter}, int(${v.shorter} * h / w)`,
    `${indent}else:`,
    `${indent}    new_w, new_h = int(${v.shorter} * w / h), ${v.shorter}`,
    `${indent}new_w, new_h = max(new_w, ${cfg.width}), max(new_h, ${cfg.height})`,
  ].join('\n');
}

function mainPy(toNumpy: string): string {
  return `if __name__ == "__main__":
    tensor = preprocess(sys.argv[1])
    print(tuple(tensor.shape), tensor.dtype)
    if len(sys.argv) > 2:
        np.save(sys.argv[2], ${toNumpy})`;
}

/** A NumPy + Pillow script whose `preprocess(path)` returns the model's input as a float32 array (batch axis included). */
export function numpyPilSnippet(cfg: PreprocessConfig): string {
  const v = codeValues(cfg);
  const div = cfg.range === 1 ? ' / 255' : '';
  const lines: string[] = [];
  lines.push(`    rgb = load_rgb(path)`, `    h, w = rgb.shape[:2]`, resizeSizePy(cfg, '    '), `    rgb = resize_bilinear(rgb, new_w, new_h)`);
  if (cfg.resize === 'crop') {
    lines.push(
      `    top = int(round((new_h - HEIGHT) / 2))  # CenterCrop's offsets (Python's round: halves to even)`,
      `    left = int(round((new_w - WIDTH) / 2))`,
      `    rgb = rgb[top : top + HEIGHT, left : left + WIDTH]`,
    );
  }
  lines.push(`    x = rgb.astype(np.float64)`);
  if (v.grey) {
    lines.push(`    x = 0.299 * x[..., 0] + 0.587 * x[..., 1] + 0.114 * x[..., 2]  # luma, from the resized RGB`);
    lines.push(`    x = (x${div} - MEAN) / STD  # values 0-${cfg.range}, normalised`);
    lines.push(`    x = x[np.newaxis] if LAYOUT == "NCHW" else x[..., np.newaxis]  # one channel`);
  } else {
    lines.push(`    x = (x${div} - MEAN) / STD  # values 0-${cfg.range}, normalised per channel (R, G, B)`);
    if (cfg.channelOrder === 'BGR') lines.push(`    x = x[..., ::-1]  # RGB -> BGR`);
    if (cfg.layout === 'NCHW') lines.push(`    x = x.transpose(2, 0, 1)  # HWC -> CHW`);
  }
  lines.push(`    return np.ascontiguousarray(x[np.newaxis], dtype=np.float32)  # batch axis: [${v.dims.join(', ')}]`);
  return `${header(cfg, 'NumPy + Pillow')}
import math
import sys

import numpy as np
from PIL import Image, ImageOps

WIDTH, HEIGHT = ${cfg.width}, ${cfg.height}
LAYOUT = "${cfg.layout}"
MEAN = np.array(${pyList(v.mean)})  # ${v.grey ? 'average of the R, G, B means' : 'R, G, B'}, in units of 0-${cfg.range}
STD = np.array(${pyList(v.std)})


def load_rgb(path):
    """Decode as the dashboard does: EXIF orientation applied, first frame, 8-bit RGB (alpha dropped)."""
    img = ImageOps.exif_transpose(Image.open(path))
    return np.asarray(img.convert("RGB"))


${RESIZE_PY}


def preprocess(path):
${lines.join('\n')}


${mainPy('tensor')}
`;
}

/** A torchvision script: `transform` is a transforms.Compose; `preprocess(path)` returns a float32 tensor with batch axis. */
export function torchvisionSnippet(cfg: PreprocessConfig): string {
  const v = codeValues(cfg);
  const steps: string[] = [];
  if (cfg.resize === 'crop') {
    steps.push(`    GlassboxResize(${v.shorter}),  # ~ transforms.Resize(${v.shorter}, interpolation=InterpolationMode.BILINEAR)`);
    steps.push(`    transforms.CenterCrop((${cfg.height}, ${cfg.width})),`);
  } else {
    steps.push(`    GlassboxResize((${cfg.height}, ${cfg.width})),  # stretch, aspect ratio not kept`);
  }
  steps.push(`    transforms.PILToTensor(),  # uint8 [3, H, W], RGB`);
  steps.push(`    transforms.Lambda(lambda x: x.to(torch.float64)),  # float64 until the end, as the dashboard`);
  if (v.grey) steps.push(`    transforms.Lambda(lambda x: (0.299 * x[0] + 0.587 * x[1] + 0.114 * x[2])[None]),  # luma, 1 channel`);
  if (cfg.range === 1) steps.push(`    transforms.Lambda(lambda x: x / 255),  # values 0-1 (as ToTensor)`);
  steps.push(`    transforms.Normalize(mean=${pyList(v.mean)}, std=${pyList(v.std)}),${v.grey ? '  # averages of the R, G, B values' : ''}`);
  if (!v.grey && cfg.channelOrder === 'BGR') steps.push(`    transforms.Lambda(lambda x: x[[2, 1, 0]]),  # RGB -> BGR`);
  if (cfg.layout === 'NHWC') steps.push(`    transforms.Lambda(lambda x: x.permute(1, 2, 0)),  # CHW -> HWC`);
  steps.push(`    transforms.Lambda(lambda x: x.to(torch.float32)),`);
  const resizeClass =
    cfg.resize === 'crop'
      ? `class GlassboxResize:
    """transforms.Resize(size) with the dashboard's filter. transforms.Resize(..., BILINEAR) on a PIL image
    uses the same antialiased filter but rounds between passes: some pixels differ by 1/255."""

    def __init__(self, size):
        self.size = size  # int: shorter side (longer side truncated, as torchvision); (h, w): exact size

    def __call__(self, img):
        rgb = np.asarray(img)
        h, w = rgb.shape[:2]
        if isinstance(self.size, int):
            s = self.size
            new_w, new_h = (s, int(s * h / w)) if w <= h else (int(s * w / h), s)
        else:
            new_h, new_w = self.size
        return Image.fromarray(resize_bilinear(rgb, new_w, new_h))`
      : `class GlassboxResize:
    """transforms.Resize((h, w)) with the dashboard's filter. transforms.Resize(..., BILINEAR) on a PIL image
    uses the same antialiased filter but rounds between passes: some pixels differ by 1/255."""

    def __init__(self, size):
        self.size = size  # (h, w)

    def __call__(self, img):
        new_h, new_w = self.size
        return Image.fromarray(resize_bilinear(np.asarray(img), new_w, new_h))`;
  return `${header(cfg, 'a torchvision transforms.Compose')}
import math
import sys

import numpy as np
import torch
from PIL import Image, ImageOps
from torchvision import transforms


${RESIZE_PY}


${resizeClass}


transform = transforms.Compose([
${steps.join('\n')}
])


def preprocess(path):
    """Decode as the dashboard does (EXIF orientation, first frame, RGB without alpha), then transform."""
    img = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    return transform(img).unsqueeze(0)  # batch axis: [${v.dims.join(', ')}]


${mainPy('tensor.numpy()')}
`;
}
