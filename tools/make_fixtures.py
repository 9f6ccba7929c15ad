#!/usr/bin/env python3
"""Tiny ONNX models and images for Glassbox's tests (tests/fixtures/). Deterministic: rerun to regenerate.

    /usr/bin/python3 tools/make_fixtures.py      # Debian's python3-onnx (1.12), python3-numpy, python3-pil

(The pyenv `python3` on PATH has no onnx; use /usr/bin/python3.)

Valid models exercise layout/size/batch/probability/label detection and the exact preprocessing path; `bad_*`
files are the corpus of inputs that must be refused (tests/corpus/bad-inputs.json lists the message each must
produce). Models are built with onnx.helper only, opset 13 / IR 7 unless stated, weights from a fixed-seed numpy
generator. Every model except the deliberately broken ones passes onnx.checker.check_model (with full shape
inference). tests/fixtures/README.md describes every file.
"""
import copy
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
SUMMARY = []  # (path relative to ROOT, checker verdict, description)


# ---------------------------------------------------------------------------------------------------- helpers


def init(name, array, dtype=np.float32):
    return numpy_helper.from_array(np.asarray(array, dtype=dtype), name)


def weights(*shape, scale=0.3):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def tensor(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def make(nodes, inputs, outputs, inits, opset=13, ir=7, extra_opsets=()):
    graph = helper.make_graph(nodes, "fixture", inputs, outputs, inits)
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in extra_opsets]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="glassbox-fixtures")
    model.ir_version = ir
    return model


def save_model(model, name, what, check=True):
    if check:
        onnx.checker.check_model(model, full_check=True)  # full_check: strict shape inference too
    data = model.SerializeToString()
    assert len(data) < 50_000, f"{name} is {len(data)} bytes"
    (MODELS / name).write_bytes(data)
    SUMMARY.append((f"models/{name}", "ok" if check else "skipped", what))
    return data


def save_bytes(folder, name, data, what):
    (folder / name).write_bytes(data)
    SUMMARY.append((f"{folder.name}/{name}", "-", what))


def save_image(img, name, what, **kw):
    img.save(IMAGES / name, **kw)
    SUMMARY.append((f"images/{name}", "-", what))


