"""Every failure is one line on stderr and a non-zero exit; ``--debug`` adds the traceback,
``--verbose`` the warnings."""

from __future__ import annotations

import errno
import os
import warnings

import pytest
from PIL import Image as PILImage

from packshot.core import cli, output_guard
from packshot.core.cli import apply_cmd


def _error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("packshot: error:"), err
    return err[0]


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


RECIPES = {
    "top level is a list": ("r.json", "[1, 2]", "a recipe is a table with 'steps', not a list"),
    "mask = 5": ("r.toml", '[[steps]]\nop = "test.invert"\nmask = 5\n', "'mask' must be text, got 5"),
    "negative seed": ("r.toml", '[[steps]]\nop = "test.invert"\nseed = -1\n',
                      "'seed' must be a whole number, 0 or more"),
    "deep JSON nesting": ("r.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "deep TOML nesting": ("r.toml", "a = " + "[" * 100_000 + "]" * 100_000, "nested too deeply"),
}


@pytest.mark.parametrize("case", list(RECIPES))
def test_bad_recipes_are_one_line(runs, photo, tmp_path, capsys, case):
    name, text, words = RECIPES[case]
    (tmp_path / name).write_text(text)
    assert cli.main(["apply", str(photo), "-o", str(tmp_path / "out.png"), "--recipe", str(tmp_path / name)]) == 2
    assert words in _error_line(capsys)
    assert runs == [] and "out.png" not in _files(tmp_path)


ARGUMENTS = {
    "empty --op": (["--op", ""], "--op needs an operation id"),
    "negative --seed": (["--op", "test.invert", "--seed", "-1"], "--seed must be 0 or more, got -1"),
    "-o names a folder": (["--op", "test.invert", "-o", "{tmp}/folder.png"], "folder.png: is a folder"),
    "-o in a file, not a folder": (["--op", "test.invert", "-o", "{tmp}/in.png/x.png"],
                                   "in.png: is a file, not a folder"),
}


@pytest.mark.parametrize("case", list(ARGUMENTS))
def test_bad_arguments_are_one_line(runs, photo, tmp_path, capsys, case):
    extra, words = ARGUMENTS[case]
    (tmp_path / "folder.png").mkdir()
    extra = [a.format(tmp=tmp_path) for a in extra]
    out = [] if "-o" in extra else ["-o", str(tmp_path / "out.png")]
    assert cli.main(["apply", str(photo), *out, *extra]) == 2
    assert words in _error_line(capsys)
    assert runs == [] and _files(tmp_path) == ["folder.png", "in.png"]


@pytest.mark.parametrize("command", ["demo", "batch"])
def test_out_naming_a_file_is_one_line(photo, capsys, command):
    before = photo.read_bytes()
    inputs = [str(photo)] if command == "batch" else []
    assert cli.main([command, *inputs, "--out", str(photo)]) == 2
    assert "in.png: --out names a file; give a folder" in _error_line(capsys)
    assert photo.read_bytes() == before


def test_names_are_measured_in_bytes_with_room_for_the_temporary_suffix(runs, photo, tmp_path, capsys):
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    fits = "é" * ((limit - 4) // 2) + ".png"  # two bytes a character: at the limit, not over
    assert len(os.fsencode(fits)) <= limit < len(os.fsencode(fits)) + len(".x.123-abcdefgh.part")
    assert cli.main(["apply", str(photo), "-o", str(tmp_path / fits), "--op", "test.invert"]) == 0
    assert (tmp_path / fits).is_file()
    too_long = "é" + fits
    assert cli.main(["apply", str(photo), "-o", str(tmp_path / too_long), "--op", "test.invert"]) == 2
    size = len(os.fsencode(too_long))
    assert f"file name is {size} bytes, more than the {limit} this file system allows" in _error_line(capsys)
    assert runs == ["test.invert"] and _files(tmp_path) == sorted(["in.png", fits])


@pytest.mark.parametrize("code, words", [
    (errno.EROFS, "the disk is read-only"),
    (errno.EPERM, os.strerror(errno.EPERM)),
    (errno.EACCES, os.strerror(errno.EACCES)),
    (errno.ENOSPC, "no space left on the disk"),
])
def test_a_folder_that_cannot_take_the_file_is_refused_before_the_work(runs, photo, tmp_path, capsys,
                                                                        monkeypatch, code, words):
    def refuse(*a, **k):  # root ignores permissions, so the file system's answer is mocked
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(output_guard.tempfile, "mkstemp", refuse)
    assert cli.main(["apply", str(photo), "-o", str(tmp_path / "out.png"), "--op", "test.invert"]) == 2
    assert f"cannot write there ({words})" in _error_line(capsys)
    assert runs == [] and _files(tmp_path) == ["in.png"]


@pytest.mark.parametrize("step", ["write", "replace"])
def test_a_write_refused_after_the_work_is_one_line_and_leaves_nothing(runs, photo, tmp_path, capsys,
                                                                       monkeypatch, step):
    def refuse(*a, **k):
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(output_guard.os, "fsync" if step == "write" else "replace", refuse)
    assert cli.main(["apply", str(photo), "-o", str(tmp_path / "out.png"), "--op", "test.invert"]) == 2
    assert f"out.png: cannot write ({os.strerror(errno.EPERM)})" in _error_line(capsys)
    assert runs == ["test.invert"] and _files(tmp_path) == ["in.png"]


def test_an_os_error_anywhere_is_one_line(photo, tmp_path, capsys, monkeypatch):
    def refuse():
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), "/plugins/cache")

    monkeypatch.setattr(apply_cmd, "load_plugins", refuse)
    assert cli.main(["apply", str(photo), "-o", str(tmp_path / "out.png"), "--op", "x"]) == 2
    assert _error_line(capsys) == f"packshot: error: /plugins/cache: {os.strerror(errno.EACCES)}"


