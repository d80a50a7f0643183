"""The example plugin as a third party ships it: pip-installed into a fresh virtual
environment, listed and run by the ``packshot`` command, tested by its own suite, and gone
after ``pip uninstall``. Offline: no index, no build isolation, Packshot and its
dependencies seen from the environment this suite runs in (whether that is a virtual
environment or the system one), never from the working directory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import numpy as np
import pytest

from packshot.core.imageio import load_image, save_image
from packshot.core.plugin_host import load_plugins
from packshot.testing import studio_shot

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "packshot-vintage"
# What the ``packshot`` console script runs; the venv has no script of its own because
# Packshot itself comes from the outer environment.
PACKSHOT = "import sys; from packshot.core.cli import main; sys.exit(main())"

pytestmark = pytest.mark.slow


def _run(python: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    return subprocess.run([str(python), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _packshot(python: Path, *args: str) -> subprocess.CompletedProcess:
    return _run(python, "-c", PACKSHOT, *args, cwd=Path(python).parents[1])


def _venv_over_this_environment(env_dir: Path) -> Path:
    """A new venv that also sees this interpreter's site-packages, .pth files included (so
    an editable Packshot install works); its own site-packages come first, so what pip
    installs there wins and what it uninstalls is gone."""
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    own = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    outer = sorted({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]})
    Path(own, "outer_environment.pth").write_text(
        "import site; " + "; ".join(f"site.addsitedir({d!r})" for d in outer) + "\n")
    return python


def _ops(python: Path) -> dict[str, dict]:
    proc = _packshot(python, "ops", "--json")
    assert proc.returncode == 0, proc.stderr
    return {op["id"]: op for op in json.loads(proc.stdout)}


def _red_over_blue(path: Path) -> float:
    rgb = load_image(path).rgb()
    return float(rgb[..., 0].mean() / rgb[..., 2].mean())


def test_example_plugin_installs_runs_passes_its_tests_and_uninstalls(tmp_path):
    project = shutil.copytree(EXAMPLE, tmp_path / "packshot-vintage",
                              ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache"))
    python = _venv_over_this_environment(tmp_path / "venv")

    install = _run(python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                   str(project))
    assert install.returncode == 0, install.stdout + install.stderr

    op = _ops(python)["vintage.film_look"]
    assert op["plugin"] == "vintage" and op["family"] == "colour"
    assert {p["name"] for p in op["params"]} == {"fade", "warmth", "grain", "grain_size", "vignette"}
    plugins = {p["name"]: p for p in json.loads(_packshot(python, "plugins", "--json").stdout)}
    assert (plugins["vintage"]["distribution"], plugins["vintage"]["version"],
            plugins["vintage"]["status"]) == ("packshot-vintage", "1.0.0", "loaded")

    shot = tmp_path / "shot.png"
    save_image(studio_shot("bottle", 120, 160).image, shot)
    before = shot.read_bytes()
    out = tmp_path / "shot_vintage.png"
    applied = _packshot(python, "apply", str(shot), "-o", str(out), "--op", "vintage.film_look",
                        "--set", "warmth=0.8", "--set", "fade=0.5", "--seed", "3")
    assert applied.returncode == 0, applied.stderr
    assert shot.read_bytes() == before
    assert _red_over_blue(out) > 1.1 * _red_over_blue(shot)
    assert np.percentile(load_image(out).rgb(), 1) > np.percentile(load_image(shot).rgb(), 1) + 0.05

    own_tests = _run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests", cwd=project)
    assert own_tests.returncode == 0, own_tests.stdout[-4000:] + own_tests.stderr[-2000:]
    assert " passed" in own_tests.stdout and "skipped" not in own_tests.stdout

    assert "vintage" not in load_plugins().infos  # this interpreter never saw the install

    removed = _run(python, "-m", "pip", "uninstall", "-y", "-q", "packshot-vintage")
    assert removed.returncode == 0, removed.stderr
    assert "vintage.film_look" not in _ops(python)
    gone = _packshot(python, "apply", str(shot), "-o", str(tmp_path / "again.png"), "--op", "vintage.film_look")
    assert gone.returncode == 2
    assert "unknown operation 'vintage.film_look'" in gone.stderr
    assert not (tmp_path / "again.png").exists()
