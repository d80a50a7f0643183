"""The classical hole fills (OpenCV Telea / Navier-Stokes / xphoto FSR, scikit-image
biharmonic) behind one float interface, so the method chooser and the benchmark can
swap them freely.

Every fill takes float32 RGB 0..1 and a bool hole and returns float32 RGB in which only
hole pixels differ: ``xphoto.inpaint`` alters pixels outside the hole (and takes the
inverse mask), so its result is composited back here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from packshot.core.image import quantize

Fill = Callable[[np.ndarray, np.ndarray], np.ndarray]

DIFFUSION_RADIUS = 3


def _composite(rgb: np.ndarray, hole: np.ndarray, filled: np.ndarray) -> np.ndarray:
    out = rgb.astype(np.float32, copy=True)
    out[hole] = filled[hole]
    return out


def telea(rgb: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Fast marching (Telea 2004): good on thin strokes, smears large holes."""
    import cv2

    filled = cv2.inpaint(quantize(rgb, np.uint8), hole.astype(np.uint8), DIFFUSION_RADIUS, cv2.INPAINT_TELEA)
    return _composite(rgb, hole, filled.astype(np.float32) / 255.0)


def navier_stokes(rgb: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Navier-Stokes diffusion (Bertalmio 2001): continues isophotes into the hole."""
    import cv2

    filled = cv2.inpaint(quantize(rgb, np.uint8), hole.astype(np.uint8), DIFFUSION_RADIUS, cv2.INPAINT_NS)
    return _composite(rgb, hole, filled.astype(np.float32) / 255.0)


def fsr(rgb: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Frequency-selective reconstruction (xphoto FSR_FAST): the strongest classical fill
    for small holes. It accepts only 8-bit input, so a 16-bit hole gets 8-bit content."""
    import cv2

    src = quantize(rgb, np.uint8)
    dst = np.zeros_like(src)
    keep = np.where(hole, 0, 255).astype(np.uint8)
    cv2.xphoto.inpaint(src, keep, dst, cv2.xphoto.INPAINT_FSR_FAST)
    return _composite(rgb, hole, dst.astype(np.float32) / 255.0)


def biharmonic(rgb: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Biharmonic interpolation (scikit-image): the smoothest fill, strong on gradients."""
    from skimage.restoration import inpaint_biharmonic

    filled = inpaint_biharmonic(rgb.astype(np.float64), hole, channel_axis=-1)
    return _composite(rgb, hole, filled.astype(np.float32))


FILLS: dict[str, Fill] = {"telea": telea, "ns": navier_stokes, "fsr": fsr, "biharmonic": biharmonic}
