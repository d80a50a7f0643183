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
"""

from __future__ import annotations

import numpy as np

BLOCK = 8
HARD_THRESHOLD = 2.7

_OPP = np.array([[1 / 3, 1 / 3, 1 / 3], [0.5, 0.0, -0.5], [0.25, -0.5, 0.25]], np.float32)
OPPONENT = _OPP / np.linalg.norm(_OPP, axis=1, keepdims=True)
OPPONENT_INV = np.linalg.inv(OPPONENT).astype(np.float32)


def _dct_matrix(n: int = BLOCK) -> np.ndarray:
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    d = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2.0 / n)
    d[0] /= np.sqrt(2.0)
    return d.astype(np.float32)


DCT = _dct_matrix()
# The 2-D DCT of a flattened block is one 64x64 product: vec(D X D^T) = (D kron D) vec(X).
DCT2 = np.kron(DCT, DCT)


def estimate_noise(rgb: np.ndarray) -> float:
    """Gaussian noise sigma (0..1 scale) from wavelet detail coefficients (scikit-image)."""
    from skimage.restoration import estimate_sigma

    return float(np.mean(estimate_sigma(rgb, channel_axis=-1)))


def nl_means(rgb: np.ndarray, sigma: float) -> np.ndarray:
    """scikit-image's non-local means with its documented settings for a known sigma."""
    from skimage.restoration import denoise_nl_means

    if sigma <= 0:
        return rgb.astype(np.float32, copy=True)
    return denoise_nl_means(rgb, h=0.8 * sigma, sigma=sigma, fast_mode=True, patch_size=5,
                            patch_distance=6, channel_axis=-1).astype(np.float32)


def denoise_dct(rgb: np.ndarray, sigma: float, step: int = 1, refine: bool = True) -> np.ndarray:
    """float32 HxWx3 0..1 with Gaussian noise ``sigma`` -> denoised float32 HxWx3."""
    if sigma <= 0:
        return rgb.astype(np.float32, copy=True)
    pad = BLOCK - 1

    def opponent(x: np.ndarray) -> np.ndarray:
        return np.pad(x.astype(np.float32) @ OPPONENT.T, ((pad, pad), (pad, pad), (0, 0)), mode="reflect")

    noisy = opponent(rgb)
    out = np.empty_like(noisy)
    for c in range(3):
        out[..., c] = _shrink(noisy[..., c], _shrink(noisy[..., c], None, sigma, step), sigma, step)
    if refine:
        pilot = 0.5 * (out + opponent(nl_means(rgb, sigma)))
        for c in range(3):
            out[..., c] = _shrink(noisy[..., c], pilot[..., c], sigma, step)
    return out[pad:-pad, pad:-pad] @ OPPONENT_INV.T


def _blocks(x: np.ndarray, step: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Every ``step``-th overlapping block, flattened to rows of 64, and the block grid."""
    from numpy.lib.stride_tricks import sliding_window_view

    view = sliding_window_view(x, (BLOCK, BLOCK))[::step, ::step]
    return view.reshape(-1, BLOCK * BLOCK), view.shape[:2]


def _shrink(noisy: np.ndarray, pilot: np.ndarray | None, sigma: float, step: int) -> np.ndarray:
    """Hard thresholding (no pilot) or Wiener filtering (with pilot) of every block's DCT."""
    blocks, grid = _blocks(noisy, step)
    coeffs = blocks @ DCT2.T
    if pilot is None:
        gain = (np.abs(coeffs) > HARD_THRESHOLD * sigma).astype(np.float32)
        gain[:, 0] = 1.0
        weight = 1.0 / gain.sum(axis=1)
    else:
        ref = _blocks(pilot, step)[0] @ DCT2.T
        ref *= ref
        gain = ref / (ref + np.float32(sigma * sigma))
        weight = 1.0 / (np.square(gain).sum(axis=1) + 1e-6)
    coeffs *= gain
    estimate = (coeffs @ DCT2).reshape(*grid, BLOCK, BLOCK)
    return _aggregate(estimate, weight.reshape(grid).astype(np.float32), noisy.shape, step)


def _aggregate(blocks: np.ndarray, weight: np.ndarray, shape: tuple[int, int], step: int) -> np.ndarray:
    total = np.zeros(shape, np.float32)
    norm = np.zeros(shape, np.float32)
    na, nb = weight.shape
    weighted = blocks * weight[..., None, None]
    for i in range(BLOCK):
        for j in range(BLOCK):
            rows = slice(i, i + (na - 1) * step + 1, step)
            cols = slice(j, j + (nb - 1) * step + 1, step)
            total[rows, cols] += weighted[:, :, i, j]
            norm[rows, cols] += weight
    return total / np.maximum(norm, 1e-8)
