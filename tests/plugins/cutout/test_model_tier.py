"""The model tier's real loading path, with tiny random-weight ONNX networks made here."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from packshot.core.context import Context
from packshot.core.errors import MissingModel
from packshot.core.image import from_array
from packshot.core.synthetic import studio_shot

torch = pytest.importorskip("torch")
pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")


class TinySaliency(torch.nn.Module):
    """Same contract as U²-Net/BiRefNet: 1x3xHxW normalised RGB in, 1x1xHxW map out."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.body = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(),
                                        torch.nn.Conv2d(8, 1, 3, padding=1))

    def forward(self, x):
        return self.body(x)


@pytest.fixture(autouse=True)
def _quiet_exporter(recwarn):
    """The TorchScript exporter warns that it is legacy; it needs no onnxscript."""


def _tiny_store() -> Context:
    """The catalogue's cut-out entries without their checksums: the tiny networks stand in
    for the real files under their names (the real files are tested in tests/core/models)."""
    from packshot.core.models import ModelStore
    from packshot.core.resources import model_catalogue

    entries = [{**e, "sha256": "", "size": 0, "md5": ""} for e in model_catalogue("cutout.toml")]
    return Context(device="cpu", models=ModelStore(os.environ["PACKSHOT_MODELS_DIR"], entries))


def _export(name: str, size: int = 64) -> TinySaliency:
    net = TinySaliency().eval()
    path = Path(os.environ["PACKSHOT_MODELS_DIR"]) / name
    torch.onnx.export(net, torch.zeros(1, 3, size, size), str(path), input_names=["input.1"],
                      output_names=["out"], dynamo=False)
    return net


def _expected(net, rgb, size, mean, std, post):
    import cv2

    x = cv2.resize(rgb, (size, size), interpolation=cv2.INTER_AREA)
    x = (x - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    with torch.no_grad():
        pred = net(torch.from_numpy(x.transpose(2, 0, 1)[None].copy()))[0, 0].numpy()
    pred = 1 / (1 + np.exp(-pred)) if post == "sigmoid" else (pred - pred.min()) / (pred.max() - pred.min())
    return cv2.resize(pred, (rgb.shape[1], rgb.shape[0]), interpolation=cv2.INTER_LINEAR)


@pytest.mark.parametrize(("model", "file", "post", "mean", "std"), [
    ("u2netp", "u2netp.onnx", "minmax", (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    ("birefnet-general", "BiRefNet-general-epoch_244.onnx", "sigmoid",
     (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    ("isnet-general-use", "isnet-general-use.onnx", "minmax", (0.5, 0.5, 0.5), (1, 1, 1)),
])
def test_installed_onnx_network_runs_from_file_to_pixels(run_op, model, file, post, mean, std):
    net = _export(file)
    rgb = from_array(studio_shot(90, 120, shape="ball")[0]).rgb()  # what the operation sees
    result = run_op("cutout.remove_background_model", rgb, {"model": model, "refine_edges": False},
                    ctx=_tiny_store())
    expected = _expected(net, rgb, 64, mean, std, post)
    assert result.image.pixels.shape == (90, 120, 4)
    assert np.abs(result.mask - expected).max() < 1e-3
    assert np.abs(result.image.alpha() - expected).max() <= 1 / 255 + 1e-3


def test_refined_edges_stay_within_the_network_band(run_op):
    _export("u2netp.onnx")
    rgb, _ = studio_shot(90, 120, shape="ball")
    result = run_op("cutout.remove_background_model", rgb, {"model": "u2netp"}, ctx=_tiny_store())
    assert result.mask.shape == (90, 120)
    assert 0.0 <= result.mask.min() and result.mask.max() <= 1.0


def test_missing_model_says_what_to_install(run_op):
    rgb, _ = studio_shot(60, 80)
    with pytest.raises(MissingModel, match="packshot models download birefnet-general"):
        run_op("cutout.remove_background_model", rgb)


def test_the_model_store_caches_the_session_and_parallel_jobs_match_serial(run_op, serial_and_parallel):
    """One cache of loaded models: the session lives in the store (freed by release), and
    jobs sharing it give the pictures a serial run gives."""
    _export("u2netp.onnx")
    store = _tiny_store().models
    shots = [studio_shot(60 + 8 * i, 80, shape="ball")[0] for i in range(4)]

    def job(rgb):
        return run_op("cutout.remove_background_model", rgb, {"model": "u2netp", "refine_edges": False},
                      ctx=Context(device="cpu", models=store)).mask

    serial, parallel = serial_and_parallel(job, shots)
    assert all(np.array_equal(a, b) for a, b in zip(serial, parallel))
    assert store.loaded() == ["u2netp"]
    store.release()
    assert store.loaded() == []
