"""``packshot edit`` and ``packshot render``: a sidecar edit stack, re-adjusted exactly, rendered from cache."""

from __future__ import annotations

import hashlib
import importlib

import numpy as np
import pytest
from PIL import Image as PILImage

from packshot.core import cli, jobs
from packshot.core.cli import apply_cmd, edit_cmd, render_cmd
from packshot.core.imageio import save_image
from packshot.core.recipe import load_sidecar, masks_folder, sidecar_path


@pytest.fixture
def host(monkeypatch, fake_host):
    """The colour family and the shop presets next to the test plugin, for every command here."""
    for family in ("colour", "presets"):
        fake_host.register(importlib.import_module(f"packshot.plugins.{family}"), family, version="0.1.0")
    for module in (apply_cmd, edit_cmd, render_cmd):
        monkeypatch.setattr(module, "load_plugins", lambda: fake_host)
    return fake_host


@pytest.fixture
def calls(monkeypatch):
    """The ids of the operations the commands run, in order."""
    seen: list[str] = []
    real = jobs.execute

    def counting(op, *args, **kwargs):
        seen.append(op.id)
        return real(op, *args, **kwargs)

    monkeypatch.setattr(jobs, "execute", counting)
    return seen


@pytest.fixture
def photo(tmp_path, packshot_photo):
    path = tmp_path / "mug.png"
    save_image(packshot_photo("coffee", max_side=160), path)
    return path


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pixels(path) -> np.ndarray:
    return np.asarray(PILImage.open(path))


def edit(*args) -> int:
    return cli.main(["edit", *map(str, args)])


def render(photo, out, *more) -> int:
    return cli.main(["render", str(photo), "-o", str(out), "--quiet", *map(str, more)])


def test_readjusting_a_step_renders_exactly_the_new_value_on_the_original(host, photo, tmp_path, capsys):
    before = sha(photo)
    assert edit(photo, "--op", "colour.exposure", "--set", "stops=2.78") == 0
    assert edit(photo, "--step", 1, "--set", "stops=-2.25") == 0
    assert "stops=-2.25" in capsys.readouterr().out
    assert render(photo, tmp_path / "edited.png") == 0
    assert cli.main(["apply", str(photo), "-o", str(tmp_path / "once.png"), "--op", "colour.exposure",
                     "--set", "stops=-2.25", "--quiet"]) == 0
    assert np.array_equal(pixels(tmp_path / "edited.png"), pixels(tmp_path / "once.png"))
    stack = load_sidecar(photo)
    assert len(stack.steps) == 1 and stack.steps[0].params == {"stops": -2.25, "contrast": 0.0}
    assert sha(photo) == before


def test_a_second_render_of_an_unchanged_picture_runs_no_operation(host, photo, tmp_path, calls, capsys,
                                                                   packshot_photo):
    edit(photo, "--op", "colour.exposure", "--set", "stops=0.5")
    edit(photo, "--op", "test.invert", "--set", "amount=0.5")
    before = sha(photo)
    first, second = tmp_path / "first.png", tmp_path / "second.png"
    assert render(photo, first) == 0
    assert calls == ["colour.exposure", "test.invert"]
    capsys.readouterr()
    assert render(photo, second) == 0
    assert calls == ["colour.exposure", "test.invert"]  # nothing more ran
    assert "from the render cache" in capsys.readouterr().out
    assert sha(first) == sha(second) and sha(photo) == before

    edit(photo, "--step", 2, "--set", "amount=0.25")  # the stack changed
    render(photo, second, "--overwrite")
    assert calls[2:] == ["colour.exposure", "test.invert"]
    save_image(packshot_photo("chelsea", max_side=160), photo)  # the source changed
    render(photo, second, "--overwrite")
    assert calls[4:] == ["colour.exposure", "test.invert"]


