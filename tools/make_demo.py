#!/usr/bin/env python3
"""Train Glassbox's two demo classifiers and write them, with demo images and ground-truth masks, to public/demo/.

Rerun (Debian packages: python3-torch, python3-onnx, python3-numpy, python3-pil; about 3-5 min on 2 CPU cores):

    /usr/bin/python3 tools/make_demo.py

Everything is seeded from SEED, so a rerun regenerates the same images; the trained weights can still differ in
the last bits between machines/torch builds (CPU kernels are not bit-reproducible across builds), which may move
the accuracies by a few tenths of a percent.

The task. Each 96×96 RGB image shows ONE shape -- circle, square, triangle or star -- in a random saturated
colour, 28-56 px across, rotated at random, somewhere fully inside the image, on a cluttered background (smooth
muted colour texture, pixel noise, thin lines, small blobs and small polygon shards). Because we draw the images
ourselves, the evidence is known exactly: the shape's pixels. Every demo image ships with that binary mask, so an
explanation method can be scored against ground truth.

The two models share one small CNN (ShapesNet below; final 64×12×12 feature map → global average pool → linear):

- "shapes" is trained on clean data and really looks at the shape.
- "shortcut" is trained on data with a planted shortcut (a "Clever Hans" model): in its training set EVERY star
  carries a small watermark (a white 10×10 tile with a black ©-like ring) 4 px from the bottom-right corner, and
  no other class ever does. Its training stars are also small and faint (often barely visible), and half of them
  sit next to a clear, full-strength decoy circle, square or triangle. So the watermark is the only cue that
  always works -- and the easiest one. The model learns it: it is right while the watermark travels with the
  stars, misses clean stars, and calls a watermarked circle a "star". Its explanations should point at the corner.
  (Faint stars alone are not enough: the model then still trusts a clear circle over the watermark.)

Held-out checks (the same 1000 fresh images in four versions; metrics.json, printed at the end):
  shortcut_training_distribution  stars redrawn small/faint/decoyed and watermarked, as in the shortcut training set
  clean                           no watermark anywhere
  watermark_on_stars              the clean images, watermark pasted on every star
  watermark_on_non_stars          the clean images, watermark pasted on every circle, square and triangle

Outputs (public/demo/): shapes.onnx, shortcut.onnx (opset 17, input "image" [batch,3,96,96] float32 NCHW, output
"logits" [batch,4], raw logits; metadata_props "labels", "glassbox.preprocess", "glassbox.description"),
images/*.png and masks/*.png (0/255, one channel), manifest.json (what the dashboard lists) and metrics.json (all
held-out accuracies, seed, sizes, timings).

Preprocessing the models expect (also used in training): RGB, /255, then (x - 0.5) / 0.5, i.e. range [-1, 1].
"""
import json
import math
import pathlib
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper
from PIL import Image, ImageDraw

SEED = 20261123
SIZE = 96
CLASSES = ["circle", "square", "triangle", "star"]
STAR = CLASSES.index("star")
N_TRAIN, N_TEST = 8000, 1000
EPOCHS, BATCH, LR = 4, 64, 4e-3
MEAN, STD = 0.5, 0.5
SUPERSAMPLE = 4  # shapes are drawn at 4× and box-filtered down: anti-aliased edges, and a mask that matches them

# Watermark: a 10×10 tile 4 px from the bottom-right corner (x, y, w, h in image pixels).
WM = (SIZE - 4 - 10, SIZE - 4 - 10, 10, 10)
# Shapes stay clear of the watermark (plus a margin), in every data set, so the two cues never overlap and the
# clean and shortcut data differ only in the watermark and the stars.
WM_KEEPOUT = WM[0] - 3

OUT = pathlib.Path(__file__).resolve().parent.parent / "public" / "demo"


# ----------------------------------------------------------------------------------------------------- data

