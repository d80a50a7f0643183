"""The model tier: a LaMa-architecture checkpoint with random weights, made here, goes
through the model store and spandrel into repair.inpaint_model."""

from __future__ import annotations

import numpy as np
import pytest

from core.context import Context
from core.errors import MissingModel
from core.image import from_array
from core.operation import Inputs
from core.plugin_host import load_plugins

pytestmark = pytest.mark.slow


def _random_lama(path):
    """LaMa has no size knobs: the real architecture (51 M parameters) with random weights."""
    import torch
    from safetensors.torch import save_file
    from spandrel.architectures.LaMa import LaMa

    torch.manual_seed(0)
    state = {k: v.contiguous() for k, v in LaMa(in_nc=4, out_nc=3).state_dict().items()}
    save_file(state, str(path))
    return path


def test_random_weight_lama_loads_through_the_store_and_fills_only_the_hole(packshot_model_store, tmp_path):
    from skimage import data

    weights = _random_lama(tmp_path / "big-lama.safetensors")
    entry = {"name": "big-lama", "file": "big-lama.safetensors", "family": "repair", "task": "inpaint",
             "architecture": "LaMa", "loader": "spandrel", "verified": False}
    store = packshot_model_store(entry)
    store.install(weights, name="big-lama")
    assert store.is_installed("big-lama")

    rgb = data.astronaut()[::4, ::4]
    mask = np.zeros(rgb.shape[:2], np.float32)
    mask[40:60, 50:70] = 1.0
    op = load_plugins().operation("repair.inpaint_model")
    result = op.run(Inputs(from_array(rgb), mask), op.validate({"model": "lama"}),
                    Context(models=store, device="cpu"))
    out = result.image.pixels
    hole = mask > 0
    assert result.report["model"] == "big-lama" and result.report["regions"] == 1
    assert np.array_equal(out[~hole], rgb[~hole])
    assert not np.array_equal(out[hole], rgb[hole])
    assert store.loaded() == ["big-lama"]


def test_missing_weights_say_what_to_install(packshot_model_store):
    store = packshot_model_store()
    op = load_plugins().operation("repair.inpaint_model")
    rgb = np.zeros((32, 32, 3), np.uint8)
    mask = np.zeros((32, 32), np.float32)
    mask[8:12, 8:12] = 1
    with pytest.raises(MissingModel, match="big-lama"):
        op.run(Inputs(from_array(rgb), mask), op.validate({}), Context(models=store, device="cpu"))


def test_catalogue_lists_lama_and_marks_mat_non_commercial():
    entries = {e["name"]: e for e in load_plugins().model_catalogue()}
    assert entries["big-lama"]["architecture"] == "LaMa"
    assert "non-commercial" in entries["mat-places512"]["licence"].lower()
