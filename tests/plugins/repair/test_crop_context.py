"""Crop-to-context: a few small spots on a 40 MP picture cost about three small crops."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.context import CancelToken, Context
from packshot.core.errors import Cancelled
from packshot.core.image import from_array
from packshot.core.operation import Inputs
from packshot.core.plugin_host import load_plugins

# Windows snap to a 16-px grid: every spot sits at the same place on it, so their windows match.
SPOTS = ((1000, 1500), (2600, 4092), (4296, 7004))


def _spot_mask(shape, centres, radius=4) -> np.ndarray:
    mask = np.zeros(shape, np.float32)
    for cy, cx in centres:
        mask[cy - radius:cy + radius + 1, cx - radius:cx + radius + 1] = 1.0
    return mask


def test_three_spots_on_40_megapixels_cost_three_small_crops():
    h, w = 5000, 8000
    pixels = np.full((h, w, 3), 180, np.uint8)
    pixels[:, ::7] = 176  # a faint pattern, so the fill has something to reproduce
    mask = _spot_mask((h, w), SPOTS)
    for cy, cx in SPOTS:
        pixels[cy - 4:cy + 5, cx - 4:cx + 5] = 20  # the dust
    op = load_plugins().operation("repair.inpaint")
    big = op.run(Inputs(from_array(pixels), mask), op.validate({}), Context())

    crop = pixels[896:1104, 1392:1608]
    small = op.run(Inputs(from_array(crop), _spot_mask(crop.shape[:2], [(104, 108)])),
                   op.validate({}), Context())
    assert big.report["regions"] == 3
    assert big.report["pixels_processed"] == 3 * small.report["pixels_processed"]
    assert big.report["pixels_processed"] < big.report["image_pixels"] / 1500
    out = big.image.pixels
    hole = mask > 0
    assert np.array_equal(out[~hole], pixels[~hole])
    assert np.abs(out[hole].astype(int) - 178).max() <= 6


def test_windows_around_nearby_regions_merge_and_far_pixels_stay_bit_identical():
    from skimage import data

    rgb = data.astronaut()
    mask = _spot_mask(rgb.shape[:2], [(100, 100), (110, 130), (400, 400)], radius=3)
    op = load_plugins().operation("repair.inpaint")
    result = op.run(Inputs(from_array(rgb), mask), op.validate({}), Context())
    assert result.report["regions"] == 2
    assert np.array_equal(result.image.pixels[mask == 0], rgb[mask == 0])


def test_cancel_stops_between_regions_and_reports_progress_in_order():
    from skimage import data

    rgb = data.astronaut()
    mask = _spot_mask(rgb.shape[:2], [(60, 60), (250, 250), (450, 450)])
    seen: list[float] = []
    token = CancelToken()

    def on_progress(fraction: float, _message: str) -> None:
        seen.append(fraction)
        if len(seen) == 2:
            token.cancel()

    op = load_plugins().operation("repair.inpaint")
    with pytest.raises(Cancelled):
        op.run(Inputs(from_array(rgb), mask), op.validate({}), Context(on_progress=on_progress,
                                                                        cancel_token=token))
    assert seen == sorted(seen)
