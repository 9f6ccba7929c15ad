#!/usr/bin/env python3
"""Whole-model gradient reference fixtures from PyTorch autograd (tests/fixtures/grad/). Deterministic: rerun to
regenerate byte-identical files.

    /usr/bin/python3 tools/make_grad_fixtures.py      # Debian's python3-torch (1.13), python3-onnx (1.12), numpy

(The pyenv `python3` on PATH has no torch/onnx; use /usr/bin/python3. On a fresh machine:
`apt-get install python3-torch python3-onnx`.)

Four small torchvision-style classifiers (resnetish, mobilenetish, vggish, vitish), input [N,3,32,32], 10 classes,
random weights from a fixed-seed numpy generator (so they do not depend on torch's init code), eval() mode with
non-trivial BatchNorm running statistics. Each is exported to ONNX (opset 17, dynamic batch "N") by a wrapper that
returns (logits, target-layer activation), so the graph outputs are named "logits" and "feat". For a batch of two
seeded inputs and targets t = [3, 7], autograd gives the gradient of

    S = logits[0, t0] + logits[1, t1]        (i.e. dS/dlogits = one-hot rows)

with respect to the input and to the "feat" activation. Those, the input, logits and feat go into <name>.json as
base64 of little-endian float32 C-order bytes. tests/fixtures/grad/README.md describes the format.

Checks run here (printed): onnx.checker (full_check); the exported .onnx evaluated by a small numpy interpreter
(below; onnx 1.12 has no onnx.reference and onnxruntime is not installed) reproduces torch's logits and feat; the
float32 input gradient agrees with central finite differences of a float64 copy of the model.

Method references (methods.json): for one seeded 32x32 RGB image, normalised as Glassbox does (ImageNet mean/std),
and each net's top class, torch replicas of pytorch-grad-cam's ScoreCAM and AblationCAM (raw CAM at the layer),
captum's GuidedBackprop (guided ReLU rule on nn.ReLU modules) and captum's Occlusion. Printed with each: how far a
wrong variant (another target; for Score-CAM, half-pixel upsampling; for Guided Backprop, the plain gradient) lies
from the reference, so the tests' tolerance separates right from wrong.

    /usr/bin/python3 tools/make_grad_fixtures.py --methods   # only methods.json (the nets are rebuilt the same)
"""
import base64
import copy
import io
import json
import math
import pathlib
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "grad"
TARGETS = [3, 7]
NUM_CLASSES = 10

torch.manual_seed(0)
torch.set_num_threads(1)  # single-threaded CPU kernels: same summation order on every run
torch.use_deterministic_algorithms(True)


# ---------------------------------------------------------------------------------------------------- nets


