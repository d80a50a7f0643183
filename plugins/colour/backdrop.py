"""Finding a studio backdrop: the large, bright, evenly coloured sweep around a packshot.

A seamless backdrop is neutral by construction, so under a coloured light its colour *is*
the light's colour. It shows as a band along the frame's edges whose chromaticity is the
same all round; a scene photograph (sky above, ground below) does not pass that test.

A strong cast often pushes one channel of a bright backdrop past the top (a cool light
blows the blue, a warm one the red). A clipped channel only bounds the light's colour,
so such pixels count as backdrop when their other channels agree, and the backdrop is
then followed, through smooth pixels only, into its darker parts (the fall-off towards
the floor, the contact shadow), where every channel can be read again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .illuminant import CLIP, DARK

BAND = 0.06          # width of the edge band searched, as a fraction of the shorter side
CHROMA_RADIUS = 0.05  # log-chromaticity distance still counted as "the same colour"
MIN_SHARE = 0.6       # share of the band that must match
MIN_SIDES = 3         # sides of the frame on which the backdrop must show
MIN_PIXELS = 64       # fewest readable pixels that may fix a chromaticity
SMOOTH = 0.1          # largest log step per pixel (of a 5x5 average, any channel) inside a sweep


@dataclass(frozen=True)
class Backdrop:
    illuminant: np.ndarray  # unit RGB, linear light
    share: float            # fraction of the edge band that matched
    mask: np.ndarray        # the backdrop pixels every channel of which was read


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


def _ratio_bounds(clipped: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel and log ratio (R/G, B/G): may the true ratio be higher / lower than read?

    A clipped numerator reads too low, a clipped green too high.
    """
    r, g, b = clipped[..., 0], clipped[..., 1], clipped[..., 2]
    higher = np.stack([r, b], axis=-1)
    lower = np.stack([g, g], axis=-1)
    return higher, lower


_NEITHER_SIDE = np.zeros(2)  # the centre's ratios bound it on neither side


def _agrees(chroma: np.ndarray, clipped: np.ndarray, centre: np.ndarray,
            centre_side: np.ndarray = _NEITHER_SIDE) -> np.ndarray:
    """Pixels whose chromaticity is the centre's, as far as their unclipped channels tell.

    ``centre_side`` says, per ratio, whether the centre itself is only a lower (+1) or
    upper (-1) bound of the backdrop's ratio.
    """
    higher, lower = _ratio_bounds(clipped)
    higher = higher | (centre_side < 0)
    lower = lower | (centre_side > 0)
    d = chroma - centre
    # A ratio that may be higher than read only rules a pixel out when it reads too high.
    d = np.where(higher & ~lower, np.maximum(d, 0.0), d)
    d = np.where(lower & ~higher, np.minimum(d, 0.0), d)
    d = np.where(higher & lower, 0.0, d)
    return np.linalg.norm(d, axis=-1) < CHROMA_RADIUS


def _smooth(soft: np.ndarray) -> np.ndarray:
    """Pixels with no sharp edge nearby in any channel: a sweep and its soft shadow, not a
    product's outline."""
    import scipy.ndimage as ndi

    step = np.zeros(soft.shape[:2], np.float32)
    for c in range(3):
        log = np.log(np.maximum(soft[..., c], DARK))
        step = np.maximum(step, np.hypot(ndi.sobel(log, 0), ndi.sobel(log, 1)) / 8)
    return ndi.maximum_filter(step, size=3) < SMOOTH


def find_backdrop(linear: np.ndarray) -> Backdrop | None:
    """The backdrop's colour, or None when the frame's edges are not one even, bright colour.

    Blown pixels (every channel at its top) say nothing about the light and are left out
    of the count; pixels with one or two channels at the top count by the others.
    """
    import scipy.ndimage as ndi

    band, sides = edge_band(linear.shape[:2])
    soft = _denoised(linear)
    near_top = ndi.maximum_filter(linear.max(axis=2) >= CLIP, size=5)
    clipped = ndi.maximum_filter(linear >= CLIP, size=(5, 5, 1))
    readable = ~clipped.all(axis=2) & (ndi.minimum_filter(linear.min(axis=2), size=5) > DARK)
    informative = band & readable
    if informative.sum() < MIN_PIXELS or informative.sum() < 0.25 * (band & ~near_top).sum():
        return None
    lum = soft.max(axis=2)
    candidates = informative & (lum >= 0.5 * np.percentile(lum[informative], 90))
    chroma = log_chroma(soft)
    centre, side = np.empty(2), np.zeros(2)
    higher, lower = _ratio_bounds(clipped)
    for k in range(2):
        exact = candidates & ~higher[..., k] & ~lower[..., k]
        if exact.sum() >= MIN_PIXELS:
            centre[k] = np.median(chroma[exact, k])
        else:  # every candidate is clipped in this ratio: the bound most of them agree on
            centre[k] = np.median(chroma[candidates, k])
            side[k] = 1.0 if higher[candidates, k].mean() >= 0.5 else -1.0
    match = candidates & _agrees(chroma, clipped, centre)
    share = float(match.sum() / max(informative.sum(), 1))
    sides_ok = sum((informative & s).sum() >= 0.2 * s.sum()
                   and (match & s).sum() >= 0.5 * (informative & s).sum() for s in sides)
    if share < MIN_SHARE or sides_ok < MIN_SIDES:
        return None
    full = ~clipped.any(axis=2) & readable
    if (match & full).sum() < MIN_PIXELS:
        match, centre = _followed_into_shade(match, chroma, clipped, readable & _smooth(soft), centre, side)
    read = match & full
    if read.sum() >= MIN_PIXELS:
        light = linear[read].astype(np.float64).sum(axis=0)
    else:  # blown in some channel everywhere: the bound is the nearest guess there is
        light = np.exp([centre[0], 0.0, centre[1]])
    return Backdrop(illuminant=light / np.linalg.norm(light), share=share, mask=read)


def _followed_into_shade(match: np.ndarray, chroma: np.ndarray, clipped: np.ndarray,
                         smooth: np.ndarray, centre: np.ndarray,
                         side: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The backdrop grown from its edge pixels through smooth pixels of an agreeing colour.

    Where the edge band was clipped in some ratio, ``centre`` only bounds it (``side``), so
    the first growth accepts any value beyond the bound; the grown pixels that read every
    channel then fix the ratio, and the region is grown once more with it. Returns the
    region and its chromaticity (still a bound where nothing in it read every channel).
    """
    import scipy.ndimage as ndi

    full = ~clipped.any(axis=2)
    region = match
    for _ in range(2):
        labels, _ = ndi.label(smooth & (_agrees(chroma, clipped, centre, side) | match))
        keep = np.unique(labels[match & (labels > 0)])
        region = np.isin(labels, keep[keep > 0]) | match
        read = region & full
        if read.sum() < MIN_PIXELS:
            break
        centre, side = np.median(chroma[read], axis=0), np.zeros(2)
    return region & (~full | _agrees(chroma, clipped, centre)), centre
