#!/usr/bin/env python3
"""Tiny ONNX models and images for Glassbox's tests (tests/fixtures/). Deterministic: rerun to regenerate.

    /usr/bin/python3 tools/make_fixtures.py      # Debian's python3-onnx, python3-numpy, python3-pil

Valid models exercise layout/size/batch/probability/label detection; `bad_*` files are the corpus of inputs
that must be refused (tests/corpus/bad-inputs.json lists the message each must produce).
"""
import io
import json
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"
MODELS = ROOT / "models"
IMAGES = ROOT / "images"
rng = np.random.default_rng(20261123)


def init(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def weights(*shape, scale=0.3):
    return rng.standard_normal(shape).astype(np.float32) * scale


def save(model, name, check=True):
    if check:
        onnx.checker.check_model(model)
    (MODELS / name).write_bytes(model.SerializeToString())


def make(nodes, inputs, outputs, inits, opset=13, ir=7, metadata=None):
    graph = helper.make_graph(nodes, "fixture", inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="glassbox-fixtures")
    model.ir_version = ir
    if metadata:
        helper.set_model_props(model, metadata)
    return model


def classifier(batch="N", classes=5, h=8, w=8, softmax=False, nhwc=False, name_in="input", name_out="logits"):
    """Conv(3→4, 3×3) → Relu → GlobalAveragePool → Flatten → Gemm(→classes) [→ Softmax]."""
    shape_in = [batch, h, w, 3] if nhwc else [batch, 3, h, w]
    nodes, first = [], name_in
    if nhwc:
        nodes.append(helper.make_node("Transpose", [name_in], ["nchw"], perm=[0, 3, 1, 2]))
        first = "nchw"
    nodes += [
        helper.make_node("Conv", [first, "W", "B"], ["c"], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "FW", "FB"], ["scores" if softmax else name_out], transB=1),
    ]
    if softmax:
        nodes.append(helper.make_node("Softmax", ["scores"], [name_out], axis=1))
    inits = [init("W", weights(4, 3, 3, 3)), init("B", weights(4)), init("FW", weights(classes, 4, scale=0.1 if classes > 100 else 1)), init("FB", weights(classes))]
    return make(nodes, [helper.make_tensor_value_info(name_in, TensorProto.FLOAT, shape_in)],
                [helper.make_tensor_value_info(name_out, TensorProto.FLOAT, [batch, classes])], inits)


def valid_models():
    save(classifier(), "tiny_nchw_dynamic.onnx")
    save(classifier(batch=1), "tiny_nchw_fixed.onnx")
    save(classifier(softmax=True, nhwc=True, name_in="input_1", name_out="probs"), "tiny_nhwc.onnx")

    # SqueezeNet-like: 4-D softmax output [1, 5, 1, 1]
    nodes = [helper.make_node("Conv", ["data", "W"], ["c"], kernel_shape=[1, 1]),
             helper.make_node("GlobalAveragePool", ["c"], ["g"]),
             helper.make_node("Softmax", ["g"], ["prob"], axis=1)]
    save(make(nodes, [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, 8, 8])],
              [helper.make_tensor_value_info("prob", TensorProto.FLOAT, [1, 5, 1, 1])], [init("W", weights(5, 3, 1, 1))]),
         "tiny_softmax_4d.onnx")

    # Old IR 3 / opset 7: every initializer is also listed as a graph input.
    old = classifier(batch=1)
    old.ir_version = 3
    del old.opset_import[:]
    old.opset_import.append(helper.make_opsetid("", 7))
    for t in old.graph.initializer:
        old.graph.input.append(helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)))
    save(old, "tiny_old_ir_initializers_as_inputs.onnx")

    labelled = classifier()
    helper.set_model_props(labelled, {"labels": json.dumps(["zero", "one", "two", "three", "four"])})
    save(labelled, "tiny_labels_metadata.onnx")
    save(classifier(classes=1001), "tiny_1001.onnx")
    save(classifier(h="H", w="W"), "tiny_dynamic_hw.onnx")

    # y = Flatten(x) @ Wl, Wl[:, 0] = 1 (y0 = Σx), Wl[:, 1] = e_0 (y1 = x[0,0,0,0]).
    wl = np.zeros((48, 2), np.float32)
    wl[:, 0] = 1
    wl[0, 1] = 1
    nodes = [helper.make_node("Flatten", ["x"], ["f"]), helper.make_node("MatMul", ["f", "Wl"], ["y"])]
    save(make(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])],
              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])], [init("Wl", wl)]), "tiny_identity_linear.onnx")