def test_steps_are_listed_disabled_enabled_deleted_and_reset(host, photo, tmp_path, capsys):
    edit(photo, "--op", "test.invert", "--set", "amount=1")
    edit(photo, "--op", "colour.exposure", "--set", "stops=1")
    capsys.readouterr()
    assert edit(photo, "--list") == 0
    listed = capsys.readouterr().out
    assert "2 steps" in listed and "test.invert" in listed and "stops=1" in listed
    assert edit(photo, "--step", 2, "--disable") == 0
    assert "(disabled)" in capsys.readouterr().out
    render(photo, tmp_path / "inverted.png")
    assert np.array_equal(pixels(tmp_path / "inverted.png"), 255 - pixels(photo))
    edit(photo, "--step", 2, "--enable")
    edit(photo, "--step", 1, "--delete")
    stack = load_sidecar(photo)
    assert [s.op for s in stack.steps] == ["colour.exposure"] and stack.steps[0].enabled
    assert edit(photo, "--reset") == 0
    assert not sidecar_path(photo).exists()
    capsys.readouterr()
    edit(photo, "--list")
    assert "no edits" in capsys.readouterr().out


def test_a_mask_is_kept_beside_the_picture_and_replayed(host, photo, tmp_path):
    h, w = pixels(photo).shape[:2]
    mask = np.zeros((h, w), np.uint8)
    mask[: h // 2] = 255
    PILImage.fromarray(mask).save(tmp_path / "top.png")
    assert edit(photo, "--op", "test.fill_mask", "--mask", tmp_path / "top.png") == 0
    (tmp_path / "top.png").unlink()  # the stack keeps its own copy
    step = load_sidecar(photo).steps[0]
    assert step.mask.startswith(masks_folder(photo).name + "/")
    render(photo, tmp_path / "out.png")
    out = pixels(tmp_path / "out.png")
    assert (out[: h // 2] == 0).all() and np.array_equal(out[h // 2:], pixels(photo)[h // 2:])
    kept = photo.parent / step.mask
    before = sha(kept)
    assert render(photo, kept, "--overwrite") == 2  # the stack's own mask is never an output
    assert sha(kept) == before


def test_size_makes_a_proxy_and_a_preset_exports(host, photo, tmp_path):
    edit(photo, "--op", "test.invert")
    assert render(photo, tmp_path / "small.png", "--size", 40) == 0
    assert max(pixels(tmp_path / "small.png").shape[:2]) == 40
    assert render(photo, tmp_path / "shop.jpg", "--preset", "jd") == 0
    assert PILImage.open(tmp_path / "shop.jpg").size == (800, 800)


@pytest.mark.parametrize("args, words", [
    (["edit", "{photo}", "--step", "3", "--set", "amount=1"], "step 3 does not exist"),
    (["edit", "{photo}", "--op", "test.nope"], "unknown operation 'test.nope'"),
    (["edit", "{photo}", "--op", "test.invert", "--set", "amount=7"], "parameter 'amount'"),
    (["edit", "{photo}", "--op", "test.fill_mask"], "needs a mask"),
    (["edit", "{photo}", "--step", "1"], "--step N needs"),
    (["edit", "{photo}", "--step", "1", "--seed", "4", "--delete"], "cannot be combined"),
    (["edit", "{photo}", "--op", "test.invert", "--seed", "-1"], "--seed must be 0 or more"),
    (["render", "{photo}", "-o", "{photo}.packshot.toml", "--overwrite"], "unknown image extension"),
    (["render", "{photo}", "-o", "{tmp}/x.png", "--quality", "0"], "quality must be between 1 and 100"),
    (["edit", "{tmp}/nothing.png", "--list"], "no such file"),
    (["render", "{photo}", "-o", "{photo}", "--overwrite"], "refusing to overwrite the original"),
    (["render", "{photo}", "-o", "{tmp}/out.png", "--preset", "jd"], "name the output *.jpg"),
])
def test_errors_are_one_line_and_change_nothing(host, photo, tmp_path, capsys, args, words):
    edit(photo, "--op", "test.invert", "--set", "amount=0.5")
    before = {p.name: sha(p) for p in tmp_path.iterdir() if p.is_file()}
    capsys.readouterr()
    argv = [a.format(photo=photo, tmp=tmp_path) for a in args]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0], err
    assert {p.name: sha(p) for p in tmp_path.iterdir() if p.is_file()} == before
