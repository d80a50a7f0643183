"""Tiles with blended seams give what one pass gives, in bounded pieces."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.context import Context
from packshot.core.errors import Cancelled
from packshot.core.models.tiling import tile_starts, tiled_apply


def _blur_up(block: np.ndarray) -> np.ndarray:
    """A local, translation-invariant 2x filter, like a small conv net."""
    import cv2

    return cv2.resize(cv2.GaussianBlur(block, (5, 5), 1.0), None, fx=2, fy=2,
                      interpolation=cv2.INTER_LINEAR)


def test_tile_starts_cover_the_length():
    assert tile_starts(100, 128, 16) == [0]
    starts = tile_starts(300, 128, 16)
    assert starts[0] == 0 and starts[-1] == 300 - 128
    assert all(b - a <= 128 - 16 for a, b in zip(starts, starts[1:]))


def test_tiled_equals_untiled_and_keeps_16_bit():
    rng = np.random.default_rng(1)
    img = (rng.random((150, 170, 3)) * 65535).astype(np.uint16)
    import cv2

    img = cv2.GaussianBlur(img, (0, 0), 2)
    whole = tiled_apply(_blur_up, img, scale=2, tile=1024)
    tiled = tiled_apply(_blur_up, img, scale=2, tile=64, overlap=16)
    assert tiled.dtype == np.uint16 and tiled.shape == (300, 340, 3)
    diff = np.abs(tiled.astype(np.float64) - whole) / 65535
    assert diff.mean() < 1e-3 and diff.max() < 0.02


def test_progress_per_tile_and_cancel_between_tiles():
    img = np.zeros((100, 100, 3), np.uint8)
    seen = []
    ctx = Context(on_progress=lambda f, m: seen.append(m))
    tiled_apply(lambda b: b, img, tile=40, overlap=8, progress=ctx.progress)
    assert seen[-1] == "tile 9 of 9" and len(seen) == 9

    calls = []

    def stop_after_two(block):
        calls.append(1)
        if len(calls) == 2:
            ctx.cancel_token.cancel()
        return block

    with pytest.raises(Cancelled):
        tiled_apply(stop_after_two, img, tile=40, overlap=8, progress=ctx.progress)
    assert len(calls) == 2


def test_wrong_tile_output_size_is_an_error():
    from packshot.core.errors import PackshotError

    with pytest.raises(PackshotError, match="expected"):
        tiled_apply(lambda b: b, np.zeros((10, 10, 3), np.uint8), scale=2)
