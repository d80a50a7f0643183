"""Crop, rotate and straighten: exact pixels where no resampling is needed, a level line after straightening."""

from __future__ import annotations

import math

import numpy as np
import pytest

from packshot.core.errors import BadParameter
from packshot.core.image import Image
from packshot.plugins.enhance.crop import Crop
from packshot.plugins.enhance.rotate import Rotate
from packshot.plugins.enhance.straighten import Straighten, inscribed_size
from packshot.testing import photo, run_operation


def _tagged(bit16: bool = False) -> Image:
    """A real photo with a profile and EXIF, so metadata can be checked through the edit."""
    image = photo("coffee", 160)
    if bit16:
        image = image.with_pixels(image.pixels.astype(np.uint16) * 257)
    return Image(image.pixels, icc_profile=b"icc-bytes", exif=b"Exif\x00\x00fake")


def test_crop_keeps_exact_pixels_and_metadata():
    image = _tagged(bit16=True)
    out = run_operation(Crop(), image, {"box": (0.25, 0.2, 0.75, 0.9)}).image
    h, w = image.pixels.shape[:2]
    x0, y0, x1, y1 = round(0.25 * w), round(0.2 * h), round(0.75 * w), round(0.9 * h)
    assert np.array_equal(out.pixels, image.pixels[y0:y1, x0:x1])
    assert out.pixels.dtype == np.uint16 and (out.icc_profile, out.exif) == (image.icc_profile, image.exif)


def test_crop_to_a_shops_square_shrinks_about_the_centre():
    image = _tagged()
    out = run_operation(Crop(), image, {"box": (0.0, 0.0, 1.0, 1.0), "aspect": 1.0}).image
    h, w = image.pixels.shape[:2]
    side = min(w, h)
    assert out.width == out.height == side
    left = (w - side) // 2
    assert np.array_equal(out.pixels, image.pixels[:, left:left + side]) or \
        np.array_equal(out.pixels, image.pixels[:, left + 1:left + 1 + side])


def test_an_empty_crop_box_is_refused_by_name():
    record = run_operation(Crop(), _tagged(), {"box": (0.5, 0.5, 0.4, 0.9)})
    assert isinstance(record.error, BadParameter) and "box" in str(record.error)


def test_quarter_turns_and_mirror_are_exact():
    image = _tagged()
    cw = run_operation(Rotate(), image, {"turn": "90° clockwise"}).image
    assert np.array_equal(cw.pixels, np.rot90(image.pixels, -1))
    assert (cw.width, cw.height) == (image.height, image.width)
    back = run_operation(Rotate(), cw, {"turn": "90° counter-clockwise"}).image
    assert np.array_equal(back.pixels, image.pixels)
    mirrored = run_operation(Rotate(), image, {"turn": "none", "flip": True}).image
    assert np.array_equal(mirrored.pixels, image.pixels[:, ::-1]) and mirrored.exif == image.exif


def _tilted_shelf(degrees: float, size=(240, 320)) -> Image:
    """Grey picture with a dark shelf edge rising ``degrees`` to the right (counter-clockwise)."""
    h, w = size
    values = np.full((h, w, 3), 0.55, np.float32)
    ys, xs = np.mgrid[0:h, 0:w]
    line_y = h / 2 - (xs - w / 2) * math.tan(math.radians(degrees))
    values[np.abs(ys - line_y) < 2.0] = 0.05
    return Image((values * 255 + 0.5).astype(np.uint8))


def _edge_rows(image: Image) -> tuple[float, float]:
    """Where the dark line crosses the first and last fifth of the picture (mean row)."""
    dark = image.rgb().mean(axis=2) < 0.3
    w = dark.shape[1]
    rows = np.arange(dark.shape[0])[:, None]
    left, right = dark[:, : w // 5], dark[:, -w // 5:]
    return float((rows * left).sum() / left.sum()), float((rows * right).sum() / right.sum())


def test_straighten_levels_a_tilted_edge_and_leaves_no_empty_corner():
    tilted = _tilted_shelf(4.0)
    left, right = _edge_rows(tilted)
    assert left - right > 15  # the edge rises to the right
    out = run_operation(Straighten(), tilted, {"angle": -4.0}).image
    left, right = _edge_rows(out)
    assert abs(left - right) < 1.5
    iw, ih = inscribed_size(320, 240, 4.0)
    assert iw - 8 <= out.width <= iw and ih - 8 <= out.height <= ih
    corners = out.rgb()[[0, 0, -1, -1], [0, -1, 0, -1]]
    assert np.abs(corners - 0.55).max() < 0.03  # picture in every corner, no white fill


@pytest.mark.parametrize("degrees", [0.0, 7.5, -30.0])
def test_the_inscribed_frame_fits_inside_the_turned_picture(degrees):
    w, h = 400, 300
    cw, ch = inscribed_size(w, h, degrees)
    a = math.radians(degrees)
    # the crop's corners, turned back, must lie inside the original frame
    for sx, sy in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
        x, y = sx * cw / 2, sy * ch / 2
        u, v = x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)
        assert abs(u) <= w / 2 + 1e-6 and abs(v) <= h / 2 + 1e-6
    assert abs(cw / ch - w / h) < 0.01
