#!/usr/bin/env python3
"""A tiny classifier saved with external data, and its inline twin (tests/fixtures/models/external/).

    /usr/bin/python3 tools/make_external_fixture.py      # Debian's python3-onnx (1.12), python3-numpy

The model keeps its weights in a separate file, as torch.onnx.export writes for models over 2 GB and as
onnx.save(..., save_as_external_data=True) writes: every initializer has data_location EXTERNAL and
external_data entries location/offset/length into tiny_external.onnx.data. tiny_external_inline.onnx is the same
model with the weights inside: both must give the same scores. Fixed seed, byte-for-byte deterministic.
"""
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "models" / "external"
rng = np.random.default_rng(20261130)


def build():
    """input [N,3,8,8] → Conv(3→4, 3×3, pads 1) → Relu → GlobalAveragePool → Flatten → Gemm(4→5) → logits [N,5]."""
    w = lambda *s: numpy_helper.from_array((rng.standard_normal(s) * 0.5).astype(np.float32))
    inits = [w(4, 3, 3, 3), w(4), w(5, 4), w(5)]
    for t, name in zip(inits, ["conv_w", "conv_b", "fc_w", "fc_b"]):
        t.name = name
    nodes = [
        helper.make_node("Conv", ["input", "conv_w", "conv_b"], ["conv"], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("Relu", ["conv"], ["relu"]),
        helper.make_node("GlobalAveragePool", ["relu"], ["gap"]),
        helper.make_node("Flatten", ["gap"], ["flat"]),
        helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], transB=1),
    ]
    graph = helper.make_graph(
        nodes, "external_fixture",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 5])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="glassbox-fixtures")
    model.ir_version = 7
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    model = build()
    (OUT / "tiny_external_inline.onnx").write_bytes(model.SerializeToString())
    data = OUT / "tiny_external.onnx.data"
    if data.exists():
        data.unlink()  # onnx appends to an existing data file
    # size_threshold=0: even these small tensors go to the data file (the default keeps tensors under 1 KB inline)
    onnx.save_model(model, str(OUT / "tiny_external.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="tiny_external.onnx.data", size_threshold=0)
    onnx.checker.check_model(str(OUT / "tiny_external.onnx"))
    for f in sorted(OUT.iterdir()):
        print(f"{f.name}: {f.stat().st_size} bytes")


if __name__ == "__main__":
    main()
