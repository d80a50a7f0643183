"""Soft edges: a trimap around a hard mask, closed-form alpha matting, clean colours.

GrabCut gives a hard edge; hair, fabric fuzz and anti-aliasing need fractional alpha.
Closed-form matting (Levin et al., via pymatting) solves for alpha in a thin unknown
band; foreground estimation then removes the backdrop's colour from edge pixels so a
cut-out placed on another colour shows no halo.
"""

from __future__ import annotations

import numpy as np

# Working-size pixels of colour around the edge band that the foreground estimate sees.
FOREGROUND_MARGIN = 16
# The guided filter's regularisation (float 0..1 colours): alpha follows colour edges of at
# least about this variance, not sensor grain or a backdrop's shading. At 1e-4 it followed
# them too, and the edge band's error against true full-size alphas was three times that
# of the plain enlargement; at 1e-2 it is a third of it.
GUIDE_EPS = 1e-2


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
    grid cells of the edge band, where the guided filter refines the upscaled alpha. The
    band is found at the working size, so the only full-size passes are the enlargement
    itself and a clip in place.
    """
    import cv2

    from packshot.core.image import to_float

    from .edge_cells import cells

    h, w = guide.shape[:2]
    if alpha.shape == (h, w):
        return alpha
    out = cv2.resize(alpha, (w, h), interpolation=cv2.INTER_LINEAR)
    np.clip(out, 0, 1, out=out)
    scale = w / alpha.shape[1]
    radius = max(2, int(round(2 * scale)))
    window = np.ones((2 * radius + 1, 2 * radius + 1), np.uint8)
    # Cells near where the enlarged alpha can be fractional, found at the working size: an
    # enlarged pixel mixes working pixels at most one away, and is refined when within the
    # filter's radius of a fractional one.
    reach = np.ones((2 * (int(np.ceil(radius / scale)) + 2) + 1,) * 2, np.uint8)
    above, below = ((cv2.dilate(side.view(np.uint8), reach) > 0) for side in (alpha > 0.002, alpha < 0.998))
    near = above & below
    refined = []
    for cell in cells(near, (h, w), margin=2 * radius + 1):
        up = out[cell.read]
        # Only the edge band changes (its pixels and those within the filter's radius);
        # solid regions stay exactly 0 or 1.
        edge = cv2.dilate(_soft(up).view(np.uint8), window)[cell.inner] > 0
        if edge.any():
            filtered = cv2.ximgproc.guidedFilter(to_float(guide[cell.read][..., :3]), up, radius, GUIDE_EPS)
            refined.append((cell.frame, edge, np.clip(filtered[cell.inner][edge], 0, 1)))
    # Written after all cells are filtered: each cell's filter reads its neighbours' margins.
    for frame, edge, values in refined:
        out[frame][edge] = values
    return out


def _soft(alpha: np.ndarray) -> np.ndarray:
    """Where alpha is fractional (neither backdrop nor solid product)."""
    return (alpha > 0.002) & (alpha < 0.998)


def clean_edge_colours(rgb: np.ndarray, alpha: np.ndarray, working_side: int = 1024) -> None:
    """Remove the backdrop's contribution from the soft edge's colours of stored RGB pixels,
    in place.

    The foreground colours (multi-level foreground estimation) are smooth, so they are
    estimated at a working size, only in the box around the edge band (with a margin of
    the colours on either side), and sampled back only at the band's full-size pixels.
    """
    import cv2
    from pymatting import estimate_foreground_ml

    from packshot.core.image import quantize, to_float
    from packshot.core.resample import fit_within, shrink

    from .edge_cells import bounds, cells

    h, w = alpha.shape
    width, height = fit_within(alpha.shape, working_side)
    # Area averages: a shrunk pixel is fractional wherever any pixel it covers is.
    seen = shrink(alpha, (width, height))
    band = list(cells((seen > 0) & (seen < 1), (h, w), margin=0))
    if not band:
        return
    pad = int(np.ceil(FOREGROUND_MARGIN * w / width))
    box = bounds(band, pad, (h, w))
    size = (max(1, round((box[1].stop - box[1].start) * width / w)),
            max(1, round((box[0].stop - box[0].start) * height / h)))
    small = np.clip(to_float(shrink(rgb[box], size)), 0, 1)
    fg = estimate_foreground_ml(small, np.clip(shrink(alpha[box], size), 0, 1))
    sx, sy = float(size[0] / (box[1].stop - box[1].start)), float(size[1] / (box[0].stop - box[0].start))
    for cell in band:
        keep = _soft(alpha[cell.frame])
        if not keep.any():
            continue
        ys, xs = cell.frame
        gx = (np.arange(xs.start - box[1].start, xs.stop - box[1].start, dtype=np.float32) + 0.5) * sx - 0.5
        gy = (np.arange(ys.start - box[0].start, ys.stop - box[0].start, dtype=np.float32) + 0.5) * sy - 0.5
        mx, my = np.meshgrid(gx, gy)
        sampled = cv2.remap(fg, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        values = np.clip(sampled[keep], 0, 1)
        rgb[cell.frame][keep] = quantize(values, rgb.dtype) if rgb.dtype.kind in "ui" else values
