"""The installed ``packshot`` package laid out as plain folders, for tools that walk files.

import-linter (grimp) and mypy find modules by walking folders and cannot follow
setuptools' ``package-dir`` mapping, so they read a copy of the tree in the layout the
installed package has.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"packshot": "packshot", "packshot/core": "core", "packshot/plugins": "plugins",
           "packshot/desktop": "desktop", "packshot/resources": "resources"}


def build_package_tree(target: Path) -> Path:
    """Copy the Python sources into ``target/packshot/...``; returns ``target``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.jpg", "*.png", "*.json")
    for dest, folder in FOLDERS.items():
        shutil.copytree(ROOT / folder, target / dest, ignore=ignore, dirs_exist_ok=True)
    return target
