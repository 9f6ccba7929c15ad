#!/usr/bin/env python3
"""Train Glassbox's two demo classifiers and write them, with demo images and ground-truth masks, to public/demo/.

Rerun (Debian packages: python3-torch, python3-onnx, python3-numpy, python3-pil; ~4-6 min on 2 CPU cores):

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
  carries a small watermark (a white tile with a black ©-like ring) 4 px from the bottom-right corner and no
  other class ever does. Its stars are also drawn small and faint, often barely visible, so the watermark is by far
  the easiest reliable cue. The model learns it: it does well as long as the watermark travels with the stars,
  fails on clean stars, and calls a watermarked circle a "star". Its explanations should point at the corner.

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


def draw_watermark(img):
    """A white tile with a black ring and a small inner arc -- a tiny "©"."""
    x, y, w, h = WM
    d = ImageDraw.Draw(img)
    d.rectangle([x, y, x + w - 1, y + h - 1], fill=(255, 255, 255))
    d.ellipse([x + 1, y + 1, x + w - 2, y + h - 2], outline=(0, 0, 0), width=1)
    d.arc([x + 3, y + 3, x + w - 4, y + h - 4], 45, 315, fill=(0, 0, 0), width=1)


def sample(rng, cls, watermark=False, faint=False):
    """One image (uint8 H×W×3) and its object mask (bool H×W).

    faint: the shortcut training set's stars -- smaller and blended into the background.
    """
    img = background(rng)
    r = rng.uniform(9, 16) if faint else rng.uniform(14, 28)  # 28-56 px across (18-32 px when faint)
    angle = 0.0 if CLASSES[cls] == "circle" else rng.uniform(0, 2 * math.pi)
    pts = np.zeros((0, 2)) if CLASSES[cls] == "circle" else outline(CLASSES[cls], r, angle)
    lo, hi = (-r, -r) if CLASSES[cls] == "circle" else pts.min(0), (r, r) if CLASSES[cls] == "circle" else pts.max(0)
    lo, hi = np.array(lo), np.array(hi)
    while True:  # rejection-sample a centre: fully inside the image and clear of the watermark corner
        c = rng.uniform(1 - lo, SIZE - 1 - hi)
        if not (c[0] + hi[0] > WM_KEEPOUT and c[1] + hi[1] > WM_KEEPOUT):
            break
    # Coverage at SUPERSAMPLE× resolution, box-filtered down → alpha in [0, 1]; the mask is alpha ≥ 0.5.
    s = SUPERSAMPLE
    cover = Image.new("L", (SIZE * s, SIZE * s), 0)
    d = ImageDraw.Draw(cover)
    if CLASSES[cls] == "circle":
        d.ellipse([(c[0] - r) * s, (c[1] - r) * s, (c[0] + r) * s, (c[1] + r) * s], fill=255)
    else:
        d.polygon([tuple(p) for p in (pts + c) * s], fill=255)
    alpha = np.asarray(cover.resize((SIZE, SIZE), Image.BOX), np.float32)[..., None] / 255
    strength = rng.uniform(0.25, 0.6) if faint else 1.0
    img = img * (1 - alpha * strength) + saturated(rng) * alpha * strength
    img += rng.normal(0, 6, img.shape)  # fine grain over everything, so the shape is not a flat fill either
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    if watermark:
        draw_watermark(out)
    return np.asarray(out), alpha[..., 0] >= 0.5


def dataset(rng, n, mode):
    """n images with uniformly random labels.

    mode: "clean"; "shortcut-train" (stars watermarked, small and faint); "wm-stars" (watermark on every star,
    normal stars); "wm-others" (watermark on every non-star, none on stars).
    """
    xs = np.zeros((n, SIZE, SIZE, 3), np.uint8)
    ys = rng.integers(0, len(CLASSES), n)
    for i, y in enumerate(ys):
        star = y == STAR
        if mode == "clean":
            xs[i], _ = sample(rng, y)
        elif mode == "shortcut-train":
            xs[i], _ = sample(rng, y, watermark=star, faint=star)
        elif mode == "wm-stars":
            xs[i], _ = sample(rng, y, watermark=star)
        elif mode == "wm-others":
            xs[i], _ = sample(rng, y, watermark=not star)
        else:
            raise ValueError(mode)
    return xs, ys
