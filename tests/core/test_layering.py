"""Layering, as napari enforces it: no Qt in core/ or plugins/, core never names plugins, the
built-in families never import each other, and core's modules depend downwards only."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.package_tree import ROOT, build_package_tree


def test_import_linter_contracts_hold(tmp_path: Path):
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    tree = build_package_tree(tmp_path / "tree")
    env = {**os.environ, "PYTHONPATH": str(tree)}
    proc = subprocess.run([exe, "--no-cache", "--config", str(ROOT / "pyproject.toml")], cwd=tree,
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "Contracts: 6 kept, 0 broken" in proc.stdout
