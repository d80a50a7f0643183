"""Finding a studio backdrop: the large, bright, evenly coloured sweep around a packshot.

A seamless backdrop is neutral by construction, so under a coloured light its colour *is*
the light's colour. It shows as a band along the frame's edges whose chromaticity is the
same all round; a scene photograph (sky above, ground below) does not pass that test.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .illuminant import CLIP, usable

BAND = 0.06          # width of the edge band searched, as a fraction of the shorter side
CHROMA_RADIUS = 0.05  # log-chromaticity distance still counted as "the same colour"
MIN_SHARE = 0.6       # share of the band that must match
MIN_SIDES = 3         # sides of the frame on which the backdrop must show


@dataclass(frozen=True)
class Backdrop:
    illuminant: np.ndarray  # unit RGB, linear light
    share: float            # fraction of the edge band that matched
    mask: np.ndarray        # the matching edge-band pixels (of the array it was found in)


def log_chroma(linear: np.ndarray) -> np.ndarray:
    """(log R/G, log B/G): a light's intensity drops out, its colour stays."""
    eps = 1e-4
    g = np.log(linear[..., 1] + eps)
    return np.stack([np.log(linear[..., 0] + eps) - g, np.log(linear[..., 2] + eps) - g], axis=-1)


def edge_band(shape: tuple[int, int], band: float = BAND) -> tuple[np.ndarray, list[np.ndarray]]:
    h, w = shape
    k = max(2, int(round(min(h, w) * band)))
    sides = []
    for sl in ((slice(0, k), slice(None)), (slice(h - k, h), slice(None)),
               (slice(None), slice(0, k)), (slice(None), slice(w - k, w))):
        m = np.zeros((h, w), bool)
        m[sl] = True
        sides.append(m)
    return np.logical_or.reduce(sides), sides


def _denoised(linear: np.ndarray) -> np.ndarray:
    """A 5x5 box average: sensor noise would otherwise scatter the chromaticity of dark channels."""
    import scipy.ndimage as ndi

    return ndi.uniform_filter(linear.astype(np.float32), size=(5, 5, 1), mode="nearest")


def find_backdrop(linear: np.ndarray) -> Backdrop | None:
    """The backdrop's colour, or None when the frame's edges are not one even, bright colour.

    Blown pixels (a channel at its top) say nothing about the light; they are left out of
    the count, so a backdrop that clips near the key light is still found by the rest.
    """
    import scipy.ndimage as ndi

    band, sides = edge_band(linear.shape[:2])
    ok = ndi.minimum_filter(usable(linear), size=5)  # the 5x5 average below must not see clipping
    informative = band & (linear.max(axis=2) < CLIP)
    if ok[band].mean() < 0.25:
        return None
    lum = linear.mean(axis=2)
    candidates = band & ok
    candidates &= lum >= 0.5 * np.percentile(lum[candidates], 90)
    if candidates.sum() < 64:
        return None
    chroma = log_chroma(_denoised(linear))
    centre = np.median(chroma[candidates], axis=0)
    match = candidates & (np.linalg.norm(chroma - centre, axis=-1) < CHROMA_RADIUS)
    share = float(match.sum() / max(informative.sum(), 1))
    sides_ok = sum((informative & s).sum() >= 0.2 * s.sum()
                   and (match & s).sum() >= 0.5 * (informative & s).sum() for s in sides)
    if share < MIN_SHARE or sides_ok < MIN_SIDES:
        return None
    light = linear[match].astype(np.float64).sum(axis=0)
    return Backdrop(illuminant=light / np.linalg.norm(light), share=share, mask=match)