def _bug():
    raise RuntimeError("a plugin author's bug\non two lines")


@pytest.mark.parametrize("how", [[], ["--debug"], ["--debug", "after"], ["PACKSHOT_DEBUG=1"]])
def test_a_bug_is_one_line_and_debug_shows_the_traceback(photo, tmp_path, capsys, monkeypatch, how):
    monkeypatch.setattr(apply_cmd, "load_plugins", _bug)
    before, after = (["--debug"], []) if how == ["--debug"] else ([], ["--debug"]) if how else ([], [])
    if how == ["PACKSHOT_DEBUG=1"]:
        monkeypatch.setenv("PACKSHOT_DEBUG", "1")
    argv = [*before, "apply", str(photo), "-o", str(tmp_path / "out.png"), "--op", "x", *after]
    assert cli.main(argv) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == ("packshot: error: unexpected RuntimeError: a plugin author's bug on two lines "
                       "(a bug; rerun with --debug for the traceback)")
    if how:
        assert err[0] == "Traceback (most recent call last):" and any("_bug" in line for line in err)
    else:
        assert len(err) == 1


def _warns_then_fails():
    warnings.warn("Image size (150000000 pixels) exceeds limit", PILImage.DecompressionBombWarning, stacklevel=1)
    warnings.warn("`torch.jit.script` is deprecated", FutureWarning, stacklevel=1)
    from packshot.core.errors import BadInput

    raise BadInput("x.tif: corrupt or truncated image")


def test_warnings_show_only_with_verbose(photo, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(apply_cmd, "load_plugins", _warns_then_fails)
    filters = list(warnings.filters)
    argv = ["apply", str(photo), "-o", str(tmp_path / "out.png"), "--op", "x"]
    assert cli.main(argv) == 2
    assert _error_line(capsys) == "packshot: error: x.tif: corrupt or truncated image"
    assert cli.main([*argv, "--verbose"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "packshot: warning: DecompressionBombWarning: Image size (150000000 pixels) exceeds limit",
        "packshot: warning: FutureWarning: `torch.jit.script` is deprecated",
        "packshot: error: x.tif: corrupt or truncated image",
    ]
    assert warnings.filters == filters  # the test process's own filters are left as they were


@pytest.mark.parametrize("where", ["before", "command", "action"])
def test_debug_and_verbose_go_anywhere_on_the_line(capsys, monkeypatch, tmp_path, where):
    """``packshot models list --debug`` as well as ``packshot --debug models list``."""
    monkeypatch.setenv("PACKSHOT_DATA_DIR", str(tmp_path))
    argv = {"before": ["--debug", "--verbose", "models", "list", "--json"],
            "command": ["models", "--debug", "--verbose", "list", "--json"],
            "action": ["models", "list", "--json", "--debug", "--verbose"]}[where]
    assert cli.main(argv) == 0
    out = capsys.readouterr()
    assert out.err == "" and out.out.lstrip().startswith("[")
    args = cli.build_parser().parse_args(argv)
    assert args.debug is True and args.verbose is True


def test_inputs_only_inside_the_output_folder_are_named_as_such(photo, capsys):
    """``packshot batch shoot --out shoot`` said only 'no input files'."""
    before = photo.read_bytes()
    assert cli.main(["batch", str(photo.parent), "--out", str(photo.parent), "--quiet"]) == 2
    assert "every input lies in the output folder" in _error_line(capsys)
    assert photo.read_bytes() == before and sorted(p.name for p in photo.parent.iterdir()) == ["in.png"]
