"""Weights load without running code from the file; refusals say why."""

from __future__ import annotations

import pickle

import pytest
import torch

from packshot.core.errors import BadInput
from packshot.core.models.safe_load import load_spandrel, read_state_dict
from packshot.core.models.tiny import save_tiny


class _Payload:
    """Unpickling this would call os.system: the attack weights_only must stop."""

    def __reduce__(self):
        import os

        return (os.system, ("touch PWNED",))


def test_pickled_payload_is_refused_and_never_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "evil.pth"
    torch.save({"weight": torch.zeros(2), "hook": _Payload()}, bad)
    with pytest.raises(BadInput, match="refused.*pickled Python object"):
        read_state_dict(bad)
    assert not (tmp_path / "PWNED").exists()


def test_plain_pickle_file_is_refused(tmp_path):
    bad = tmp_path / "raw.pt"
    bad.write_bytes(pickle.dumps(_Payload()))
    with pytest.raises(BadInput, match="refused"):
        read_state_dict(bad)


@pytest.mark.parametrize("suffix", [".pth", ".safetensors"])
def test_tiny_checkpoint_is_recognised(tmp_path, suffix):
    d = load_spandrel(save_tiny("compact", tmp_path / f"c{suffix}"))
    assert (d.architecture.name, d.scale, d.purpose) == ("RealESRGAN Compact", 2, "SR")


def test_unknown_architecture_and_format_get_clear_errors(tmp_path):
    odd = tmp_path / "odd.safetensors"
    from safetensors.torch import save_file

    save_file({"nothing.like.a.net": torch.zeros(3)}, str(odd))
    with pytest.raises(BadInput, match="does not recognise"):
        load_spandrel(odd)
    txt = tmp_path / "model.onnx"
    txt.write_bytes(b"x")
    with pytest.raises(BadInput, match="unknown weights format"):
        read_state_dict(txt)
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"\x00" * 10)
    with pytest.raises(BadInput, match="not a readable"):
        read_state_dict(broken)


def test_torchscript_archive_gives_its_tensors(tmp_path):
    net = torch.nn.Conv2d(3, 3, 3)
    path = tmp_path / "scripted.pt"
    torch.jit.script(net).save(str(path))
    state = read_state_dict(path)
    assert set(state) == {"weight", "bias"} and torch.equal(state["weight"], net.weight)
