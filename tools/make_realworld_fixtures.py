#!/usr/bin/env python3
"""Gradient fixtures for the model shapes people actually have (tests/fixtures/grad/realworld/), with PyTorch
autograd references. Deterministic: rerun to regenerate byte-identical files.

    /usr/bin/python3 tools/make_realworld_fixtures.py   # Debian's python3-torch, python3-torchvision, python3-onnx

Five models, input [N,3,H,W], 10 classes, seeded random weights, eval() mode, exported with outputs
("logits", "feat") where "feat" is the target layer a CAM should use:

- resnetish_fp16: make_grad_fixtures' ResNetish with its BatchNorms fused into the convs (in torch, so the weights
  the ONNX file stores are exactly the torch weights), rounded to float16, and the .onnx converted to float16
  throughout (weights, input, outputs), as WinML/Caffe2 fp16 models are. Reference: the same function in
  float32 (weights as stored), which is what Glassbox differentiates.
- resnetish_dynhw: the same fused ResNetish in float32 exported with dynamic height and width; the reference is
  at a non-square 40×48 input.
- senet: an EfficientNet-style net (stem, three MBConv blocks each with a squeeze-excitation global pool, a 1×1
  head conv + SiLU = "feat" at 4×4, global pool, linear): the CAM layer must be "feat", not an SE pool's input.
- tvit: torchvision.models.VisionTransformer (image 32, patch 8, 2 layers, 2 heads, hidden 16, MLP 32) with
  "feat" = encoder.layers[-1].ln_1's output (pytorch-grad-cam's recommended target). Its export computes the
  attention's q/k/v split with a Slice whose start is computed at run time.
- tvit_opset14: the same ViT exported at opset 14, where LayerNorm is decomposed into ReduceMean/Sub/Pow/…

Each <name>.json holds input, logits, feat, grad_input and grad_feat for S = logits[0,3] + logits[1,7] (the
format of tests/fixtures/grad/<net>.json), and for the ViTs "gradcam": pytorch-grad-cam's GradCAM with
reshape_transform (CLS token dropped, 16 tokens → 4×4 grid), per row, before upsampling.
"""
import io
import json
import math
import pathlib
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision
from onnx import TensorProto, numpy_helper
from torch.nn.utils.fusion import fuse_conv_bn_eval

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from make_grad_fixtures import ResNetish, b64, init_weights, objective, TARGETS, NUM_CLASSES  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "grad" / "realworld"

torch.manual_seed(0)
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def fused_resnetish():
    torch.manual_seed(1)
    m = ResNetish()
    init_weights(m, 1001)
    m.eval()

    def fuse(parent, conv_name, bn_name):
        conv, bn = getattr(parent, conv_name), getattr(parent, bn_name)
        setattr(parent, conv_name, fuse_conv_bn_eval(conv, bn))
        setattr(parent, bn_name, nn.Identity())

    fuse(m, "conv1", "bn1")
    for block in (m.layer1, m.layer2):
        fuse(block, "conv1", "bn1")
        fuse(block, "conv2", "bn2")
        if block.downsample is not None:
            block.downsample = nn.Sequential(fuse_conv_bn_eval(block.downsample[0], block.downsample[1]))
    return m.eval()


class MBConv(nn.Module):
    def __init__(self, cin, cout, expand, stride):
        super().__init__()
        mid = cin * expand
        layers = []
        if expand != 1:
            layers += [nn.Conv2d(cin, mid, 1, bias=False), nn.BatchNorm2d(mid), nn.SiLU()]
        layers += [nn.Conv2d(mid, mid, 3, stride, 1, groups=mid, bias=False), nn.BatchNorm2d(mid), nn.SiLU(),
                   torchvision.ops.SqueezeExcitation(mid, max(1, cin // 4), activation=nn.SiLU),
                   nn.Conv2d(mid, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.block(x)
        return x + y if self.residual else y


class SENet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.SiLU())
        self.blocks = nn.Sequential(MBConv(16, 16, 1, 1), MBConv(16, 24, 3, 2), MBConv(24, 32, 3, 2))
        self.head = nn.Sequential(nn.Conv2d(32, 64, 1, bias=False), nn.BatchNorm2d(64), nn.SiLU())
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(64, NUM_CLASSES))

    def forward(self, x):
        feat = self.head(self.blocks(self.stem(x)))
        return self.classifier(torch.flatten(self.avgpool(feat), 1)), feat


class TorchvisionViT(nn.Module):
    """torchvision's VisionTransformer returning (logits, encoder.layers[-1].ln_1 output)."""

    def __init__(self):
        super().__init__()
        self.vit = torchvision.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2,
                                                        hidden_dim=16, mlp_dim=32, num_classes=NUM_CLASSES)
        self._feat = None
        self.vit.encoder.layers[-1].ln_1.register_forward_hook(lambda _m, _i, out: setattr(self, "_feat", out))

    def forward(self, x):
        logits = self.vit(x)
        return logits, self._feat


def init_vit(model, seed):
    """Seeded weights for every ViT parameter (torchvision zero-initialises the head, which makes every
    gradient zero): matrices N(0, 2/fan_in), biases N(0, 0.1²), LayerNorm weight U(0.5, 1.5), bias N(0, 0.1²),
    class token and position embedding N(0, 0.5²)."""
    rng = np.random.default_rng(seed)
    norms = {n for n, m in model.named_modules() if isinstance(m, nn.LayerNorm)}
    with torch.no_grad():
        for name, t in model.state_dict().items():
            owner, leaf = name.rpartition(".")[::2]
            shape = tuple(t.shape)
            if owner in norms:
                v = rng.uniform(0.5, 1.5, shape) if leaf == "weight" else rng.normal(0, 0.1, shape)
            elif leaf.endswith("weight") and t.dim() >= 2:
                v = rng.normal(0, math.sqrt(2.0 / t[0].numel()), shape)
            elif leaf.endswith("bias"):
                v = rng.normal(0, 0.1, shape)
            else:  # class_token, pos_embedding
                v = rng.normal(0, 0.5, shape)
            t.copy_(torch.from_numpy(np.asarray(v, dtype=np.float32)))


def export(model, x, opset=17, dynamic_hw=False):
    buf = io.BytesIO()
    axes = {"input": {0: "N"}, "logits": {0: "N"}, "feat": {0: "N"}}
    if dynamic_hw:
        axes["input"] = {0: "N", 2: "H", 3: "W"}
        axes["feat"] = {0: "N", 2: "h", 3: "w"}
    torch.onnx.export(model, x, buf, opset_version=opset, do_constant_folding=True, input_names=["input"],
                      output_names=["logits", "feat"], dynamic_axes=axes)
    m = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(m, full_check=True)
    return m


def to_float16(m):
    """Every float32 initializer, Constant, graph input/output and Cast target as float16."""
    g = m.graph
    for i, t in enumerate(g.initializer):
        if t.data_type == TensorProto.FLOAT:
            g.initializer[i].CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name))
    for v in list(g.input) + list(g.output) + list(g.value_info):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            v.type.tensor_type.elem_type = TensorProto.FLOAT16
    for n in g.node:
        for a in n.attribute:
            if a.name == "to" and a.i == TensorProto.FLOAT:
                a.i = TensorProto.FLOAT16
            if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == TensorProto.FLOAT:
                a.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(a.t).astype(np.float16), a.t.name))
    onnx.checker.check_model(m, full_check=True)
    return m


