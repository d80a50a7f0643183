"""Upscale: built-in back-projection, any spandrel SR network, or OpenCV's light networks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.image import check_canvas, quantize
from packshot.core.models.choice import chosen_report
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Choice, Int, Text

from .backprojection import upscale_backprojection
from .common import AUTO, choose_model, resize, rgb_pixels, with_alpha

SCALE = Int("scale", 2, "enlargement factor", minimum=2, maximum=4)


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


class UpscaleModel(Operation):
    id = "enhance.upscale_model"
    title = "Upscale (model)"
    family = "enhance"
    tier = "model"
    uses_gpu = True
    description = ("Enlarge with an installed super-resolution network: any spandrel model "
                   "(CRAFT, DITN, Real-ESRGAN, SwinIR, ...; GPU if present) or the OpenCV FSRCNN/"
                   "ESPCN/LapSRN networks (light, but they score below the built-in upscale). "
                   "'auto' picks the installed one the catalogue ranks best; a model of another "
                   "native scale is resized to the requested scale.")
    params = (SCALE, Text("model", AUTO, "model name from 'packshot models list', or auto"))
    models = ("craft-team34-x4", "ditn-real-x4", "realesrgan-x4plus", "realesrgan-x2plus",
              "realesr-general-x4v3", "swinir-realsr-x4",
              "fsrcnn_x2", "espcn_x2", "lapsrn_x2")
    install_hint = ("packshot models download craft-team34-x4 (3.4 MB, runs on a CPU; best measured: "
                    "29.4 dB at x4 against the built-in's 27.7)")

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx) -> Result:
        image, scale = inputs.image, int(params["scale"])
        check_canvas(image.width * scale, image.height * scale, self.id)
        store, entry = choose_model(ctx, "upscale", params["model"], scale=scale)
        report: dict[str, Any] = {**chosen_report(entry, params["model"]), "native_scale": entry.scale,
                                  "scale": scale}
        source = rgb_pixels(image)
        with store.use(entry.name, ctx.device) as model:
            if entry.loader == "opencv-superres":
                from packshot.core.models.tiling import tiled_apply

                def light(block: np.ndarray) -> np.ndarray:
                    result = _opencv_sr(model, block, entry.scale)
                    if entry.scale == scale:
                        return result
                    return np.clip(resize(result, block.shape[1] * scale, block.shape[0] * scale), 0, 1)

                out = tiled_apply(light, source, scale=scale, tile=ctx.tile_size, overlap=8,
                                  progress=ctx.progress)
                report["device"] = "cpu"
            else:
                from packshot.core.models.inference import run_image_model

                run = run_image_model(model, source, ctx, scale=scale)
                out = run.pixels
                report.update(device=run.device, tile=run.tile)
                if run.notes:
                    report["notes"] = run.notes
        return Result(with_alpha(image, out), report=report,
                      message=f"upscaled {scale}x with {entry.label}")


def _opencv_sr(sr, block: np.ndarray, scale: int) -> np.ndarray:
    """OpenCV's network on 8-bit; its added detail is laid on a float bicubic base, so
    16-bit input keeps its fine gradations."""
    import cv2

    q8 = quantize(block, np.uint8)
    h, w = block.shape[:2]
    net = sr.upsample(np.ascontiguousarray(q8[..., ::-1]))[..., ::-1].astype(np.float32) / 255.0
    size = (w * scale, h * scale)
    detail = net - cv2.resize(q8.astype(np.float32) / 255.0, size, interpolation=cv2.INTER_CUBIC)
    return np.clip(cv2.resize(block, size, interpolation=cv2.INTER_CUBIC) + detail, 0.0, 1.0)
