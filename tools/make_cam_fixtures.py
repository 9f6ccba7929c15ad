#!/usr/bin/env python3
"""Reference CAM numbers for tests/unit/explain/cam.test.ts, computed with numpy exactly as
jacobgil/pytorch-grad-cam's get_cam_weights / get_cam_image do (the library is not installable here; these lines
mirror base_cam.py, grad_cam.py, grad_cam_plusplus.py, xgrad_cam.py, hirescam.py, layer_cam.py and
utils/svd_on_activations.py), plus numpy's Gauss–Legendre rule. Run: /usr/bin/python3 tools/make_cam_fixtures.py
"""
import json
import pathlib

import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / 'tests' / 'fixtures' / 'cam.json'
rng = np.random.default_rng(5)
A = rng.standard_normal((1, 6, 4, 5)).astype(np.float32) + 0.3   # activations [1, C, h, w]
G = rng.standard_normal((1, 6, 4, 5)).astype(np.float32) * 0.1   # gradients
G[0, 2, 1, 1] = 0.0                                            # a zero gradient (Grad-CAM++ masks it)


def weighted(weights):
    cam = (weights[:, :, None, None] * A).sum(axis=1)
    return np.maximum(cam, 0)[0]


def gradcam():
    return weighted(np.mean(G, axis=(2, 3)))


def gradcampp():
    g2 = G ** 2
    g3 = g2 * G
    sum_activations = np.sum(A, axis=(2, 3))
    aij = g2 / (2 * g2 + sum_activations[:, :, None, None] * g3 + 1e-6)
    aij = np.where(G != 0, aij, 0)
    weights = np.maximum(G, 0) * aij
    return weighted(np.sum(weights, axis=(2, 3)))


def xgradcam():
    sum_activations = np.sum(A, axis=(2, 3))
    weights = G * A / (sum_activations[:, :, None, None] + 1e-7)
    return weighted(weights.sum(axis=(2, 3)))


def hirescam():
    return np.maximum((G * A).sum(axis=1), 0)[0]


def layercam():
    return np.maximum((np.maximum(G, 0) * A).sum(axis=1), 0)[0]


def eigencam():
    a = A[0]
    reshaped = a.reshape(a.shape[0], -1).transpose()
    reshaped = reshaped - reshaped.mean(axis=0)
    _, _, vt = np.linalg.svd(reshaped, full_matrices=True)
    projection = reshaped @ vt[0, :]
    # sign: positive correlation with the mean activation (our documented choice)
    if np.dot(projection, a.mean(axis=0).reshape(-1)) < 0:
        projection = -projection
    return np.maximum(projection.reshape(a.shape[1:]), 0)


def main():
    x, w = np.polynomial.legendre.leggauss(7)
    data = {
        'shape': list(A.shape[1:]),
        'A': A[0].ravel().tolist(),
        'G': G[0].ravel().tolist(),
        'cams': {name: f().ravel().astype(float).tolist() for name, f in
                 [('gradcam', gradcam), ('gradcampp', gradcampp), ('xgradcam', xgradcam), ('hirescam', hirescam),
                  ('layercam', layercam), ('eigencam', eigencam)]},
        'gaussLegendre7': {'points': ((x + 1) / 2).tolist(), 'weights': (w / 2).tolist()},
    }
    OUT.write_text(json.dumps(data, indent=1) + '\n')


if __name__ == '__main__':
    main()
