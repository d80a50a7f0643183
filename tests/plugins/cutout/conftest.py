"""Cut-out test helpers (``run_op`` comes from tests/plugins/conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest


def _iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    a, b = alpha > 0.5, truth > 0.5
    return float((a & b).sum() / max((a | b).sum(), 1))


@pytest.fixture
def iou():
    """Intersection over union of two alphas thresholded at 0.5."""
    return _iou
