#!/usr/bin/env python3
"""PyTorch side of bench/gradcam-first.ts: exports a random-weight torchvision ResNet-18 (seed 0) to ONNX once
(.bench/gradcam/resnet18.onnx) and times a pytorch-grad-cam replica on it — forward with a hook on layer4[-1],
backward from the target logit, weights = mean gradient, cam = ReLU(Σ w·A) upsampled to 224 and min-max scaled —
on the given thread count. Prints JSON: first call and median of the next 5, in ms.

    /usr/bin/python3 bench/pytorch_gradcam.py THREADS OUT_DIR
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
import torchvision

threads, out_dir = int(sys.argv[1]), sys.argv[2]
torch.manual_seed(0)
torch.set_num_threads(threads)
model = torchvision.models.resnet18().eval()
path = os.path.join(out_dir, "resnet18.onnx")
if not os.path.exists(path):
    os.makedirs(out_dir, exist_ok=True)
    torch.onnx.export(model, torch.randn(1, 3, 224, 224), path, opset_version=17, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})

x = torch.from_numpy(__import__("numpy").random.default_rng(1).standard_normal((1, 3, 224, 224)).astype("float32"))
store = {}
layer = model.layer4[-1]
layer.register_forward_hook(lambda _m, _i, out: store.__setitem__("a", out))


def gradcam(target=1):
    model.zero_grad()
    out = model(x)
    a = store["a"]
    (g,) = torch.autograd.grad(out[0, target], a)
    w = g.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((w * a).sum(dim=1, keepdim=True))
    cam = F.interpolate(cam, size=(224, 224), mode="bilinear", align_corners=False)[0, 0]
    cam = (cam - cam.min()) / (cam.max() - cam.min() + 1e-7)
    return cam.detach()


t = time.perf_counter()
gradcam()
first = (time.perf_counter() - t) * 1000
times = []
for _ in range(5):
    t = time.perf_counter()
    gradcam()
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"first_ms": first, "median_ms": sorted(times)[2], "threads": threads, "torch": torch.__version__}))
