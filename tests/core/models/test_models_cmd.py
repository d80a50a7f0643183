"""``packshot models`` as a person types it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from packshot.core.cli import main
from packshot.core.models.tiny import save_tiny

WEIGHTS = Path(__file__).resolve().parents[3] / ".." / "shared" / "weights"


def test_list_install_list(tmp_path, capsys):
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "missing   fsrcnn_x2" in out and "packshot models download" in out
    tiny = save_tiny("compact", tmp_path / "my_sharp_2x.safetensors")
    assert main(["models", "install", str(tiny)]) == 0
    assert "installed custom model 'my-sharp-2x'" in capsys.readouterr().out
    assert main(["models", "list", "--installed"]) == 0
    assert "installed my-sharp-2x" in capsys.readouterr().out.replace("  ", " ").replace("  ", " ")


@pytest.mark.skipif(not (WEIGHTS / "FSRCNN_x2.pb").exists(), reason="../shared/weights is absent")
def test_install_real_weights_and_refuse_a_tampered_copy(tmp_path, capsys):
    assert main(["models", "install", str(WEIGHTS / "FSRCNN_x2.pb")]) == 0
    assert "checksum verified" in capsys.readouterr().out
    tampered = tmp_path / "ESPCN_x2.pb"
    shutil.copyfile(WEIGHTS / "ESPCN_x2.pb", tampered)
    with open(tampered, "r+b") as fh:
        fh.seek(5000)
        fh.write(b"\x00\x01\x02")
    assert main(["models", "install", str(tampered)]) == 2
    assert "checksum mismatch for model 'espcn_x2'" in capsys.readouterr().err


def test_download_of_unknown_model_is_one_line(capsys):
    assert main(["models", "download", "no-such-model"]) == 2
    assert "unknown model 'no-such-model'" in capsys.readouterr().err
