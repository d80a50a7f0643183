"""repair.inpaint: fill a masked region, with the method chosen by the hole's size and shape.

Thin strokes and small spots (a hole no wider than a few pixels) are filled by
frequency-selective reconstruction, the strongest classical fill there. Large holes get
a weighted average of three fills: exemplar copying (texture and continuing structure),
FSR and biharmonic. No one of them wins on every picture, and a well-weighted average
usually errs less than any one (PSNR rewards the mean of what could be there); the
weights lean towards those that best predict a ring of known pixels hidden around the
hole (see ensemble), so they follow the picture without looking inside the hole. A large
hole is filled at a working size proportional to it, not at the camera's resolution.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadInput
from packshot.core.image import Image
from packshot.core.mask import as_mask, is_empty
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Choice, Int
from packshot.core.resample import shrink_with_mask

from .ensemble import Fill, Progress

METHODS = ("auto", "fsr", "telea", "ns", "biharmonic", "exemplar")
# A hole whose inscribed radius exceeds this many pixels counts as large.
LARGE_RADIUS = 6
# A large hole's area is at most this many discs of its inscribed radius (a square: 1.3).
COMPACT = 4.0
# Largest width (px) at which a large hole is filled; wider ones are filled shrunk to it.
# On large boxes in 12 MP tuning photographs, 48, 64, 96 and 128 fill equally well on
# average (the fills' finer detail that far from known pixels is guesswork); the cost
# grows with the square of it. It holds where the frame has detail down to the pixel
# (bench_repair's full-detail table, test_large_holes_detail): on held-out photographs
# 48 px fills within 0.2 dB of 64 and 96 and above 128, at a fraction of the time.
WORKING_EXTENT = 48


def large_part(hole: np.ndarray) -> np.ndarray:
    """The connected parts of ``hole`` that are deep and compact: a pixel more than
    LARGE_RADIUS from every known pixel, and an area within COMPACT discs of that depth.
    Thin strokes and small spots are not large however long, nor are the thick strokes of
    a bold watermark's letters, which FSR continues better than any blend."""
    import cv2
    from scipy.ndimage import distance_transform_edt

    large = np.zeros_like(hole)
    if not hole.any():
        return large
    # Measured on the hole's bounding box grown by one known pixel, not the whole window:
    # every hole pixel's nearest known pixel lies within it (projecting onto a box never
    # moves a pixel farther), and the window can be many times the hole's size.
    ys, xs = np.nonzero(hole)
    box = (slice(max(ys.min() - 1, 0), ys.max() + 2), slice(max(xs.min() - 1, 0), xs.max() + 2))
    part = hole[box]
    depth = distance_transform_edt(part)
    deep = depth > LARGE_RADIUS
    if not deep.any():
        return large
    count, labels, stats, _ = cv2.connectedComponentsWithStats(part.astype(np.uint8), connectivity=8)
    radius = np.zeros(count)
    np.maximum.at(radius, labels[deep], depth[deep])
    compact = (radius > LARGE_RADIUS) & (stats[:, cv2.CC_STAT_AREA] <= COMPACT * np.pi * radius**2)
    compact[0] = False
    large[box] = compact[labels]
    return large


def context_pad(extent: int) -> int:
    """Context kept around a region: a fixed margin for small ones, about one hole-width
    for large ones (the texture the exemplar fill copies from)."""
    return 24 + extent


def _exemplar(rgb: np.ndarray, hole: np.ndarray, seed: int, progress: Progress) -> np.ndarray:
    from .exemplar import exemplar_fill

    return exemplar_fill(rgb, hole, rng=np.random.default_rng(seed), progress=progress)


def fill_window(rgb: np.ndarray, hole: np.ndarray, method: str, ctx: Context) -> tuple[np.ndarray, str]:
    """Fill one window (float RGB) with ``method``; returns the fill and what was used."""
    from .classical import FILLS

    if method == "auto":
        large = large_part(hole)
        small = hole & ~large
        labels = []
        if small.any():
            rgb = FILLS["fsr"](rgb, small)
            labels.append("fsr")
        if large.any():
            rgb, label = _fill_large(rgb, large, ctx)
            labels.append(label)
        return rgb, " then ".join(labels)
    if method == "exemplar":
        return _exemplar(rgb, hole, ctx.seed, ctx.progress), "exemplar"
    ctx.progress(0.0, method)
    return FILLS[method](rgb, hole), method


