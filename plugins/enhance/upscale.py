"""enhance.upscale: Lanczos refined by back-projection, built in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from packshot.core.image import check_canvas
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Choice

from .backprojection import upscale_backprojection
from .common import SCALE


class Upscale(Operation):
    id = "enhance.upscale"
    title = "Upscale (built-in)"
    family = "enhance"
    tier = "built-in"
    description = ("Enlarge 2x-4x with Lanczos refined by back-projection, edges clamped against "
                   "halos; sharper than Lanczos or bicubic, no download. For more detail install a "
                   "super-resolution model and use enhance.upscale_model.")
    params = (SCALE, Choice("halo_guard", "on", "clamp corrections to the local input range",
                            choices=("on", "off")))
    install_hint = ("better: packshot models download craft-team34-x4 (enhance.upscale_model; "
                    "+1.8 dB at x4, +2.6 dB at x2 over this built-in, measured)")

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx) -> Result:
        from packshot.core.models.tiling import tiled_apply

        image, scale = inputs.image, int(params["scale"])
        check_canvas(image.width * scale, image.height * scale, self.id)
        guard = params["halo_guard"] == "on"
        out = tiled_apply(lambda b: upscale_backprojection(b, scale, anti_ring=guard), image.pixels,
                          scale=scale, tile=ctx.tile_size, overlap=16, progress=ctx.progress)
        return Result(image.with_pixels(out), report={"scale": scale, "tier": "built-in"})
