"""Dust and spot detection on smooth areas, giving a mask a person reviews before healing.

A spot is a small, compact dark or bright blob that a morphological closing (dark) or
opening (bright) with a disc a little larger than the biggest spot removes. Its
contrast against that cleaned background is compared with the image's own noise, and a
spot is kept only where the cleaned background is smooth around it, so product edges,
corners and fine highlights are never flagged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.luma import luma
from packshot.core.operation import Inputs, Result
from packshot.core.params import Float, Int

from .inpaint import inpaint_image

# Contrast needed, in noise sigmas, at sensitivity 0 and 1.
SIGMAS_AT_LEAST_SENSITIVE = 12.0
SIGMAS_AT_MOST_SENSITIVE = 3.0
# A background whose gradient around a spot exceeds this fraction of the spot's own
# contrast per pixel is an edge or a texture, not a smooth area.
EDGE_RATIO = 0.08
MIN_COMPACTNESS = 0.35


def noise_sigma(lum: np.ndarray) -> float:
    """Robust noise level: the median absolute Laplacian-like residual (Immerkaer-style)."""
    import cv2

    residual = lum - cv2.blur(lum, (3, 3))
    return max(float(np.median(np.abs(residual))) * 1.4826 * 1.5, 1e-4)


def detect_spots(rgb: np.ndarray, sensitivity: float = 0.5, max_size: int = 15,
                 ctx: Context | None = None) -> tuple[np.ndarray, int]:
    """A float mask (1 on each spot, grown by a pixel to cover its soft rim) and the count."""
    import cv2

    raw = luma(rgb)
    lum = cv2.GaussianBlur(raw, (0, 0), 0.8)
    sigma = noise_sigma(raw)
    k = SIGMAS_AT_LEAST_SENSITIVE + (SIGMAS_AT_MOST_SENSITIVE - SIGMAS_AT_LEAST_SENSITIVE) * sensitivity
    size = max_size + 4 | 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    mask = np.zeros(lum.shape, np.float32)
    count = 0
    for step, (op, sign) in enumerate(((cv2.MORPH_CLOSE, 1.0), (cv2.MORPH_OPEN, -1.0))):
        if ctx is not None:
            ctx.progress(step / 2, "looking for dark spots" if sign > 0 else "looking for bright spots")
        background = cv2.morphologyEx(lum, op, disc)
        contrast = (background - lum) * sign
        found = (contrast > k * sigma).astype(np.uint8)
        gx = cv2.Sobel(background, cv2.CV_32F, 1, 0, ksize=3) / 8.0
        gy = cv2.Sobel(background, cv2.CV_32F, 0, 1, ksize=3) / 8.0
        edge = cv2.dilate(np.hypot(gx, gy), disc)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(found, connectivity=8)
        for i in range(1, n):
            x, y, w, h, area = stats[i]
            if max(w, h) > max_size or area / float(w * h) < MIN_COMPACTNESS:
                continue
            sl = slice(y, y + h), slice(x, x + w)
            blob = labels[sl] == i
            peak = float(contrast[sl][blob].max())
            if float(edge[sl][blob].max()) > EDGE_RATIO * peak:
                continue
            mask[sl][blob] = 1.0
            count += 1
    grown = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    return grown, count


DETECT_PARAMS = (
    Float("sensitivity", 0.5, minimum=0.0, maximum=1.0, step=0.05,
          help="higher finds fainter spots (and risks more false ones)"),
    Int("max_size", 15, minimum=2, maximum=64, unit="px",
        help="largest spot diameter to look for"),
)


def _touching(spots: np.ndarray, region: np.ndarray) -> tuple[np.ndarray, int]:
    """The spots (whole, rim included) that touch ``region``, and how many."""
    import cv2

    _, labels = cv2.connectedComponents((spots > 0).astype(np.uint8), connectivity=8)
    keep = np.unique(labels[region & (labels > 0)])
    return np.where(np.isin(labels, keep), spots, 0.0).astype(np.float32), int(keep.size)


def detect_and_heal(inputs: Inputs, params: Mapping[str, Any], ctx: Context, heal: bool) -> Result:
    image = inputs.image
    mask, count = detect_spots(image.rgb(), params["sensitivity"], params["max_size"],
                               ctx.sub(0.0, 0.3 if heal else 1.0))
    if inputs.mask is not None:  # look only where the person pointed: spots touching the given region
        mask, count = _touching(mask, inputs.mask > 0)
    report: dict[str, Any] = {"spots": count}
    if heal and count:
        image, fill_report = inpaint_image(image, mask, "auto", ctx.sub(0.3, 1.0))
        report.update(fill_report)
    verb = "removed" if heal else "found"
    return Result(image, mask=mask, report=report, message=f"{verb} {count} spot(s)")
