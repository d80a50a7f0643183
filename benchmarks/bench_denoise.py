"""Default denoise at camera resolution against OpenCV's fastNlMeansDenoisingColored.

One 12-megapixel photograph (skimage's astronaut tiled, with Gaussian noise of sigma 15),
denoised by ``enhance.denoise`` with its defaults (noise estimated, quality fast, tiles on
every core) and by OpenCV on the same pixels, alternately, so that a change in machine
load hits both; the best of the rounds is kept. PSNR is measured on the same frame,
scikit-image's non-local means (its documented settings) on a 1-megapixel crop beside
ours on that crop, since on the whole frame it takes minutes.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.photos import psnr
from benchmarks.table import print_table

SIGMA = 15


def _frame(height: int, width: int) -> np.ndarray:
    from skimage import data

    astro = data.astronaut()
    reps = (-(-height // astro.shape[0]), -(-width // astro.shape[1]), 1)
    return np.ascontiguousarray(np.tile(astro, reps)[:height, :width])


def _ours(noisy: np.ndarray) -> np.ndarray:
    from packshot.core.context import Context
    from packshot.core.image import Image
    from packshot.core.jobs import execute
    from packshot.core.operation import Inputs
    from packshot.plugins.enhance.denoise import Denoise

    return execute(Denoise(), Inputs(Image(noisy)), {}, Context()).image.pixels


def _opencv(noisy: np.ndarray) -> np.ndarray:
    import cv2

    bgr = np.ascontiguousarray(noisy[..., ::-1])
    return cv2.fastNlMeansDenoisingColored(bgr, None, SIGMA, SIGMA, 7, 21)[..., ::-1]


def _skimage(noisy: np.ndarray) -> np.ndarray:
    from skimage.restoration import denoise_nl_means, estimate_sigma

    f = noisy / 255.0
    est = float(np.mean(estimate_sigma(f, channel_axis=-1)))
    out = denoise_nl_means(f, h=0.8 * est, sigma=est, fast_mode=True, patch_size=5, patch_distance=6,
                           channel_axis=-1)
    return np.clip(out * 255 + 0.5, 0, 255).astype(np.uint8)


def run(quick: bool) -> None:
    h, w = (1500, 2000) if quick else (3000, 4000)
    clean = _frame(h, w)
    noisy = np.clip(clean + np.random.default_rng(0).normal(0, SIGMA, clean.shape), 0, 255).astype(np.uint8)
    methods = {"packshot enhance.denoise (defaults)": _ours, "OpenCV fastNlMeansDenoisingColored": _opencv}
    best = {name: float("inf") for name in methods}
    scores = {}
    for _ in range(1 if quick else 2):
        for name, fn in methods.items():
            start = time.perf_counter()
            out = fn(noisy)
            best[name] = min(best[name], time.perf_counter() - start)
            scores[name] = psnr(clean, out)
    crop = (slice(0, 1000), slice(0, 1000))
    crop_scores = {"packshot enhance.denoise (defaults)": psnr(clean[crop], _ours(noisy[crop])),
                   "scikit-image denoise_nl_means": psnr(clean[crop], _skimage(noisy[crop]))}
    reference = best["OpenCV fastNlMeansDenoisingColored"]
    rows = [[name, best[name], reference / best[name], scores[name], crop_scores.get(name, "")]
            for name in methods]
    rows.append(["scikit-image denoise_nl_means", "", "", "", crop_scores["scikit-image denoise_nl_means"]])
    rows.append(["noisy input", "", "", psnr(clean, noisy), psnr(clean[crop], noisy[crop])])
    print_table(f"Denoise, {w}x{h} ({h * w / 1e6:.0f} MP), sigma {SIGMA}; speed = OpenCV's time / this one's",
                ["method", "seconds", "speed vs OpenCV", "PSNR dB", "PSNR dB, 1 MP crop"], rows)
