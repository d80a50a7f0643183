"""Upscaling: built-in beats Pillow's resamplers; model tiers load real files and run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from packshot.core.cli import main
from packshot.core.errors import MissingModel
from packshot.core.image import Image
from packshot.core.models import open_store
from packshot.core.models.tiny import save_tiny
from packshot.plugins.enhance.upscale import Upscale
from packshot.plugins.enhance.upscale_model import UpscaleModel
from packshot.testing import photo, run_operation

WEIGHTS = Path(__file__).resolve().parents[3] / ".." / "shared" / "weights"


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    from skimage.metrics import peak_signal_noise_ratio

    return peak_signal_noise_ratio(a, b, data_range=255)


def _ssim(a: np.ndarray, b: np.ndarray) -> float:
    from skimage.metrics import structural_similarity

    return structural_similarity(a, b, data_range=255, channel_axis=-1)


def _pair(name: str, scale: int, side: int = 192) -> tuple[np.ndarray, np.ndarray]:
    """(truth, the truth shrunk by Pillow's bicubic): the usual SR evaluation."""
    truth = photo(name, max_side=None).pixels
    h, w = truth.shape[:2]
    truth = truth[(h - side) // 2:(h + side) // 2, (w - side) // 2:(w + side) // 2]
    low = np.asarray(PILImage.fromarray(truth).resize((side // scale, side // scale), PILImage.BICUBIC))
    return truth, low


def _pillow(low: np.ndarray, scale: int, kind) -> np.ndarray:
    return np.asarray(PILImage.fromarray(low).resize((low.shape[1] * scale, low.shape[0] * scale), kind))


@pytest.mark.parametrize("name", ["astronaut", "coffee"])
@pytest.mark.parametrize("scale", [2, 3])
def test_builtin_beats_bicubic_and_lanczos(name, scale):
    truth, low = _pair(name, scale)
    ours = run_operation(Upscale(), Image(low), {"scale": scale}, tile_size=64).image.pixels
    assert ours.shape == truth.shape
    for peer in (PILImage.BICUBIC, PILImage.LANCZOS):
        theirs = _pillow(low, scale, peer)
        assert _psnr(truth, ours) > _psnr(truth, theirs) + 0.15
        assert _ssim(truth, ours) > _ssim(truth, theirs)


def test_builtin_keeps_16_bit_alpha_and_metadata():
    rng = np.random.default_rng(0)
    pixels = (rng.random((30, 40, 4)) * 65535).astype(np.uint16)
    pixels[..., 3] = 65535
    pixels[:10, :, 3] = 0
    src = Image(pixels, icc_profile=b"icc", exif=b"exif")
    out = run_operation(Upscale(), src, {"scale": 3}).image
    assert out.pixels.dtype == np.uint16 and out.pixels.shape == (90, 120, 4)
    assert out.icc_profile == b"icc" and out.exif == b"exif"
    assert out.pixels[:25, :, 3].max() < 2000 and out.pixels[35:, :, 3].min() > 63000


def test_cancel_mid_run_stops_between_tiles_and_returns_nothing():
    rec = run_operation(Upscale(), photo("coffee", 256), {"scale": 2}, tile_size=64, cancel_at=0.3)
    assert rec.state == "cancelled" and rec.result is None
    assert max(rec.fractions) < 0.6


def test_model_tier_without_a_model_says_what_to_install():
    rec = run_operation(UpscaleModel(), photo("coffee", 64), {"scale": 2})
    assert rec.state == "failed" and isinstance(rec.error, MissingModel)
    # the recommendation follows measured figures: CRAFT x4 is the best measured (29.4 dB at x4)
    assert "packshot models download craft-team34-x4" in str(rec.error)


@pytest.mark.skipif(not (WEIGHTS / "FSRCNN_x2.pb").exists(), reason="../shared/weights is absent")
@pytest.mark.parametrize("file,model,gain", [("FSRCNN_x2.pb", "fsrcnn_x2", 0.9), ("ESPCN_x2.pb", "espcn_x2", 0.9)])
def test_real_light_network_gains_over_bicubic(file, model, gain, capsys):
    assert main(["models", "install", str(WEIGHTS / file)]) == 0
    assert "checksum verified" in capsys.readouterr().out
    truth, low = _pair("astronaut", 2, side=256)
    rec = run_operation(UpscaleModel(), Image(low), {"scale": 2, "model": "auto"}, tile_size=64)
    assert rec.result.report["model"] == model
    ours = rec.image.pixels
    bicubic = _pillow(low, 2, PILImage.BICUBIC)
    assert _psnr(truth, ours) > _psnr(truth, bicubic) + gain


@pytest.mark.skipif(not (WEIGHTS / "FSRCNN_x2.pb").exists(), reason="../shared/weights is absent")
def test_light_network_keeps_16_bit_gradations():
    open_store().install(WEIGHTS / "FSRCNN_x2.pb")
    ramp = np.linspace(0, 65535, 64 * 3, dtype=np.float64).reshape(1, -1, 1)
    pixels = np.repeat(np.repeat(ramp, 32, axis=0), 3, axis=2)[:, :64].astype(np.uint16)
    out = run_operation(UpscaleModel(), Image(pixels), {"model": "fsrcnn_x2"}).image.pixels
    assert out.dtype == np.uint16 and out.shape == (64, 128, 3)
    assert len(np.unique(out[32, 8:-8, 1])) > 100  # finer than 8-bit steps along the ramp


@pytest.mark.parametrize("kind,suffix,native", [("compact", ".safetensors", 2), ("esrgan", ".pth", 4)])
def test_spandrel_model_runs_and_is_resized_to_the_asked_scale(tmp_path, kind, suffix, native):
    entry = open_store().install(save_tiny(kind, tmp_path / f"tiny-{kind}{suffix}"))
    assert entry.scale == native
    rgb = photo("rocket", 48).pixels
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    rec = run_operation(UpscaleModel(), Image(rgba), {"scale": 2, "model": entry.name}, tile_size=32)
    out = rec.image.pixels
    assert out.shape == (rgba.shape[0] * 2, rgba.shape[1] * 2, 4) and out.dtype == np.uint8
    assert rec.result.report["native_scale"] == native and rec.result.report["device"] == "cpu"
    assert out[..., 3].min() == 255


def test_model_tiled_equals_untiled(tmp_path):
    from packshot.core.context import Context
    from packshot.core.models.inference import run_image_model

    store = open_store()
    entry = store.install(save_tiny("esrgan", tmp_path / "rrdb.safetensors"))
    model = store.load(entry.name, "cpu")
    pixels = photo("astronaut", 80).pixels
    whole = run_image_model(model, pixels, Context(device="cpu"), tile=512).pixels.astype(float)
    tiled = run_image_model(model, pixels, Context(device="cpu"), tile=32, overlap=8).pixels.astype(float)
    assert np.abs(whole - tiled).mean() < 0.1 and np.abs(whole - tiled).max() <= 2


@pytest.mark.parametrize("kind", ["opencv-superres", "spandrel"])
def test_parallel_jobs_sharing_a_cached_network_match_a_serial_run(tmp_path, kind, serial_and_parallel):
    """A cached network serves one job at a time: four CPU jobs at once used to corrupt each
    other's pictures through one OpenCV network (outputs up to 247 levels off)."""
    from packshot.core.context import Context
    from packshot.core.jobs import execute
    from packshot.core.models import ModelStore
    from packshot.core.models.tiny import save_tiny_opencv_sr
    from packshot.core.operation import Inputs

    if kind == "opencv-superres":
        weights = save_tiny_opencv_sr(tmp_path / "tiny_sr.pb")
        entry = {"architecture": "ESPCN", "scale": 2}
    else:
        weights = save_tiny("compact", tmp_path / "tiny_sr.safetensors")
        entry = {"architecture": "Compact", "scale": 2}
    store = ModelStore(tmp_path / "models", [{"name": "tiny-sr", "file": weights.name, "loader": kind,
                                              "task": "upscale", **entry}])
    store.install(weights)
    rng = np.random.default_rng(1)
    pictures = [Image((rng.random((96, 128, 3)) * 255).astype(np.uint8)) for _ in range(12)]

    def job(picture):
        ctx = Context(device="cpu", models=store, tile_size=64)
        return execute(UpscaleModel(), Inputs(picture), {"scale": 2, "model": "tiny-sr"}, ctx).image.pixels

    serial, parallel = serial_and_parallel(job, pictures)
    assert serial[0].shape == (192, 256, 3) and serial[0].std() > 5  # a picture, not a blank
    assert [int(np.abs(a.astype(int) - b).max()) for a, b in zip(serial, parallel)] == [0] * 36
    assert store.loaded() == ["tiny-sr"]


def test_an_opencv_network_asked_for_another_scale_resizes_each_tile(tmp_path):
    """A 2x OpenCV network asked for 3x runs at 2x and resizes its tiles to 3x (this path called
    ``resize`` with the old (w, h) arguments after core.resample, a TypeError)."""
    from packshot.core.context import Context
    from packshot.core.jobs import execute
    from packshot.core.models import ModelStore
    from packshot.core.models.tiny import save_tiny_opencv_sr
    from packshot.core.operation import Inputs

    weights = save_tiny_opencv_sr(tmp_path / "tiny_sr.pb")
    store = ModelStore(tmp_path / "models", [{"name": "tiny-sr", "file": weights.name, "loader": "opencv-superres",
                                              "task": "upscale", "architecture": "ESPCN", "scale": 2}])
    store.install(weights)
    picture = Image((np.random.default_rng(2).random((48, 64, 3)) * 255).astype(np.uint8))
    ctx = Context(device="cpu", models=store, tile_size=32)
    at_two = execute(UpscaleModel(), Inputs(picture), {"scale": 2, "model": "tiny-sr"}, ctx).image.pixels
    at_three = execute(UpscaleModel(), Inputs(picture), {"scale": 3, "model": "tiny-sr"}, ctx).image.pixels
    assert at_three.shape == (144, 192, 3) and at_three.std() > 5
    # the same network's output, only resampled: its 2x result resized to 3x is close
    resized = np.asarray(PILImage.fromarray(at_two).resize((192, 144), PILImage.Resampling.LANCZOS), float)
    assert np.abs(resized - at_three).mean() < 12
