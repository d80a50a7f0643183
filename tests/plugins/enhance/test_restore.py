"""Restoration runs any installed spandrel 1x network; without one it says what to get."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.errors import MissingModel
from packshot.core.models import open_store
from packshot.core.models.tiny import save_tiny
from packshot.plugins.enhance.restore import RestoreModel
from packshot.testing import photo, run_operation


def test_restore_needs_a_model():
    rec = run_operation(RestoreModel(), photo("coffee", 48), {})
    assert isinstance(rec.error, MissingModel) and "fbcnn-color" in str(rec.error)


def test_restore_with_a_custom_network(tmp_path):
    # a DnCNN is filed as a denoiser by default; --task restore files it for the clean-up
    entry = open_store().install(save_tiny("dncnn", tmp_path / "deblock.safetensors"), task="restore")
    assert entry.task == "restore"
    img = photo("coffee", 64)
    rec = run_operation(RestoreModel(), img, {})  # auto finds the installed restoration model
    assert rec.result.report["model"] == entry.name
    assert rec.image.pixels.shape == img.pixels.shape and rec.image.pixels.dtype == np.uint8


def _jpeg(pixels: np.ndarray, quality: int) -> np.ndarray:
    import io

    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.fromarray(pixels).save(buf, "JPEG", quality=quality)
    return np.asarray(PILImage.open(buf))


@pytest.mark.parametrize("quality", [20, 50])
@pytest.mark.parametrize("name", ["astronaut", "rocket"])
def test_builtin_deblock_brings_a_jpeg_closer_to_the_original(name, quality):
    from packshot.core.image import Image
    from packshot.plugins.enhance.deblock import RestoreJpeg

    truth = photo(name, 160).pixels
    jpeg = _jpeg(truth, quality)
    out = run_operation(RestoreJpeg(), Image(jpeg), {"jpeg_quality": quality}).image.pixels

    def psnr(a):
        return 10 * np.log10(255.0**2 / np.mean((a.astype(float) - truth) ** 2))

    assert psnr(out) > psnr(jpeg) + 0.2
