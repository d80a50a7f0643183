"""Fixtures the command-line tests share: a small input photo and a count of operations run."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image as PILImage

from packshot.core.cli import apply_cmd


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "in.png"
    PILImage.fromarray((np.random.default_rng(0).random((24, 32, 3)) * 255).astype(np.uint8)).save(path)
    return path


@pytest.fixture
def runs(monkeypatch, fake_host):
    """The ids of the operations `packshot apply` actually ran (so a test can tell a check came first)."""
    monkeypatch.setattr(apply_cmd, "load_plugins", lambda: fake_host)
    calls = []
    real = apply_cmd.execute

    def counted(*a, **k):
        calls.append(a[0].id)
        return real(*a, **k)

    monkeypatch.setattr(apply_cmd, "execute", counted)
    return calls
