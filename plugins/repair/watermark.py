"""Finding overlaid text and watermarks (for repair.detect_text and repair.remove_watermark).

Two tiers find the text. An installed text-detection network (PP-OCRv4's DBNet, see
text_detector) marks whole text lines, of any colour and font. Without one, a built-in
stroke search looks for thin, high-contrast strokes of one polarity lined up in rows:
a morphological top-hat with a disc wider than the strokes isolates thin bright (or
dark) features; pieces thicker than a stroke are dropped, and the rest is kept only
where pieces chain into a text row. Fur, hair and coin rims also make such rows, so
without a brushed area the search keeps only long rows of strong, even contrast and
rather finds nothing than paints over the photograph. A person's brushed mask narrows
either tier to where the watermark is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadInput
from packshot.core.luma import luma
from packshot.core.mask import as_mask
from packshot.core.operation import Inputs
from packshot.core.params import Choice, Float, Int, Text

from .dust import noise_sigma

# Pieces a row needs inside a brushed area, and anywhere in the picture (where fur and
# rims chain into short rows of their own).
ROW_IN_REGION, ROW_ANYWHERE = 3, 8
# Without a brushed area a row's strokes must stand this many noise sigmas above the
# photo (at sensitivity 0; 12 fewer at sensitivity 1). Tuned on astronaut, chelsea,
# coins and coffee, clean and overlaid; tests check other photographs.
CONTRAST_ANYWHERE = 24.0
BUILT_IN = "built-in"
TEXT_MODEL = "ppocr-v4-det"


def find_strokes(rgb: np.ndarray, *, stroke: int = 4, sensitivity: float = 0.5,
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
        contrast = 0.0 if region is not None else (CONTRAST_ANYWHERE - 12.0 * sensitivity) * sigma
        found = _text_rows(_thin(found, stroke), stroke, response, contrast,
                           ROW_IN_REGION if region is not None else ROW_ANYWHERE)
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


def _text_rows(pieces: np.ndarray, stroke: int, response: np.ndarray, contrast: float,
               row: int) -> np.ndarray:
    """Keep pieces shaped like characters that chain into a row of at least ``row`` pieces
    of about one height, baseline or centre aligned and close beside each other, whose
    median response is at least ``contrast``."""
    import cv2
    from scipy.ndimage import median
    from scipy.sparse.csgraph import connected_components

    n, labels, stats, _ = cv2.connectedComponentsWithStats(pieces.astype(np.uint8), connectivity=8)
    x, y, w, h = (stats[1:, i].astype(np.float64) for i in range(4))
    glyph = (h >= 1.5 * stroke) & (h <= 20 * stroke) & (w <= 20 * stroke)
    idx = np.flatnonzero(glyph)
    keep = np.zeros(n, bool)
    if idx.size < row:
        return keep[labels]
    x, y, w, h = x[idx], y[idx], w[idx], h[idx]
    tall = np.maximum(h[:, None], h[None, :])
    ratio = h[:, None] / h[None, :]
    bottom = y + h
    centre = y + h / 2
    aligned = (np.abs(bottom[:, None] - bottom[None, :]) < 0.3 * tall) | \
              (np.abs(centre[:, None] - centre[None, :]) < 0.3 * tall)
    gap = np.maximum(x[:, None], x[None, :]) - np.minimum((x + w)[:, None], (x + w)[None, :])
    link = aligned & (gap < 1.5 * tall) & (ratio > 0.5) & (ratio < 2.0)
    _, group = connected_components(link, directed=False)
    for g in np.flatnonzero(np.bincount(group) >= row):
        members = idx[group == g] + 1
        strength = np.asarray(median(response, labels, members))
        if np.median(strength) >= contrast:
            keep[members] = True
    return keep[labels]


def find_text(rgb: np.ndarray, params: Mapping[str, Any], region: np.ndarray | None,
              ctx: Context) -> tuple[np.ndarray, dict[str, Any]]:
    """The text mask and which tier found it: the named or best installed text detector
    (``detector`` auto or a model name), else the built-in stroke search."""
    from packshot.core.models import store_for
    from packshot.core.models.choice import choose, chosen_report

    requested = params["detector"]
    store = store_for(ctx)
    if requested == BUILT_IN or (requested == "auto" and not store.installed(task="text")):
        strokes = find_strokes(rgb, stroke=params["stroke"], sensitivity=params["sensitivity"],
                               polarity=params["polarity"], region=region)
        return strokes, {"tier": BUILT_IN, "detector": "stroke search"}
    from packshot.core.models.onnx import open_onnx_session

    from .text_detector import text_probability, text_regions

    entry = choose(store, "text", requested)
    ctx.progress(0.02, f"loading {entry.name}")
    with store.use(entry.name, ctx.device, open_onnx_session, kind="onnx",
                       while_waiting=ctx.check_cancelled) as session:
        prob = text_probability(session, rgb, ctx.sub(0.05, 0.2).progress)
    found = text_regions(prob)
    if region is not None:
        found &= region
    return found, {"tier": "model", "detector": entry.name, **chosen_report(entry, requested)}


def brushed_region(inputs: Inputs, op_id: str) -> np.ndarray | None:
    """The brushed area as a bool mask (None without one); an empty brush is refused."""
    if inputs.mask is None:
        return None
    region = as_mask(inputs.mask, inputs.image.pixels.shape[:2]) > 0.5
    if not region.any():
        raise BadInput(f"{op_id}: the mask is empty; brush over the watermark or pass no mask")
    return region


DETECTOR_PARAM = Text(
    "detector", "auto", help="auto: the best installed text detector (packshot models install "
    "ch_PP-OCRv4_det_infer.onnx), else the built-in stroke search; 'built-in', or a model's name")
STROKE_PARAMS = (
    Int("stroke", 4, minimum=1, maximum=20, unit="px",
        help="built-in search: widest text stroke to look for"),
    Float("sensitivity", 0.5, minimum=0.0, maximum=1.0, step=0.05,
          help="built-in search: higher takes fainter strokes (and risks taking detail of the photo)"),
    Choice("polarity", "auto", choices=("auto", "bright", "dark"),
           help="built-in search: bright text on the photo, dark text, or whichever is stronger"),
)
INSTALL_HINT = ("install a text detector to find text of any colour and font: packshot models "
                f"install ch_PP-OCRv4_det_infer.onnx (catalogue model {TEXT_MODEL})")
