"""Apply a learned look: the studio's own colour and tone edit, adapted to each picture.

The look's small network chooses this picture's 3D LUT from a small copy of it, and
the full picture goes through that table (trilinear), band by band, in its own depth.
Train a look with ``packshot train look``; it lives in the models folder's ``looks/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from packshot.core.context import Context
from packshot.core.errors import MissingModel
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Float, Text


class ApplyLook(Operation):
    id = "colour.apply_look"
    title = "Apply learned look"
    family = "colour"
    tier = "model"
    cheap = True  # a small CNN on a 64 px copy, then one table lookup per pixel
    description = ("The studio's look, learned from its own before/after pairs (packshot train look), "
                   "adapted to this picture's exposure and colour.")
    params = (
        Text("look", "", max_length=64, help="name of a trained look (see 'packshot models list')"),
        Float("strength", 1.0, minimum=0.0, maximum=1.0, step=0.05, help="0 leaves the picture, 1 is the full look"),
    )
    install_hint = "train a look from your own edits: packshot train look --before DIR --after DIR --name NAME"

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from packshot.core.looks import look_folder
        from packshot.core.looks.network import LookConfig
        from packshot.core.looks.runtime import Look
        from packshot.core.looks.store import train_hint
        from packshot.core.models import store_for
        from packshot.core.models.devices import resolve_device

        name = params["look"].strip()
        if not name:
            raise MissingModel(f"{self.id} needs look=NAME, a look trained on your pairs; {train_hint()}")
        info = look_folder(store_for(ctx).folder, name)
        ctx.progress(0.0, f"look {name}: choosing this picture's table")
        look = Look.read(info.weights, LookConfig.from_dict(info.description["config"]), resolve_device(ctx.device))
        pixels = look.apply(inputs.image.pixels, params["strength"],
                            step=lambda f: ctx.progress(0.1 + 0.9 * f, f"look {name}"))
        return Result(inputs.image.with_pixels(pixels), report={"look": name, "strength": params["strength"]})
