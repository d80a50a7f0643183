"""The cut-out family's operations: remove background (built-in and model), auto-frame."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadInput
from packshot.core.image import check_canvas, quantize
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Bool, Choice, Colour, Float, Int, Numbers, Text
from packshot.core.resample import fit_within, resize, shrink

from .framing import ANCHORS, MEASURES, cut_frame, fill_of, plan_frame, product_box
from .outputs import OUTPUT_PARAMS, render_output

MODEL_NAMES = ("u2net", "u2netp", "isnet-general-use", "birefnet-general")
INSTALL_HINT = ("install a background-removal model for hair, glass and busy scenes: "
                "packshot models download birefnet-general (or u2netp for a fast CPU model)")


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
        with store.use(entry.name, ctx.device, open_onnx_session, kind="onnx") as session:
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
        return Result(out, mask=alpha, report=report, message=message)


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


class AutoFrame(Operation):
    id = "cutout.auto_frame"
    uses_seed = True  # the backdrop fit samples pixels with ctx.seed
    title = "Auto-frame"
    family = "cutout"
    inputs = frozenset({"image", "mask"})
    description = ("Crop or pad around the product to a target aspect ratio so it fills a target "
                   "share of the frame (Amazon's main image: about 85 %), centred or standing on "
                   "a bottom margin. The product comes from the image's alpha, the mask, or the "
                   "built-in cut-out.")
    params = (
        Numbers("aspect", (1.0, 1.0), length=2, minimum=0.01, maximum=100,
                help="frame aspect as width, height (1,1 square; 1,1.44 Zalando)"),
        Float("fill", 0.85, minimum=0.05, maximum=1.0, help="share of the frame the product fills"),
        Choice("measure", "longest_side", choices=MEASURES,
               help="fill measured by the bounding box's longest side, or by its area"),
        Choice("anchor", "centre", choices=ANCHORS, help="centre the product, or stand it on a margin"),
        Float("margin", 0.05, minimum=0.0, maximum=0.45, help="bottom margin (anchor=bottom), share of height"),
        Int("size", 0, minimum=0, maximum=10000, unit="px", help="longest side of the output (0 = keep scale)"),
        Colour("background", "#ffffff", help="colour of added canvas (opaque images)"),
        Bool("extend_edges", False, help="fill added canvas by repeating the image's edge instead"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        image = inputs.image
        alpha, source = self._product_alpha(inputs, ctx)
        ctx.progress(0.85, "framing")
        aspect = params["aspect"][0] / params["aspect"][1]
        box = product_box(alpha)
        frame = plan_frame(box, aspect, params["fill"], params["measure"], params["anchor"], params["margin"])
        check_canvas(frame.width, frame.height, self.id)
        if image.has_alpha:
            fill_value = np.zeros(4)
        elif params["extend_edges"]:
            fill_value = None
        else:
            fill_value = np.asarray(Colour.to_rgb(params["background"]), float) * (image.max_value / 255)
        pixels = cut_frame(image.pixels, frame, fill_value)
        mask = cut_frame(alpha[..., None], frame, np.zeros(1))[..., 0]
        if params["size"]:
            pixels, mask = _resized(pixels, mask, params["size"], aspect)
        out = image.with_pixels(pixels)
        achieved = fill_of(product_box(mask), out.width, out.height, params["measure"])
        report = {"fill": round(achieved, 4), "size": f"{out.width}x{out.height}", "product_from": source}
        return Result(out, mask=mask.astype(np.float32), report=report)

    @staticmethod
    def _product_alpha(inputs: Inputs, ctx: Context) -> tuple[np.ndarray, str]:
        alpha = inputs.image.alpha()
        if alpha is not None and alpha.min() < 0.5:
            return alpha, "alpha"
        if inputs.mask is not None:
            return inputs.mask, "mask"
        from .studio_cutout import cut_out

        found = cut_out(inputs.image.pixels[..., :3], ctx.sub(0.0, 0.8))
        if not (found.alpha > 0.5).any():
            raise BadInput("cutout.auto_frame: no product found; pass a mask or a cut-out (RGBA) image")
        return found.alpha, "built-in cut-out"


def _resized(pixels: np.ndarray, mask: np.ndarray, longest: int, aspect: float) -> tuple[np.ndarray, np.ndarray]:
    """Both resampled to exactly the aspect, longest side ``longest``."""
    import cv2

    size = (longest, max(1, round(longest / aspect))) if aspect >= 1 else (max(1, round(longest * aspect)), longest)
    values = resize(pixels.astype(np.float32), size)
    top = 65535.0 if pixels.dtype == np.uint16 else 255.0
    out = quantize(values / top, pixels.dtype)
    return out, np.clip(cv2.resize(mask, size, interpolation=cv2.INTER_LINEAR), 0, 1)


OPERATIONS = (RemoveBackground(), RemoveBackgroundModel(), AutoFrame())
