"""``packshot demo`` says what it does, removes the sample's dust, passes the shop check it prepares for,
and never replaces a previous run's files without --overwrite."""

from __future__ import annotations

import hashlib
import re

import pytest
from PIL import Image as PILImage

from packshot.core import cli
from packshot.core.cli.demo_cmd import run_demo
from packshot.core.compliance import check_file
from packshot.core.errors import BadInput
from packshot.core.export import find_preset
from packshot.core.plugin_host import load_plugins
from packshot.core.resources import sample_images


@pytest.fixture
def dusty_sample(tmp_path):
    """The bundled dusty box at half size (the suite stays fast; its dust stays visible)."""
    source = next(p for p in sample_images() if p.stem == "box_dusty")
    path = tmp_path / "samples" / source.name
    path.parent.mkdir()
    with PILImage.open(source) as im:
        im.reduce(2).save(path, quality=95)
    return path


def test_the_demo_says_what_it_does_removes_dust_and_passes_its_shop_check(dusty_sample, tmp_path):
    out = tmp_path / "demo"
    out.mkdir()
    lines: list[str] = []
    host = load_plugins()
    assert run_demo([dusty_sample], out, "amazon-main", host=host, say=lines.append) == [True]
    assert lines[0].startswith("Packshot demo: 1 sample photo(s)")
    assert "remove dust" in lines[1] and "cut out" in lines[1] and "amazon-main" in lines[1]
    removed = int(re.search(r"removed (\d+) spot", lines[2]).group(1))
    assert removed >= 3  # the sample's dust (it has six specks at full size)
    output = out / "box_dusty_amazon-main.jpg"
    assert check_file(output, find_preset(host.export_presets(), "amazon-main")).passed
    assert "packshot check --preset amazon-main" in lines[-1]

    digest = hashlib.sha256(output.read_bytes()).hexdigest()
    with pytest.raises(BadInput, match="already exists"):  # a second run refuses before any work
        run_demo([dusty_sample], out, "amazon-main", host=host, say=lines.append)
    assert hashlib.sha256(output.read_bytes()).hexdigest() == digest


def test_a_second_demo_run_into_the_same_folder_is_one_line_without_overwrite(tmp_path, capsys):
    out = tmp_path / "demo"
    out.mkdir()
    for sample in sample_images():
        (out / f"{sample.stem}_amazon-main.jpg").write_bytes(b"first run")
    assert cli.main(["demo", "--out", str(out)]) == 2
    assert "already exists (use --overwrite to replace it)" in capsys.readouterr().err
    assert all((out / f"{s.stem}_amazon-main.jpg").read_bytes() == b"first run" for s in sample_images())


def test_a_check_that_cannot_tell_is_said_and_is_no_failure(dusty_sample, tmp_path, monkeypatch):
    """A box shot square-on is a rectangle on white: the check cannot tell it from a letterboxed
    photo. The demo says so (it printed an empty 'FAILS:' and exited 1 before)."""
    from packshot.core.cli import demo_cmd
    from packshot.core.compliance import CheckReport, Finding

    doubt = Finding("background purity", "cannot tell: what stands out is a rectangle", None, "pure white")
    monkeypatch.setattr(demo_cmd, "check_file", lambda path, preset: CheckReport(path, "amazon-main", [doubt]))
    lines: list[str] = []
    assert run_demo([dusty_sample], tmp_path, "amazon-main", say=lines.append) == [True]
    assert "check cannot tell, look at it: background purity: cannot tell" in lines[2]
    assert "FAILS" not in lines[2]
