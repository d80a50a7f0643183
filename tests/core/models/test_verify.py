"""A file is what its catalogue entry says, custom files land under the right task, and
``auto`` follows the catalogue's rank (issue 12.1, issue 14 bugs 1-5), with tiny networks."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest

from packshot.core.cli import main
from packshot.core.errors import BadInput, BadParameter
from packshot.core.models import ModelStore
from packshot.core.models.choice import choose
from packshot.core.models.tiny import save_tiny
from packshot.testing import photo, run_operation

DENOISER = {"name": "fdn", "file": "fdn.pth", "family": "enhance", "task": "denoise",
            "architecture": "DnCNN", "loader": "spandrel", "scale": 1, "channels": 3,
            "url": "http://127.0.0.1:9/fdn.pth", "verified": False}


def _store(tmp_path: Path, *entries: dict) -> ModelStore:
    return ModelStore(tmp_path / "models", entries or [DENOISER])


def test_a_network_of_another_kind_is_refused_under_an_unchecksummed_name(tmp_path):
    store = _store(tmp_path)
    sr = save_tiny("compact", tmp_path / "fdn.pth")
    with pytest.raises(BadInput, match="this is a 2x RealESRGAN Compact super-resolution network, "
                                       "not a DnCNN denoiser; not installed as 'fdn'"):
        store.install(sr)  # matched by its file name
    with pytest.raises(BadInput, match="super-resolution network, not a DnCNN denoiser"):
        store.install(sr, name="fdn")
    assert not (store.folder / "fdn.pth").exists() and not store.is_installed("fdn")
    assert store.install(save_tiny("dncnn", tmp_path / "right.pth"), name="fdn").name == "fdn"
    assert store.is_installed("fdn")


def test_a_wrong_file_put_in_by_hand_is_refused_when_loaded(tmp_path):
    store = _store(tmp_path)
    store.folder.mkdir(parents=True)
    save_tiny("compact", store.folder / "fdn.pth")
    with pytest.raises(BadInput, match="this is a 2x RealESRGAN Compact .* cannot run as 'fdn'"):
        store.load("fdn", "cpu")


def test_restoration_refuses_a_network_that_changes_the_size(tmp_path):
    """It used to resize a 2x network's output back and call that denoising."""
    odd = {**DENOISER, "name": "odd", "file": "odd.pth", "architecture": "Compact", "scale": 2}
    store = _store(tmp_path, odd)
    store.install(save_tiny("compact", tmp_path / "odd.pth"))
    from packshot.plugins.enhance.denoise_model import DenoiseModel

    rec = run_operation(DenoiseModel(), photo("coffee", 32), {"model": "odd"}, models=store)
    assert isinstance(rec.error, BadParameter) and "enlarges 2x" in str(rec.error)


def test_a_denoiser_lands_under_denoise_and_task_overrides(tmp_path):
    store = _store(tmp_path)
    assert store.install(save_tiny("dncnn", tmp_path / "dn.safetensors")).task == "denoise"
    assert store.install(save_tiny("dncnn", tmp_path / "jpeg.safetensors"), task="restore").task == "restore"
    assert store.install(save_tiny("compact", tmp_path / "sr.pth")).task == "upscale"
    with pytest.raises(BadInput, match="2x RealESRGAN Compact .* it enlarges 2x, so it cannot denoise"):
        store.install(save_tiny("compact", tmp_path / "sr2.pth"), task="denoise")
    with pytest.raises(BadInput, match="cutout models are ONNX graphs"):
        store.install(save_tiny("dncnn", tmp_path / "dn2.pth"), task="cutout")


def test_the_cli_files_a_denoiser_under_denoise_and_the_denoiser_runs_it(tmp_path, capsys):
    dn = save_tiny("dncnn", tmp_path / "my_denoiser.safetensors")
    assert main(["models", "install", str(dn)]) == 0
    assert "for denoise" in capsys.readouterr().out
    rec = run_operation(_op("enhance.denoise_model"), photo("coffee", 32), {})
    assert rec.error is None and rec.result.report["model"] == "my-denoiser"
    assert rec.result.report["model_choice"].startswith("auto")
    rec = run_operation(_op("enhance.restore"), photo("coffee", 32), {})
    assert "no restore model is installed" in str(rec.error)
    assert main(["models", "install", str(dn), "--name", "as-jpeg", "--task", "restore"]) == 0


