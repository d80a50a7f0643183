"""Illuminant estimators: each looks at linear RGB and says what colour the light was.

All work in linear light and ignore clipped and near-black pixels, where a channel no
longer tells anything about the light. Each returns an RGB triple normalised to unit
length; dividing the image by it removes the cast.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from packshot.core.image import quantize

from .colour_math import linear_to_srgb

CLIP = 0.98
DARK = 0.004


def usable(linear: np.ndarray) -> np.ndarray:
    """Pixels whose three channels all carry information (neither clipped nor black)."""
    r, g, b = linear[..., 0], linear[..., 1], linear[..., 2]
    return (r < CLIP) & (g < CLIP) & (b < CLIP) & (r > DARK) & (g > DARK) & (b > DARK)


def _unit(v: npt.ArrayLike) -> np.ndarray:
    v = np.maximum(np.asarray(v, np.float64), 1e-9)
    return v / np.linalg.norm(v)


def _pixels(linear: np.ndarray) -> np.ndarray:
    ok = usable(linear)
    if ok.sum() < 64:
        ok = np.ones(linear.shape[:2], bool)
    return linear[ok]


def gray_world(linear: np.ndarray) -> np.ndarray:
    """The average scene is grey (Buchsbaum 1980)."""
    return _unit(_pixels(linear).mean(axis=0))


def white_patch(linear: np.ndarray, percentile: float = 99.0) -> np.ndarray:
    """The brightest surfaces are white: a robust max-RGB, per-channel percentile."""
    return _unit(np.percentile(_pixels(linear), percentile, axis=0))


def shades_of_gray(linear: np.ndarray, p: float = 6.0) -> np.ndarray:
    """The Minkowski p-norm of the scene is grey (Finlayson & Trezzi 2004)."""
    px = _pixels(linear).astype(np.float64)
    return _unit(np.mean(px**p, axis=0) ** (1.0 / p))


def gray_edge(linear: np.ndarray, p: float = 6.0, sigma: float = 1.0) -> np.ndarray:
    """The average edge is grey (van de Weijer, Gevers & Gijsenij 2007), first order."""
    import scipy.ndimage as ndi

    ok = usable(linear)
    ok = ndi.binary_erosion(ok, iterations=3) if ok.sum() > 256 else np.ones_like(ok)
    norms = []
    for c in range(3):
        smooth = ndi.gaussian_filter(linear[..., c].astype(np.float64), sigma)
        gy, gx = np.gradient(smooth)
        mag = np.hypot(gx, gy)[ok]
        norms.append(np.mean(mag**p) ** (1.0 / p))
    return _unit(norms)


def learning_based(linear: np.ndarray) -> np.ndarray:
    """OpenCV-contrib's learning-based estimate (Cheng et al. 2015), read back as gains.

    The model sees the sRGB-encoded 16-bit image, as OpenCV's own users feed it; the
    gains it applies are measured on the pixels it left unclipped.
    """
    import cv2

    encoded = quantize(linear_to_srgb(linear), np.uint16)
    bgr = np.ascontiguousarray(encoded[..., ::-1])
    wb = cv2.xphoto.createLearningBasedWB()
    wb.setRangeMaxVal(65535)
    wb.setSaturationThreshold(CLIP)
    out = wb.balanceWhite(bgr)
    src = bgr.reshape(-1, 3).astype(np.float64)
    dst = out.reshape(-1, 3).astype(np.float64)
    ok = (dst.max(axis=1) < 65535 * CLIP) & (src.min(axis=1) > 0)
    gains_encoded = dst[ok].sum(axis=0) / np.maximum(src[ok].sum(axis=0), 1e-9)
    # A gain g on sRGB-encoded values is about g**2.4 in linear light.
    return _unit((1.0 / gains_encoded[::-1]) ** 2.4)


def grey_pixels(linear: np.ndarray, fraction: float = 0.001, sigma: float = 1.0) -> np.ndarray:
    """Average the pixels most likely to be grey surfaces (Yang, Gao & Li, CVPR 2015).

    A grey surface has the same local contrast in every channel's log image whatever the
    light; pixels whose three log-contrasts agree best are averaged.
    """
    import scipy.ndimage as ndi

    ok = usable(linear)
    logs = [np.log(np.maximum(linear[..., c].astype(np.float64), DARK)) for c in range(3)]
    contrast = np.stack([np.abs(ndi.gaussian_laplace(lg, sigma)) for lg in logs], axis=2)
    mean = contrast.mean(axis=2)
    grey_index = contrast.std(axis=2) / np.maximum(mean, 1e-6)
    ok &= ndi.binary_erosion(ok, iterations=2) & (mean > 1e-3)
    if ok.sum() < 64:
        return gray_world(linear)
    grey_index = ndi.uniform_filter(np.where(ok, grey_index, 10.0), 7)
    flat = np.where(ok, grey_index, np.inf).ravel()
    n = max(int(ok.sum() * fraction), 32)
    idx = np.argpartition(flat, min(n, flat.size - 1))[:n]
    px = linear.reshape(-1, 3)[idx].astype(np.float64)
    return _unit((px / np.maximum(px.sum(axis=1, keepdims=True), 1e-9)).mean(axis=0))


ESTIMATORS = {
    "gray_world": gray_world,
    "white_patch": white_patch,
    "shades_of_gray": shades_of_gray,
    "gray_edge": gray_edge,
    "learning_based": learning_based,
    "grey_pixels": grey_pixels,
}