class BasicBlock(nn.Module):
    """torchvision's ResNet BasicBlock."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNetish(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 2, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = BasicBlock(16, 16)
        self.layer2 = BasicBlock(16, 32, stride=2)  # target layer
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(32, NUM_CLASSES)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        feat = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(self.avgpool(feat), 1)), feat


class SqueezeExcitation(nn.Module):
    """torchvision.ops.SqueezeExcitation as MobileNetV3 uses it."""

    def __init__(self, c, squeeze):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(c, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, c, 1)
        self.activation = nn.ReLU()
        self.scale_activation = nn.Hardsigmoid()

    def forward(self, x):
        s = self.scale_activation(self.fc2(self.activation(self.fc1(self.avgpool(x)))))
        return s * x


class MobileNetish(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 24, 3, 2, 1, bias=False), nn.BatchNorm2d(24), nn.Hardswish())
        self.dw = nn.Sequential(nn.Conv2d(24, 24, 3, 2, 1, groups=24, bias=False), nn.BatchNorm2d(24), nn.ReLU6())
        self.se = SqueezeExcitation(24, 8)
        self.project = nn.Sequential(nn.Conv2d(24, 48, 1, bias=False), nn.BatchNorm2d(48))
        self.act = nn.Hardswish()  # its output is the target layer
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(48, NUM_CLASSES))

    def forward(self, x):
        feat = self.act(self.project(self.se(self.dw(self.stem(x)))))
        return self.classifier(torch.flatten(self.avgpool(feat), 1)), feat


class VGGish(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1)
        self.act1 = nn.SiLU()
        self.pool = nn.AvgPool2d(2)
        self.bn = nn.BatchNorm2d(8)  # follows a pool, not a conv, so the exporter cannot fold it away
        self.conv2 = nn.Conv2d(8, 16, 3, 2, padding=2, dilation=2)
        self.act2 = nn.LeakyReLU(0.1)
        self.up = nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1)
        self.conv3 = nn.Conv2d(8, 16, 3, 2, 1)
        self.fc1 = nn.Linear(16 * 8 * 8, 32)
        self.gelu = nn.GELU()  # exact (erf) form
        self.fc2 = nn.Linear(32, NUM_CLASSES)

    def forward(self, x):
        x = self.bn(self.pool(self.act1(self.conv1(x))))  # [N,8,16,16]
        x = self.act2(self.conv2(x))  # [N,16,8,8]
        x = self.up(x)  # [N,8,16,16]
        x = self.conv3(x)  # [N,16,8,8]
        feat = x * torch.sigmoid(x)  # target layer
        return self.fc2(self.gelu(self.fc1(torch.flatten(feat, 1)))), feat


class Attention(nn.Module):
    """Multi-head self-attention with plain matmuls and softmax (timm's ViT Attention)."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, T, C = x.shape
        qkv = self.qkv(x).reshape(B, T, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(B, T, C)
        return self.proj(x)


class ViTish(nn.Module):
    def __init__(self, dim=16, heads=2):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, dim, 4, 4)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 65, dim))
        self.norm1 = nn.LayerNorm(dim)  # its output is the target layer
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, NUM_CLASSES)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)  # [N,64,16]
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        feat = self.norm1(x)
        x = x + self.attn(feat)
        x = x + self.mlp(self.norm2(x))
        x = self.norm(x)
        return self.head(x[:, 0]), feat


NETS = [
    ("resnetish", ResNetish, 1),
    ("mobilenetish", MobileNetish, 2),
    ("vggish", VGGish, 3),
    ("vitish", ViTish, 4),
]


def init_weights(model, seed):
    """Overwrite every parameter and buffer from a numpy generator, in state_dict order (independent of torch's
    init code). Conv/Linear weights ~ N(0, 2/fan_in); biases ~ N(0, 0.1²); BatchNorm/LayerNorm weight ~ U(0.5, 1.5),
    bias ~ N(0, 0.1²); BN running_mean ~ N(0, 0.2²), running_var ~ U(0.5, 2); CLS/position embeddings ~ N(0, 0.5²)."""
    rng = np.random.default_rng(seed)
    norms = {n for n, m in model.named_modules() if isinstance(m, (nn.BatchNorm2d, nn.LayerNorm))}
    with torch.no_grad():
        for name, t in model.state_dict().items():
            owner, leaf = name.rpartition(".")[::2]
            shape = tuple(t.shape)
            if leaf == "num_batches_tracked":
                continue
            if owner in norms:
                v = {"weight": lambda: rng.uniform(0.5, 1.5, shape),
                     "bias": lambda: rng.normal(0, 0.1, shape),
                     "running_mean": lambda: rng.normal(0, 0.2, shape),
                     "running_var": lambda: rng.uniform(0.5, 2.0, shape)}[leaf]()
            elif leaf == "weight":
                fan_in = t[0].numel() if t.dim() != 4 or not name.startswith("up.") else t.shape[0] * 9 // 4
                v = rng.normal(0, math.sqrt(2.0 / fan_in), shape)
            elif leaf == "bias":
                v = rng.normal(0, 0.1, shape)
            else:  # cls_token, pos_embed
                v = rng.normal(0, 0.5, shape)
            t.copy_(torch.from_numpy(np.asarray(v, dtype=np.float32)))


# ---------------------------------------------------------------------------------------------------- numpy ONNX evaluator (check only)


