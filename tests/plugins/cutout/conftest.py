"""Cut-out test helpers (``run_op`` comes from tests/plugins/conftest.py)."""

from __future__ import annotations

import numpy as np
import pytest


def _iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    a, b = alpha > 0.5, truth > 0.5
    return float((a & b).sum() / max((a | b).sum(), 1))


def _edge_error(alpha: np.ndarray, truth: np.ndarray) -> float:
    soft = ((truth > 0) & (truth < 1)) | ((alpha > 0) & (alpha < 1))
    return float(np.abs(alpha - truth)[soft].mean())


def _enlarged(rgb: np.ndarray, alpha: np.ndarray, height: int, width: int, seed: int = 0):
    import cv2

    big = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_CUBIC)
    grain = np.random.default_rng(seed).normal(0, 0.015, big.shape).astype(np.float32)
    pixels = (np.clip(big + grain, 0, 1) * 255 + 0.5).astype(np.uint8)
    return pixels, cv2.resize(alpha, (width, height), interpolation=cv2.INTER_LINEAR)


@pytest.fixture
def iou():
    """Intersection over union of two alphas thresholded at 0.5."""
    return _iou


@pytest.fixture
def edge_error():
    """Mean |alpha error| where either alpha is fractional: the soft edge matting works on."""
    return _edge_error


@pytest.fixture
def enlarged():
    """A float shot and its alpha enlarged to a camera-like size, as uint8 with sensor grain:
    larger than the cut-out's working size, so its full-size edge work runs."""
    return _enlarged
