"""Denoising: the built-in beats scikit-image's non-local means; networks get their level map."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.image import Image
from packshot.core.models import open_store
from packshot.plugins.enhance.denoise import Denoise
from packshot.plugins.enhance.denoise_model import DenoiseModel
from packshot.testing import photo, run_operation


def _crop(name: str, side: int = 128) -> np.ndarray:
    p = photo(name, max_side=None).pixels
    h, w = p.shape[:2]
    return p[(h - side) // 2:(h + side) // 2, (w - side) // 2:(w + side) // 2].astype(np.float32) / 255


def _noisy(clean: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(clean + rng.normal(0, sigma / 255, clean.shape), 0, 1).astype(np.float32)


def _psnr(a, b) -> float:
    from skimage.metrics import peak_signal_noise_ratio

    return peak_signal_noise_ratio(a, b, data_range=1.0)


@pytest.mark.parametrize("sigma", [15, 25, 50])
@pytest.mark.parametrize("name", ["astronaut", "coffee"])
def test_builtin_beats_nl_means(name, sigma):
    from skimage.restoration import denoise_nl_means, estimate_sigma

    clean = _crop(name)
    noisy = _noisy(clean, sigma)
    est = float(np.mean(estimate_sigma(noisy, channel_axis=-1)))
    peer = denoise_nl_means(noisy, h=0.8 * est, sigma=est, fast_mode=True, patch_size=5,
                            patch_distance=6, channel_axis=-1)
    rec = run_operation(Denoise(), Image((noisy * 65535 + 0.5).astype(np.uint16)), {}, tile_size=256)
    ours = rec.image.as_float()
    assert rec.result.report["estimated"]
    assert _psnr(clean, ours) > _psnr(clean, peer) + 0.3
    assert _psnr(clean, ours) > _psnr(clean, noisy) + 5


def test_quality_levels_trade_time_for_psnr():
    clean = _crop("astronaut")
    noisy = Image((_noisy(clean, 25) * 255 + 0.5).astype(np.uint8))
    scores = [_psnr(clean, run_operation(Denoise(), noisy, {"quality": q}).image.as_float())
              for q in ("best", "balanced", "fast")]
    assert scores == sorted(scores, reverse=True) and scores[0] - scores[-1] > 0.2


def test_tiles_give_the_result_of_one_piece():
    """Tiles read a margin wide enough that where they are cut never shows."""
    noisy = Image((_noisy(_crop("coffee", 100)[:, :90], 25) * 65535 + 0.5).astype(np.uint16))
    for quality in ("best", "fast"):
        params = {"quality": quality, "sigma": 25}
        whole = run_operation(Denoise(), noisy, params, tile_size=512).image.pixels.astype(int)
        tiled = run_operation(Denoise(), noisy, params, tile_size=30).image.pixels.astype(int)
        assert np.abs(whole - tiled).max() <= 1


def test_clean_image_is_left_nearly_alone():
    clean = _crop("coffee")
    out = run_operation(Denoise(), Image((clean * 255 + 0.5).astype(np.uint8)), {}).image.as_float()
    assert _psnr(clean, out) > 38


def test_nlm_method_and_manual_sigma():
    clean = _crop("astronaut", 96)
    noisy = _noisy(clean, 25)
    rec = run_operation(Denoise(), Image((noisy * 255 + 0.5).astype(np.uint8)),
                        {"method": "nlm", "sigma": 25})
    assert rec.result.report["sigma_8bit"] == 25
    assert _psnr(clean, rec.image.as_float()) > _psnr(clean, noisy) + 4


def _fdncnn(path):
    import torch
    from safetensors.torch import save_file
    from spandrel.architectures.DnCNN import DnCNN

    torch.manual_seed(0)
    net = DnCNN(in_nc=4, out_nc=3, nc=8, nb=9, act_mode="R", mode="FDnCNN")
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(path))
    return path


def test_fdncnn_gets_the_noise_level_asked_for(tmp_path):
    from packshot.core.context import Context
    from packshot.core.models import store_for

    store = store_for(Context())  # the store the job runner's operations use
    entry = store.install(_fdncnn(tmp_path / "fdncnn_tiny.safetensors"))
    assert "FDnCNN" in entry.notes
    seen: list[tuple[int, float]] = []
    net = store.load(entry.name, "cpu").model
    net.register_forward_pre_hook(lambda m, args: seen.append((args[0].shape[1], float(args[0][:, 3].mean()))))
    img = Image((_crop("coffee", 64) * 255).astype(np.uint8))
    for level in (5, 60):
        rec = run_operation(DenoiseModel(), img, {"model": entry.name, "noise_level": level})
        assert rec.result.report["noise_level_8bit"] == level
        assert rec.image.pixels.shape == img.pixels.shape
    assert [c for c, _ in seen] == [4, 4]
    assert np.allclose([v * 255 for _, v in seen], [5, 60], atol=1e-3)


def test_dncnn_denoise_model_runs_16_bit(tmp_path):
    from packshot.core.models.tiny import save_tiny

    entry = open_store().install(save_tiny("dncnn", tmp_path / "dncnn_tiny.pth"))
    img = Image((_crop("astronaut", 64) * 65535).astype(np.uint16))
    rec = run_operation(DenoiseModel(), img, {"model": entry.name}, tile_size=32)
    assert rec.image.pixels.dtype == np.uint16 and rec.image.pixels.shape == img.pixels.shape


def test_cancel_stops_the_tile_threads_and_returns_nothing():
    noisy = Image((_noisy(_crop("coffee", 128), 15) * 255 + 0.5).astype(np.uint8))
    rec = run_operation(Denoise(), noisy, {"sigma": 15}, tile_size=24, cancel_at=0.3)
    assert rec.state == "cancelled" and rec.result is None
    assert 0.3 <= max(f for f, _ in rec.progress) < 1.0
