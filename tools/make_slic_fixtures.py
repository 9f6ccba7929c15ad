#!/usr/bin/env python3
"""Reference SLIC, quickshift and Felzenszwalb segmentations from scikit-image, for tests/unit/segment/slic-reference.test.ts.

Run with Debian's python3 (apt-get install python3-skimage): /usr/bin/python3 tools/make_slic_fixtures.py
Writes tests/fixtures/segment/: the input images as PNG (scikit-image's own sample photos, downscaled with PIL,
and two demo images) and, per parameter set, the labels as gzipped little-endian uint16 (row-major, 0-based),
plus index.json listing every case with its parameters and skimage's segment count. Deterministic.
"""
import gzip
import json
import os

import numpy as np
import skimage
from PIL import Image
from skimage import data
from skimage.segmentation import felzenszwalb, quickshift, slic

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'segment')

# (name, source) — natural photos shipped with scikit-image (public domain / CC0), plus synthetic demo images.
def sources():
    for name in ['chelsea', 'coffee', 'astronaut']:
        img = Image.fromarray(getattr(data, name)())
        w, h = img.size
        scale = 224 / min(w, h)
        img = img.resize((round(w * scale), round(h * scale)), Image.BILINEAR)
        # centre crop to 224×224, like the classifiers' input
        w, h = img.size
        left, top = (w - 224) // 2, (h - 224) // 2
        yield name, img.crop((left, top, left + 224, top + 224)), True
    for name in ['square-1', 'star-1']:
        yield 'demo-' + name, Image.open(os.path.join(ROOT, 'public', 'demo', 'images', name + '.png')).convert('RGB'), False

PARAMS = [
    {'n_segments': 100, 'compactness': 10.0, 'sigma': 0.0},
    {'n_segments': 50, 'compactness': 20.0, 'sigma': 1.0},
    {'n_segments': 200, 'compactness': 10.0, 'sigma': 0.0},
]

FELZENSZWALB_PARAMS = [
    {'scale': 100.0, 'sigma': 0.8, 'min_size': 20},
    {'scale': 300.0, 'sigma': 0.5, 'min_size': 50},
]


QUICKSHIFT_PARAMS = [
    {'kernel_size': 4, 'max_dist': 200, 'ratio': 0.2},   # lime's LimeImageExplainer default
    {'kernel_size': 3, 'max_dist': 6, 'ratio': 0.5},
]


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, img, natural in sources():
        png = name + '.png'
        img.save(os.path.join(OUT, png), optimize=True)
        arr = np.asarray(Image.open(os.path.join(OUT, png)).convert('RGB'))
        def add(method, p, labels, file):
            labels = labels.astype('<u2')
            with open(os.path.join(OUT, file), 'wb') as f:
                f.write(gzip.compress(labels.tobytes(), mtime=0))
            cases.append({'method': method, 'image': png, 'labels': file, 'natural': natural, 'width': int(arr.shape[1]),
                          'height': int(arr.shape[0]), 'params': p, 'count': int(labels.max()) + 1})

        for p in PARAMS:
            add('slic', p, slic(arr, n_segments=p['n_segments'], compactness=p['compactness'], sigma=p['sigma'], start_label=0),
                f"{name}-n{p['n_segments']}-c{int(p['compactness'])}-s{p['sigma']:g}.u16.gz")
        for p in QUICKSHIFT_PARAMS:
            add('quickshift', p, quickshift(arr, kernel_size=p['kernel_size'], max_dist=p['max_dist'], ratio=p['ratio'], random_seed=42),
                f"{name}-quickshift-k{p['kernel_size']}-d{p['max_dist']}-r{p['ratio']:g}.u16.gz")
        for p in FELZENSZWALB_PARAMS:
            add('felzenszwalb', p, felzenszwalb(arr, scale=p['scale'], sigma=p['sigma'], min_size=p['min_size']),
                f"{name}-felzenszwalb-k{int(p['scale'])}-s{p['sigma']:g}-m{p['min_size']}.u16.gz")
    with open(os.path.join(OUT, 'index.json'), 'w') as f:
        json.dump({'generator': 'skimage.segmentation.slic, quickshift and felzenszwalb', 'skimage': skimage.__version__, 'cases': cases}, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
