"""The command line: one clear line on error, exit code non-zero, nothing written."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess

import numpy as np
import pytest
from PIL import Image as PILImage

from packshot.core import cli
from packshot.core.cli import apply_cmd, ops_cmd


@pytest.fixture
def fake_cli(monkeypatch, fake_host):
    monkeypatch.setattr(apply_cmd, "load_plugins", lambda: fake_host)
    monkeypatch.setattr(ops_cmd, "load_plugins", lambda: fake_host)
    return fake_host


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_apply_writes_result_and_leaves_input_untouched(fake_cli, photo, tmp_path, capsys):
    before = _sha(photo)
    out = tmp_path / "out.png"
    assert cli.main(["apply", str(photo), "-o", str(out), "--op", "test.invert", "--set", "amount=1"]) == 0
    got = np.asarray(PILImage.open(out))
    assert np.array_equal(got, 255 - np.asarray(PILImage.open(photo)))
    assert _sha(photo) == before
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--op", "test.nope"], "unknown operation 'test.nope'"),
        (["--op", "test.invert", "--set", "amount=7"], "test.invert: parameter 'amount': '7'.*from 0 to 1"),
        (["--op", "test.invert", "--set", "amout=1"], "unknown parameter 'amout'"),
        (["--op", "test.fill_mask"], "needs a mask"),
        (["--op", "test.boom"], "plugin 'fake'.*ZeroDivisionError"),
    ],
)
def test_errors_are_one_line_and_write_nothing(fake_cli, photo, tmp_path, capsys, extra, words):
    out = tmp_path / "out.png"
    assert cli.main(["apply", str(photo), "-o", str(out), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("packshot: error:")
    assert re.search(words, err[0]), err[0]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png"]


def test_unreadable_input_and_existing_output(fake_cli, tmp_path, photo, capsys):
    bad = tmp_path / "bad.jpg"
    bad.write_text("hello")
    assert cli.main(["apply", str(bad), "-o", str(tmp_path / "o.png"), "--op", "test.invert"]) == 2
    assert "bad.jpg: not an image" in capsys.readouterr().err
    existing = tmp_path / "exists.png"
    existing.write_bytes(b"keep me")
    assert cli.main(["apply", str(photo), "-o", str(existing), "--op", "test.invert"]) == 2
    assert "--overwrite" in capsys.readouterr().err and existing.read_bytes() == b"keep me"


def test_recipe_replay_with_mask_relative_to_recipe(fake_cli, photo, tmp_path):
    mask = np.zeros((24, 32), np.uint8)
    mask[5:10, 5:10] = 255
    (tmp_path / "masks").mkdir()
    PILImage.fromarray(mask).save(tmp_path / "masks" / "spot.png")
    recipe = tmp_path / "r.toml"
    recipe.write_text('steps = [ {op = "test.fill_mask", mask = "masks/spot.png"}, '
                      '{op = "test.invert", params = {amount = 1.0}} ]\n')
    out = tmp_path / "out.png"
    assert cli.main(["apply", str(photo), "-o", str(out), "--recipe", str(recipe)]) == 0
    got = np.asarray(PILImage.open(out))
    assert (got[5:10, 5:10] == 255).all()  # filled black, then inverted


def test_save_recipe_records_the_step(fake_cli, photo, tmp_path):
    saved = tmp_path / "steps.json"
    assert cli.main(["apply", str(photo), "-o", str(tmp_path / "o.png"), "--op", "test.invert",
                     "--set", "amount=0.5", "--seed", "3", "--save-recipe", str(saved)]) == 0
    step = json.loads(saved.read_text())["steps"][0]
    assert step == {"op": "test.invert", "params": {"amount": 0.5}, "seed": 3, "plugin": "fake",
                    "plugin_version": "1.2.0"}


def test_ops_json_lists_params_with_ranges(fake_cli, capsys):
    assert cli.main(["ops", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    amount = rows["test.invert"]["params"][0]
    assert (amount["name"], amount["minimum"], amount["maximum"], amount["default"]) == ("amount", 0.0, 1.0, 1.0)
    assert rows["test.invert"]["tier"] == "built-in" and rows["test.invert"]["plugin"] == "fake"


def test_plugins_disable_is_remembered(capsys):
    assert cli.main(["plugins", "--disable", "colour"]) == 0
    assert cli.main(["plugins", "--json"]) == 0
    out = capsys.readouterr().out
    rows = {r["name"]: r for r in json.loads(out[out.index("["):])}
    assert rows["colour"]["status"] == "disabled"
    assert cli.main(["plugins", "--enable", "colour"]) == 0
    assert cli.main(["plugins", "--disable", "nonexistent"]) == 2


def test_console_script_runs():
    exe = subprocess.run(["packshot", "--version"], capture_output=True, text=True)
    assert exe.returncode == 0 and exe.stdout.startswith("packshot ")


def test_a_reader_that_stops_early_gets_no_traceback():
    """`packshot ops | head -1`: the pipe closes before Packshot has written everything."""
    import sys

    code = "import sys; from packshot.core.cli import main; sys.exit(main())"
    proc = subprocess.Popen([sys.executable, "-c", code, "ops"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == cli.EXIT_BROKEN_PIPE, err
    assert err == ""