def test_auto_follows_the_rank_not_the_alphabet(tmp_path):
    base = {"family": "enhance", "task": "upscale", "architecture": "Compact", "loader": "spandrel",
            "scale": 2, "verified": False}
    store = _store(tmp_path, {**base, "name": "a-gan", "file": "a.pth", "rank": 20},
                   {**base, "name": "b-psnr", "file": "b.pth", "rank": 60})
    for name in ("a", "b"):
        store.install(save_tiny("compact", tmp_path / f"{name}.pth", seed=ord(name)))
    assert choose(store, "upscale").name == "b-psnr"
    assert choose(store, "upscale", "a-gan").name == "a-gan"
    with pytest.raises(BadParameter, match="'b-psnr' is a upscale model, not a denoise model"):
        choose(store, "denoise", "b-psnr")
    custom = store.install(save_tiny("compact", tmp_path / "mine.pth", seed=3), rank=70)
    assert choose(store, "upscale").name == custom.name


def test_junk_onnx_is_refused_under_its_catalogue_name(tmp_path, capsys):
    junk = tmp_path / "u2netp.onnx"
    junk.write_bytes(b"\x08\x07" + os.urandom(4000))
    assert main(["models", "install", str(junk)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "checksum mismatch for model 'u2netp'" in err
    assert "not a network any reader here recognises" in err
    assert main(["models", "install", str(junk), "--name", "junk", "--task", "cutout"]) == 2
    assert "not a readable ONNX model" in capsys.readouterr().err


def _tiny_onnx(path: Path, in_channels: int = 3) -> Path:
    import torch

    net = torch.nn.Sequential(torch.nn.Conv2d(in_channels, 4, 3, padding=1), torch.nn.ReLU(),
                              torch.nn.Conv2d(4, 1, 3, padding=1)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(net, torch.zeros(1, in_channels, 64, 64), str(path), input_names=["input"],
                          output_names=["out"], dynamo=False)
    return path


def test_custom_onnx_models_for_cutout_and_text(tmp_path, capsys):
    onnx = _tiny_onnx(tmp_path / "my_matte.onnx")
    assert main(["models", "install", str(onnx)]) == 2
    assert "needs --task cutout or --task text" in capsys.readouterr().err
    assert main(["models", "install", str(onnx), "--task", "cutout"]) == 0
    assert main(["models", "install", str(onnx), "--name", "my-text", "--task", "text"]) == 0
    grey = _tiny_onnx(tmp_path / "grey.onnx", in_channels=1)
    assert main(["models", "install", str(grey), "--task", "cutout"]) == 2
    assert "its input is 1x1x64x64, not an RGB batch" in capsys.readouterr().err
    from packshot.core.models import open_store

    store = open_store()
    assert store.entry("my-matte").task == "cutout" and store.entry("my-text").task == "text"
    rgb = photo("coffee", 48).rgb()
    rec = run_operation(_op("cutout.remove_background_model"), photo("coffee", 48), {"refine_edges": False})
    assert rec.error is None and rec.result.report["model"] == "my-matte"
    assert rec.result.mask.shape == rgb.shape[:2]


def _op(op_id: str):
    from packshot.core.plugin_host import load_plugins

    return load_plugins(disabled=()).operation(op_id)



def test_with_nothing_installed_the_hint_names_the_best_ranked_model():
    from packshot.core.errors import MissingModel
    from packshot.core.models import open_store

    store = open_store()
    with pytest.raises(MissingModel, match="packshot models download craft-team34-x4"):
        choose(store, "upscale")  # best measured, not the light OpenCV networks
    with pytest.raises(MissingModel, match=r"models install FILE \(a copy of ch_PP-OCRv4_det_infer.onnx"):
        choose(store, "text")  # no download address: the file ships inside a wheel


@pytest.mark.slow
def test_a_custom_inpainting_network_lands_under_inpaint_and_auto_runs_it(tmp_path):
    """Inpaint is not hard-wired to big-lama/mat-places512 (LaMa with random weights, 51 M)."""
    import numpy as np
    import torch
    from safetensors.torch import save_file
    from spandrel.architectures.LaMa import LaMa

    from packshot.core.models import open_store

    torch.manual_seed(0)
    path = tmp_path / "shop_fill.safetensors"
    save_file({k: v.contiguous() for k, v in LaMa(in_nc=4, out_nc=3).state_dict().items()}, str(path))
    entry = open_store().install(path)
    assert entry.custom and entry.task == "inpaint" and entry.family == "repair"
    rgb = photo("coffee", 64)
    mask = np.zeros(rgb.pixels.shape[:2], np.float32)
    mask[20:30, 20:30] = 1.0
    rec = run_operation(_op("repair.inpaint_model"), rgb, {}, mask=mask)
    assert rec.error is None and rec.result.report["model"] == "shop-fill"
