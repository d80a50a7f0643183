"""enhance.deblock at its cheap setting keeps the gain of the refined one, on photos it was not fitted on.

The JPEG noise level was fitted on astronaut, coffee, chelsea and rocket; these are the
other photographs in scikit-image's wheel (grey ones as RGB), 128 px centre crops.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

from packshot.core.image import Image
from packshot.plugins.enhance.dct_denoise import denoise_dct
from packshot.plugins.enhance.deblock import JPEG_NOISE_PER_QUALITY, RestoreJpeg
from packshot.testing import run_operation

HELD_OUT = ("hubble_deep_field", "immunohistochemistry", "retina", "camera", "brick", "clock", "coins")


def _crop(name: str, side: int = 128) -> np.ndarray:
    import skimage.data

    pixels = getattr(skimage.data, name)()
    if pixels.ndim == 2:
        pixels = np.stack([pixels] * 3, axis=-1)
    top, left = (pixels.shape[0] - side) // 2, (pixels.shape[1] - side) // 2
    return np.ascontiguousarray(pixels[top:top + side, left:left + side, :3])


def _jpeg(pixels: np.ndarray, quality: int) -> np.ndarray:
    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.fromarray(pixels).save(buf, "JPEG", quality=quality)
    return np.asarray(PILImage.open(buf))


def _psnr(truth: np.ndarray, out: np.ndarray) -> float:
    return float(10 * np.log10(255.0**2 / np.mean((out.astype(float) - truth.astype(float)) ** 2)))


@pytest.mark.parametrize("quality", [15, 50])
def test_deblock_keeps_the_refined_gain_and_beats_opencv_on_held_out_photos(quality):
    import cv2

    sigma = (100 - quality) / 100 * JPEG_NOISE_PER_QUALITY  # the refined setting's level
    gains, refined_gains, peer_gains = [], [], []
    for name in HELD_OUT:
        truth = _crop(name)
        jpeg = _jpeg(truth, quality)
        out = run_operation(RestoreJpeg(), Image(jpeg), {"jpeg_quality": quality}).image.pixels
        refined = np.clip(denoise_dct(jpeg / 255.0, sigma, 2), 0, 1) * 255  # the setting it had before
        peer = cv2.fastNlMeansDenoisingColored(jpeg, None, sigma * 255, sigma * 255, 7, 21)
        gains.append(_psnr(truth, out) - _psnr(truth, jpeg))
        refined_gains.append(_psnr(truth, refined) - _psnr(truth, jpeg))
        peer_gains.append(_psnr(truth, peer) - _psnr(truth, jpeg))
        assert gains[-1] > 0.1, name
    assert np.mean(gains) > 0.5
    assert np.mean(gains) > np.mean(peer_gains) + 1.0
    assert np.mean(gains) > np.mean(refined_gains) - 0.05
