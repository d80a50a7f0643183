"""Placing a cut-out on a backdrop with the three shadows retouchers draw by hand.

Contact shadow: a dark, tight shadow where the product touches the floor. Drop shadow:
the silhouette offset away from the light and blurred. Floor reflection: the product
mirrored below its base, fading out. The product itself is pasted last, so wherever its
alpha is 1 its pixels arrive unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Staging:
    x: float = 0.5  # product centre, share of canvas width
    floor: float = 0.85  # where the product's base stands, share of canvas height
    contact: float = 0.6
    drop: float = 0.35
    light_angle: float = 45.0  # degrees; light from the upper left casts shadows right and down
    softness: float = 0.03  # drop-shadow blur, share of the product's height
    distance: float = 0.04  # drop-shadow offset, share of the product's height
    reflection: float = 0.0
    reflection_fade: float = 0.35  # share of the product height over which the reflection fades


def scaled_product(rgba: np.ndarray, canvas_h: int, share: float) -> np.ndarray:
    """The product (float RGBA), resampled so its visible height is ``share`` of the canvas."""
    import cv2

    rows = np.nonzero(rgba[..., 3].max(axis=1) > 0.01)[0]
    cols = np.nonzero(rgba[..., 3].max(axis=0) > 0.01)[0]
    if rows.size == 0:
        return rgba
    crop = rgba[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    if share <= 0:
        return crop
    f = share * canvas_h / crop.shape[0]
    size = (max(1, round(crop.shape[1] * f)), max(1, round(crop.shape[0] * f)))
    premult = np.concatenate([crop[..., :3] * crop[..., 3:], crop[..., 3:]], axis=2)
    out = cv2.resize(premult, size, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_CUBIC)
    out = np.clip(out, 0, 1)
    a = out[..., 3:]
    out[..., :3] = np.where(a > 1e-4, out[..., :3] / np.maximum(a, 1e-4), 0)
    return np.clip(out, 0, 1)


# Blurs wider than this (pixels) run at a working resolution where they are this wide: the
# shadow is smooth, so bilinear upsampling loses nothing a person could see.
WORKING_SIGMA = 8.0


def _overlap(top: int, left: int, height: int, width: int,
             canvas_shape: tuple[int, int]) -> tuple[tuple[slice, slice], tuple[slice, slice]] | None:
    """Where a layer of ``height`` x ``width`` at (top, left) meets the canvas: canvas and layer slices."""
    h, w = canvas_shape
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + height, h), min(left + width, w)
    if y1 <= y0 or x1 <= x0:
        return None
    return (slice(y0, y1), slice(x0, x1)), (slice(y0 - top, y1 - top), slice(x0 - left, x1 - left))


def _place(layer: np.ndarray, canvas_shape: tuple[int, int], top: int, left: int) -> np.ndarray:
    """``layer`` pasted into a zero canvas at (top, left), clipped to the canvas."""
    out = np.zeros((*canvas_shape, *layer.shape[2:]), np.float32)
    hit = _overlap(top, left, layer.shape[0], layer.shape[1], canvas_shape)
    if hit is not None:
        out[hit[0]] = layer[hit[1]]
    return out


def _blurred(patch: np.ndarray, top: int, left: int, canvas_shape: tuple[int, int],
             shift: tuple[float, float], sigma: tuple[float, float]) -> tuple[tuple[slice, slice], np.ndarray] | None:
    """A zero canvas holding ``patch`` at (top, left), moved by ``shift`` (x, y) and Gaussian
    blurred by ``sigma`` (x, y): the canvas slices where it is not zero, and its values there.

    Only the patch's reach is filtered (where the kernel ends, the blur is zero), so the
    result is the whole-canvas blur's; blurs wider than WORKING_SIGMA run at a working
    resolution and are upsampled.
    """
    import cv2

    h, w = canvas_shape
    (dx, dy), (sx, sy) = shift, sigma
    factor = max(1, int(min(sx, sy) // WORKING_SIGMA))
    my, mx = int(np.ceil(4 * sy)) + 2 + factor, int(np.ceil(4 * sx)) + 2 + factor
    y0, y1 = max(int(np.floor(top + dy)) - my, 0), min(int(np.ceil(top + patch.shape[0] + dy)) + my, h)
    x0, x1 = max(int(np.floor(left + dx)) - mx, 0), min(int(np.ceil(left + patch.shape[1] + dx)) + mx, w)
    if y1 <= y0 or x1 <= x0:
        return None
    move = np.array([[1, 0, left + dx - x0], [0, 1, top + dy - y0]], np.float32)
    moved = cv2.warpAffine(patch, move, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)
    if factor == 1:
        return (slice(y0, y1), slice(x0, x1)), cv2.GaussianBlur(moved, (0, 0), sx, sigmaY=sy)
    # Where the reach is cut by the canvas, mirror it there as the whole-canvas blur would.
    above, below, before, after = (min(m, n - 1) if cut else 0 for m, n, cut in (
        (my, y1 - y0, y0 == 0), (my, y1 - y0, y1 == h), (mx, x1 - x0, x0 == 0), (mx, x1 - x0, x1 == w)))
    moved = cv2.copyMakeBorder(moved, above, below, before, after, cv2.BORDER_REFLECT_101)
    size = (max(1, -(-moved.shape[1] // factor)), max(1, -(-moved.shape[0] // factor)))
    small = cv2.resize(moved, size, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sx * size[0] / moved.shape[1], sigmaY=sy * size[1] / moved.shape[0])
    full = cv2.resize(small, moved.shape[1::-1], interpolation=cv2.INTER_LINEAR)
    return (slice(y0, y1), slice(x0, x1)), full[above:above + y1 - y0, before:before + x1 - x0]


def stage(backdrop: np.ndarray, product: np.ndarray, s: Staging) -> tuple[np.ndarray, np.ndarray]:
    """Composite ``product`` (float RGBA, already scaled) on ``backdrop``; returns RGB and alpha.

    The canvas is touched only where a layer reaches: the reflection below the product,
    each shadow's blurred reach and the product's box.
    """
    h, w = backdrop.shape[:2]
    ph, pw = product.shape[:2]
    top = int(round(s.floor * h)) - ph
    left = int(round(s.x * w - pw / 2))
    alpha = _place(product[..., 3], (h, w), top, left)
    out = backdrop.astype(np.float32, copy=True)
    base = top + ph
    placed = _overlap(top, left, ph, pw, (h, w))
    if s.reflection > 0 and (below := _overlap(base, left, ph, pw, (h, w))) is not None:
        mirror = product[::-1][below[1]]
        fade = np.clip(1 - np.arange(ph, dtype=np.float32) / max(s.reflection_fade * ph, 1), 0, 1)
        ra = (mirror[..., 3] * fade[below[1][0], None] * s.reflection)[..., None]
        out[below[0]] = out[below[0]] * (1 - ra) + mirror[..., :3] * ra
    if s.drop > 0 and placed is not None:
        a = np.deg2rad(s.light_angle)
        shift = (s.distance * ph * np.cos(a), s.distance * ph * np.sin(a))
        sigma = max(s.softness * ph, 0.5)
        rows, cols = placed[0]
        shadow = _blurred(alpha[rows, cols], rows.start, cols.start, (h, w), shift, (sigma, sigma))
        if shadow is not None:
            out[shadow[0]] *= (1 - s.drop * shadow[1])[..., None]
    if s.contact > 0 and placed is not None:
        band = max(2, int(round(0.02 * ph)))
        y0, y1 = max(base - band, 0), min(base + 1, h)
        cols = placed[0][1]
        reach = alpha[y0:y1, cols].max(axis=0, keepdims=True)
        foot = np.repeat(reach * (reach > 0.5), max(y1 - y0, 0), axis=0)
        soft = _blurred(foot, y0, cols.start, (h, w), (0.0, 0.0),
                        (max(0.01 * ph, 1.0), max(0.006 * ph, 1.0))) if y1 > y0 else None
        if soft is not None:
            shade = 1 - s.contact * np.clip(soft[1] / max(float(soft[1].max()), 1e-6), 0, 1)
            out[soft[0]] *= shade[..., None]
    if placed is not None:
        colour = product[placed[1]][..., :3]
        a = alpha[placed[0]][..., None]
        out[placed[0]] = np.where(a >= 1.0, colour, out[placed[0]] * (1 - a) + colour * a)
    return np.clip(out, 0, 1, out=out), alpha
