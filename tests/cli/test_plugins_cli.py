"""``packshot plugins`` / ``ops`` / ``apply`` with third-party plugins installed through
entry points: listing, disabling (remembered), load errors, and a plugin that fails at
run time failing only its own work.
"""

from __future__ import annotations

import json

import pytest

from packshot.core import cli
from packshot.core.imageio import save_image
from packshot.core.settings import load_settings, settings_path
from packshot.testing import studio_shot

GOOD = '''
import sys

from packshot.core.hookspecs import hookimpl
from packshot.core.operation import Operation, Result

packshot_api_version = "2.0"

class Flip(Operation):
    id, title, family = "acme.flip", "Flip", "other"

    def run(self, inputs, params, ctx):
        return Result(inputs.image.with_pixels(inputs.image.pixels[:, ::-1]))

class Crash(Operation):
    id, title, family = "acme.crash", "Crash", "other"

    def run(self, inputs, params, ctx):
        ctx.progress(0.5, "half way")
        return 1 / 0

class Quit(Operation):
    id, title, family = "acme.quit", "Quit", "other"

    def run(self, inputs, params, ctx):
        sys.exit(3)  # as some libraries do when a dependency is missing

@hookimpl
def packshot_operations():
    return [Flip(), Crash(), Quit()]
'''

BROKEN = "raise RuntimeError('cannot find libacme.so')\n"

MISSPELT = '''
from packshot.core.hookspecs import hookimpl

@hookimpl
def packshot_operation():
    return []
'''


@pytest.fixture
def installed(packshot_installed_plugin):
    packshot_installed_plugin("acme-tools", {"acme_fx": GOOD}, entry_points={"acme": "acme_fx"}, version="0.4.2")
    packshot_installed_plugin("acme-broken", {"acme_broken": BROKEN}, entry_points={"broken": "acme_broken"})
    packshot_installed_plugin("acme-typo", {"acme_typo": MISSPELT}, entry_points={"typo": "acme_typo"})


@pytest.fixture
def shot(tmp_path):
    path = tmp_path / "shot.png"
    save_image(studio_shot("mug", 48, 64).image, path)
    return path


def _json(capsys) -> list[dict]:
    out = capsys.readouterr().out
    return json.loads(out[out.index("["):])


def test_plugins_lists_third_party_plugins_with_version_operations_and_errors(installed, capsys):
    assert cli.main(["plugins"]) == 0
    lines = capsys.readouterr().out.splitlines()
    acme = next(line for line in lines if line.startswith("acme "))
    assert acme.split()[:4] == ["acme", "0.4.2", "acme-tools", "loaded"] and "3 operation(s)" in acme
    broken = lines.index(next(line for line in lines if line.startswith("broken ")))
    assert "failed" in lines[broken]
    assert "failed to import acme_broken: RuntimeError: cannot find libacme.so" in lines[broken + 1]
    assert cli.main(["plugins", "--json"]) == 0
    rows = {r["name"]: r for r in _json(capsys)}
    assert rows["acme"]["operations"] == ["acme.crash", "acme.flip", "acme.quit"]
    assert rows["typo"]["status"] == "failed"
    assert "packshot_operation, which is not a Packshot hook" in rows["typo"]["error"]
    assert "packshot_operations" in rows["typo"]["error"]


def test_disable_is_remembered_and_hides_the_operations_until_enabled(installed, shot, tmp_path, capsys):
    assert cli.main(["plugins", "--disable", "acme"]) == 0
    assert load_settings().disabled_plugins == ["acme"]
    assert "acme" in settings_path().read_text("utf-8")
    assert cli.main(["ops", "--json"]) == 0
    assert not any(op["id"].startswith("acme.") for op in _json(capsys))
    assert cli.main(["plugins", "--json"]) == 0
    assert {r["name"]: r for r in _json(capsys)}["acme"]["status"] == "disabled"
    out = tmp_path / "out.png"
    assert cli.main(["apply", str(shot), "-o", str(out), "--op", "acme.flip"]) == 2
    assert capsys.readouterr().err.strip() == (
        "packshot: error: unknown operation 'acme.flip': it would come from plugin 'acme', which is "
        "disabled; enable it: packshot plugins --enable acme")
    assert not out.exists()

    assert cli.main(["plugins", "--enable", "acme"]) == 0
    assert load_settings().disabled_plugins == []
    assert cli.main(["apply", str(shot), "-o", str(out), "--op", "acme.flip"]) == 0
    assert out.exists()


