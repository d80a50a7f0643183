"""Clone / heal: copy texture from a source offset into the masked area, blending its
colour to the destination (the classic healing brush).

Healing is gradient-domain cloning in log space: the copied texture keeps its detail,
and the ratio between destination and source along the mask's rim is spread smoothly
across the area, so a patch taken from a brighter or warmer part of the picture takes on
the light and colour around the destination (a pure change of light, the usual case in a
studio fall-off, is undone exactly). ``blend = false`` gives a plain clone stamp.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadInput, BadParameter
from packshot.core.image import quantize
from packshot.core.mask import as_mask, is_empty
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Bool, Numbers

from .crop_context import SELECTED, windows

RIM = 2
# Keeps the logarithm finite in black pixels.
LOG_OFFSET = 1.0 / 64.0


def heal(destination: np.ndarray, source: np.ndarray, hole: np.ndarray, blend: bool = True) -> np.ndarray:
    """Source texture in the hole, times the rim's destination/source ratio spread in
    smoothly (a harmonic membrane over the log ratio)."""
    if not blend:
        return source
    log_ratio = np.log(destination + LOG_OFFSET) - np.log(source + LOG_OFFSET)
    return (source + LOG_OFFSET) * np.exp(harmonic_fill(log_ratio, hole)) - LOG_OFFSET


def harmonic_fill(values: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Solve Laplace's equation over the hole with the known pixels as boundary values.

    Harmonic, not biharmonic: by the maximum principle the membrane never leaves the
    range of its rim, so a rim that crosses a strong edge cannot overshoot into colours
    that are nowhere around the hole.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.linalg import splu

    h, w = hole.shape
    ys, xs = np.nonzero(hole)
    n = ys.size
    index = -np.ones((h, w), np.int64)
    index[ys, xs] = np.arange(n)
    flat = values.reshape(h, w, -1).astype(np.float64)
    rows, cols, data = [np.arange(n)], [np.arange(n)], [np.zeros(n)]
    rhs = np.zeros((n, flat.shape[2]))
    for dy, dx in ((0, 1), (1, 0), (0, -1), (-1, 0)):
        ny, nx = ys + dy, xs + dx
        inside = (ny >= 0) & (ny < h) & (nx >= 0) & (nx < w)
        data[0] = data[0] + inside
        p, ny, nx = np.flatnonzero(inside), ny[inside], nx[inside]
        q = index[ny, nx]
        unknown = q >= 0
        rows.append(p[unknown])
        cols.append(q[unknown])
        data.append(-np.ones(int(unknown.sum())))
        np.add.at(rhs, p[~unknown], flat[ny[~unknown], nx[~unknown]])
    matrix = coo_matrix((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
                        shape=(n, n)).tocsc()
    solution = splu(matrix).solve(rhs)
    out = flat.copy()
    out[ys, xs] = solution
    return out.reshape(values.shape).astype(np.float32)


class Clone(Operation):
    id = "repair.clone"
    title = "Clone / heal"
    family = "repair"
    description = ("Copy texture from an offset (dx, dy in pixels: where the source lies "
                   "relative to the masked area) and blend its colour to the surroundings.")
    params = (
        Numbers("offset", (40.0, 0.0), length=2, minimum=-100000, maximum=100000,
                title="Source offset", help="dx, dy from the masked area to the source, in pixels"),
        Bool("blend", True, help="heal (blend colour to the destination) rather than a plain clone"),
    )
    inputs = frozenset({"image", "mask"})
    mask_required = True

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        image = inputs.image
        assert inputs.mask is not None  # mask_required: check_inputs refuses a run without one
        mask = as_mask(inputs.mask, image.pixels.shape[:2])
        dx, dy = (int(round(v)) for v in params["offset"])
        if dx == 0 and dy == 0:
            raise BadParameter(f"{self.id}: parameter 'offset' must point away from the masked area, not 0, 0")
        if is_empty(mask, 0.0):
            return Result(image, report={"regions": 0, "pixels_processed": 0})
        h, w = mask.shape
        top = float(image.max_value)
        out = image.pixels.copy()
        boxes = windows(mask >= SELECTED, lambda extent: RIM + 1)
        for i, box in enumerate(boxes):
            ctx.progress(i / len(boxes), f"healing region {i + 1} of {len(boxes)}")
            if box.y0 + dy < 0 or box.x0 + dx < 0 or box.y1 + dy > h or box.x1 + dx > w:
                raise BadInput(f"{self.id}: the source (offset {dx}, {dy}) falls outside the picture")
            sl = box.slices
            src = (slice(box.y0 + dy, box.y1 + dy), slice(box.x0 + dx, box.x1 + dx))
            destination = image.pixels[sl][..., :3].astype(np.float32) / top
            source = image.pixels[src][..., :3].astype(np.float32) / top
            alpha = mask[sl]
            hole = alpha >= SELECTED
            healed = heal(destination, source, hole, params["blend"])
            a = alpha[hole][:, None]
            blended = destination[hole] * (1.0 - a) + healed[hole] * a
            out[sl][hole, :3] = quantize(blended, out.dtype)
        ctx.progress(1.0, "done")
        report = {"regions": len(boxes), "pixels_processed": int(sum(b.area for b in boxes)),
                  "offset": [dx, dy]}
        return Result(image.with_pixels(out), report=report,
                      message=f"healed {len(boxes)} region(s) from offset {dx}, {dy}")