def _attr(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _conv(x, w, b, a, transpose=False):
    """Direct convolution (float64) for NCHW; groups, strides, pads, dilations; ConvTranspose by definition."""
    n, c = x.shape[:2]
    g = a.get("group", 1)
    kh, kw = w.shape[2:]
    s = a.get("strides", [1, 1])
    d = a.get("dilations", [1, 1])
    p = a.get("pads", [0, 0, 0, 0])
    if transpose:
        op = a.get("output_padding", [0, 0])
        cout = w.shape[1] * g
        h, wd = x.shape[2:]
        oh = s[0] * (h - 1) + op[0] + (kh - 1) * d[0] + 1 - p[0] - p[2]
        ow = s[1] * (wd - 1) + op[1] + (kw - 1) * d[1] + 1 - p[1] - p[3]
        full = np.zeros((n, cout, oh + p[0] + p[2], ow + p[1] + p[3]))
        cig, cog = c // g, cout // g
        for gi in range(g):
            xs = x[:, gi * cig:(gi + 1) * cig]
            ws = w[gi * cig:(gi + 1) * cig]  # [cig, cog, kh, kw]
            for i in range(kh):
                for j in range(kw):
                    contrib = np.einsum("nchw,co->nohw", xs, ws[:, :, i, j])
                    full[:, gi * cog:(gi + 1) * cog, i * d[0]:i * d[0] + s[0] * (h - 1) + 1:s[0],
                         j * d[1]:j * d[1] + s[1] * (wd - 1) + 1:s[1]] += contrib
        y = full[:, :, p[0]:p[0] + oh, p[1]:p[1] + ow]
    else:
        cout = w.shape[0]
        xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[2]), (p[1], p[3])))
        oh = (xp.shape[2] - (kh - 1) * d[0] - 1) // s[0] + 1
        ow = (xp.shape[3] - (kw - 1) * d[1] - 1) // s[1] + 1
        y = np.zeros((n, cout, oh, ow))
        cig, cog = c // g, cout // g
        for gi in range(g):
            for i in range(kh):
                for j in range(kw):
                    patch = xp[:, gi * cig:(gi + 1) * cig, i * d[0]:i * d[0] + s[0] * (oh - 1) + 1:s[0],
                               j * d[1]:j * d[1] + s[1] * (ow - 1) + 1:s[1]]
                    y[:, gi * cog:(gi + 1) * cog] += np.einsum("nchw,oc->nohw", patch,
                                                               w[gi * cog:(gi + 1) * cog, :, i, j])
    if b is not None:
        y += b.reshape(1, -1, 1, 1)
    return y


def _pool(x, a, kind):
    kh, kw = a["kernel_shape"]
    s = a.get("strides", [1, 1])
    p = a.get("pads", [0, 0, 0, 0])
    assert a.get("ceil_mode", 0) == 0
    fill = -np.inf if kind == "max" else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[2]), (p[1], p[3])), constant_values=fill)
    oh = (xp.shape[2] - kh) // s[0] + 1
    ow = (xp.shape[3] - kw) // s[1] + 1
    win = np.stack([xp[:, :, i:i + s[0] * (oh - 1) + 1:s[0], j:j + s[1] * (ow - 1) + 1:s[1]]
                    for i in range(kh) for j in range(kw)])
    if kind == "max":
        return win.max(0)
    assert a.get("count_include_pad", 0) == 1 or p == [0, 0, 0, 0]
    return win.mean(0)


def _erf(x):
    return np.vectorize(math.erf)(x)