def test_disabling_an_unknown_plugin_names_the_known_ones(installed, capsys):
    assert cli.main(["plugins", "--disable", "acmee"]) == 2
    err = capsys.readouterr().err
    assert "no plugin named 'acmee'" in err and "acme" in err
    assert load_settings().disabled_plugins == []


@pytest.mark.parametrize("op, words", [
    ("acme.crash", "plugin 'acme': acme.crash failed: ZeroDivisionError: division by zero"),
    ("acme.quit", "plugin 'acme': acme.quit tried to exit Packshot (exit code 3)"),
])
def test_an_operation_that_fails_at_run_time_is_one_line_naming_its_plugin(installed, shot, tmp_path, capsys,
                                                                           op, words):
    before = shot.read_bytes()
    out = tmp_path / "out.png"
    assert cli.main(["apply", str(shot), "-o", str(out), "--op", op]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"packshot: error: {words}"]
    assert not out.exists() and shot.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shot.png"]


def test_a_crashing_plugin_job_leaves_the_runner_serving_others(installed, packshot_host, packshot_run, shot):
    from packshot.core.imageio import load_image
    from packshot.core.jobs import JobRunner

    host = packshot_host()
    image = load_image(shot)
    runner = JobRunner(cpu_workers=1, device="cpu")
    try:
        results = [packshot_run(host.operation(op), image, plugin="acme", runner=runner)
                   for op in ("acme.flip", "acme.crash", "acme.quit", "acme.flip")]
    finally:
        runner.shutdown()
    assert [r.state for r in results] == ["done", "failed", "failed", "done"]
    assert [r.error.plugin for r in results[1:3]] == ["acme", "acme"]
    assert results[1].fractions == [0.5]


RUDE = '''
import os
import signal
import time

from packshot.core.hookspecs import hookimpl
from packshot.core.operation import Operation, Result

class Stop(BaseException):
    """A plugin's own BaseException subclass."""

class Interrupts(Operation):
    id, title, family = "rude.interrupt", "Interrupts", "other"

    def run(self, inputs, params, ctx):
        raise KeyboardInterrupt

class Stops(Operation):
    id, title, family = "rude.stop", "Stops", "other"

    def run(self, inputs, params, ctx):
        raise Stop("enough")

class BadChecker(Operation):
    id, title, family = "rude.checker", "Bad checker", "other"

    def validate(self, params):
        raise ValueError("my own check broke")

class CtrlC(Operation):
    """Stands in for the person pressing Ctrl+C while it runs."""

    id, title, family = "rude.ctrl_c", "Ctrl+C", "other"

    def run(self, inputs, params, ctx):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
        return Result(inputs.image)

@hookimpl
def packshot_operations():
    return [Interrupts(), Stops(), BadChecker(), CtrlC()]
'''


@pytest.fixture
def rude(packshot_installed_plugin):
    packshot_installed_plugin("rude-tools", {"rude_fx": RUDE}, entry_points={"rude": "rude_fx"})


