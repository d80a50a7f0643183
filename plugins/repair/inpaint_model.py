"""repair.inpaint_model: LaMa or MAT inpainting through spandrel's masked-image models.

Each masked region's window (wide context: these networks reason about the whole scene)
is scaled down to the model's working resolution when larger, filled by the network,
scaled back, and only the hole is pasted into the picture, so the rest keeps its full
resolution and exact pixels. Weights come from the model store (safe loading only).
MAT carries a non-commercial licence (see the catalogue).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.mask import as_mask, is_empty
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Text

from .inpaint import FEATHER_PARAM
from .lama import WORKING_SIZE, model_fill, model_pad

# Short names recipes already use; any installed inpaint model's name works too.
ALIASES = {"lama": "big-lama", "mat": "mat-places512"}


class InpaintModel(Operation):
    id = "repair.inpaint_model"
    title = "Inpaint (LaMa / MAT model)"
    family = "repair"
    tier = "model"
    description = ("Fill a masked region with an inpainting network: LaMa (big-lama, "
                   "Apache-2.0) or MAT (Places 512, non-commercial licence).")
    params = (Text("model", "auto", help="auto: the best installed inpainting model; lama: big-lama "
                   "(Apache-2.0); mat: MAT Places 512 (non-commercial only); or a model's name"),
              FEATHER_PARAM)
    inputs = frozenset({"image", "mask"})
    mask_required = True
    uses_gpu = True
    models = tuple(ALIASES.values())
    install_hint = "packshot models download big-lama"

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from packshot.core.models import store_for
        from packshot.core.models.choice import choose, chosen_report

        from .crop_context import fill_regions

        image = inputs.image
        assert inputs.mask is not None  # mask_required: check_inputs refuses a run without one
        mask = as_mask(inputs.mask, image.pixels.shape[:2])
        if is_empty(mask, 0.0):
            return Result(image, report={"regions": 0, "pixels_processed": 0})
        store = store_for(ctx)
        name = choose(store, "inpaint", ALIASES.get(params["model"], params["model"])).name
        ctx.progress(0.0, f"loading {name}")
        with store.use(name, ctx.device, while_waiting=ctx.check_cancelled) as descriptor:
            device = str(next(descriptor.model.parameters()).device)

            def fill(rgb: np.ndarray, hole: np.ndarray, sub: Context) -> tuple[np.ndarray, str]:
                sub.progress(0.0, name)
                return model_fill(descriptor, rgb, hole, WORKING_SIZE, device), name

            pixels, report = fill_regions(image.pixels, mask, fill, model_pad, ctx.sub(0.1, 1.0),
                                          feather=params["feather"])
        report.update(chosen_report(store.entry(name), params["model"]))
        return Result(image.with_pixels(pixels), report=report,
                      message=f"filled {report['regions']} region(s) with {name}")
