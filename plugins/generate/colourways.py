"""Colourways: the masked product recoloured to target colours, shading kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadParameter
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Bool, Colour, Int, Text


class Colourways(Operation):
    id = "generate.colourways"
    title = "Colourways"
    family = "generate"
    inputs = frozenset({"image", "mask"})
    mask_required = True
    description = ("Recolour the masked product to one or more target colours, keeping its shading and "
                   "highlights. Returns the variant chosen by 'show'; the report gives ΔE2000 of every "
                   "variant's mean product colour to its target.")
    params = (
        Text("targets", "#1f4e79", pattern=r"\s*#?[0-9a-fA-F]{6}(\s*,\s*#?[0-9a-fA-F]{6})*\s*",
             help="target colours as #rrggbb, comma-separated"),
        Int("show", 0, minimum=0, maximum=63, help="which target's variant to return (0 = first)"),
        Bool("keep_highlights", True, help="leave near-white specular highlights untouched"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from .recolour import recolour

        targets = [Colour("target", "#000000").check(t.strip()) for t in params["targets"].split(",")]
        if params["show"] >= len(targets):
            raise BadParameter(f"parameter 'show': {params['show']}; there are {len(targets)} target(s)")
        image = inputs.image
        rgb = image.rgb()
        mask = inputs.mask
        assert mask is not None  # mask_required: check_inputs refuses a run without one
        if params["keep_highlights"]:
            mask = mask * (1 - np.clip((rgb.min(axis=2) - 0.9) / 0.08, 0, 1))
        shown, deltas = None, {}
        for i, hex_colour in enumerate(targets):
            ctx.progress(i / len(targets), f"recolouring to {hex_colour}")
            out, de = recolour(rgb, mask, np.asarray(Colour.to_rgb(hex_colour)) / 255.0,
                               quantum=1 / image.max_value)
            deltas[hex_colour] = round(de, 2)
            if i == params["show"]:
                shown = out
        assert shown is not None  # 'show' is checked against the targets above
        return Result(image.with_float(shown), mask=inputs.mask, report={"delta_e2000": deltas},
                      message=f"mean product colour within ΔE2000 {max(deltas.values()):.2f} of every target")
