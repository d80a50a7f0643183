"""Extending a studio shot's canvas by continuing its backdrop.

The backdrop's smooth field is fitted to the shot's border and evaluated over the new
canvas; the difference between the real edge and the field (a shadow reaching the edge,
paper texture) is carried outward and faded, and grain matching the measured noise is
added, so the seam does not show. The original pixels are kept exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from packshot.core.errors import BadParameter


@dataclass(frozen=True)
class Placement:
    """Where the original sits on the larger canvas."""

    width: int
    height: int
    left: int
    top: int


def plan_canvas(w: int, h: int, target_w: int, target_h: int, aspect: float, anchor_x: float,
                anchor_y: float) -> Placement:
    """A canvas of the target size, or the smallest one of ``aspect`` holding the image."""
    if target_w or target_h:
        cw, ch = max(target_w, w), max(target_h, h)
        if target_w and target_w < w or target_h and target_h < h:
            raise BadParameter(f"the canvas ({target_w}x{target_h}) must not be smaller than the "
                               f"image ({w}x{h}); crop with cutout.auto_frame instead")
    elif aspect > 0:
        cw, ch = (max(w, round(h * aspect)), h) if w / h < aspect else (w, max(h, round(w / aspect)))
    else:
        raise BadParameter("give a target width/height or an aspect ratio")
    return Placement(cw, ch, int(round((cw - w) * anchor_x)), int(round((ch - h) * anchor_y)))


def parse_aspect(text: str) -> float:
    parts = [float(p) for p in re.split(r"[:x/]", text.strip())]
    if len(parts) != 2 or parts[0] <= 0 or parts[1] <= 0:
        raise BadParameter(f"parameter 'aspect': {text!r}; expected W:H such as 1:1 or 4:5")
    return parts[0] / parts[1]


def extend_backdrop(rgb: np.ndarray, place: Placement, rng: np.random.Generator,
                    fade: float = 0.15) -> tuple[np.ndarray, np.ndarray]:
    """The larger canvas (float RGB) and the mask of the new area (1 = added)."""
    import cv2

    from packshot.core.backdrop_fit import fit_backdrop

    h, w = rgb.shape[:2]
    fit = fit_backdrop(rgb, seed=0)
    ys, xs = np.mgrid[0:place.height, 0:place.width]
    # The field in the original's own coordinates, so it extrapolates smoothly outward.
    field = fit.render(h, w, ys=(ys - place.top).astype(np.float64), xs=(xs - place.left).astype(np.float64))
    field = np.clip(field, 0, 1)
    inner = field[place.top:place.top + h, place.left:place.left + w]
    sigma = max(2.0, 0.01 * max(h, w))
    residual = cv2.GaussianBlur((rgb - inner).astype(np.float32), (0, 0), sigma)
    pads = (place.top, place.height - h - place.top, place.left, place.width - w - place.left)
    carried = cv2.copyMakeBorder(residual, *pads, cv2.BORDER_REPLICATE)
    added = np.ones((place.height, place.width), np.uint8)
    added[place.top:place.top + h, place.left:place.left + w] = 0
    distance = cv2.distanceTransform(added, cv2.DIST_L2, 5)
    decay = np.exp(-distance / max(fade * max(h, w), 1.0))[..., None]
    grain = rng.standard_normal((place.height, place.width, 3)).astype(np.float32) * fit.noise
    out = field + carried * decay + grain
    out[place.top:place.top + h, place.left:place.left + w] = rgb
    return np.clip(out, 0, 1).astype(np.float32), added.astype(np.float32)
