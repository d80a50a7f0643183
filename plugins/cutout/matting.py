"""Soft edges: a trimap around a hard mask, closed-form alpha matting, clean colours.

GrabCut gives a hard edge; hair, fabric fuzz and anti-aliasing need fractional alpha.
Closed-form matting (Levin et al., via pymatting) solves for alpha in a thin unknown
band; foreground estimation then removes the backdrop's colour from edge pixels so a
cut-out placed on another colour shows no halo.
"""

from __future__ import annotations

import numpy as np


def trimap(mask: np.ndarray, band: int) -> np.ndarray:
    """0 = backdrop, 1 = product, 0.5 = unknown, ``band`` pixels either side of the edge."""
    import scipy.ndimage as ndi

    inner = ndi.binary_erosion(mask, iterations=band)
    outer = ndi.binary_dilation(mask, iterations=band)
    out = np.full(mask.shape, 0.5)
    out[inner] = 1.0
    out[~outer] = 0.0
    return out


def closed_form_alpha(rgb: np.ndarray, tri: np.ndarray) -> np.ndarray:
    """Alpha from closed-form matting, solved only where the trimap is unknown."""
    from pymatting import estimate_alpha_cf

    unknown = tri == 0.5
    if not unknown.any():
        return tri.astype(np.float32)
    # Solve in the unknown band's bounding box (plus a margin): the rest is fixed anyway.
    ys, xs = np.nonzero(unknown)
    m = 4
    y0, y1 = max(ys.min() - m, 0), min(ys.max() + m + 1, tri.shape[0])
    x0, x1 = max(xs.min() - m, 0), min(xs.max() + m + 1, tri.shape[1])
    alpha = tri.astype(np.float64).copy()
    crop = estimate_alpha_cf(rgb[y0:y1, x0:x1].astype(np.float64), tri[y0:y1, x0:x1].astype(np.float64))
    alpha[y0:y1, x0:x1] = crop
    alpha[~unknown] = tri[~unknown]
    return np.clip(alpha, 0, 1).astype(np.float32)


def upsample_alpha(alpha: np.ndarray, guide: np.ndarray) -> np.ndarray:
    """Alpha found at a working size, brought to full size along the full-size image's edges.

    ``guide`` is the full-size RGB, stored (uint8/uint16) or float; it is read only in the
    grid cells of the edge band, where the guided filter refines the upscaled alpha.
    """
    import cv2

    from packshot.core.image import to_float

    from .edge_cells import cells

    h, w = guide.shape[:2]
    if alpha.shape == (h, w):
        return alpha
    up = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_LINEAR)
    scale = w / alpha.shape[1]
    radius = max(2, int(round(2 * scale)))
    # Only the edge band changes; solid regions stay exactly 0 or 1.
    edge: np.ndarray = ((up > 0.002) & (up < 0.998)).view(np.uint8)
    edge = cv2.dilate(edge, np.ones((2 * radius + 1, 2 * radius + 1), np.uint8)) > 0
    out = np.clip(up, 0, 1)
    for cell in cells(edge, margin=2 * radius + 1):
        rgb = to_float(guide[cell.read][..., :3])
        refined = cv2.ximgproc.guidedFilter(rgb, up[cell.read], radius, 1e-4)[cell.inner]
        keep = edge[cell.frame]
        out[cell.frame][keep] = np.clip(refined[keep], 0, 1)
    return out


def clean_foreground(pixels: np.ndarray, alpha: np.ndarray, working_side: int = 1024) -> np.ndarray:
    """Stored RGB pixels with the backdrop's contribution removed from the soft edge's colours.

    The foreground colours (multi-level foreground estimation) are smooth, so they are
    estimated at a working size and sampled back only at the edge band's full-size pixels.
    """
    import cv2
    from pymatting import estimate_foreground_ml

    from packshot.core.image import quantize, to_float
    from packshot.core.resample import fit_within, shrink

    from .edge_cells import cells

    edge = (alpha > 0.002) & (alpha < 0.998)
    out = pixels[..., :3].copy()
    if not edge.any():
        return out
    h, w = alpha.shape
    size = fit_within(alpha.shape, working_side)
    small, small_alpha = to_float(shrink(out, size)), shrink(alpha, size)
    fg = estimate_foreground_ml(np.clip(small, 0, 1).astype(np.float64),
                                np.clip(small_alpha, 0, 1).astype(np.float64)).astype(np.float32)
    for cell in cells(edge, margin=0):
        ys, xs = cell.frame
        gx = (np.arange(xs.start, xs.stop, dtype=np.float32) + 0.5) * (size[0] / w) - 0.5
        gy = (np.arange(ys.start, ys.stop, dtype=np.float32) + 0.5) * (size[1] / h) - 0.5
        mx, my = np.meshgrid(gx, gy)
        sampled = cv2.remap(fg, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        keep = edge[cell.frame]
        values = np.clip(sampled[keep], 0, 1)
        out[cell.frame][keep] = quantize(values, out.dtype) if out.dtype.kind in "ui" else values
    return out
