"""The built-in cut-out for studio shots: fit backdrop, seed GrabCut, matte the edge.

Works at a capped working size (GrabCut and matting cost grows with pixels), then brings
the alpha to full size along the full-size image's edges. It also judges its own
answer: where the product's edge is hardly different from the backdrop (white on
white), it says so instead of pretending.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from packshot.core.backdrop_fit import fit_backdrop
from packshot.core.context import Context
from packshot.core.image import to_float
from packshot.core.resample import fit_within, shrink

from .matting import closed_form_alpha, trimap, upsample_alpha
from .segment import enclosing_labels, evidence, grabcut, keep_seeded_parts, seed_labels

WORKING_SIDE = 1024
# Share of the product's outline that must differ visibly from the backdrop.
VISIBLE_EDGE = 0.75
# Share of the sharp edges that may lie outside the cut-out.
STRAY_EDGES = 0.2
# Area unlike the backdrop left outside the cut-out (shadows, or missed product), per product area.
UNEXPLAINED_AREA = 1.0
# Share of the ring just outside the cut-out that may differ from backdrop and shadow.
NOT_BACKDROP_OUTSIDE = 0.01


@dataclass
class Cutout:
    alpha: np.ndarray
    unsure: bool
    message: str
    report: dict[str, Any] = field(default_factory=dict)


def _hex(rgb: np.ndarray) -> str:
    return "#" + "".join(f"{int(round(float(c) * 255)):02x}" for c in np.clip(rgb, 0, 1))


def cut_out(rgb: np.ndarray, ctx: Context, *, edge_band: int = 0, working_side: int = WORKING_SIDE) -> Cutout:
    """Alpha 0..1 for the product in a studio shot (RGB, stored uint8/uint16 or float 0..1,
    any size). The full-size pixels are read once to shrink them and then only in the
    alpha's edge band."""
    h, w = rgb.shape[:2]
    small = np.clip(to_float(shrink(rgb, fit_within(rgb.shape, working_side))), 0.0, 1.0)
    ctx.progress(0.05, "fitting the backdrop")
    fit = fit_backdrop(small, seed=ctx.seed)
    ev = evidence(small, fit)
    labels = seed_labels(ev)
    ctx.progress(0.2, "segmenting")
    mask = keep_seeded_parts(grabcut(small, labels, seed=ctx.seed), labels)
    band = edge_band or max(2, int(round(0.004 * np.hypot(*small.shape[:2]))))
    doubts = _doubts(mask, ev, band)
    second = False
    if doubts.suspicious:
        # Product parts as light as the backdrop were seeded as backdrop: ask GrabCut again
        # with only the frame outside the sharp edges as certain backdrop. It sees the whole
        # frame: that outer ring is all its backdrop model learns from.
        ctx.progress(0.4, "second look: product close to the backdrop colour")
        alt = keep_seeded_parts(grabcut(small, enclosing_labels(labels, ev.edges & (ev.distance > ev.low)),
                                        margin=None, seed=ctx.seed), labels)
        alt_doubts = _doubts(alt, ev, band)
        if alt.any() and alt_doubts.stray + alt_doubts.outside < doubts.stray + doubts.outside:
            mask, doubts, second = alt, alt_doubts, True
    report: dict[str, Any] = {"backdrop": _hex(fit.mean_colour), "backdrop_noise": round(fit.noise, 4),
                              "backdrop_fit": round(fit.inlier_fraction, 3)}
    if not mask.any():
        return Cutout(np.zeros((h, w), np.float32), True,
                      "found no product: the whole frame looks like the backdrop", report)
    ctx.progress(0.6, "matting the edge")
    alpha = closed_form_alpha(small, trimap(mask, band))
    ctx.progress(0.85, "refining at full size")
    alpha = upsample_alpha(alpha, rgb)
    visible = _visible_edge_share(mask, ev.distance, ev.low)
    report["second_look"] = second
    report["visible_edge"] = round(visible, 3)
    report["unexplained_area"] = round(doubts.beside, 3)
    report["stray_edges"] = round(doubts.stray, 3)
    report["not_backdrop_outside"] = round(doubts.outside, 3)
    report["product_area"] = round(float((alpha > 0.5).mean()), 4)
    problems = []
    if fit.inlier_fraction < 0.7:
        problems.append("the frame's border is not a plain backdrop (the built-in cut-out is tuned "
                        "for seamless studio backdrops; a background-removal model handles scenes)")
    if visible < VISIBLE_EDGE:
        problems.append(f"only {visible:.0%} of the product's outline stands out from the backdrop "
                        "(light product on a light backdrop?); check the edge, or shoot on a "
                        "contrasting backdrop")
    if second:
        problems.append("parts of the product are as light as the backdrop (light product on a light "
                        "backdrop?); it was separated on a second look, so check the edge")
    elif doubts.suspicious:
        problems.append("sharp edges lie outside the cut-out, so part of the product may look like "
                        "the backdrop (light product on a light backdrop?); check the result")
    unsure = bool(problems)
    report["unsure"] = unsure
    return Cutout(alpha, unsure, "unsure: " + "; ".join(problems) if unsure else "", report)


@dataclass(frozen=True)
class _Doubts:
    """Signs that a mask missed part of the product."""

    stray: float  # share of sharp edges outside the cut-out
    beside: float  # area unlike the backdrop outside the cut-out, per product area
    outside: float  # share of a thin ring just outside the cut-out that is not backdrop or shadow

    @property
    def suspicious(self) -> bool:
        return self.stray > STRAY_EDGES or self.beside > UNEXPLAINED_AREA or self.outside > NOT_BACKDROP_OUTSIDE


def _doubts(mask: np.ndarray, ev, band: int) -> _Doubts:
    import scipy.ndimage as ndi

    stray = _stray_edge_share(mask, ev.edges & (ev.distance > ev.low), band)
    beside = float(((ev.distance > ev.high) & ~mask).sum()) / max(int(mask.sum()), 1)
    ring = ndi.binary_dilation(mask, iterations=band + 4) & ~ndi.binary_dilation(mask, iterations=band + 1)
    outside = float((ev.unshadowed[ring] > ev.low).mean()) if ring.any() else 0.0
    return _Doubts(stray, beside, outside)


def _visible_edge_share(mask: np.ndarray, distance: np.ndarray, low: float) -> float:
    """Share of the product's outline (just inside it) that differs from the backdrop."""
    import scipy.ndimage as ndi

    ring = mask & ~ndi.binary_erosion(mask, iterations=2)
    ring &= ndi.binary_erosion(np.ones_like(mask), iterations=1, border_value=0)
    if not ring.any():
        return 0.0
    return float((distance[ring] > low).mean())


def _stray_edge_share(mask: np.ndarray, edges: np.ndarray, band: int) -> float:
    """Share of the image's sharp edges that lie outside the cut-out (beyond its edge band)."""
    import scipy.ndimage as ndi

    outside = edges & ~ndi.binary_dilation(mask, iterations=band + 2)
    return float(outside.sum()) / max(int(edges.sum()), 1)
