"""cutout.remove_background_model: a background-removal network, its edge re-matted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Bool, Text
from packshot.core.resample import fit_within, shrink

from .install_hint import INSTALL_HINT
from .outputs import OUTPUT_PARAMS, render_output

MODEL_NAMES = ("u2net", "u2netp", "isnet-general-use", "birefnet-general")


class RemoveBackgroundModel(Operation):
    id = "cutout.remove_background_model"
    title = "Remove background (AI model)"
    family = "cutout"
    tier = "model"
    uses_gpu = True
    description = ("Cut out the product with an installed background-removal network (BiRefNet, "
                   "ISNet, U²-Net), optionally refining its edge with alpha matting.")
    params = (Text("model", "auto", help="a cut-out model from 'packshot models list', or auto: the "
                   "best installed one by the catalogue's rank"),
              *OUTPUT_PARAMS,
              Bool("refine_edges", True, help="re-matte the network's uncertain edge band"))
    models = MODEL_NAMES
    install_hint = INSTALL_HINT

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from packshot.core.models import store_for
        from packshot.core.models.choice import choose, chosen_report
        from packshot.core.models.onnx import open_onnx_session

        from .onnx_matte import CONTRACTS, predict_alpha

        store = store_for(ctx)
        entry = choose(store, "cutout", params["model"])
        ctx.progress(0.05, f"loading {entry.name}")
        rgb = inputs.image.rgb()
        with store.use(entry.name, ctx.device, open_onnx_session, kind="onnx",
                       while_waiting=ctx.check_cancelled) as session:
            ctx.progress(0.2, "predicting")
            alpha = predict_alpha(session, rgb, CONTRACTS[entry.architecture])
        message = None
        if params["refine_edges"]:
            alpha, message = refine_with_matting(rgb, alpha)
        ctx.progress(0.9, "composing")
        out = render_output(inputs.image, alpha, dict(params))
        area = round(float((alpha > 0.5).mean()), 4)
        report = {**chosen_report(entry, params["model"]), "product_area": area}
        if area == 0:
            message = f"{entry.name} found no product: the cut-out is empty"
        return Result(out, mask=alpha, report=report, message=message or "")


def refine_with_matting(rgb: np.ndarray, alpha: np.ndarray,
                        working_side: int = 1024) -> tuple[np.ndarray, str | None]:
    """Keep the network's confident regions; re-solve its uncertain band by closed-form matting.

    Matting needs pixels the network is sure are product and sure are backdrop; where it
    is sure of neither (it found nothing, or only a speck) the alpha comes back as it was,
    with a note saying so.
    """
    from .matting import closed_form_alpha, trimap, upsample_alpha

    size = fit_within(alpha.shape, working_side)
    small_rgb, small_alpha = shrink(rgb, size), shrink(alpha, size)
    band = max(2, int(round(0.004 * np.hypot(*small_alpha.shape))))
    tri = trimap(small_alpha > 0.5, band)
    tri[(tri == 0.5) & (small_alpha > 0.98)] = 1.0
    tri[(tri == 0.5) & (small_alpha < 0.02)] = 0.0
    if not (tri == 1.0).any() or not (tri == 0.0).any():
        return alpha, "edges not refined: the network is sure of no product (or no backdrop) region"
    return upsample_alpha(closed_form_alpha(small_rgb, tri), rgb), None
