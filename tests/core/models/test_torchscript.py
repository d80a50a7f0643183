"""TorchScript archives: their tensors are read, their code never runs (issue 12.1)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image as PILImage

from packshot.core.cli import main
from packshot.core.errors import BadInput
from packshot.core.models.safe_load import read_state_dict


class Evil(torch.nn.Module):
    """Loading this with torch.jit.load creates the file named by ``marker``."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.zeros(3, 3, 3, 3))
        self.marker = marker

    def forward(self, x):
        return torch.nn.functional.conv2d(x, self.weight)

    @torch.jit.export
    def __getstate__(self) -> tuple[str, bool, torch.Tensor]:
        return (self.marker, self.training, self.weight)

    @torch.jit.export
    def __setstate__(self, state: tuple[str, bool, torch.Tensor]) -> None:
        self.marker = state[0]
        self.training = state[1]
        self.weight = state[2] + torch.from_file(state[0], shared=True, size=1).sum() * 0


class Plain(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4))
        self.register_buffer("gain", torch.full((4,), 2.0))
        self.scratch = torch.zeros(1)  # a plain attribute: not in state_dict()

    def forward(self, x):
        return self.body(x) * self.gain[None, :, None, None] + self.scratch


def _script(module: torch.nn.Module, path: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.script(module).save(str(path))
    return path


def test_the_payload_is_live_under_torch_jit_load(tmp_path):
    """The control: TorchScript's own loader runs the file's code."""
    marker = tmp_path / "control-marker"
    torch.jit.load(str(_script(Evil(str(marker)), tmp_path / "control.pt")))
    assert marker.exists()


@pytest.mark.parametrize("scripted", [True, False])
def test_tensors_match_what_torchscript_would_give(tmp_path, scripted):
    net = Plain().eval()
    path = tmp_path / "plain.pt"
    if scripted:
        _script(net, path)
    else:
        torch.jit.trace(net, torch.rand(1, 3, 8, 8)).save(str(path))
    state = read_state_dict(path)
    expected = torch.jit.load(str(path)).state_dict()
    assert sorted(state) == sorted(expected)
    assert all(torch.equal(state[k], expected[k]) for k in expected)


def test_install_refuses_a_torchscript_payload_without_running_it(tmp_path, capsys):
    marker = tmp_path / "marker"
    evil = _script(Evil(str(marker)), tmp_path / "evil.pt")
    with pytest.raises(BadInput, match="__setstate__"):
        read_state_dict(evil)
    assert main(["models", "install", str(evil)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "never runs" in err, err
    assert not marker.exists()


def test_a_model_operation_refuses_a_payload_placed_in_the_models_folder(tmp_path, packshot_home, capsys):
    """A file dropped in under a catalogue name without a checksum (MAT) is read by an op."""
    marker = tmp_path / "marker"
    _script(Evil(str(marker)), packshot_home / "models" / "Places_512_FullData_G.pth")
    photo, mask = tmp_path / "in.png", tmp_path / "mask.png"
    PILImage.fromarray(np.full((32, 32, 3), 128, np.uint8)).save(photo)
    hole = np.zeros((32, 32), np.uint8)
    hole[10:20, 10:20] = 255
    PILImage.fromarray(hole).save(mask)
    out = tmp_path / "out.png"
    code = main(["apply", str(photo), "-o", str(out), "--op", "repair.inpaint_model",
                 "--set", "model=mat", "--mask", str(mask), "--quiet"])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1, err
    assert not marker.exists() and not out.exists()
