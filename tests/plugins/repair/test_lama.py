"""The model tier: LaMa- and MAT-architecture checkpoints with random weights, made here,
go through the model store and spandrel into repair.inpaint_model."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.context import Context
from packshot.core.errors import MissingModel
from packshot.core.image import from_array
from packshot.core.operation import Inputs
from packshot.core.plugin_host import load_plugins

pytestmark = pytest.mark.slow


def _random_network(kind: str, path):
    """LaMa and MAT have no size knobs: the real architectures (51 M and 63 M parameters)
    with random weights, saved as .safetensors."""
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(0)
    if kind == "lama":
        from spandrel.architectures.LaMa import LaMa

        network = LaMa(in_nc=4, out_nc=3)
    else:
        from spandrel_extra_arches.architectures.MAT import MAT

        network = MAT()
    save_file({k: v.contiguous() for k, v in network.state_dict().items()}, str(path))
    return path


@pytest.mark.parametrize("kind,name,architecture", [("lama", "big-lama", "LaMa"),
                                                    ("mat", "mat-places512", "MAT")])
def test_random_weight_network_loads_through_the_store_and_fills_only_the_hole(
        kind, name, architecture, packshot_model_store, tmp_path):
    from skimage import data

    weights = _random_network(kind, tmp_path / f"{name}.safetensors")
    entry = {"name": name, "file": f"{name}.safetensors", "family": "repair", "task": "inpaint",
             "architecture": architecture, "loader": "spandrel", "verified": False}
    store = packshot_model_store(entry)
    store.install(weights, name=name)
    assert store.is_installed(name)

    rgb = data.astronaut()[::4, ::4]
    mask = np.zeros(rgb.shape[:2], np.float32)
    mask[40:60, 50:70] = 1.0
    op = load_plugins().operation("repair.inpaint_model")
    result = op.run(Inputs(from_array(rgb), mask), op.validate({"model": kind}),
                    Context(models=store, device="cpu"))
    out = result.image.pixels
    hole = mask > 0
    assert result.report["model"] == name and result.report["regions"] == 1
    assert np.array_equal(out[~hole], rgb[~hole])
    assert not np.array_equal(out[hole], rgb[hole])
    assert store.loaded() == [name]


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
