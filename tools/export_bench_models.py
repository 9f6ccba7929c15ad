#!/usr/bin/env python3
"""Random-weight torchvision ResNet-18 and MobileNetV2 as ONNX, for bench/native.ts (WASM vs native vs PyTorch).

    /usr/bin/python3 tools/export_bench_models.py [OUT_DIR]   # Debian's python3-torch, python3-torchvision

Writes OUT_DIR/resnet18.onnx and OUT_DIR/mobilenetv2.onnx (default .cache/bench-models/, gitignored): weights
from torch.manual_seed(0), eval() mode, input "input" [N,3,224,224] with a symbolic batch, output "logits"
[N,1000], opset 17. The weights are random because only speed is measured; the same module is what the PyTorch
side of the benchmark runs (it rebuilds it from the same seed, see --time).

    /usr/bin/python3 tools/export_bench_models.py --time MODEL THREADS BATCH IMAGES

prints one JSON line {"model", "threads", "batch", "images", "seconds", "imagesPerSecond"}: PyTorch CPU inference
(torch.set_num_threads(THREADS), torch.inference_mode) of IMAGES random images in batches of BATCH, after one
warm-up batch; the median of three repetitions.
"""
import json
import pathlib
import statistics
import sys
import time

import torch
import torchvision

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODELS = {
    "resnet18": lambda: torchvision.models.resnet18(weights=None),
    "mobilenetv2": lambda: torchvision.models.mobilenet_v2(weights=None),
}


def build(name: str) -> torch.nn.Module:
    torch.manual_seed(0)
    return MODELS[name]().eval()


def export(out_dir: pathlib.Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in MODELS:
        target = out_dir / f"{name}.onnx"
        torch.onnx.export(
            build(name),
            torch.zeros(1, 3, 224, 224),
            str(target),
            input_names=["input"],
            output_names=["logits"],
            dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
            opset_version=17,
            do_constant_folding=True,
        )
        print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")


def time_inference(name: str, threads: int, batch: int, images: int) -> dict:
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    model = build(name)
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(batch, 3, 224, 224, generator=generator)
    batches = [min(batch, images - i) for i in range(0, images, batch)]
    with torch.inference_mode():
        model(x)  # warm-up
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            for n in batches:
                model(x[:n])
            runs.append(time.perf_counter() - t)
    seconds = statistics.median(runs)
    return {"model": name, "threads": threads, "batch": batch, "images": images, "seconds": seconds, "imagesPerSecond": images / seconds}


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--time":
        name, threads, batch, images = args[1], int(args[2]), int(args[3]), int(args[4])
        print(json.dumps(time_inference(name, threads, batch, images)))
    else:
        export(pathlib.Path(args[0]) if args else ROOT / ".cache" / "bench-models")
