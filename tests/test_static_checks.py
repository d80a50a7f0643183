"""ruff and mypy, run with the suite so CI keeps the code linted and its types consistent.

Both read their settings from pyproject.toml. mypy cannot follow setuptools' ``package-dir``
mapping, so it checks the copy of the tree that tests/package_tree.py lays out as the
installed package; its messages are mapped back to the repository's files.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.package_tree import FOLDERS, ROOT, build_package_tree

# Third-party stubs (numpy, torch, PySide6) take most of a minute to analyse; later runs reuse them.
MYPY_CACHE = Path(tempfile.gettempdir()) / "packshot-mypy-cache"


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


def test_mypy_finds_no_type_errors(tmp_path: Path):
    tree = build_package_tree(tmp_path / "tree")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
                           "--cache-dir", str(MYPY_CACHE), "--no-error-summary", "-p", "packshot"],
                          cwd=tree, capture_output=True, text=True)
    assert "error:" in proc.stdout or proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    errors = [re.sub(r"^packshot/[^:]+", lambda m: repository_path(m.group(0)), line)
              for line in proc.stdout.splitlines() if ": error:" in line]
    assert not errors, f"{len(errors)} mypy errors:\n" + "\n".join(errors[:100])
