"""Extending a studio shot's canvas by continuing its backdrop.

The backdrop's smooth field is fitted to the shot's border and evaluated over the new
canvas; the difference between the real edge and the field (a shadow reaching the edge,
paper texture) is carried outward and faded, and grain matching the measured noise is
added, so the seam does not show. The original pixels are kept exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from packshot.core.errors import BadParameter

# Pixels per piece of the new area: its few float arrays stay in the processor's caches.
PIECE_PIXELS = 1 << 18


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
    h, w = rgb.shape[:2]
    out = np.empty((place.height, place.width, 3), np.float32)
    out[place.top:place.top + h, place.left:place.left + w] = rgb
    for rows, cols, values in continue_backdrop(rgb, place, rng, fade):
        out[rows, cols] = values
    return out, added_mask(place, h, w)


def added_mask(place: Placement, h: int, w: int) -> np.ndarray:
    """float32 mask of the canvas: 1 where it is new, 0 over the original (``h`` x ``w``)."""
    added = np.ones((place.height, place.width), np.float32)
    added[place.top:place.top + h, place.left:place.left + w] = 0
    return added


def continue_backdrop(rgb: np.ndarray, place: Placement, rng: np.random.Generator,
                      fade: float = 0.15) -> Iterator[tuple[slice, slice, np.ndarray]]:
    """The new area of the canvas, piece by piece: canvas rows, canvas columns, float RGB.

    Only the new area is computed: the fitted field on its pixels (a polynomial, so
    evaluated exactly from a few columns), the blurred residual of the original's four
    edge lines (all the replicated border reads) and grain.
    """
    from packshot.core.backdrop_fit import fit_backdrop

    h, w = rgb.shape[:2]
    fit = fit_backdrop(rgb, seed=0)
    sigma = max(2.0, 0.01 * max(h, w))
    reach = max(fade * max(h, w), 1.0)
    edges = {}
    for name, rows, cols in (("top", 0, None), ("bottom", h - 1, None), ("left", None, 0), ("right", None, w - 1)):
        strip = _edge_strip(rgb, fit, rows, cols, sigma)
        edges[name] = _blurred_edge(strip, sigma)
    for rows, cols in _new_pieces(place, h, w):
        ys = np.arange(rows.start, rows.stop) - place.top
        xs = np.arange(cols.start, cols.stop) - place.left
        if ys[-1] < 0:
            carried = edges["top"][np.clip(xs, 0, w - 1)][None]
        elif ys[0] >= h:
            carried = edges["bottom"][np.clip(xs, 0, w - 1)][None]
        else:
            carried = edges["left" if xs[-1] < 0 else "right"][np.clip(ys, 0, h - 1)][:, None]
        dy = np.maximum(np.maximum(-ys, ys - (h - 1)), 0).astype(np.float32)
        dx = np.maximum(np.maximum(-xs, xs - (w - 1)), 0).astype(np.float32)
        decay = np.exp(-np.hypot(dy[:, None], dx[None, :]) / np.float32(reach))
        values = _field(fit, ys, xs, h, w)
        values += carried * decay[..., None]
        values += rng.standard_normal(values.shape, dtype=np.float32) * np.float32(fit.noise)
        yield rows, cols, np.clip(values, 0, 1, out=values)


def _new_pieces(place: Placement, h: int, w: int) -> Iterator[tuple[slice, slice]]:
    """The canvas outside the original, as bands of whole rows (above, below) and side pieces."""
    bottom, right = place.top + h, place.left + w
    bands = [(0, place.top, 0, place.width), (bottom, place.height, 0, place.width),
             (place.top, bottom, 0, place.left), (place.top, bottom, right, place.width)]
    for y0, y1, x0, x1 in bands:
        if y1 <= y0 or x1 <= x0:
            continue
        step = max(1, PIECE_PIXELS // (x1 - x0))
        for y in range(y0, y1, step):
            yield slice(y, min(y + step, y1)), slice(x0, x1)


def _field(fit, ys: np.ndarray, xs: np.ndarray, h: int, w: int) -> np.ndarray:
    """The fitted backdrop (clipped to 0..1) on the grid ``ys`` x ``xs`` of the original's coordinates."""
    out = fit.grid(h, w, ys, xs)
    return np.clip(out, 0, 1, out=out)


def _edge_strip(rgb: np.ndarray, fit, row: int | None, col: int | None, sigma: float) -> np.ndarray:
    """The original minus the field over the lines nearest one edge, that edge's line first.

    Shaped (depth, length, 3): the residual's rows from the top or bottom edge, or its
    columns from the left or right edge, as deep as the blur reaches.
    """
    h, w = rgb.shape[:2]
    depth = _kernel_size(sigma) // 2 + 1
    if col is None:
        ys = np.arange(min(depth, h)) if row == 0 else np.arange(h - 1, max(h - 1 - depth, -1), -1)
        return rgb[ys] - _field(fit, ys, np.arange(w), h, w)
    xs = np.arange(min(depth, w)) if col == 0 else np.arange(w - 1, max(w - 1 - depth, -1), -1)
    return (rgb[:, xs] - _field(fit, np.arange(h), xs, h, w)).transpose(1, 0, 2)


def _kernel_size(sigma: float) -> int:
    """The Gaussian kernel OpenCV's GaussianBlur takes for float images (four sigmas each side)."""
    return int(round(sigma * 8 + 1)) | 1


def _blurred_edge(strip: np.ndarray, sigma: float) -> np.ndarray:
    """The edge line of the whole residual after ``cv2.GaussianBlur`` (mirrored borders).

    Across the edge the blur reads the strip's lines, mirrored at the edge; along it the
    line is blurred once, so the whole frame is never filtered.
    """
    import cv2

    size = _kernel_size(sigma)
    radius = size // 2
    if strip.shape[0] <= radius:  # the kernel is deeper than the image: filter it all
        return cv2.GaussianBlur(np.ascontiguousarray(strip), (size, size), sigma)[0]
    weights = cv2.getGaussianKernel(size, sigma, cv2.CV_32F)[radius:, 0].copy()
    weights[1:] *= 2  # line -k mirrors line k
    line = np.tensordot(weights, strip[:radius + 1], axes=1).astype(np.float32)
    return cv2.GaussianBlur(line[None], (size, 1), sigma)[0]