def bad_models():
    img = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, 3, 8, 8])
    out5 = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5])
    head = [helper.make_node("GlobalAveragePool", ["s"], ["g"]), helper.make_node("Flatten", ["g"], ["f"]),
            helper.make_node("Gemm", ["f", "FW", "FB"], ["y"], transB=1)]
    head_inits = [init("FW", weights(5, 3)), init("FB", weights(5))]

    save(make([helper.make_node("Add", ["a", "b"], ["s"])] + head, [img("a"), img("b")], [out5], head_inits), "bad_two_inputs.onnx")

    nodes = [helper.make_node("Cast", ["ids"], ["fl"], to=TensorProto.FLOAT), helper.make_node("MatMul", ["fl", "M"], ["y"])]
    save(make(nodes, [helper.make_tensor_value_info("ids", TensorProto.INT64, [1, 16])], [out5], [init("M", weights(16, 5))]), "bad_int64_input.onnx")

    nodes = [helper.make_node("MatMul", ["v", "M"], ["y"])]
    save(make(nodes, [helper.make_tensor_value_info("v", TensorProto.FLOAT, [1, 16])], [out5], [init("M", weights(16, 5))]), "bad_no_image_input.onnx")

    nodes = [helper.make_node("Identity", ["x"], ["s"])] + head + [helper.make_node("Flatten", ["g"], ["feat"])]
    save(make(nodes, [img("x")], [out5, helper.make_tensor_value_info("feat", TensorProto.FLOAT, [1, 3])], head_inits), "bad_two_outputs.onnx")

    nodes = [helper.make_node("Conv", ["x", "W"], ["y"], kernel_shape=[1, 1])]
    save(make(nodes, [img("x")], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 8, 8])], [init("W", weights(2, 3, 1, 1))]), "bad_output_not_vector.onnx")

    good = (MODELS / "tiny_nchw_dynamic.onnx").read_bytes()
    (MODELS / "bad_truncated.onnx").write_bytes(good[: int(len(good) * 0.6)])
    (MODELS / "bad_not_onnx.onnx").write_bytes(b"this is not a model\n")
    (MODELS / "bad_empty.onnx").write_bytes(b"")

    nodes = [helper.make_node("FancyUnknownOp", ["x"], ["y"], domain="com.example")]
    unknown = make(nodes, [img("x")], [out5], [])
    unknown.opset_import.append(helper.make_opsetid("com.example", 1))
    save(unknown, "bad_unknown_op.onnx", check=False)


def images():
    # gradient_4x3.png: R = 60·x, G = 100·y, B = 7
    g = np.zeros((3, 4, 3), np.uint8)
    for y in range(3):
        for x in range(4):
            g[y, x] = (60 * x, 100 * y, 7)
    Image.fromarray(g).save(IMAGES / "gradient_4x3.png")

    # exif_rotate90.jpg: stored 40 wide × 20 high, left half red, right half blue, EXIF Orientation 6 ("rotate
    # 90° clockwise to display"): shown upright it is 20 × 40 with red on TOP and blue at the bottom.
    e = np.zeros((20, 40, 3), np.uint8)
    e[:, :20] = (255, 0, 0)
    e[:, 20:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(e).save(IMAGES / "exif_rotate90.jpg", quality=95, exif=exif.tobytes())

    Image.new("RGB", (8, 8), (0, 255, 0)).save(IMAGES / "tiny.webp", lossless=True)
    frames = [Image.new("RGB", (8, 8), (255, 0, 0)), Image.new("RGB", (8, 8), (0, 0, 255))]
    frames[0].save(IMAGES / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    Image.new("RGB", (8, 8), (255, 255, 0)).save(IMAGES / "tiny.bmp")
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[..., 3] = 255
    rgba[:, 4:, 3] = 128
    Image.fromarray(rgba, "RGBA").save(IMAGES / "rgba.png")
    Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8) * 4, "L").save(IMAGES / "gray.png")
    Image.new("RGB", (6000, 4000), (30, 120, 200)).save(IMAGES / "big.png", optimize=True)
    # broken.png: a noisy 64×64 PNG cut in half, so the pixel data really is missing.
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(buf, format="PNG")
    (IMAGES / "broken.png").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    (IMAGES / "not_image.png").write_bytes(b"just some text, not an image\n")


def main():
    MODELS.mkdir(parents=True, exist_ok=True)
    IMAGES.mkdir(parents=True, exist_ok=True)
    valid_models()
    bad_models()
    images()
    for f in sorted(MODELS.iterdir()) + sorted(IMAGES.iterdir()):
        print(f"{f.stat().st_size:>9}  {f.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
