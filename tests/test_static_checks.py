"""ruff and mypy, run with the suite so CI keeps the code linted and its types consistent.

Both read their settings from pyproject.toml. mypy cannot follow setuptools' ``package-dir``
mapping, so it checks the copy of the tree that tests/package_tree.py lays out as the
installed package; its messages are mapped back to the repository's files.
"""

from __future__ import annotations

import subprocess
import sys

from tests.package_tree import FOLDERS, ROOT


def repository_path(tree_path: str) -> str:
    """``packshot/core/jobs.py`` (the installed layout) -> ``core/jobs.py`` (the repository's file)."""
    for dest, folder in sorted(FOLDERS.items(), key=lambda item: -len(item[0])):
        if tree_path == dest or tree_path.startswith(dest + "/"):
            return folder + tree_path[len(dest):]
    return tree_path


def test_repository_path_maps_the_installed_layout_back():
    assert repository_path("packshot/core/models/store.py") == "core/models/store.py"
    assert repository_path("packshot/plugins/colour/levels.py") == "plugins/colour/levels.py"
    assert repository_path("packshot/testing/runs.py") == "packshot/testing/runs.py"
    assert repository_path("packshot/coreutils.py") == "packshot/coreutils.py"


def test_ruff_finds_nothing():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]