def classifier(batch="N", classes=5, h=8, w=8, softmax=False, nhwc=False, name_in="input", name_out=None,
               extra_feature_output=False):
    """[Transpose NHWC→NCHW] → Conv(3→4, 3×3, pads 1) → Relu → GlobalAveragePool → Flatten → Gemm(4→classes)
    [→ Softmax(axis 1)]. With extra_feature_output the 4 pooled features are a second graph output."""
    name_out = name_out or ("probs" if softmax else "logits")
    shape_in = [batch, h, w, 3] if nhwc else [batch, 3, h, w]
    nodes, first = [], name_in
    if nhwc:
        nodes.append(helper.make_node("Transpose", [name_in], ["nchw"], perm=[0, 3, 1, 2]))
        first = "nchw"
    nodes += [
        helper.make_node("Conv", [first, "conv_w", "conv_b"], ["conv"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv"], ["relu"]),
        helper.make_node("GlobalAveragePool", ["relu"], ["pool"]),
        helper.make_node("Flatten", ["pool"], ["features"], axis=1),
        helper.make_node("Gemm", ["features", "fc_w", "fc_b"], ["scores" if softmax else name_out], transB=1),
    ]
    if softmax:
        nodes.append(helper.make_node("Softmax", ["scores"], [name_out], axis=1))
    fc_scale = 0.1 if classes > 100 else 1.0
    inits = [init("conv_w", weights(4, 3, 3, 3)), init("conv_b", weights(4)),
             init("fc_w", weights(classes, 4, scale=fc_scale)), init("fc_b", weights(classes, scale=fc_scale))]
    outputs = [tensor(name_out, [batch, classes])]
    if extra_feature_output:
        outputs.append(tensor("features", [batch, 4]))
    return make(nodes, [tensor(name_in, shape_in)], outputs, inits)


# ---------------------------------------------------------------------------------------------------- models


def valid_models():
    model1 = classifier()
    model1_bytes = save_model(model1, "tiny_nchw_dynamic.onnx",
                              'input "input" [N,3,8,8] (symbolic batch) -> Conv/Relu/GAP/Flatten/Gemm -> logits [N,5]')
    save_model(classifier(batch=1), "tiny_nchw_fixed.onnx", "as tiny_nchw_dynamic with fixed batch: [1,3,8,8] -> [1,5]")
    save_model(classifier(softmax=True, nhwc=True, name_in="input_1", name_out="probs"), "tiny_nhwc.onnx",
               'Keras style "input_1" [N,8,8,3] -> Transpose(0,3,1,2) -> ... -> Softmax -> probs [N,5]')

    # SqueezeNet-like: Conv 1×1 (3→5) → GlobalAveragePool → Softmax(axis 1) → 4-D probabilities [1,5,1,1].
    nodes = [helper.make_node("Conv", ["data", "conv_w", "conv_b"], ["conv"], kernel_shape=[1, 1]),
             helper.make_node("GlobalAveragePool", ["conv"], ["pool"]),
             helper.make_node("Softmax", ["pool"], ["prob"], axis=1)]
    save_model(make(nodes, [tensor("data", [1, 3, 8, 8])], [tensor("prob", [1, 5, 1, 1])],
                    [init("conv_w", weights(5, 3, 1, 1)), init("conv_b", weights(5))]),
               "tiny_softmax_4d.onnx", 'SqueezeNet style [1,3,8,8] -> Conv1x1 -> GAP -> Softmax -> "prob" [1,5,1,1]')

    # Old IR 3 / opset 7, like tiny_nchw_fixed, with every initializer ALSO listed in graph.input (allowed for IR < 4;
    # such "inputs" have a default value and are not real model inputs).
    old = classifier(batch=1)
    old.ir_version = 3
    del old.opset_import[:]
    old.opset_import.append(helper.make_opsetid("", 7))
    for t in old.graph.initializer:
        old.graph.input.append(tensor(t.name, list(t.dims), t.data_type))
    save_model(old, "tiny_old_ir_initializers_as_inputs.onnx",
               "IR 3 / opset 7, [1,3,8,8] -> [1,5]; all 4 initializers also listed in graph.input")

    # An exact copy of model 1 (same weights) plus a "labels" metadata entry.
    labelled = copy.deepcopy(model1)
    helper.set_model_props(labelled, {"labels": json.dumps(["zero", "one", "two", "three", "four"])})
    assert labelled.graph == onnx.load_from_string(model1_bytes).graph
    save_model(labelled, "tiny_labels_metadata.onnx",
               'tiny_nchw_dynamic + metadata_props "labels" = ["zero","one","two","three","four"]')

    save_model(classifier(classes=1001), "tiny_1001.onnx", "like tiny_nchw_dynamic with 1001 classes: logits [N,1001]")
    # fp16: model 1 with every float tensor (weights, input, output) in float16.
    half = copy.deepcopy(model1)
    for t in half.graph.initializer:
        arr = numpy_helper.to_array(t).astype(np.float16)
        t.CopyFrom(numpy_helper.from_array(arr, t.name))
    for v in list(half.graph.input) + list(half.graph.output):
        v.type.tensor_type.elem_type = TensorProto.FLOAT16
    save_model(half, "tiny_fp16.onnx", "tiny_nchw_dynamic in float16 (weights, input and output)")
    save_model(classifier(h="H", w="W"), "tiny_dynamic_hw.onnx", "input [N,3,H,W] (dynamic size) -> ... -> logits [N,5]")

    # Exact linear model: y = Flatten(x) @ W with x [1,3,4,4] flattened in C order (index = c*16 + row*4 + col), W [48,2]:
    #   W[:, 0] = 1 for all 48 rows           -> y[0,0] = sum of all 48 input values
    #   W[:, 1] = one-hot at row 0 (W[0,1]=1)  -> y[0,1] = x[0,0,0,0] (channel 0, top-left pixel)
    wl = np.zeros((48, 2), np.float32)
    wl[:, 0] = 1.0
    wl[0, 1] = 1.0
    nodes = [helper.make_node("Flatten", ["x"], ["flat"], axis=1), helper.make_node("MatMul", ["flat", "W"], ["y"])]
    save_model(make(nodes, [tensor("x", [1, 3, 4, 4])], [tensor("y", [1, 2])], [init("W", wl)]),
               "tiny_identity_linear.onnx", '"x" [1,3,4,4] -> Flatten -> MatMul W[48,2] -> "y": y0 = sum(x), y1 = x[0,0,0,0]')
    return model1_bytes


def bad_models(model1_bytes):
    img = lambda name: tensor(name, [1, 3, 8, 8])
    out5 = tensor("logits", [1, 5])

    # Two image inputs: Add(a, b) → GAP → Flatten → Gemm(3→5).
    nodes = [helper.make_node("Add", ["a", "b"], ["sum"]),
             helper.make_node("GlobalAveragePool", ["sum"], ["pool"]),
             helper.make_node("Flatten", ["pool"], ["flat"], axis=1),
             helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], transB=1)]
    save_model(make(nodes, [img("a"), img("b")], [out5], [init("fc_w", weights(5, 3)), init("fc_b", weights(5))]),
               "bad_two_inputs.onnx", "BAD: two float image inputs [1,3,8,8] (Add) -> [1,5]")

    nodes = [helper.make_node("Cast", ["input_ids"], ["ids_f"], to=TensorProto.FLOAT),
             helper.make_node("MatMul", ["ids_f", "M"], ["logits"])]
    save_model(make(nodes, [tensor("input_ids", [1, 16], TensorProto.INT64)], [out5], [init("M", weights(16, 5))]),
               "bad_int64_input.onnx", "BAD: int64 token-id input [1,16] -> Cast -> MatMul -> [1,5]")

    nodes = [helper.make_node("MatMul", ["features", "M"], ["logits"])]
    save_model(make(nodes, [tensor("features", [1, 16])], [out5], [init("M", weights(16, 5))]),
               "bad_no_image_input.onnx", "BAD: float input [1,16] (2-D, not an image) -> MatMul -> [1,5]")

    save_model(classifier(batch=1, extra_feature_output=True), "bad_two_outputs.onnx",
               'SUSPECT: valid [1,3,8,8] classifier with 2 outputs: "logits" [1,5] and "features" [1,4]')

    nodes = [helper.make_node("Conv", ["input", "conv_w", "conv_b"], ["mask"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])]
    save_model(make(nodes, [img("input")], [tensor("mask", [1, 2, 8, 8])],
                    [init("conv_w", weights(2, 3, 3, 3)), init("conv_b", weights(2))]),
               "bad_output_not_vector.onnx", "BAD: [1,3,8,8] -> Conv(3->2) -> [1,2,8,8] (segmentation map, not scores)")

    save_bytes(MODELS, "bad_truncated.onnx", model1_bytes[: int(len(model1_bytes) * 0.6)],
               "BAD: first 60% of tiny_nchw_dynamic.onnx's bytes (corrupt protobuf)")
    save_bytes(MODELS, "bad_not_onnx.onnx", b"this is not a model\n", "BAD: a line of text")

    nodes = [helper.make_node("FancyUnknownOp", ["input"], ["logits"], domain="com.example")]
    save_model(make(nodes, [img("input")], [out5], [], extra_opsets=[("com.example", 1)]), "bad_unknown_op.onnx",
               'BAD: one node "FancyUnknownOp" (domain com.example v1) no runtime implements', check=False)

    save_bytes(MODELS, "bad_empty.onnx", b"", "BAD: zero bytes")


