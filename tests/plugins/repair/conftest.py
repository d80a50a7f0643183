"""Known holes on real photographs (skimage.data) and the classical peers to measure against."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.testing.holes import box, dust, scratches, text


def hole_psnr(result: np.ndarray, truth: np.ndarray, hole: np.ndarray) -> float:
    """PSNR (dB) over the hole only, on 0..1 floats."""
    err = float(((result[hole].astype(np.float64) - truth[hole]) ** 2).mean())
    return 10.0 * np.log10(1.0 / max(err, 1e-12))


def peer_fills(rgb_u8: np.ndarray, hole: np.ndarray,
               names: tuple[str, ...] = ("telea", "ns", "fsr", "biharmonic")) -> dict[str, np.ndarray]:
    """OpenCV Telea and Navier-Stokes, xphoto FSR_FAST and scikit-image biharmonic (or the
    ``names`` among them), called directly (not through packshot.plugins.repair) on the
    whole frame, as 0..1 floats with the known pixels kept."""
    import cv2
    from skimage.restoration import inpaint_biharmonic

    m8 = hole.astype(np.uint8)
    rgb = rgb_u8 / 255.0

    def fsr() -> np.ndarray:
        dst = np.zeros_like(rgb_u8)
        cv2.xphoto.inpaint(rgb_u8, (1 - m8) * 255, dst, cv2.xphoto.INPAINT_FSR_FAST)
        out = dst / 255.0
        out[~hole] = rgb[~hole]
        return out

    fills = {"telea": lambda: cv2.inpaint(rgb_u8, m8, 3, cv2.INPAINT_TELEA) / 255.0,
             "ns": lambda: cv2.inpaint(rgb_u8, m8, 3, cv2.INPAINT_NS) / 255.0,
             "fsr": fsr,
             "biharmonic": lambda: inpaint_biharmonic(rgb, hole, channel_axis=-1)}
    return {name: fills[name]() for name in names}


@pytest.fixture
def holes():
    return {"scratches": scratches, "dust": dust, "text": text, "box": box}
