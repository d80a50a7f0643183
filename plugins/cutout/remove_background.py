"""cutout.remove_background: the built-in cut-out of a studio shot on a seamless backdrop."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from packshot.core.context import Context
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Int

from .install_hint import INSTALL_HINT
from .outputs import OUTPUT_PARAMS, render_output


class RemoveBackground(Operation):
    id = "cutout.remove_background"
    uses_seed = True  # the backdrop fit samples pixels with ctx.seed
    title = "Remove background (studio)"
    family = "cutout"
    description = ("Cut the product out of a studio shot on a seamless backdrop: fits the backdrop's "
                   "colour and light fall-off, separates product from shadow with GrabCut, and mattes "
                   "the edge. Says when it is unsure (light product on a light backdrop).")
    params = (*OUTPUT_PARAMS,
              Int("edge_band", 0, minimum=0, maximum=40, unit="px",
                  help="width of the soft-edge band to matte (0 = automatic)"))
    install_hint = INSTALL_HINT

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from .studio_cutout import cut_out

        image = inputs.image
        found = cut_out(image.pixels[..., :3], ctx.sub(0.0, 0.9), edge_band=params["edge_band"])
        out = render_output(image, found.alpha, dict(params))
        return Result(out, mask=found.alpha, report=found.report, message=found.message)
