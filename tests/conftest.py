"""Shared test set-up: every test gets its own config, data and cache folders."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_folders(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user's settings, models or caches."""
    base = tmp_path_factory.mktemp("packshot-home")
    for name in ("CONFIG", "DATA", "CACHE", "MODELS"):
        folder = base / name.lower()
        folder.mkdir()
        monkeypatch.setenv(f"PACKSHOT_{name}_DIR", str(folder))
    monkeypatch.delenv("PACKSHOT_DISABLE_PLUGINS", raising=False)
    monkeypatch.delenv("PACKSHOT_ONLY_PLUGINS", raising=False)
    return base
