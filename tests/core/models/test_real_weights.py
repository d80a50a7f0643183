"""The real pretrained files in ../shared/weights, installed as a person would (issue 14).

Each lands under the right task and 'auto' picks it; wrong files are refused naming what
they are. Small crops keep it fast.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from packshot.core.cli import main
from packshot.core.models import open_store
from packshot.core.models.choice import choose
from packshot.testing import photo

WEIGHTS = Path(__file__).resolve().parents[3] / ".." / "shared" / "weights"
pytestmark = pytest.mark.skipif(not (WEIGHTS / "SHA256SUMS").exists(),
                                reason="../shared/weights (real pretrained networks) is absent")

REAL = [("u2netp.onnx", "u2netp", "cutout"),
        ("ch_PP-OCRv4_det_infer.onnx", "ppocr-v4-det", "text"),
        ("dncnn_25.pth", "dncnn-25", "denoise"),
        ("DITN_Real_x4.pth", "ditn-real-x4", "upscale"),
        ("DITN_Real_GAN_x4.pth", "ditn-real-gan-x4", "upscale"),
        ("team34_craft.pth", "craft-team34-x4", "upscale"),
        ("FSRCNN_x2.pb", "fsrcnn_x2", "upscale")]


@pytest.mark.parametrize(("file", "name", "task"), REAL)
def test_each_real_file_installs_under_its_task_and_auto_picks_it(file, name, task, capsys):
    assert main(["models", "install", str(WEIGHTS / file)]) == 0
    out = capsys.readouterr().out
    assert f"model {name!r}" in out and f"for {task}" in out and "checksum verified" in out
    store = open_store()
    assert store.is_installed(name) and store.entry(name).task == task
    assert choose(store, task).name == name


def test_a_renamed_genuine_file_is_recognised_by_its_checksum(tmp_path):
    renamed = tmp_path / "background-model.onnx"
    shutil.copyfile(WEIGHTS / "u2netp.onnx", renamed)
    assert open_store().install(renamed).name == "u2netp"


def test_a_real_network_under_the_wrong_catalogue_name_is_refused_naming_it(capsys):
    assert main(["models", "install", str(WEIGHTS / "realesr-animevideov3.pth"),
                 "--name", "fdncnn-color"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert ("this is a 4x RealESRGAN Compact super-resolution network, not a DnCNN denoiser; "
            "not installed as 'fdncnn-color'") in err
    assert not open_store().is_installed("fdncnn-color")


def test_a_copy_that_differs_from_the_published_file_is_refused_then_installs_as_custom(capsys):
    """This anime model is a re-zipped copy, not the release asset byte for byte."""
    file = str(WEIGHTS / "realesr-animevideov3.pth")
    assert main(["models", "install", file]) == 2
    err = capsys.readouterr().err
    assert "checksum mismatch for model 'realesr-animevideov3'" in err
    assert "this file is a 4x RealESRGAN Compact super-resolution network" in err
    assert main(["models", "install", file, "--name", "anime-copy"]) == 0
    entry = open_store().entry("anime-copy")
    assert entry.custom and entry.task == "upscale" and entry.scale == 4


def test_the_gan_twin_is_not_picked_over_the_psnr_ditn(tmp_path, capsys):
    for file in ("DITN_Real_GAN_x4.pth", "DITN_Real_x4.pth"):
        assert main(["models", "install", str(WEIGHTS / file)]) == 0
    truth = photo("astronaut", 96).pixels.astype(np.float64)
    low = np.asarray(PILImage.fromarray(truth.astype(np.uint8)).resize((48, 48), PILImage.BICUBIC))
    src = tmp_path / "low.png"
    PILImage.fromarray(low).save(src)
    scores = {}
    for model in ("auto", "ditn-real-gan-x4"):
        out = tmp_path / f"{model}.png"
        capsys.readouterr()
        assert main(["apply", str(src), "-o", str(out), "--op", "enhance.upscale_model",
                     "--set", "scale=2", "--set", f"model={model}", "--quiet"]) == 0
        report = _report(capsys.readouterr().err, "enhance.upscale_model")
        got = np.asarray(PILImage.open(out)).astype(np.float64)
        scores[report["model"]] = 10 * np.log10(255.0 ** 2 / np.mean((got - truth) ** 2))
        if model == "auto":
            assert report["model"] == "ditn-real-x4" and report["model_choice"].startswith("auto")
    # measured here: 26.8 dB against 19.9 dB for the GAN twin on this crop
    assert scores["ditn-real-x4"] > scores["ditn-real-gan-x4"] + 3


def test_dncnn_lands_under_denoise_and_the_denoiser_runs_it(tmp_path, capsys):
    assert main(["models", "install", str(WEIGHTS / "dncnn_25.pth")]) == 0
    truth = photo("coffee", 64).pixels.astype(np.float64)
    noisy = np.clip(truth + np.random.default_rng(1).normal(0, 25, truth.shape), 0, 255).astype(np.uint8)
    src, out = tmp_path / "noisy.png", tmp_path / "clean.png"
    PILImage.fromarray(noisy).save(src)
    capsys.readouterr()
    assert main(["apply", str(src), "-o", str(out), "--op", "enhance.denoise_model", "--quiet"]) == 0
    assert _report(capsys.readouterr().err, "enhance.denoise_model")["model"] == "dncnn-25"
    clean = np.asarray(PILImage.open(out)).astype(np.float64)

    def psnr(a):
        return 10 * np.log10(255.0 ** 2 / np.mean((a - truth) ** 2))

    assert psnr(clean) > psnr(noisy) + 5  # sigma 25 is what it was trained for


def test_spandrel_loads_print_nothing_on_stderr():
    """torch's deprecation notes (jit.script, meshgrid) are filtered where spandrel loads."""
    code = ("from packshot.core.models.safe_load import load_spandrel; import sys; "
            "[load_spandrel(p) for p in sys.argv[1:]]")
    files = [str(WEIGHTS / f) for f in ("DITN_Real_x4.pth", "team34_craft.pth", "dncnn_25.pth")]
    run = subprocess.run([sys.executable, "-c", code, *files], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0 and run.stderr == ""


def _report(err: str, op_id: str) -> dict:
    line = next(ln for ln in err.splitlines() if ln.startswith(f"{op_id}: {{"))
    return json.loads(line.split(": ", 1)[1])


def test_a_catalogue_file_under_another_catalogue_name_says_which_it_is(capsys):
    assert main(["models", "install", str(WEIGHTS / "DITN_Real_GAN_x4.pth"),
                 "--name", "ditn-real-x4"]) == 2
    assert "this is model 'ditn-real-gan-x4'" in capsys.readouterr().err


def test_the_cutout_operation_uses_the_installed_u2netp_not_a_missing_default(tmp_path, capsys):
    from packshot.core.synthetic import studio_shot

    assert main(["models", "install", str(WEIGHTS / "u2netp.onnx")]) == 0
    rgb, truth = studio_shot(160, 200, shape="bottle")
    src, out = tmp_path / "shot.png", tmp_path / "cut.png"
    PILImage.fromarray((rgb * 255).round().astype(np.uint8)).save(src)
    capsys.readouterr()
    assert main(["apply", str(src), "-o", str(out), "--op", "cutout.remove_background_model",
                 "--set", "refine_edges=false", "--quiet"]) == 0
    assert _report(capsys.readouterr().err, "cutout.remove_background_model")["model"] == "u2netp"
    alpha = np.asarray(PILImage.open(out))[..., 3] > 127
    iou = (alpha & (truth > 0.5)).sum() / (alpha | (truth > 0.5)).sum()
    assert iou > 0.97, iou
