"""Known holes on real photographs (skimage.data) and the classical peers to measure against."""

from __future__ import annotations

import numpy as np
import pytest


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


def hole_psnr(result: np.ndarray, truth: np.ndarray, hole: np.ndarray) -> float:
    """PSNR (dB) over the hole only, on 0..1 floats."""
    err = float(((result[hole].astype(np.float64) - truth[hole]) ** 2).mean())
    return 10.0 * np.log10(1.0 / max(err, 1e-12))


def peer_fills(rgb_u8: np.ndarray, hole: np.ndarray) -> dict[str, np.ndarray]:
    """OpenCV Telea and Navier-Stokes, xphoto FSR_FAST and scikit-image biharmonic, called
    directly (not through plugins.repair), as 0..1 floats with the known pixels kept."""
    import cv2
    from skimage.restoration import inpaint_biharmonic

    m8 = hole.astype(np.uint8)
    rgb = rgb_u8 / 255.0
    out = {"telea": cv2.inpaint(rgb_u8, m8, 3, cv2.INPAINT_TELEA) / 255.0,
           "ns": cv2.inpaint(rgb_u8, m8, 3, cv2.INPAINT_NS) / 255.0}
    dst = np.zeros_like(rgb_u8)
    cv2.xphoto.inpaint(rgb_u8, (1 - m8) * 255, dst, cv2.xphoto.INPAINT_FSR_FAST)
    fsr = dst / 255.0
    fsr[~hole] = rgb[~hole]
    out["fsr"] = fsr
    out["biharmonic"] = inpaint_biharmonic(rgb, hole, channel_axis=-1)
    return out


@pytest.fixture
def holes():
    return {"scratches": scratches, "dust": dust, "text": text, "box": box}
