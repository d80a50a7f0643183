"""White balance from a point or region the person knows is neutral: the eyedropper."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadInput, BadParameter
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Int, Numbers

from .colour_math import angle_deg, srgb_to_linear
from .illuminant import usable
from .pixelwise import map_channels
from .white_balance import gains_for, remove_cast


def picked_region(shape: tuple[int, int], point: tuple[float, ...], radius: int,
                  mask: np.ndarray | None) -> np.ndarray:
    """The pixels to balance on: the mask where given, else a disc around the point."""
    h, w = shape
    if mask is not None:
        return mask > 0.5
    if not point:
        raise BadParameter("colour.white_balance_pick: give a neutral 'point' (x,y) or a mask")
    x, y = point
    if not (0 <= x < w and 0 <= y < h):
        raise BadParameter(f"colour.white_balance_pick: point ({x:g}, {y:g}) lies outside the "
                           f"{w}x{h} image")
    yy, xx = np.ogrid[:h, :w]
    return (xx - x) ** 2 + (yy - y) ** 2 <= max(radius, 0.5) ** 2


class WhiteBalancePick(Operation):
    id = "colour.white_balance_pick"
    cheap = True  # fast enough on a screen-sized proxy for a live preview
    title = "White balance from a neutral point"
    family = "colour"
    description = "Make the picked point (or the masked region) neutral grey, as an eyedropper does."
    inputs = frozenset({"image", "mask"})
    params = (
        Numbers("point", (), length=2, minimum=0, help="x, y in pixels of something neutral (grey card, backdrop)"),
        Int("radius", 5, minimum=0, maximum=500, unit="px", help="average over this radius around the point"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        ctx.progress(0.0, "reading the neutral")
        region = picked_region(inputs.image.pixels.shape[:2], params["point"], params["radius"], inputs.mask)
        linear = srgb_to_linear(inputs.image.rgb()[region])
        ok = usable(linear[None])[0]
        if not ok.any():
            raise BadInput("colour.white_balance_pick: the picked area is blown out or black; "
                           "pick a mid-grey or light-grey surface")
        light = linear[ok].astype(np.float64).mean(axis=0)
        gains = gains_for(light)
        image = map_channels(inputs.image, lambda rgb: remove_cast(rgb, gains), ctx, "balancing", 0.2)
        report = {"picked_rgb": [round(float(v), 4) for v in light / np.linalg.norm(light)],
                  "pixels": int(ok.sum()), "cast_deg": round(angle_deg(light, np.ones(3)), 2),
                  "gains": [round(float(g), 4) for g in gains]}
        return Result(image, report=report, message=f"balanced on {int(ok.sum())} pixels")