# ---------------------------------------------------------------------------------------------------- images


def images():
    # gradient_4x3.png: 4 wide × 3 high RGB, pixel (x, y) = (R, G, B) = (60·x, 100·y, 7), x in 0..3, y in 0..2.
    g = np.zeros((3, 4, 3), np.uint8)
    for y in range(3):
        for x in range(4):
            g[y, x] = (60 * x, 100 * y, 7)
    save_image(Image.fromarray(g, "RGB"), "gradient_4x3.png", "4x3 RGB, R=60*x, G=100*y, B=7")

    # exif_rotate90.jpg: stored 40 wide × 20 high, left half (x < 20) red, right half blue, EXIF Orientation = 6.
    # Orientation 6 (TIFF/EXIF): stored row 0 is the visual right side and stored column 0 is the visual top, i.e.
    # the viewer must rotate the stored image 90° clockwise. Rotating clockwise moves the left edge to the top, so
    # correctly decoded it is 20 wide × 40 high with red on TOP (rows 0–19) and blue at the bottom (rows 20–39).
    # (Checked below with PIL.ImageOps.exif_transpose.)
    e = np.zeros((20, 40, 3), np.uint8)
    e[:, :20] = (255, 0, 0)
    e[:, 20:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    save_image(Image.fromarray(e, "RGB"), "exif_rotate90.jpg",
               "JPEG stored 40x20, left red / right blue, EXIF Orientation 6 -> upright 20x40, red on top",
               quality=95, exif=exif.tobytes())

    save_image(Image.new("RGB", (8, 8), (0, 255, 0)), "tiny.webp", "8x8 solid green WebP (lossless)",
               lossless=True)
    frames = [Image.new("RGB", (8, 8), (255, 0, 0)), Image.new("RGB", (8, 8), (0, 0, 255))]
    save_image(frames[0], "anim.gif", "8x8 two-frame GIF: frame 1 solid red, frame 2 solid blue",
               save_all=True, append_images=frames[1:], duration=100, loop=0)
    save_image(Image.new("RGB", (8, 8), (255, 255, 0)), "tiny.bmp", "8x8 solid yellow, 24-bit BMP")

    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 0] = 200  # red-ish
    rgba[..., 3] = 255
    rgba[:, 4:, 3] = 128  # right half 50 % transparent
    save_image(Image.fromarray(rgba, "RGBA"), "rgba.png", "8x8 RGBA (200,0,0), left opaque, right alpha 128")

    save_image(Image.fromarray((np.arange(64, dtype=np.uint8) * 4).reshape(8, 8), "L"), "gray.png",
               "8x8 greyscale (mode L), value = 4*(8*y+x)")
    save_image(Image.new("RGB", (6000, 4000), (30, 120, 200)), "big.png", "6000x4000 flat RGB (30,120,200)", optimize=True)

    # broken.png: the first 100 bytes of a valid 64×64 noisy PNG (signature + IHDR intact, IDAT cut short, no IEND).
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8), "RGB").save(buf, format="PNG")
    valid = buf.getvalue()
    # bytes 8–32: IHDR chunk; byte 33: the first IDAT chunk (length, "IDAT", data…), far longer than 100 bytes.
    assert valid[12:16] == b"IHDR" and valid[37:41] == b"IDAT" and int.from_bytes(valid[33:37], "big") > 1000
    save_bytes(IMAGES, "broken.png", valid[:100], "BAD: first 100 bytes of a valid 64x64 PNG")
    save_bytes(IMAGES, "not_image.png", b"just some text, not an image\n", "BAD: text bytes with a .png name")


