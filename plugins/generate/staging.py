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


def _place(layer: np.ndarray, canvas_shape: tuple[int, int], top: int, left: int) -> np.ndarray:
    """``layer`` pasted into a zero canvas at (top, left), clipped to the canvas."""
    h, w = canvas_shape
    out = np.zeros((h, w, *layer.shape[2:]), np.float32)
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + layer.shape[0], h), min(left + layer.shape[1], w)
    if y1 > y0 and x1 > x0:
        out[y0:y1, x0:x1] = layer[y0 - top:y1 - top, x0 - left:x1 - left]
    return out


def stage(backdrop: np.ndarray, product: np.ndarray, s: Staging) -> tuple[np.ndarray, np.ndarray]:
    """Composite ``product`` (float RGBA, already scaled) on ``backdrop``; returns RGB and alpha."""
    import cv2

    h, w = backdrop.shape[:2]
    ph, pw = product.shape[:2]
    top = int(round(s.floor * h)) - ph
    left = int(round(s.x * w - pw / 2))
    alpha = _place(product[..., 3], (h, w), top, left)
    out = backdrop.astype(np.float32).copy()
    base = top + ph
    if s.reflection > 0:
        mirror = product[::-1]
        fade = np.clip(1 - np.arange(ph, dtype=np.float32) / max(s.reflection_fade * ph, 1), 0, 1)
        ra = _place(mirror[..., 3] * fade[:, None] * s.reflection, (h, w), base, left)
        rc = _place(mirror[..., :3], (h, w), base, left)
        out = out * (1 - ra[..., None]) + rc * ra[..., None]
    shade = np.ones((h, w), np.float32)
    if s.drop > 0:
        a = np.deg2rad(s.light_angle)
        dx, dy = s.distance * ph * np.cos(a), s.distance * ph * np.sin(a)
        m = np.array([[1, 0, dx], [0, 1, dy]], np.float32)
        moved = cv2.warpAffine(alpha, m, (w, h), flags=cv2.INTER_LINEAR)
        sigma = max(s.softness * ph, 0.5)
        shade *= 1 - s.drop * cv2.GaussianBlur(moved, (0, 0), sigma)
    if s.contact > 0:
        foot = np.zeros((h, w), np.float32)
        band = max(2, int(round(0.02 * ph)))
        y0 = max(base - band, 0)
        foot[y0:min(base + 1, h)] = alpha[y0:min(base + 1, h)].max(axis=0, keepdims=True) * \
            (alpha[y0:min(base + 1, h)].max(axis=0) > 0.5)
        soft = cv2.GaussianBlur(foot, (0, 0), sigmaX=max(0.01 * ph, 1.0), sigmaY=max(0.006 * ph, 1.0))
        shade *= 1 - s.contact * np.clip(soft / max(float(soft.max()), 1e-6), 0, 1)
    out *= shade[..., None]
    colour = _place(product[..., :3], (h, w), top, left)
    a = alpha[..., None]
    out = np.where(a >= 1.0, colour, out * (1 - a) + colour * a)
    return np.clip(out, 0, 1).astype(np.float32), alpha