def _large_fills(seed: int) -> dict[str, Fill]:
    """The fills a large hole's blend draws on: exemplar copying (texture, continuing
    structure), FSR (smooth and periodic content) and biharmonic (the blur closest to
    the mean where the content cannot be predicted)."""
    from .classical import FILLS

    def exemplar(rgb: np.ndarray, hole: np.ndarray, progress: Progress) -> np.ndarray:
        return _exemplar(rgb, hole, seed, progress)

    def classical(name: str) -> Fill:
        def fill(rgb: np.ndarray, hole: np.ndarray, progress: Progress) -> np.ndarray:
            progress(0.0, name)
            return FILLS[name](rgb, hole)
        return fill

    return {"exemplar": exemplar, "fsr": classical("fsr"), "biharmonic": classical("biharmonic")}


def _fill_large(rgb: np.ndarray, hole: np.ndarray, ctx: Context) -> tuple[np.ndarray, str]:
    """Blend of the large fills, weighted by how well each predicts a hidden ring of
    known pixels around the hole, pulled towards equal (see ensemble); the label gives
    the weights.

    A hole wider than WORKING_EXTENT is filled in a copy of its window shrunk to that
    width and the fill enlarged back: what can be predicted that far from known pixels is
    its coarse content (the fills' detail there is guesswork that PSNR punishes), and the
    cost then depends on the hole's shape, not on the camera's resolution.
    """
    import cv2

    from .ensemble import blend

    ys, xs = np.nonzero(hole)
    extent = max(ys.max() - ys.min() + 1, xs.max() - xs.min() + 1)
    scale = WORKING_EXTENT / extent
    if scale > 0.75:
        filled, shares = blend(rgb, hole, _large_fills(ctx.seed), ctx.progress, ctx.check_cancelled)
    else:
        h, w = hole.shape
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        small, small_hole = shrink_with_mask(rgb, hole, size)
        coarse, shares = blend(small, small_hole, _large_fills(ctx.seed), ctx.progress, ctx.check_cancelled)
        filled = rgb.copy()
        filled[hole] = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)[hole]
    return filled, " + ".join(f"{name} {share:.0%}" for name, share in shares.items())


def inpaint_image(image: Image, mask: np.ndarray, method: str, ctx: Context,
                  feather: int = 0) -> tuple[Image, dict[str, Any]]:
    """Fill ``mask`` (float 0..1, soft edges paste back softly) region by region."""
    from .crop_context import SELECTED, fill_regions

    mask = as_mask(mask, image.pixels.shape[:2])
    if (mask >= SELECTED).all():
        raise BadInput("the mask covers the whole picture; leave some of it unmasked to fill from")
    if is_empty(mask, 0.0):
        return image, {"regions": 0, "pixels_processed": 0,
                       "image_pixels": image.width * image.height, "methods": []}
    pixels, report = fill_regions(
        image.pixels, mask, lambda rgb, hole, sub: fill_window(rgb, hole, method, sub),
        context_pad, ctx, feather=feather)
    return image.with_pixels(pixels), report


METHOD_PARAM = Choice(
    "method", "auto", choices=METHODS,
    help="auto: frequency-selective reconstruction for thin strokes and small spots; for "
         "large holes a blend of exemplar, fsr and biharmonic, weighted by how well each "
         "predicts known pixels around the hole. Or force one: fsr, telea, ns, "
         "biharmonic, exemplar.")
FEATHER_PARAM = Int("feather", 0, minimum=0, maximum=32, unit="px",
                    help="grow the mask by this many pixels and soften its edge")


class Inpaint(Operation):
    id = "repair.inpaint"
    uses_seed = True  # exemplar fills sample patches with ctx.seed
    title = "Inpaint"
    family = "repair"
    description = ("Fill a masked region (dust, scratch, sticker, stray object) from its "
                   "surroundings. Only padded windows around the mask are processed.")
    params = (METHOD_PARAM, FEATHER_PARAM)
    inputs = frozenset({"image", "mask"})
    mask_required = True

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        assert inputs.mask is not None  # mask_required: check_inputs refuses a run without one
        image, report = inpaint_image(inputs.image, inputs.mask, params["method"], ctx,
                                      params["feather"])
        return Result(image, report=report,
                      message=f"filled {report['regions']} region(s) with {', '.join(report['methods']) or 'nothing'}")
