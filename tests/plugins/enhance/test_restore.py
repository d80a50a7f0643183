"""Restoration runs any installed spandrel 1x network; without one it says what to get."""

from __future__ import annotations

import numpy as np

from core.errors import MissingModel
from core.models import open_store
from core.models.tiny import save_tiny
from core.testing import photo, run_operation
from plugins.enhance.restore import RestoreModel


def test_restore_needs_a_model():
    rec = run_operation(RestoreModel(), photo("coffee", 48), {})
    assert isinstance(rec.error, MissingModel) and "fbcnn-color" in str(rec.error)


def test_restore_with_a_custom_network(tmp_path):
    entry = open_store().install(save_tiny("dncnn", tmp_path / "deblock.safetensors"))
    assert entry.task == "restore"
    img = photo("coffee", 64)
    rec = run_operation(RestoreModel(), img, {})  # auto finds the installed restoration model
    assert rec.result.report["model"] == entry.name
    assert rec.image.pixels.shape == img.pixels.shape and rec.image.pixels.dtype == np.uint8
