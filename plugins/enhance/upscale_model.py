"""enhance.upscale_model: any spandrel SR network, or OpenCV's light networks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.image import check_canvas, quantize
from packshot.core.models.choice import chosen_report
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Text

from .common import AUTO, SCALE, choose_model, resize, rgb_pixels, with_alpha


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
        with store.use(entry.name, ctx.device, while_waiting=ctx.check_cancelled) as model:
            if entry.loader == "opencv-superres":
                from packshot.core.models.tiling import tiled_apply

                def light(block: np.ndarray) -> np.ndarray:
                    result = _opencv_sr(model, block, entry.scale)
                    if entry.scale == scale:
                        return result
                    return np.clip(resize(result, (block.shape[1] * scale, block.shape[0] * scale)), 0, 1)

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
