"""Watermark and text removal: find text-like overlay strokes, then inpaint only them.

Overlaid text is thin, high-contrast strokes of one polarity lined up in rows. A
morphological top-hat with a disc wider than the strokes isolates thin bright (or dark)
features; pieces thicker than a stroke are dropped, and the rest is kept only where
several pieces line up into a text row, which rejects the odd thin highlight of the
photograph. A person's brushed mask narrows the search to where the watermark is, so
only the strokes under the brush are filled, not the whole brushed area.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadInput
from packshot.core.luma import luma
from packshot.core.mask import as_mask
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Choice, Float, Int

from .dust import noise_sigma
from .inpaint import METHOD_PARAM, inpaint_image

MIN_PIECES_PER_ROW = 3


def detect_text(rgb: np.ndarray, *, stroke: int = 4, sensitivity: float = 0.5,
                polarity: str = "auto", region: np.ndarray | None = None) -> np.ndarray:
    """A bool mask of text-like overlay strokes (grown by one pixel for anti-aliasing)."""
    import cv2

    lum = luma(rgb)
    sigma = noise_sigma(lum)
    size = 2 * stroke + 3
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    responses = []
    if polarity in ("auto", "bright"):
        responses.append(cv2.morphologyEx(lum, cv2.MORPH_TOPHAT, disc))
    if polarity in ("auto", "dark"):
        responses.append(cv2.morphologyEx(lum, cv2.MORPH_BLACKHAT, disc))
    best = np.zeros(lum.shape, bool)
    best_score = -1.0
    for response in responses:
        inside = response if region is None else response[region]
        strong = inside[inside > 3 * sigma]
        if strong.size < 16:
            continue
        # Otsu splits the strokes' contrast from the photo's own fine detail.
        otsu = _otsu(strong)
        level = max(otsu * (1.3 - 0.6 * sensitivity), (8.0 - 4.0 * sensitivity) * sigma)
        found = response > level
        if region is not None:
            found &= region
        found = _text_rows(_thin(found, stroke), stroke)
        score = float(response[found].sum())
        if score > best_score:
            best, best_score = found, score
    grown = cv2.dilate(best.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    return grown if region is None else grown & _grow(region, 2)


def _grow(mask: np.ndarray, px: int) -> np.ndarray:
    import cv2

    return cv2.dilate(mask.astype(np.uint8), np.ones((2 * px + 1, 2 * px + 1), np.uint8)) > 0


def _otsu(values: np.ndarray) -> float:
    from skimage.filters import threshold_otsu

    return float(threshold_otsu(values))


def _thin(found: np.ndarray, stroke: int) -> np.ndarray:
    """Drop the parts wider than a stroke (they survive an opening by a stroke-wide disc)."""
    import cv2

    size = stroke + 2
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    thick = cv2.morphologyEx(found.astype(np.uint8), cv2.MORPH_OPEN, disc) > 0
    return found & ~cv2.dilate(thick.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)


def _text_rows(pieces: np.ndarray, stroke: int) -> np.ndarray:
    """Keep pieces shaped like characters that sit in a row with at least two others of
    about their height, baseline or centre aligned and close beside them."""
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(pieces.astype(np.uint8), connectivity=8)
    x, y, w, h = (stats[1:, i].astype(np.float64) for i in range(4))
    glyph = (h >= 1.5 * stroke) & (h <= 20 * stroke) & (w <= 20 * stroke)
    idx = np.flatnonzero(glyph)
    keep = np.zeros(n, bool)
    if idx.size >= MIN_PIECES_PER_ROW:
        x, y, w, h = x[idx], y[idx], w[idx], h[idx]
        tall = np.maximum(h[:, None], h[None, :])
        ratio = h[:, None] / h[None, :]
        bottom = y + h
        centre = y + h / 2
        aligned = (np.abs(bottom[:, None] - bottom[None, :]) < 0.3 * tall) | \
                  (np.abs(centre[:, None] - centre[None, :]) < 0.3 * tall)
        gap = np.maximum(x[:, None], x[None, :]) - np.minimum((x + w)[:, None], (x + w)[None, :])
        near = gap < 1.5 * tall
        similar = (ratio > 0.5) & (ratio < 2.0)
        friends = (aligned & near & similar).sum(axis=1) - 1
        keep[idx[friends >= MIN_PIECES_PER_ROW - 1] + 1] = True
    return keep[labels]


class RemoveWatermark(Operation):
    id = "repair.remove_watermark"
    title = "Remove watermark / text"
    family = "repair"
    description = ("Find text-like overlay strokes (in the brushed area if a mask is given, "
                   "else anywhere) and inpaint them. The strokes found come back as a mask.")
    params = (
        Int("stroke", 4, minimum=1, maximum=20, unit="px", help="widest text stroke to look for"),
        Float("sensitivity", 0.5, minimum=0.0, maximum=1.0, step=0.05,
              help="higher takes fainter strokes (and risks taking detail of the photo)"),
        Choice("polarity", "auto", choices=("auto", "bright", "dark"),
               help="bright text on the photo, dark text, or whichever is stronger"),
        METHOD_PARAM,
    )
    inputs = frozenset({"image", "mask"})

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        image = inputs.image
        region = None
        if inputs.mask is not None:
            region = as_mask(inputs.mask, image.pixels.shape[:2]) > 0.5
            if not region.any():
                raise BadInput(f"{self.id}: the mask is empty; brush over the watermark or pass no mask")
        ctx.progress(0.0, "looking for text")
        strokes = detect_text(image.rgb(), stroke=params["stroke"], sensitivity=params["sensitivity"],
                              polarity=params["polarity"], region=region)
        report: dict[str, Any] = {"text_pixels": int(strokes.sum())}
        if strokes.any():
            image, fill_report = inpaint_image(image, strokes.astype(np.float32), params["method"],
                                               ctx.sub(0.2, 1.0))
            report.update(fill_report)
        message = "no text-like overlay found" if not strokes.any() else \
            f"removed {report['text_pixels']} overlay pixels"
        return Result(image, mask=strokes.astype(np.float32), report=report, message=message)