def run_onnx(model, feeds):
    """Evaluate the graph in float64 with numpy. Only the ops these fixtures use."""
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env.update(feeds)
    for node in model.graph.node:
        a = _attr(node)
        x = [env[n] if n else None for n in node.input]
        t = node.op_type
        f = lambda v: np.asarray(v, dtype=np.float64)  # noqa: E731
        if t == "Constant":
            y = numpy_helper.to_array(a["value"])
        elif t == "Conv":
            y = _conv(f(x[0]), f(x[1]), f(x[2]) if len(x) > 2 else None, a)
        elif t == "ConvTranspose":
            y = _conv(f(x[0]), f(x[1]), f(x[2]) if len(x) > 2 else None, a, transpose=True)
        elif t == "BatchNormalization":
            sh = (1, -1) + (1,) * (x[0].ndim - 2)
            y = ((x[0] - x[3].reshape(sh)) / np.sqrt(x[4].reshape(sh) + a.get("epsilon", 1e-5)) * x[1].reshape(sh)
                 + x[2].reshape(sh))
        elif t == "Relu":
            y = np.maximum(x[0], 0)
        elif t == "LeakyRelu":
            y = np.where(x[0] >= 0, x[0], a.get("alpha", 0.01) * x[0])
        elif t == "Clip":
            y = np.clip(x[0], x[1] if len(x) > 1 and x[1] is not None else -np.inf,
                        x[2] if len(x) > 2 and x[2] is not None else np.inf)
        elif t == "Sigmoid":
            y = 1 / (1 + np.exp(-f(x[0])))
        elif t == "HardSigmoid":
            y = np.clip(a.get("alpha", 0.2) * x[0] + a.get("beta", 0.5), 0, 1)
        elif t == "HardSwish":
            y = x[0] * np.clip(x[0] / 6 + 0.5, 0, 1)
        elif t == "Erf":
            y = _erf(f(x[0]))
        elif t == "Softmax":
            ax = a.get("axis", -1)
            e = np.exp(x[0] - x[0].max(ax, keepdims=True))
            y = e / e.sum(ax, keepdims=True)
        elif t == "MaxPool":
            y = _pool(f(x[0]), a, "max")
        elif t == "AveragePool":
            y = _pool(f(x[0]), a, "avg")
        elif t == "GlobalAveragePool":
            y = x[0].mean((2, 3), keepdims=True)
        elif t == "ReduceMean":
            y = x[0].mean(tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1)))
        elif t == "LayerNormalization":
            ax = a.get("axis", -1)
            axes = tuple(range(ax % x[0].ndim, x[0].ndim))
            mu = x[0].mean(axes, keepdims=True)
            var = ((x[0] - mu) ** 2).mean(axes, keepdims=True)
            y = (x[0] - mu) / np.sqrt(var + a.get("epsilon", 1e-5)) * x[1]
            if len(x) > 2 and x[2] is not None:
                y = y + x[2]
        elif t == "Gemm":
            A = x[0].T if a.get("transA", 0) else x[0]
            B = x[1].T if a.get("transB", 0) else x[1]
            y = a.get("alpha", 1.0) * (f(A) @ f(B))
            if len(x) > 2:
                y = y + a.get("beta", 1.0) * x[2]
        elif t == "MatMul":
            y = f(x[0]) @ f(x[1])
        elif t in ("Add", "Sub", "Mul", "Div", "Pow"):
            op = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": np.divide, "Pow": np.power}[t]
            if x[0].dtype.kind in "iu" and x[1].dtype.kind in "iu":
                y = (x[0] // x[1]) if t == "Div" else op(x[0], x[1])
            else:
                y = op(f(x[0]), f(x[1]))
        elif t == "Sqrt":
            y = np.sqrt(x[0])
        elif t == "Tanh":
            y = np.tanh(x[0])
        elif t == "Flatten":
            ax = a.get("axis", 1)
            y = x[0].reshape(int(np.prod(x[0].shape[:ax])), -1)
        elif t == "Reshape":
            shape = [x[0].shape[i] if s == 0 else s for i, s in enumerate(x[1].tolist())]
            y = x[0].reshape(shape)
        elif t == "Transpose":
            y = np.transpose(x[0], a.get("perm"))
        elif t == "Concat":
            y = np.concatenate(x, axis=a["axis"])
        elif t == "Shape":
            y = np.array(x[0].shape, dtype=np.int64)[a.get("start", 0):a.get("end", None)]
        elif t == "Gather":
            y = np.take(x[0], x[1], axis=a.get("axis", 0))
        elif t == "Unsqueeze":
            y = x[0]
            for ax in sorted(int(v) % (x[0].ndim + len(x[1])) for v in x[1].reshape(-1)):
                y = np.expand_dims(y, ax)
        elif t == "Squeeze":
            y = np.squeeze(x[0], axis=tuple(int(v) for v in x[1].reshape(-1))) if len(x) > 1 else np.squeeze(x[0])
        elif t == "Expand":
            y = x[0] * np.ones(x[1].tolist(), dtype=x[0].dtype)
        elif t == "Slice":
            starts, ends = x[1].tolist(), x[2].tolist()
            axes = x[3].tolist() if len(x) > 3 else list(range(len(starts)))
            steps = x[4].tolist() if len(x) > 4 else [1] * len(starts)
            sl = [slice(None)] * x[0].ndim
            for s0, e0, ax, st in zip(starts, ends, axes, steps):
                sl[ax] = slice(s0, e0, st)
            y = x[0][tuple(sl)]
        elif t == "Split":
            ax = a.get("axis", 0)
            parts = x[1].tolist() if len(x) > 1 and x[1] is not None else None
            if parts is None:
                y = np.split(x[0], len(node.output), axis=ax)
            else:
                y = np.split(x[0], np.cumsum(parts)[:-1], axis=ax)
        elif t == "Pad":
            assert a.get("mode", b"constant") == b"constant" and (len(x) < 4 or x[3] is None)
            pads = x[1].tolist()
            r = x[0].ndim
            val = x[2].item() if len(x) > 2 and x[2] is not None else 0
            assert min(pads) >= 0
            y = np.pad(x[0], [(pads[i], pads[i + r]) for i in range(r)], constant_values=val)
        elif t == "Cast":
            y = x[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[a["to"]])
        elif t in ("Identity", "Dropout"):
            y = x[0]
        elif t == "Equal":
            y = np.equal(x[0], x[1])
        elif t == "Where":
            y = np.where(x[0], x[1], x[2])
        elif t == "ConstantOfShape":
            v = numpy_helper.to_array(a["value"]) if "value" in a else np.zeros(1, np.float32)
            y = np.full(x[0].tolist(), v.reshape(-1)[0], dtype=v.dtype)
        else:
            raise NotImplementedError(f"numpy evaluator: op {t}")
        outs = y if isinstance(y, list) else [y]
        for name, v in zip(node.output, outs):
            if name:
                env[name] = np.asarray(v)
    return [env[o.name] for o in model.graph.output]


# ---------------------------------------------------------------------------------------------------- method references


METHOD_IMAGE_SEED = 4242
MEAN = np.array([0.485, 0.456, 0.406])
STD = np.array([0.229, 0.224, 0.225])


def method_image():
    """A seeded 32x32 RGB uint8 image: smooth colour waves plus noise (something for the nets to respond to)."""
    rng = np.random.default_rng(METHOD_IMAGE_SEED)
    yy, xx = np.mgrid[0:32, 0:32]
    base = (128 + 80 * np.sin(xx / 5.0)[..., None] * np.array([1.0, 0.5, -0.5])
            + 60 * np.cos(yy / 7.0)[..., None] * np.array([-0.3, 1.0, 0.6]))
    return np.clip(np.round(base + rng.normal(0, 25, (32, 32, 3))), 0, 255).astype(np.uint8)


def image_tensor(rgb):
    """Glassbox's writeModelInput in float64 then float32: px * ((1/255) / std) + (-mean / std), NCHW."""
    x = rgb.astype(np.float64) * ((1.0 / 255) / STD) + (-MEAN / STD)
    return torch.from_numpy(x.astype(np.float32).transpose(2, 0, 1)[None].copy())


def black_tensor():
    """The black image through the same normalisation (Glassbox's hiddenTensor for mode 'black')."""
    return image_tensor(np.zeros((32, 32, 3), np.uint8))


def grid(feat):
    """pytorch-grad-cam's reshape_transform for ViTs: drop the CLS token, tokens to an 8x8 grid, channels first."""
    if feat.dim() == 4:
        return feat
    n, t, c = feat.shape
    side = int(round((t - 1) ** 0.5))
    return feat[:, 1:, :].reshape(n, side, side, c).transpose(2, 3).transpose(1, 2)


# the part of each net after its target layer (what pytorch-grad-cam's AblationLayer feeds): a function of feat
# alone for the CNNs; vitish's norm1 output feeds the attention branch while the residual stream bypasses it.
HEADS = {
    "resnetish": lambda m, f: m.fc(torch.flatten(m.avgpool(f), 1)),
    "mobilenetish": lambda m, f: m.classifier(torch.flatten(m.avgpool(f), 1)),
    "vggish": lambda m, f: m.fc2(m.gelu(m.fc1(torch.flatten(f, 1)))),
}


def weighted_cam(weights, acts):
    """base_cam.get_cam_image then compute_cam_per_layer's ReLU: max(Σ_k w_k A_k, 0), in numpy float32."""
    return np.maximum((weights[:, None, None] * acts).sum(axis=0), 0)


def score_cam(model, x, target, align_corners=True):
    """pytorch-grad-cam's ScoreCAM.get_cam_weights (UpsamplingBilinear2d = bilinear, align_corners=True)."""
    with torch.no_grad():
        acts = grid(model(x)[1])
        c = acts.shape[1]
        up = F.interpolate(acts, size=x.shape[-2:], mode="bilinear", align_corners=align_corners)
        if align_corners:
            assert torch.equal(up, torch.nn.UpsamplingBilinear2d(size=x.shape[-2:])(acts))
        maxs = up.view(1, c, -1).max(dim=-1)[0][:, :, None, None]
        mins = up.view(1, c, -1).min(dim=-1)[0][:, :, None, None]
        up = (up - mins) / (maxs - mins + 1e-8)
        inputs = x[:, None] * up[:, :, None]
        scores = []
        for i in range(0, c, 16):
            scores.extend(o[target].item() for o in model(inputs[0, i:i + 16])[0])
        weights = torch.nn.Softmax(dim=-1)(torch.Tensor(scores)).numpy()
        return weighted_cam(weights, acts[0].numpy()), weights


def ablation_cam(model, name, x, target):
    """pytorch-grad-cam's AblationCAM.get_cam_weights with every channel ablated by zeroing (its AblationLayer zeroes
    when the layer's minimum is 0; the paper zeroes always): weight = (y − y_k) / y."""
    with torch.no_grad():
        logits, feat = model(x)
        original = np.float32(logits[0, target].item())
        c = feat.shape[1]
        ablated = feat.repeat(c, 1, 1, 1)
        for k in range(c):
            ablated[k, k] = 0
        new_scores = []
        for i in range(0, c, 32):
            new_scores.extend(o[target].item() for o in HEADS[name](model, ablated[i:i + 32]))
        weights = (original - np.float32(new_scores)) / original
        return weighted_cam(weights, feat[0].numpy()), weights, float(feat.min())


class GuidedReLU(torch.autograd.Function):
    """captum GuidedBackprop's rule on nn.ReLU: grad_in = ReLU(grad_out · (input > 0)) = (input > 0) · ReLU(grad_out)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return (x > 0).to(grad_out.dtype) * grad_out.clamp(min=0)


def input_gradient(model, x, target, guided):
    m = copy.deepcopy(model).eval()
    if guided:
        for module in m.modules():
            if isinstance(module, nn.ReLU):  # captum hooks nn.ReLU modules only (not ReLU6, GELU, ...)
                module.forward = GuidedReLU.apply
    xg = x.clone().requires_grad_(True)
    m(xg)[0][0, target].backward()
    return xg.grad[0].numpy()


def occlusion(model, x, target, window, stride, baseline):
    """captum's Occlusion.attribute(x, sliding_window_shapes=(C, w, w), strides=(C, s, s), baselines, target):
    window positions ceil((side − w) / s) + 1 per axis, masks built as its _occlusion_mask (F.pad, negative padding
    cuts a window running past the edge), attribution = Σ (f(x) − f(x⊙(1−m) + b⊙m))·m / Σ m."""
    shape = (x.shape[1], window, window)
    strides = (x.shape[1], stride, stride)
    counts = [int(math.ceil((d - w) / s)) + 1 for d, w, s in zip(x.shape[1:], shape, strides)]
    ones = torch.ones(shape)
    with torch.no_grad():
        f0 = model(x)[0][0, target]
        total = torch.zeros_like(x[0])
        weights = torch.zeros_like(x[0])
        for k in range(int(np.prod(counts))):
            remaining, index = k, []
            for cnt, s in zip(counts, strides):
                index.append((remaining % cnt) * s)
                remaining //= cnt
            rest = np.subtract(x.shape[1:], np.add(index, shape))
            pads = [int(v) for pair in zip(rest, index) for v in pair][::-1]
            mask = F.pad(ones, tuple(pads))
            ablated = x[0] * (1 - mask) + baseline[0] * mask
            total += (f0 - model(ablated[None])[0][0, target]) * mask
            weights += mask
        return (total / weights).numpy(), counts


def rel(a, b):
    return float(np.abs(np.asarray(a) - np.asarray(b)).max() / np.abs(np.asarray(b)).max())


def method_references(models):
    rgb = method_image()
    x = image_tensor(rgb)
    doc = {"image_shape": list(rgb.shape), "image": base64.b64encode(rgb.tobytes()).decode("ascii"),
           "preprocess": {"range": 1, "mean": MEAN.tolist(), "std": STD.tolist(), "layout": "NCHW", "channelOrder": "RGB"},
           "nets": {}}
    occlusions = [(6, 4, "zeros")]
    for name, model in models:
        with torch.no_grad():
            logits = model(x)[0][0].numpy()
        order = np.argsort(-logits)
        target, other = int(order[0]), int(order[1])
        net = {"target": target, "logits": b64(logits), "layer": "feat"}
        print(f"{name}: target {target} (logit {logits[target]:.4f}), wrong target {other} (logit {logits[other]:.4f})")

        cam, weights = score_cam(model, x, target)
        wrong_cam, _ = score_cam(model, x, other)
        half_cam, _ = score_cam(model, x, target, align_corners=False)
        net["scorecam"] = {"cam_shape": list(cam.shape), "cam": b64(cam), "weights": b64(weights)}
        print(f"  Score-CAM {list(cam.shape)}: max {cam.max():.4g}; wrong target differs by {rel(wrong_cam, cam):.3g}, "
              f"half-pixel upsampling by {rel(half_cam, cam):.3g} (max |Δ| / max |ref|)")

        if name in HEADS:
            with torch.no_grad():
                l2, f2 = model(x)
                assert torch.allclose(HEADS[name](model, f2), l2, rtol=1e-5, atol=1e-6), name
            cam, weights, low = ablation_cam(model, name, x, target)
            wrong_cam, _, _ = ablation_cam(model, name, x, other)
            net["ablationcam"] = {"cam_shape": list(cam.shape), "cam": b64(cam), "weights": b64(weights)}
            print(f"  Ablation-CAM {list(cam.shape)}: max {cam.max():.4g}; wrong target differs by {rel(wrong_cam, cam):.3g}; "
                  f"layer min {low:.4g} ({'= pytorch-grad-cam, which zeroes' if low == 0 else 'pytorch-grad-cam would write min − 1e7 here'})")

        if any(isinstance(mod, nn.ReLU) for mod in model.modules()):
            guided = input_gradient(model, x, target, guided=True)
            plain = input_gradient(model, x, target, guided=False)
            net["guidedbackprop"] = b64(guided)
            print(f"  Guided Backprop: max |g| {np.abs(guided).max():.4g}; plain gradient differs by {rel(plain, guided):.3g}, "
                  f"channel sums by {rel(plain.sum(0), guided.sum(0)):.3g}")

        net["occlusion"] = []
        configs = occlusions + ([(8, 5, "black")] if name == "resnetish" else [])
        for window, stride, base in configs:
            baseline = torch.zeros_like(x) if base == "zeros" else black_tensor()
            attr, counts = occlusion(model, x, target, window, stride, baseline)
            wrong, _ = occlusion(model, x, other, window, stride, baseline)
            assert np.allclose(attr, attr[:1]), "a window covers every channel: equal attribution per channel"
            net["occlusion"].append({"window": window, "stride": stride, "baseline": base, "attribution": b64(attr)})
            print(f"  Occlusion window {window} stride {stride} baseline {base}: {counts[1]}x{counts[2]} positions, "
                  f"max |attr| {np.abs(attr).max():.4g}; wrong target differs by {rel(wrong, attr):.3g}")
        doc["nets"][name] = net
    text = json.dumps(doc, indent=1) + "\n"
    assert len(text) < 300_000, f"methods.json is {len(text)} bytes"
    (OUT / "methods.json").write_text(text)
    print(f"methods.json: {len(text)} B")


# ---------------------------------------------------------------------------------------------------- main


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode("ascii")


def export(model, x):
    buf = io.BytesIO()
    torch.onnx.export(model, x, buf, opset_version=17, do_constant_folding=True, input_names=["input"],
                      output_names=["logits", "feat"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}, "feat": {0: "N"}})
    m = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(m, full_check=True)
    return m


def objective(logits):
    return sum(logits[i, t] for i, t in enumerate(TARGETS))


def fd_check(model, x, grad32, seed, count=12, eps=1e-6):
    """Central finite differences of S on a float64 copy at `count` random input coordinates vs. the float32
    autograd gradient. Returns (max relative error, max abs error, scale): relative to max |grad| over the
    sampled coords, so coordinates with tiny gradients do not blow up the ratio."""
    m64 = copy.deepcopy(model).double().eval()
    x64 = x.double()
    rng = np.random.default_rng(seed)
    flat = rng.choice(x64.numel(), size=count, replace=False)
    fd, ag = [], []
    with torch.no_grad():
        for k in flat:
            idx = np.unravel_index(int(k), tuple(x64.shape))
            xp, xm = x64.clone(), x64.clone()
            xp[idx] += eps
            xm[idx] -= eps
            fd.append(float((objective(m64(xp)[0]) - objective(m64(xm)[0])) / (2 * eps)))
            ag.append(float(grad32[idx]))
    fd, ag = np.array(fd), np.array(ag)
    scale = max(np.abs(fd).max(), 1e-12)
    err = np.abs(fd - ag)
    return float((err / np.maximum(np.abs(fd), 0.1 * scale)).max()), float(err.max()), float(scale)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    only_methods = "--methods" in sys.argv[1:]
    summary = []
    models = []
    for name, cls, seed in NETS:
        torch.manual_seed(seed)
        model = cls()
        init_weights(model, 1000 + seed)
        model.eval()
        models.append((name, model))
        if only_methods:
            continue
        nparams = sum(p.numel() for p in model.parameters())
        x = torch.from_numpy(np.random.default_rng(2000 + seed).standard_normal((2, 3, 32, 32)).astype(np.float32))

        m = export(model, x)
        data = m.SerializeToString()
        assert len(data) < 300_000, f"{name}.onnx is {len(data)} bytes"
        (OUT / f"{name}.onnx").write_bytes(data)
        ops = sorted({n.op_type for n in m.graph.node})
        assert [o.name for o in m.graph.output] == ["logits", "feat"]
        producer = {o: n.op_type for n in m.graph.node for o in n.output}

        xg = x.clone().requires_grad_(True)
        logits, feat = model(xg)
        feat.retain_grad()
        objective(logits).backward()
        grad_input, grad_feat = xg.grad.detach().numpy(), feat.grad.detach().numpy()
        logits, feat = logits.detach().numpy(), feat.detach().numpy()

        # The .onnx computes the same logits/feat (numpy float64 evaluation of the exported graph).
        ol, of = run_onnx(m, {"input": x.numpy()})
        dl = float(np.abs(ol - logits).max() / np.abs(logits).max())
        df = float(np.abs(of - feat).max() / np.abs(feat).max())
        assert dl < 1e-4 and df < 1e-4, (name, dl, df)
        ol1, of1 = run_onnx(m, {"input": x.numpy()[1:]})  # dynamic batch: N=1 gives row 1 again
        assert np.abs(ol1 - ol[1:]).max() < 1e-9 and np.abs(of1 - of[1:]).max() < 1e-9, name

        rel, abserr, scale = fd_check(model, x, grad_input, 3000 + seed)
        assert rel < 1e-3, (name, rel)

        doc = {
            "model": f"{name}.onnx",
            "input_shape": list(x.shape),
            "targets": TARGETS,
            "input": b64(x.numpy()),
            "logits": b64(logits),
            "feat_shape": list(feat.shape),
            "feat": b64(feat),
            "grad_input": b64(grad_input),
            "grad_feat": b64(grad_feat),
            "ops": ops,
        }
        text = json.dumps(doc, indent=1) + "\n"
        assert len(text) < 400_000, f"{name}.json is {len(text)} bytes"
        (OUT / f"{name}.json").write_text(text)
        summary.append(name)
        print(f"{name}: {nparams} params, onnx {len(data)} B, json {len(text)} B, feat {list(feat.shape)} "
              f"(from {producer['feat']}), {len(m.graph.node)} nodes")
        print(f"  ops: {' '.join(ops)}")
        print(f"  onnx vs torch (numpy float64 eval): logits rel {dl:.2e}, feat rel {df:.2e}")
        print(f"  grad_input vs central FD (float64 copy, 12 coords): max rel err {rel:.2e} "
              f"(max abs {abserr:.2e}, |grad| scale {scale:.2e})")
        print(f"  |grad_input| max {np.abs(grad_input).max():.3e}, |grad_feat| max {np.abs(grad_feat).max():.3e}, "
              f"logits[targets] {[float(logits[i, t]) for i, t in enumerate(TARGETS)]}")
    method_references(models)


if __name__ == "__main__":
    main()
