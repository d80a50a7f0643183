"""Product/backdrop segmentation for studio shots: backdrop-seeded GrabCut.

The fitted backdrop tells each pixel how far it is from "empty studio". Pixels close to
it and connected to the frame's edge are certainly backdrop; pixels whose colour no
brightness change of the backdrop explains are certainly product; a soft darkening of
the backdrop (a contact shadow) is left for GrabCut to judge, seeded as backdrop, so
shadows do not become part of the product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from packshot.core.backdrop_fit import BackdropFit
from packshot.core.image import quantize

# A contact shadow darkens the backdrop to no less than this share of its brightness.
DEEPEST_SHADOW = 0.4


@dataclass(frozen=True)
class Evidence:
    """How different each pixel is from the backdrop, and the thresholds in use."""

    distance: np.ndarray  # colour distance to the backdrop
    unshadowed: np.ndarray  # distance left after the best darkening of the backdrop
    edges: np.ndarray  # sharp edges (a soft shadow has none)
    low: float
    high: float


def evidence(rgb: np.ndarray, fit: BackdropFit) -> Evidence:
    h, w = rgb.shape[:2]
    bg = fit.render(h, w)
    distance = np.linalg.norm(rgb - bg, axis=2)
    ratio = (rgb * bg).sum(axis=2) / np.maximum((bg * bg).sum(axis=2), 1e-6)
    shade = np.clip(ratio, DEEPEST_SHADOW, 1.0)[..., None]
    unshadowed = np.linalg.norm(rgb - shade * bg, axis=2)
    sigma = fit.noise * np.sqrt(3)
    return Evidence(distance.astype(np.float32), unshadowed.astype(np.float32), sharp_edges(rgb, fit.noise),
                    low=max(3.5 * sigma, 0.03), high=max(8 * sigma, 0.08))


def sharp_edges(rgb: np.ndarray, noise: float) -> np.ndarray:
    """Canny edges above the noise: product outlines, not the soft rim of a shadow."""
    import cv2

    smooth = cv2.GaussianBlur(np.clip(rgb * 255, 0, 255).astype(np.float32), (0, 0), 1.5)
    low = max(30.0, 600 * noise)
    return cv2.Canny(smooth.astype(np.uint8), low, 2.5 * low, L2gradient=True) > 0


def seed_labels(ev: Evidence) -> np.ndarray:
    """GrabCut's four labels (definite/probable background/foreground) from the evidence."""
    import cv2
    import scipy.ndimage as ndi

    labels = np.full(ev.distance.shape, cv2.GC_PR_BGD, np.uint8)
    strong = ev.unshadowed > ev.high
    strong = ndi.binary_opening(strong, iterations=1)
    filled = ndi.binary_fill_holes(strong)
    empty = ev.distance < ev.low
    components, _ = ndi.label(empty)
    edge_ids = np.unique(np.concatenate([components[0], components[-1], components[:, 0], components[:, -1]]))
    backdrop = np.isin(components, edge_ids[edge_ids > 0]) & ~filled
    # A darkening walled in by sharp edges on the left, right and top is product, not shadow.
    walled = enclosed(ev.edges, backdrop) & ~backdrop & (ev.distance > ev.low)
    labels[filled | walled] = cv2.GC_PR_FGD
    labels[ndi.binary_erosion(strong, iterations=2)] = cv2.GC_FGD
    labels[backdrop] = cv2.GC_BGD
    return labels


def enclosed(edges: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """Pixels whose nearest of (edge, outside) is an edge looking left, right and up."""
    def edge_first(e: np.ndarray, o: np.ndarray, axis: int) -> np.ndarray:
        idx = np.arange(e.shape[axis]).reshape((-1, 1) if axis == 0 else (1, -1))
        last_edge = np.maximum.accumulate(np.where(e, idx, -1), axis=axis)
        last_out = np.maximum.accumulate(np.where(o, idx, -1), axis=axis)
        return last_edge > last_out

    left = edge_first(edges, outside, 1)
    right = edge_first(edges[:, ::-1], outside[:, ::-1], 1)[:, ::-1]
    up = edge_first(edges, outside, 0)
    return left & right & up


def enclosing_labels(labels: np.ndarray, edges: np.ndarray, margin: float = 0.02) -> np.ndarray:
    """Labels for a second look: certain backdrop only outside the box around all sharp edges."""
    import cv2

    found = edges | (labels == cv2.GC_FGD) | (labels == cv2.GC_PR_FGD)
    if not found.any():
        return labels
    ys, xs = np.nonzero(found)
    h, w = labels.shape
    m = int(round(margin * max(h, w)))
    out = np.full(labels.shape, cv2.GC_BGD, np.uint8)
    inner = out[max(ys.min() - m, 0):ys.max() + m + 1, max(xs.min() - m, 0):xs.max() + m + 1]
    inner[...] = cv2.GC_PR_FGD
    out[labels == cv2.GC_FGD] = cv2.GC_FGD
    return out


def grabcut(rgb: np.ndarray, labels: np.ndarray, iterations: int = 4, margin: float | None = 0.05,
            seed: int = 0) -> np.ndarray:
    """Boolean product mask from GrabCut run on the seeded labels.

    GrabCut's first clustering draws from OpenCV's thread-wide random state, so that is
    seeded first: the same shot gives the same mask whatever OpenCV did before.

    GrabCut's cost grows with every pixel it is given, and a product fills a fifth to a
    half of the frame: with a ``margin``, it runs on the box around everything not
    certainly backdrop, widened by that share of the frame's longer side so its backdrop
    model still sees the backdrop around the product (``None``: the whole frame).
    """
    import cv2

    if not (labels == cv2.GC_FGD).any() and not (labels == cv2.GC_PR_FGD).any():
        return np.zeros(labels.shape, bool)
    box: tuple[slice, slice] = (slice(None), slice(None))
    if margin is not None:
        ys, xs = np.nonzero(labels != cv2.GC_BGD)
        m = int(round(margin * max(labels.shape)))
        box = slice(max(ys.min() - m, 0), ys.max() + m + 1), slice(max(xs.min() - m, 0), xs.max() + m + 1)
    img = np.ascontiguousarray(quantize(rgb[box], np.uint8)[..., ::-1])
    mask = labels[box].copy()
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(seed % 2**31)  # a C int
    cv2.grabCut(img, mask, None, bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)  # type: ignore[call-overload]  # no rect
    out = np.zeros(labels.shape, bool)
    out[box] = (mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)
    return out


def keep_seeded_parts(mask: np.ndarray, labels: np.ndarray, min_fraction: float = 0.0005) -> np.ndarray:
    """Drop specks: keep connected parts that hold a definite seed or are not tiny."""
    import cv2
    import scipy.ndimage as ndi

    components, count = ndi.label(mask)
    if count == 0:
        return mask
    sizes = np.bincount(components.ravel())
    seeded = np.bincount(components.ravel(), weights=(labels == cv2.GC_FGD).ravel())
    good = (seeded > 0) | (sizes >= min_fraction * mask.size)
    good[0] = False
    return good[components]
