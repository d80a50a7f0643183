"""Sharpening brings a blurred photo back towards the original; clarity adds no halos."""

from __future__ import annotations

import numpy as np

from packshot.core.image import Image
from packshot.plugins.enhance.sharpen import Sharpen
from packshot.testing import photo, run_operation


def _psnr(a, b) -> float:
    from skimage.metrics import peak_signal_noise_ratio

    return peak_signal_noise_ratio(a, b, data_range=1.0)


def test_unsharp_mask_undoes_part_of_a_blur():
    import cv2

    sharp = photo("astronaut", 160).as_float()
    blurred = cv2.GaussianBlur(sharp, (0, 0), 1.2)
    img = Image((blurred * 255 + 0.5).astype(np.uint8))
    out = run_operation(Sharpen(), img, {"radius": 1.5, "amount": 1.0, "threshold": 0},
                        tile_size=64).image.as_float()
    assert _psnr(sharp, out) > _psnr(sharp, blurred) + 0.5


def _edge(bit16: bool = False) -> Image:
    values = np.full((64, 64, 3), 0.25, np.float32)
    values[:, 32:] = 0.75
    rng = np.random.default_rng(0)
    values[:, :20] += rng.normal(0, 0.03, (64, 20, 3)).astype(np.float32)  # texture on the left
    dtype, top = (np.uint16, 65535) if bit16 else (np.uint8, 255)
    return Image((np.clip(values, 0, 1) * top + 0.5).astype(dtype))


def test_clarity_boosts_texture_without_edge_halos():
    img = _edge()
    usm = run_operation(Sharpen(), img, {"mode": "unsharp", "radius": 6, "amount": 1.0, "threshold": 0}).image
    cla = run_operation(Sharpen(), img, {"mode": "clarity", "radius": 6, "amount": 1.0}).image
    flat = img.as_float()[:, 24:40, 1]

    def overshoot(result: Image) -> float:
        region = result.as_float()[:, 24:40, 1]
        return float(np.maximum(region - flat.max(), 0).max() + np.maximum(flat.min() - region, 0).max())

    assert overshoot(usm) > 0.1
    assert overshoot(cla) < overshoot(usm) / 4
    texture = lambda im: float(im.as_float()[:, 2:18, 1].std())  # noqa: E731
    assert texture(cla) > texture(img) * 1.3


def test_threshold_protects_fine_noise_and_16_bit_stays():
    img = _edge(bit16=True)
    out = run_operation(Sharpen(), img, {"radius": 1, "amount": 2.0, "threshold": 30}).image
    assert out.pixels.dtype == np.uint16
    noisy_half = slice(2, 18)
    assert np.abs(out.as_float()[:, noisy_half] - img.as_float()[:, noisy_half]).max() < 0.01
