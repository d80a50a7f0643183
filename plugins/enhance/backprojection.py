"""Classical upscaling: Lanczos, refined by iterative back-projection.

Back-projection (Irani and Peleg) corrects the enlarged picture until shrinking it
again reproduces the input; the lost sharpness of the Lanczos kernel comes back at
edges. Each correction is clamped to the range of the nearby input pixels, which stops
the overshoot (halos) that plain sharpening adds along edges. Measured against Pillow's
bicubic and Lanczos in tests and ``benchmarks/bench_enhance.py``.
"""

from __future__ import annotations

import numpy as np

ITERATIONS = 6


def upscale_backprojection(block: np.ndarray, scale: int, iterations: int = ITERATIONS,
                           anti_ring: bool = True) -> np.ndarray:
    """float32 HxWxC 0..1 -> (H*scale)x(W*scale)xC."""
    import cv2

    h, w = block.shape[:2]
    size = (w * scale, h * scale)
    low = np.ascontiguousarray(block, dtype=np.float32)
    up = _resize(low, size, cv2.INTER_LANCZOS4)
    for _ in range(iterations):
        shrunk = _resize(up, (w, h), cv2.INTER_AREA)
        up += _resize(low - shrunk, size, cv2.INTER_CUBIC)
    if anti_ring:
        kernel = np.ones((3, 3), np.uint8)
        lo = _resize(cv2.erode(low, kernel), size, cv2.INTER_NEAREST)
        hi = _resize(cv2.dilate(low, kernel), size, cv2.INTER_NEAREST)
        up = np.clip(up, lo, hi)
    return np.clip(up, 0.0, 1.0)


def _resize(a: np.ndarray, size: tuple[int, int], interpolation: int) -> np.ndarray:
    import cv2

    out = cv2.resize(a, size, interpolation=interpolation)
    return out.reshape(size[1], size[0], *a.shape[2:]) if out.ndim < a.ndim else out
