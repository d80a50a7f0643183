"""Known hole shapes for measuring inpainting: thin scratches, dust spots, a text
overlay and a box, as the repair tests and bench_repair lay them over real photographs,
and a photograph enlarged to a camera's frame to lay them on."""

from __future__ import annotations

import numpy as np


def scratches(h: int, w: int, seed: int = 0, count: int = 6, width: int = 2) -> np.ndarray:
    import cv2

    rng = np.random.default_rng(seed)
    m = np.zeros((h, w), np.uint8)
    for _ in range(count):
        pts = np.stack([rng.integers(0, w, 4), rng.integers(0, h, 4)], 1).astype(np.int32)
        cv2.polylines(m, [pts], False, 255, width)
    return m > 0


def dust(h: int, w: int, seed: int = 0, count: int = 20) -> np.ndarray:
    import cv2

    rng = np.random.default_rng(seed)
    m = np.zeros((h, w), np.uint8)
    for _ in range(count):
        cv2.circle(m, (int(rng.integers(5, w - 5)), int(rng.integers(5, h - 5))),
                   int(rng.integers(2, 6)), 255, -1)
    return m > 0


def text(h: int, w: int) -> np.ndarray:
    import cv2

    m = np.zeros((h, w), np.uint8)
    for y in range(h // 5, h, h // 4):
        cv2.putText(m, "SAMPLE (c) 2024", (w // 20, y), cv2.FONT_HERSHEY_SIMPLEX, w / 400, 255,
                    max(1, w // 250))
    return m > 0


def box(h: int, w: int, fraction: float = 0.07, cy: float = 0.5, cx: float = 0.5) -> np.ndarray:
    side = int(np.sqrt(fraction * h * w))
    y0, x0 = int(cy * h - side / 2), int(cx * w - side / 2)
    m = np.zeros((h, w), bool)
    m[y0:y0 + side, x0:x0 + side] = True
    return m


def camera_frame(rgb: np.ndarray, height: int, width: int, grain: float = 3.0, seed: int = 0) -> np.ndarray:
    """``rgb`` (uint8) enlarged to ``height`` x ``width`` with sensor-like grain (Gaussian,
    ``grain`` levels of 255): a large hole at camera resolution, measured on a photograph
    small enough to ship with scikit-image."""
    import cv2

    big = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_CUBIC).astype(np.float32)
    noisy = big + np.random.default_rng(seed).normal(0, grain, big.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)
