"""Auto-framing: crop or pad around the product to a target aspect and fill.

Marketplaces state how much of the frame the product must fill (Amazon's main image:
about 85 %). Fill is measured on the product's bounding box: by its longest side
relative to the frame (how shops phrase it) or by area.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from packshot.core.errors import BadInput, BadParameter

MEASURES = ("longest_side", "area")
ANCHORS = ("centre", "bottom")


@dataclass(frozen=True)
class Frame:
    """A frame in source pixel coordinates (it may reach beyond the image)."""

    x: int
    y: int
    width: int
    height: int


def product_box(alpha: np.ndarray, threshold: float = 0.5) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1), end-exclusive, of the pixels where alpha exceeds ``threshold``."""
    rows = np.nonzero((alpha > threshold).any(axis=1))[0]
    cols = np.nonzero((alpha > threshold).any(axis=0))[0]
    if rows.size == 0:
        raise BadInput("no product found to frame (the mask or alpha is empty)")
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def fill_of(box: tuple[int, int, int, int], width: int, height: int, measure: str) -> float:
    bw, bh = box[2] - box[0], box[3] - box[1]
    if measure == "area":
        return bw * bh / (width * height)
    return max(bw / width, bh / height)


def plan_frame(box: tuple[int, int, int, int], aspect: float, fill: float, measure: str = "longest_side",
               anchor: str = "centre", margin: float = 0.05) -> Frame:
    """The frame of the given aspect (width/height) in which the box fills ``fill``."""
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    if measure == "area":
        width = math.sqrt(bw * bh / fill * aspect)
        if width < bw or width / aspect < bh:
            raise BadParameter(f"parameter 'fill': the product cannot fill {fill:.0%} of a frame of "
                               f"aspect {aspect:.3g} by area; lower the fill or change the aspect")
    else:
        width = max(bw / fill, bh * aspect / fill)
    height = width / aspect
    w, h = max(1, round(width)), max(1, round(height))
    x = round((x0 + x1) / 2 - w / 2)
    if anchor == "bottom":
        y = round(y1 + margin * h - h)
        y = min(y, y0)  # a large margin never cuts the product's top off
    else:
        y = round((y0 + y1) / 2 - h / 2)
    return Frame(x, y, w, h)


def cut_frame(pixels: np.ndarray, frame: Frame, fill_value: np.ndarray | None) -> np.ndarray:
    """The frame's pixels; outside the image: ``fill_value`` per channel, or the edge repeated."""
    h, w = pixels.shape[:2]
    pads = ((max(0, -frame.y), max(0, frame.y + frame.height - h)),
            (max(0, -frame.x), max(0, frame.x + frame.width - w)), (0, 0))
    if fill_value is None:
        padded = np.pad(pixels, pads, mode="edge")
    else:
        padded = np.empty((h + sum(pads[0]), w + sum(pads[1]), pixels.shape[2]), pixels.dtype)
        padded[...] = fill_value.astype(pixels.dtype)
        padded[pads[0][0]:pads[0][0] + h, pads[1][0]:pads[1][0] + w] = pixels
    top, left = frame.y + pads[0][0], frame.x + pads[1][0]
    return padded[top:top + frame.height, left:left + frame.width]