def verify_images():
    """Re-read what was written and check the properties the README promises."""
    from PIL import ImageOps

    g = np.asarray(Image.open(IMAGES / "gradient_4x3.png"))
    assert g.shape == (3, 4, 3)
    assert all(tuple(g[y, x]) == (60 * x, 100 * y, 7) for y in range(3) for x in range(4))

    j = Image.open(IMAGES / "exif_rotate90.jpg")
    assert j.size == (40, 20) and j.getexif().get(0x0112) == 6
    up = np.asarray(ImageOps.exif_transpose(j)).astype(int)
    assert up.shape == (40, 20, 3)  # 20 wide, 40 high
    assert up[5, 10, 0] > 200 and up[5, 10, 2] < 60  # top: red
    assert up[34, 10, 2] > 200 and up[34, 10, 0] < 60  # bottom: blue

    assert np.all(np.asarray(Image.open(IMAGES / "tiny.webp").convert("RGB")) == (0, 255, 0))
    gif = Image.open(IMAGES / "anim.gif")
    assert gif.n_frames == 2
    gif.seek(0)
    assert np.all(np.asarray(gif.convert("RGB")) == (255, 0, 0))
    gif.seek(1)
    assert np.all(np.asarray(gif.convert("RGB")) == (0, 0, 255))
    bmp = Image.open(IMAGES / "tiny.bmp")
    assert bmp.mode == "RGB" and (IMAGES / "tiny.bmp").read_bytes()[28] == 24  # biBitCount
    assert np.all(np.asarray(bmp) == (255, 255, 0))
    assert Image.open(IMAGES / "rgba.png").mode == "RGBA"
    assert Image.open(IMAGES / "gray.png").mode == "L"
    assert Image.open(IMAGES / "big.png").size == (6000, 4000) and (IMAGES / "big.png").stat().st_size < 300_000
    for bad in ("broken.png", "not_image.png"):
        try:
            Image.open(IMAGES / bad).load()
        except Exception:
            pass
        else:
            raise AssertionError(f"{bad} decoded")


def main():
    MODELS.mkdir(parents=True, exist_ok=True)
    IMAGES.mkdir(parents=True, exist_ok=True)
    model1_bytes = valid_models()
    bad_models(model1_bytes)
    images()
    verify_images()

    w = max(len(p) for p, _, _ in SUMMARY)
    print(f"{'file':<{w}}  {'bytes':>7}  {'checker':<7}  description")
    print(f"{'-' * w}  {'-' * 7}  {'-' * 7}  {'-' * 11}")
    for rel, checked, what in SUMMARY:
        print(f"{rel:<{w}}  {(ROOT / rel).stat().st_size:>7}  {checked:<7}  {what}")


if __name__ == "__main__":
    main()