@pytest.mark.parametrize("op, words", [
    ("rude.interrupt", "plugin 'rude': rude.interrupt failed: it raised KeyboardInterrupt itself"),
    ("rude.stop", "plugin 'rude': rude.stop failed: Stop: enough"),
    ("rude.checker", "plugin 'rude': rude.checker checking its parameters: ValueError: my own check broke"),
])
def test_a_plugin_raising_interrupts_or_a_broken_validate_is_one_line_naming_it(rude, shot, tmp_path, capsys,
                                                                               op, words):
    out = tmp_path / "out.png"
    assert cli.main(["apply", str(shot), "-o", str(out), "--op", op]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [f"packshot: error: {words}"]
    assert not out.exists()


def test_the_persons_ctrl_c_still_interrupts_the_command(rude, shot, tmp_path, capsys):
    out = tmp_path / "out.png"
    assert cli.main(["apply", str(shot), "-o", str(out), "--op", "rude.ctrl_c"]) == cli.EXIT_INTERRUPTED
    assert "packshot: interrupted" in capsys.readouterr().err and not out.exists()


def test_interrupting_plugins_fail_only_their_own_jobs(rude, installed, packshot_host, packshot_run, shot):
    from packshot.core.imageio import load_image
    from packshot.core.jobs import JobRunner

    host = packshot_host()
    image = load_image(shot)
    runner = JobRunner(cpu_workers=1, device="cpu")
    try:
        results = [packshot_run(host.operation(op), image, plugin=host.plugin_of(op).name, runner=runner)
                   for op in ("rude.interrupt", "rude.stop", "rude.checker", "acme.flip")]
    finally:
        runner.shutdown()
    assert [r.state for r in results] == ["failed", "failed", "failed", "done"]
    assert [r.error.plugin for r in results[:3]] == ["rude"] * 3


SLOPPY = '''
from packshot.core.hookspecs import hookimpl
from packshot.core.operation import Operation, Result
from packshot.core.params import Choice, Colour, Float

class Fine(Operation):
    id, title, family = "sloppy.fine", "Fine", "other"

    def run(self, inputs, params, ctx):
        return Result(inputs.image)

class TooStrong(Fine):
    id = "sloppy.too_strong"
    params = (Float("amount", 5.0, minimum=0.0, maximum=1.0),)

class BadColour(Fine):
    id = "sloppy.bad_colour"
    params = (Colour("backdrop", "off-white"),)

class BadChoice(Fine):
    id = "sloppy.bad_choice"
    params = (Choice("mode", "fast", choices=("quick", "best")),)

@hookimpl
def packshot_operations():
    return [Fine(), TooStrong(), BadColour(), BadChoice()]

@hookimpl
def packshot_model_catalogue():
    return [{"name": "sloppy-nofile", "loader": "file"},
            {"name": "sloppy-kb", "file": "kb.bin", "size": "86 kB", "loader": "file"},
            {"name": "sloppy-good", "file": "good.bin", "size": 86000, "loader": "file"}]
'''


@pytest.fixture
def sloppy(packshot_installed_plugin):
    packshot_installed_plugin("sloppy-tools", {"sloppy_fx": SLOPPY}, entry_points={"sloppy": "sloppy_fx"})


def test_bad_catalogue_entries_and_bad_defaults_are_refused_at_load_and_reported(sloppy, shot, tmp_path,
                                                                                 capsys):
    assert cli.main(["models", "list"]) == 0
    listed = capsys.readouterr().out
    assert "sloppy-good" in listed and "sloppy-kb" not in listed and "realesrgan-x4plus" in listed
    assert cli.main(["plugins", "--json"]) == 0
    row = {r["name"]: r for r in _json(capsys)}["sloppy"]
    assert row["status"] == "loaded" and row["operations"] == ["sloppy.fine"]
    for words in ("'sloppy-kb': size '86 kB' must be a whole number",
                  "needs a name and a file",
                  "'sloppy.too_strong' refused: parameter 'amount': its default 5.0 is outside its own "
                  "rules (expected from 0 to 1)",
                  "'sloppy.bad_colour' refused: parameter 'backdrop': its default 'off-white'",
                  "'sloppy.bad_choice' refused: parameter 'mode': its default 'fast' is outside its own "
                  "rules (expected one of quick, best)"):
        assert words in row["error"]
    out = tmp_path / "out.png"
    assert cli.main(["apply", str(shot), "-o", str(out), "--op", "sloppy.fine"]) == 0
    assert cli.main(["apply", str(shot), "-o", str(tmp_path / "x.png"), "--op", "sloppy.too_strong"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "packshot: error: unknown operation 'sloppy.too_strong': plugin 'sloppy' provides it, but it was "
        "refused: operation 'sloppy.too_strong' refused: parameter 'amount': its default 5.0 is outside "
        "its own rules (expected from 0 to 1)"]


def test_unknown_operation_of_a_failed_plugin_says_which_and_why(installed, shot, tmp_path, capsys):
    assert cli.main(["apply", str(shot), "-o", str(tmp_path / "o.png"), "--op", "broken.fix"]) == 2
    assert capsys.readouterr().err.strip() == (
        "packshot: error: unknown operation 'broken.fix': it would come from plugin 'broken', which failed "
        "to load: failed to import acme_broken: RuntimeError: cannot find libacme.so")