def references(model, x):
    xg = x.clone().requires_grad_(True)
    logits, feat = model(xg)
    feat.retain_grad()
    objective(logits).backward()
    return {
        "input_shape": list(x.shape),
        "targets": TARGETS,
        "input": b64(x.numpy()),
        "logits": b64(logits.detach().numpy()),
        "feat_shape": list(feat.shape),
        "feat": b64(feat.detach().numpy()),
        "grad_input": b64(xg.grad.numpy()),
        "grad_feat": b64(feat.grad.numpy()),
    }, feat.detach().numpy(), feat.grad.numpy()


def vit_gradcam(feat, grad):
    """pytorch-grad-cam GradCAM with reshape_transform: tokens[:, 1:] → [N, C, 4, 4]; w = mean of the gradient
    over the grid; cam = max(Σ_c w_c A_c, 0)."""
    def grid(t):
        n, tokens, c = t.shape
        side = int(round(math.sqrt(tokens - 1)))
        return t[:, 1:, :].reshape(n, side, side, c).transpose(0, 3, 1, 2)
    a, g = grid(feat.astype(np.float64)), grid(grad.astype(np.float64))
    w = g.mean(axis=(2, 3))
    return np.maximum((w[:, :, None, None] * a).sum(axis=1), 0)


def write(name, m, doc):
    data = m.SerializeToString()
    assert len(data) < 300_000, f"{name}.onnx is {len(data)} bytes"
    (OUT / f"{name}.onnx").write_bytes(data)
    doc = {"model": f"{name}.onnx", **doc, "ops": sorted({n.op_type for n in m.graph.node})}
    (OUT / f"{name}.json").write_text(json.dumps(doc, indent=1) + "\n")
    print(f"{name}: onnx {len(data)} B, feat {doc['feat_shape']}, ops {' '.join(doc['ops'])}")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2024)
    x32 = torch.from_numpy(rng.standard_normal((2, 3, 32, 32)).astype(np.float32))

    # fp16: weights rounded to half precision in torch, so the .onnx's float16 weights are exactly the torch ones
    fp16 = fused_resnetish()
    with torch.no_grad():
        for p in fp16.parameters():
            p.copy_(p.half().float())
    m = to_float16(export(fp16, x32))
    doc, _, _ = references(fp16, x32)
    write("resnetish_fp16", m, doc)

    dyn = fused_resnetish()
    m = export(dyn, x32, dynamic_hw=True)
    x_rect = torch.from_numpy(rng.standard_normal((2, 3, 40, 48)).astype(np.float32))
    doc, _, _ = references(dyn, x_rect)
    write("resnetish_dynhw", m, doc)

    torch.manual_seed(5)
    se = SENet()
    init_weights(se, 1005)
    se.eval()
    doc, _, _ = references(se, x32)
    write("senet", export(se, x32), doc)

    torch.manual_seed(6)
    vit = TorchvisionViT()
    init_vit(vit, 1006)
    vit.eval()
    doc, feat, grad = references(vit, x32)
    doc["gradcam_shape"] = [2, 4, 4]
    doc["gradcam"] = b64(vit_gradcam(feat, grad))
    write("tvit", export(vit, x32), doc)
    write("tvit_opset14", export(vit, x32, opset=14), doc)


if __name__ == "__main__":
    main()
