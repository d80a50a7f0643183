"""Classical denoising: sliding 8x8 DCT shrinkage, BM3D-style, refined with non-local means.

Pass one hard-thresholds the DCT coefficients of every overlapping 8x8 block (2.7
sigma) to get a pilot estimate; pass two applies the empirical Wiener filter whose gains
come from the pilot's coefficients. An optional third pass takes the mean of that result
and scikit-image's non-local means as a better pilot (their errors differ, so the mean
is closer to the truth than either) and filters once more. All passes run in an
orthonormal opponent colour space (luminance and two colour differences), where the
noise level stays sigma per channel, and aggregate overlapping blocks with weights that
favour sparse blocks. It is BM3D without the block matching: at sigma 15/25/50 it beats
non-local means and closes most of the gap to the ``bm3d`` package at a fraction of its
time (figures in ``benchmarks/bench_enhance.py``).

Each pass walks the image a few block rows at a time (``block_dct`` does the
transforms): the coefficients of a whole tile are 64 times its pixels, far more than the
processor's caches, while a band of rows stays in them; that, not arithmetic, is what
bounds the speed.
"""

from __future__ import annotations

import numpy as np

from . import block_dct
from .block_dct import BLOCK

HARD_THRESHOLD = 2.7
# How far a denoised pixel depends on others: three chained block passes reach 7 px each
# (21; non-local means' 8 feeds only the last); tiles read this margin (``padded_tiles``).
# A multiple of 6, as tiles must be, so that block steps 1, 2 and 3 line up across tiles.
MARGIN = 24
ALIGN = 6
# Blocks per band of block rows (all channels): 2 MB per array of their coefficients, so
# the few such arrays a pass holds stay in the caches (1.7x faster than a whole tile).
BAND_BLOCKS = 8192
# Side of the centre crop the noise is estimated on.
ESTIMATE_SIDE = 1024

_OPP = np.array([[1 / 3, 1 / 3, 1 / 3], [0.5, 0.0, -0.5], [0.25, -0.5, 0.25]], np.float32)
OPPONENT = _OPP / np.linalg.norm(_OPP, axis=1, keepdims=True)
OPPONENT_INV = np.linalg.inv(OPPONENT).astype(np.float32)


def estimate_noise(rgb: np.ndarray) -> float:
    """Gaussian noise sigma (0..1 scale) from wavelet detail coefficients (scikit-image)."""
    from skimage.restoration import estimate_sigma

    return float(np.mean(estimate_sigma(rgb, channel_axis=-1)))


def center_crop(pixels: np.ndarray) -> np.ndarray:
    """A centre crop for estimating the noise of a large photo without a full float copy."""
    h, w = pixels.shape[:2]
    top, left = max(0, (h - ESTIMATE_SIDE) // 2), max(0, (w - ESTIMATE_SIDE) // 2)
    from packshot.core.image import to_float

    return to_float(pixels[top:top + ESTIMATE_SIDE, left:left + ESTIMATE_SIDE])


def nl_means(rgb: np.ndarray, sigma: float) -> np.ndarray:
    """scikit-image's non-local means with its documented settings for a known sigma."""
    from skimage.restoration import denoise_nl_means

    if sigma <= 0:
        return rgb.astype(np.float32, copy=True)
    return denoise_nl_means(rgb, h=0.8 * sigma, sigma=sigma, fast_mode=True, patch_size=5,
                            patch_distance=6, channel_axis=-1).astype(np.float32)


def denoise_dct(rgb: np.ndarray, sigma: float, step: int = 1, refine: bool = True,
                pilot_step: int | None = None) -> np.ndarray:
    """float32 HxWx3 0..1 with Gaussian noise ``sigma`` -> denoised float32 HxWx3.

    ``step`` spaces the blocks (1: every position, best; 2 and 3 do a quarter and a ninth
    of the work); ``pilot_step`` spaces them in the hard-threshold pass alone (default
    ``step``), which only has to be good enough to steer the Wiener gains; ``refine`` adds
    the non-local-means pass.
    """
    if sigma <= 0:
        return rgb.astype(np.float32, copy=True)
    pad = BLOCK - 1

    def opponent(x: np.ndarray) -> np.ndarray:
        planes = np.einsum("dc,hwc->dhw", OPPONENT, x.astype(np.float32, copy=False))
        return np.pad(planes, ((0, 0), (pad, pad), (pad, pad)), mode="reflect")

    noisy = opponent(rgb)
    out = _shrink(noisy, _shrink(noisy, None, sigma, pilot_step or step), sigma, step)
    if refine:
        out = _shrink(noisy, 0.5 * (out + opponent(nl_means(rgb, sigma))), sigma, step)
    return np.einsum("cd,dhw->hwc", OPPONENT_INV, out[:, pad:-pad, pad:-pad])


def _shrink(noisy: np.ndarray, pilot: np.ndarray | None, sigma: float, step: int) -> np.ndarray:
    """Hard thresholding (no pilot) or Wiener filtering (with pilot) of every block's DCT.

    ``noisy`` and ``pilot`` are ``(C, H, W)``; blocks are filtered and added back one band
    of block rows at a time, weighted by how few coefficients they keep.
    """
    channels, h, w = noisy.shape
    count, across = block_dct.blocks(h, step), block_dct.blocks(w, step)
    total = np.zeros(noisy.shape, np.float32)
    weights = np.empty((channels, count, across), np.float32)
    band = max(1, BAND_BLOCKS // (channels * across))
    for first in range(0, count, band):
        last = min(count, first + band)
        rows = slice(first * step, (last - 1) * step + BLOCK)
        coeffs = block_dct.forward(noisy[:, rows], step)
        if pilot is None:
            keep = np.abs(coeffs) > np.float32(HARD_THRESHOLD * sigma)
            keep[0, 0] = True
            weight = weights[:, first:last]
            np.divide(1.0, np.count_nonzero(keep, axis=(0, 1)), out=weight)
            coeffs *= keep
        else:
            gain = block_dct.forward(pilot[:, rows], step)
            gain *= gain
            gain /= gain + np.float32(sigma * sigma)
            weight = weights[:, first:last]
            np.divide(1.0, np.einsum("ij...,ij...->...", gain, gain) + np.float32(1e-6), out=weight)
            coeffs *= gain
        coeffs *= weight
        block_dct.add_inverse(total[:, rows], coeffs, step)
    norm = np.zeros(noisy.shape, np.float32)
    block_dct.add_coverage(norm, weights, step)
    return total / np.maximum(norm, np.float32(1e-8))