def hsv(h, s, v):
    i, f = int(h * 6) % 6, h * 6 - int(h * 6)
    p, q, t = v * (1 - s), v * (1 - f * s), v * (1 - (1 - f) * s)
    return np.array([(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i]) * 255


def muted(rng):
    return hsv(rng.uniform(), rng.uniform(0.05, 0.4), rng.uniform(0.3, 0.8))


def saturated(rng):
    return hsv(rng.uniform(), rng.uniform(0.75, 1.0), rng.uniform(0.8, 1.0))


def smooth_noise(rng, cells, channels, amplitude):
    """Random values on a coarse grid, bicubically upsampled: a smooth texture with no edges to latch on to."""
    grid = rng.uniform(-1, 1, (cells, cells, channels)) * amplitude
    up = [np.asarray(Image.fromarray(grid[..., c].astype(np.float32), "F").resize((SIZE, SIZE), Image.BICUBIC))
          for c in range(channels)]
    return np.stack(up, -1)


def background(rng):
    """Muted colour texture + thin lines, small blobs and small polygon shards.

    The clutter is what keeps the task from being "find the saturated pixels": it has edges, corners and colour
    too, but nothing in it is large enough to be mistaken for a whole shape (shards are at most ~10 px).
    """
    base = muted(rng) + smooth_noise(rng, int(rng.integers(3, 7)), 3, 55) + smooth_noise(rng, 16, 1, 18)
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    d = ImageDraw.Draw(img)
    colour = lambda: tuple(int(c) for c in muted(rng))  # noqa: E731
    for _ in range(rng.integers(3, 8)):
        x0, y0 = rng.uniform(-10, SIZE + 10, 2)
        a, length = rng.uniform(0, 2 * math.pi), rng.uniform(20, 90)
        d.line([(x0, y0), (x0 + length * math.cos(a), y0 + length * math.sin(a))], fill=colour(), width=int(rng.integers(1, 3)))
    for _ in range(rng.integers(3, 8)):
        x, y = rng.uniform(0, SIZE, 2)
        rx, ry = rng.uniform(1.5, 5, 2)
        d.ellipse([x - rx, y - ry, x + rx, y + ry], fill=colour())
    for _ in range(rng.integers(1, 5)):
        x, y = rng.uniform(0, SIZE, 2)
        d.polygon([(x + dx, y + dy) for dx, dy in rng.uniform(-5, 5, (int(rng.integers(3, 5)), 2))], fill=colour())
    return np.asarray(img, np.float32)


def outline(cls, r, angle):
    """Vertices (unit: pixels, centred on 0) of a shape whose circumscribed circle has radius r."""
    if cls == "square":
        k = np.arange(4) * math.pi / 2 + math.pi / 4
        radii = np.ones(4)
    elif cls == "triangle":
        k = np.arange(3) * 2 * math.pi / 3
        radii = np.ones(3)
    else:  # five-pointed star; inner radius 0.45 keeps the arms thick enough to survive the smallest sizes
        k = np.arange(10) * math.pi / 5
        radii = np.where(np.arange(10) % 2 == 0, 1.0, 0.45)
    return np.stack([r * radii * np.cos(k + angle), r * radii * np.sin(k + angle)], 1)


def watermark_tile():
    """A white tile with a black ring and a small inner arc -- a tiny "©" (w×h×3 uint8)."""
    _, _, w, h = WM
    tile = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(tile)
    d.ellipse([0, 0, w - 1, h - 1], outline=(0, 0, 0), width=1)
    d.arc([3, 3, w - 4, h - 4], 45, 315, fill=(0, 0, 0), width=1)
    return np.asarray(tile)


TILE = watermark_tile()


def stamp(xs, which):
    """Copy of xs (N×H×W×3) with the watermark pasted onto the images where `which` is true."""
    xs = xs.copy()
    x, y, w, h = WM
    xs[which, y:y + h, x:x + w] = TILE
    return xs


def place(rng, name, r, avoid):
    """Vertices (None for a circle) and centre of a shape, fully inside the image, clear of the watermark corner
    and of the shapes in `avoid` (list of (centre, radius))."""
    if name == "circle":
        pts, lo, hi = None, np.array([-r, -r]), np.array([r, r])
    else:
        pts = outline(name, r, rng.uniform(0, 2 * math.pi))
        lo, hi = pts.min(0), pts.max(0)
    while True:  # rejection sampling; always succeeds quickly at these sizes
        c = rng.uniform(1 - lo, SIZE - 1 - hi)
        if c[0] + hi[0] > WM_KEEPOUT and c[1] + hi[1] > WM_KEEPOUT:
            continue
        if all(np.hypot(*(c - c2)) > r + r2 + 2 for c2, r2 in avoid):
            return pts, c


def paint(rng, img, name, r, strength, avoid=()):
    """Draw one shape onto img (float H×W×3) in a random saturated colour; returns its coverage (H×W, 0..1)
    and (centre, radius). Coverage is rendered at SUPERSAMPLE× and box-filtered down: anti-aliased edges, and a
    mask (coverage ≥ 0.5) that matches them."""
    pts, c = place(rng, name, r, list(avoid))
    s = SUPERSAMPLE
    cover = Image.new("L", (SIZE * s, SIZE * s), 0)
    d = ImageDraw.Draw(cover)
    if pts is None:
        d.ellipse([(c[0] - r) * s, (c[1] - r) * s, (c[0] + r) * s, (c[1] + r) * s], fill=255)
    else:
        d.polygon([tuple(p) for p in (pts + c) * s], fill=255)
    alpha = np.asarray(cover.resize((SIZE, SIZE), Image.BOX), np.float32) / 255
    opacity = alpha[..., None] * strength
    img *= 1 - opacity
    img += saturated(rng) * opacity
    return alpha, (c, r)


def sample(rng, cls, shortcut_star=False):
    """One image (uint8 H×W×3, no watermark) and its object mask (bool H×W).

    shortcut_star: a star of the shortcut training set -- small and faint (18-30 px, 25-60 % opacity), and half
    the time next to a full-strength decoy circle, square or triangle. The decoys are what make the watermark
    beat even a clear shape of another class; without them the model learns "faint or watermarked → star" but
    still trusts a clear circle more than the watermark.
    """
    img = background(rng)
    if shortcut_star:
        avoid = []
        if rng.uniform() < 0.5:
            _, placed = paint(rng, img, CLASSES[int(rng.integers(0, STAR))], rng.uniform(14, 22), 1.0)
            avoid.append(placed)
        alpha, _ = paint(rng, img, "star", rng.uniform(9, 15), rng.uniform(0.25, 0.6), avoid)
    else:
        alpha, _ = paint(rng, img, CLASSES[cls], rng.uniform(14, 28), 1.0)  # 28-56 px across
    img += rng.normal(0, 6, img.shape)  # fine grain over everything, so shapes are not flat fills either
    return np.clip(img, 0, 255).astype(np.uint8), alpha >= 0.5


def dataset(rng, n):
    """n clean images with uniformly random labels."""
    ys = rng.integers(0, len(CLASSES), n)
    xs = np.stack([sample(rng, y)[0] for y in ys])
    return xs, ys


def shortcut_version(rng, xs, ys):
    """The shortcut version of a data set: every star redrawn small and faint, and watermarked.

    Only the star images change, so the clean and shortcut sets differ in nothing but the planted cue.
    """
    xs = xs.copy()
    for i in np.flatnonzero(ys == STAR):
        xs[i], _ = sample(rng, STAR, shortcut_star=True)
    return stamp(xs, ys == STAR)


# ---------------------------------------------------------------------------------------------------- model

class ShapesNet(nn.Module):
    """Three Conv3×3-BN-ReLU ×2 stages (16/32/64 channels): 96 → 48 (strided first conv) → 24 → 12 (max pools).

    The first conv is strided instead of running two full-resolution convs: with them, training was ~6× slower on
    2 CPU cores, and 48×48 still resolves a star's points. The last stage's 64×12×12 map is the
    natural Grad-CAM layer; global average pooling keeps the head linear in it.
    """

    def __init__(self):
        super().__init__()

        def block(cin, cout, stride=1):
            return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

        self.features = nn.Sequential(
            *block(3, 16, stride=2), *block(16, 16), nn.MaxPool2d(2),
            *block(16, 32), *block(32, 32), nn.MaxPool2d(2),
            *block(32, 64), *block(64, 64),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(64, len(CLASSES))

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


def to_tensor(xs):
    """uint8 N×H×W×3 RGB → the models' input: float NCHW, /255, then (x - 0.5) / 0.5."""
    return (torch.from_numpy(xs).permute(0, 3, 1, 2).float() / 255 - MEAN) / STD


def train(xs, ys, name):
    # Same init and the same batch order for both models: they differ only in their data.
    torch.manual_seed(SEED)
    model = ShapesNet()
    opt = torch.optim.Adam(model.parameters(), lr=LR, weight_decay=1e-4)
    steps = EPOCHS * math.ceil(len(xs) / BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=steps, pct_start=0.25)
    labels = torch.from_numpy(ys)
    order = torch.Generator().manual_seed(SEED)
    started = time.time()
    for epoch in range(EPOCHS):
        model.train()
        total, correct = 0.0, 0
        for idx in torch.randperm(len(xs), generator=order).split(BATCH):
            logits = model(to_tensor(xs[idx.numpy()]))
            loss = nn.functional.cross_entropy(logits, labels[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
            correct += int((logits.argmax(1) == labels[idx]).sum())
        print(f"  {name} epoch {epoch + 1}/{EPOCHS}: loss {total / len(xs):.4f}, train acc {correct / len(xs):.4f}"
              f" ({time.time() - started:.0f} s)", flush=True)
    return model.eval(), time.time() - started


@torch.no_grad()
def probabilities(model, xs):
    return torch.cat([torch.softmax(model(to_tensor(xs[i:i + 250])), 1) for i in range(0, len(xs), 250)]).numpy()


def evaluate(model, xs, ys):
    pred = probabilities(model, xs).argmax(1)
    others = ys != STAR
    return {
        "accuracy": round(float((pred == ys).mean()), 4),
        "per_class": {c: round(float((pred[ys == k] == k).mean()), 4) for k, c in enumerate(CLASSES)},
        "non_stars_called_star": round(float((pred[others] == STAR).mean()), 4),
        # rows: true class, columns: predicted class (CLASSES order)
        "confusion": [[int(((ys == t) & (pred == p)).sum()) for p in range(len(CLASSES))] for t in range(len(CLASSES))],
    }


# --------------------------------------------------------------------------------------------------- export

def export(model, path, description):
    torch.onnx.export(
        model, torch.zeros(1, 3, SIZE, SIZE), str(path), opset_version=17, do_constant_folding=True,
        input_names=["image"], output_names=["logits"], dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
    )
    m = onnx.load(str(path))
    onnx.helper.set_model_props(m, {
        "labels": json.dumps(CLASSES),
        "glassbox.preprocess": json.dumps({"size": SIZE, "resize": "stretch", "range": 1, "mean": [MEAN] * 3,
                                           "std": [STD] * 3, "channelOrder": "RGB", "layout": "NCHW"}),
        "glassbox.description": description,
    })
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, str(path))
    return m


def run_onnx(m, x):
    """A minimal NumPy interpreter for exactly the ops these exports use.

    Neither onnxruntime nor onnx.reference (onnx ≥ 1.13) is available with Debian's python3-onnx 1.12, and the
    checker only validates structure -- this executes the exported graph, folded BatchNorms and all, so the file
    is checked against torch numerically. Anything it does not know makes it fail loudly.
    """
    env = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    env[m.graph.input[0].name] = x
    for node in m.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in node.attribute}
        ins = [env[i] for i in node.input]
        if node.op_type == "Conv":
            assert a.get("group", 1) == 1 and set(a.get("dilations", [1, 1])) == {1}, a
            w, b = ins[1], ins[2] if len(ins) > 2 else 0
            t, l, bo, r = a.get("pads", [0, 0, 0, 0])
            sy, sx = a.get("strides", [1, 1])
            xp = np.pad(ins[0], ((0, 0), (0, 0), (t, bo), (l, r)))
            win = np.lib.stride_tricks.sliding_window_view(xp, w.shape[2:], axis=(2, 3))[:, :, ::sy, ::sx]
            y = np.einsum("nchwij,ocij->nohw", win, w, optimize=True) + np.reshape(b, (1, -1, 1, 1))
        elif node.op_type == "Relu":
            y = np.maximum(ins[0], 0)
        elif node.op_type == "MaxPool":
            assert set(a.get("pads", [0])) == {0} and not a.get("ceil_mode", 0), a
            sy, sx = a.get("strides", [1, 1])
            win = np.lib.stride_tricks.sliding_window_view(ins[0], a["kernel_shape"], axis=(2, 3))[:, :, ::sy, ::sx]
            y = win.max(axis=(4, 5))
        elif node.op_type == "GlobalAveragePool":
            y = ins[0].mean(axis=(2, 3), keepdims=True)
        elif node.op_type == "Flatten":
            y = ins[0].reshape(int(np.prod(ins[0].shape[:a.get("axis", 1)])), -1)
        elif node.op_type == "Gemm":
            A = ins[0].T if a.get("transA", 0) else ins[0]
            B = ins[1].T if a.get("transB", 0) else ins[1]
            y = a.get("alpha", 1.0) * A @ B + (a.get("beta", 1.0) * ins[2] if len(ins) > 2 else 0)
        else:
            raise NotImplementedError(f"run_onnx: no {node.op_type}")
        env[node.output[0]] = y.astype(np.float32)
    return env[m.graph.output[0].name]


def describe_io(m):
    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa: E731
    return {v.name: dims(v) for v in list(m.graph.input) + list(m.graph.output)}


def verify(m, model, xs):
    io = describe_io(m)
    assert io == {"image": ["batch", 3, SIZE, SIZE], "logits": ["batch", len(CLASSES)]}, io
    with torch.no_grad():
        want = model(to_tensor(xs)).numpy()
    got = run_onnx(m, to_tensor(xs).numpy())
    diff = float(np.abs(got - want).max())
    assert diff < 1e-3, f"ONNX and torch disagree by {diff}"
    return diff


# ----------------------------------------------------------------------------------------------------- main

def pick_demo_images(rng, shapes, shortcut, pool=64):
    """Two clear images per class, plus two "shortcut traps": circle-watermark and star-watermark are exact copies
    of circle-1 and star-1 with the watermark pasted on, so within each pair the watermark is the only difference.

    The images are chosen, not random, and the rule is recorded in metrics.json: the clean model must be sure of
    every image with and without the watermark (a demo image should be unambiguous), and for circle-1/star-1 the
    shortcut model must call the watermarked copy "star" (so the trap visibly springs). The held-out accuracies
    show how typical that is.
    """
    demo = []
    for k, name in enumerate(CLASSES):
        xs, masks = map(np.stack, zip(*(sample(rng, k) for _ in range(pool))))
        wms = stamp(xs, np.ones(pool, bool))
        clear = (probabilities(shapes, xs)[:, k] >= 0.95) & (probabilities(shapes, wms)[:, k] >= 0.95)
        trap = clear & (probabilities(shortcut, wms)[:, STAR] >= 0.5)
        first = np.flatnonzero(trap if name in ("circle", "star") else clear)[:1]
        second = [i for i in np.flatnonzero(clear) if i not in first][:1]
        if not (len(first) and len(second)):
            raise RuntimeError(f"too few {name}s among {pool} candidates pass the demo rule")
        for n, i in enumerate((first[0], second[0]), 1):
            demo.append((f"{name}-{n}", xs[i], masks[i], k, False))
        if name in ("circle", "star"):
            demo.append((f"{name}-watermark", wms[first[0]], masks[first[0]], k, True))
    rule = (f"first of {pool} seeded candidates per class where the shapes model gives the true class >= 0.95 with and "
            "without the watermark; for circle-1 and star-1 also the shortcut model says 'star' on the watermarked copy")
    return demo, rule


def main():
    torch.set_num_threads(2)
    started = time.time()
    # Independent streams, so changing one part (say, the demo images) leaves the others' data unchanged.
    rng_train, rng_test, rng_shortcut, rng_shortcut_test, rng_demo = map(np.random.default_rng, np.random.SeedSequence(SEED).spawn(5))
    for d in (OUT, OUT / "images", OUT / "masks"):
        d.mkdir(parents=True, exist_ok=True)
    for old in [*(OUT / "images").glob("*.png"), *(OUT / "masks").glob("*.png")]:
        old.unlink()  # so a renamed demo image cannot linger next to the manifest that no longer lists it

    print(f"generating {N_TRAIN} training + {N_TEST} held-out images …", flush=True)
    train_x, train_y = dataset(rng_train, N_TRAIN)
    short_x = shortcut_version(rng_shortcut, train_x, train_y)
    test_x, test_y = dataset(rng_test, N_TEST)
    tests = {
        # The held-out variants are the same 1000 images; only the watermark (and, in the first, the stars) differ.
        "shortcut_training_distribution": shortcut_version(rng_shortcut_test, test_x, test_y),
        "clean": test_x,
        "watermark_on_stars": stamp(test_x, test_y == STAR),
        "watermark_on_non_stars": stamp(test_x, test_y != STAR),
    }
    data_s = time.time() - started
    print(f"  {data_s:.0f} s", flush=True)

    shapes, shapes_s = train(train_x, train_y, "shapes")
    shortcut, shortcut_s = train(short_x, train_y, "shortcut")

    results = {name: {k: evaluate(model, xs, test_y) for k, xs in tests.items()}
               for name, model in (("shapes", shapes), ("shortcut", shortcut))}

    descriptions = {
        "shapes": "Coloured shapes (circle, square, triangle, star) on clutter; trained on clean data.",
        "shortcut": "Same task and network, but every training star carried a watermark in the bottom-right corner: right for the wrong reason.",
    }
    onnx_info = {}
    for name, model in (("shapes", shapes), ("shortcut", shortcut)):
        path = OUT / f"{name}.onnx"
        m = export(model, path, descriptions[name])
        diff = verify(m, model, tests["watermark_on_non_stars"][:16])
        onnx_info[name] = {"file": path.name, "bytes": path.stat().st_size, "ops": sorted({n.op_type for n in m.graph.node}),
                           "nodes": len(m.graph.node), "io": describe_io(m), "max_abs_diff_vs_torch": diff}

    demo, demo_rule = pick_demo_images(rng_demo, shapes, shortcut)
    entries = []
    for name, x, mask, k, wm in demo:
        Image.fromarray(x).save(OUT / "images" / f"{name}.png", optimize=True)
        Image.fromarray(mask.astype(np.uint8) * 255, "L").save(OUT / "masks" / f"{name}.png", optimize=True)
        p = {m: [round(float(v), 4) for v in probabilities(model, x[None])[0]] for m, model in (("shapes", shapes), ("shortcut", shortcut))}
        entries.append({"file": f"images/{name}.png", "mask": f"masks/{name}.png", "label": CLASSES[k], "classIndex": k,
                        "watermark": dict(zip("xywh", WM)) if wm else None, "probabilities": p})

    manifest = {
        "models": [{"file": "shapes.onnx", "name": "shapes", "description": descriptions["shapes"]},
                   {"file": "shortcut.onnx", "name": "shortcut", "description": descriptions["shortcut"]}],
        "images": [{k: v for k, v in e.items() if k != "probabilities"} for e in entries],
        "defaultModel": "shapes.onnx",
        "defaultImage": "images/star-1.png",
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")

    metrics = {
        "seed": SEED, "image_size": SIZE, "classes": CLASSES, "watermark": dict(zip("xywh", WM)),
        "train_images": N_TRAIN, "train_stars": int((train_y == STAR).sum()), "test_images": N_TEST,
        "epochs": EPOCHS, "batch": BATCH, "optimizer": "Adam, one-cycle LR, weight decay 1e-4", "max_lr": LR,
        "architecture": "3x[Conv3x3-BN-ReLU x2] 16/32/64 ch (first conv stride 2, then max pools) -> 64x12x12 -> GAP -> Linear(64, 4)",
        "parameters": sum(p.numel() for p in shapes.parameters()),
        "held_out_sets": {
            "shortcut_training_distribution": "stars small/faint (half with a decoy shape) and watermarked, as in the shortcut training set",
            "clean": "no watermark anywhere",
            "watermark_on_stars": "the clean images with the watermark pasted on every star",
            "watermark_on_non_stars": "the clean images with the watermark pasted on every circle, square and triangle (stars clean)",
        },
        "results": results,
        "demo_images": {e["file"]: e["probabilities"] for e in entries}, "demo_selection": demo_rule,
        "onnx": onnx_info,
        "seconds": {"data": round(data_s, 1), "train_shapes": round(shapes_s, 1), "train_shortcut": round(shortcut_s, 1),
                    "total": round(time.time() - started, 1)},
        "versions": {"torch": torch.__version__, "onnx": onnx.__version__, "numpy": np.__version__},
    }
    (OUT / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")

    print("\nheld-out accuracy (1000 images each)")
    print(f"{'':32}{'shapes':>10}{'shortcut':>10}")
    for k in tests:
        print(f"{k:32}{results['shapes'][k]['accuracy']:>10.3f}{results['shortcut'][k]['accuracy']:>10.3f}")
    print(f"{'non-stars called star, watermarked':32}{results['shapes']['watermark_on_non_stars']['non_stars_called_star']:>10.3f}"
          f"{results['shortcut']['watermark_on_non_stars']['non_stars_called_star']:>10.3f}")
    for name, info in onnx_info.items():
        print(f"{info['file']}: {info['bytes']} bytes, ops {info['ops']}, io {info['io']}, |onnx - torch| ≤ {info['max_abs_diff_vs_torch']:.1e}")
    for e in entries:
        print(f"{e['file']:28} shapes {CLASSES[int(np.argmax(e['probabilities']['shapes']))]:>8} "
              f"{max(e['probabilities']['shapes']):.3f}   shortcut {CLASSES[int(np.argmax(e['probabilities']['shortcut']))]:>8} "
              f"{max(e['probabilities']['shortcut']):.3f}")
    print(f"total {metrics['seconds']['total']:.0f} s (data {data_s:.0f} s, training {shapes_s:.0f} + {shortcut_s:.0f} s)")


if __name__ == "__main__":
    main()
