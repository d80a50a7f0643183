"""Denoise: built-in two-pass DCT shrinkage (or fast non-local means), and spandrel networks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.errors import BadParameter
from packshot.core.models.choice import chosen_report
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Choice, Float, Text

from .common import AUTO, choose_model, rgb_pixels, with_alpha
from .dct_denoise import ALIGN, MARGIN, denoise_dct, estimate_noise, nl_means
from .padded_tiles import map_tiles

# quality -> (block step, pilot's block step, refine with non-local means). Mean PSNR at
# sigma 25 in benchmarks/bench_enhance.py: best 30.0 dB, balanced 29.9, fast 29.7
# (scikit-image's non-local means 28.6, OpenCV's fastNlMeansDenoisingColored lower). A
# coarser pilot costs best (refined anyway) and fast nothing; it would cost balanced 0.06
# dB, so balanced keeps every position.
QUALITY = {"best": (1, 2, True), "balanced": (1, 1, False), "fast": (2, 3, False)}
# auto: fast up to this noise level (8-bit steps), balanced above. A camera's noise is
# well below it, and there fast is quicker than OpenCV's fastNlMeansDenoisingColored at
# 12 MP and still beats non-local means by about a decibel (benchmarks/bench_denoise.py);
# under heavy noise fast's lead over non-local means shrinks to 0.1 dB, balanced keeps 0.3.
AUTO_FAST_UP_TO = 30.0
ESTIMATE_SIDE = 1024


class Denoise(Operation):
    id = "enhance.denoise"
    title = "Denoise (built-in)"
    family = "enhance"
    tier = "built-in"
    description = ("Remove sensor noise without a download: the noise level is estimated from the "
                   "photo, then DCT shrinkage (hard threshold, then Wiener; quality best refines "
                   "with non-local means) in an opponent colour space. Beats non-local means by "
                   "0.5-2 dB PSNR.")
    params = (
        Float("sigma", 0.0, "noise level in 8-bit steps; 0 estimates it from the photo",
              minimum=0.0, maximum=100.0, step=1.0),
        Float("strength", 1.0, "multiplies the noise level: below 1 keeps more texture",
              minimum=0.25, maximum=3.0, step=0.05),
        Choice("quality", "auto", "auto: fast for a camera's noise, balanced for heavy noise; "
               "best: every block position, refined with non-local means (slowest); balanced: "
               "every block position; fast: every second one",
               choices=("auto", *QUALITY)),
        Choice("method", "dct", "dct: two-pass DCT shrinkage; nlm: non-local means (faster, softer)",
               choices=("dct", "nlm")),
    )
    install_hint = "a network: packshot models download scunet-color-real-psnr (enhance.denoise_model)"

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx) -> Result:
        image = inputs.image
        pixels = rgb_pixels(image)
        estimated = params["sigma"] == 0
        sigma = estimate_noise(_center(pixels)) if estimated else params["sigma"] / 255.0
        sigma *= params["strength"]
        quality = params["quality"]
        if quality == "auto":
            quality = "fast" if sigma * 255 <= AUTO_FAST_UP_TO else "balanced"
        step, pilot_step, refine = QUALITY[quality]
        if params["method"] == "dct":
            def fn(block: np.ndarray) -> np.ndarray:
                return np.clip(denoise_dct(block, sigma, step, refine, pilot_step), 0.0, 1.0)
        else:
            def fn(block: np.ndarray) -> np.ndarray:
                return nl_means(block, sigma)
        out = map_tiles(fn, pixels, tile=ctx.tile_size, margin=MARGIN, align=ALIGN, progress=ctx.progress)
        return Result(with_alpha(image, out),
                      report={"sigma_8bit": round(sigma * 255, 2), "estimated": estimated,
                              "method": params["method"], "quality": quality})


def _center(pixels: np.ndarray) -> np.ndarray:
    """A centre crop for estimating the noise of a large photo without a full float copy."""
    h, w = pixels.shape[:2]
    top, left = max(0, (h - ESTIMATE_SIDE) // 2), max(0, (w - ESTIMATE_SIDE) // 2)
    from packshot.core.image import to_float

    return to_float(pixels[top:top + ESTIMATE_SIDE, left:left + ESTIMATE_SIDE])


class DenoiseModel(Operation):
    id = "enhance.denoise_model"
    title = "Denoise (model)"
    family = "enhance"
    tier = "model"
    uses_gpu = True
    description = ("Denoise with an installed restoration network (SCUNet, DnCNN, FDnCNN, NAFNet, "
                   "...). FDnCNN takes the noise level as an input: set noise_level, or 0 to "
                   "estimate it from the photo.")
    params = (
        Text("model", AUTO, "model name from 'packshot models list', or auto"),
        Float("noise_level", 0.0, "FDnCNN only: noise level in 8-bit steps; 0 estimates it",
              minimum=0.0, maximum=100.0, step=1.0),
    )
    models = ("scunet-color-real-psnr", "fdncnn-color", "dncnn-color-blind", "dncnn-25")
    install_hint = "packshot models download scunet-color-real-psnr"

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx) -> Result:
        return run_restoration(self, inputs, params, ctx, "denoise")


def run_restoration(op: Operation, inputs: Inputs, params: Mapping[str, Any], ctx, task: str) -> Result:
    """Run an installed 1x restoration network over the image (denoise, restore)."""
    from packshot.core.models.inference import run_image_model

    image = inputs.image
    store, entry = choose_model(ctx, task, params["model"], loaders=("spandrel",))
    report: dict[str, Any] = chosen_report(entry, params["model"])
    pixels = rgb_pixels(image)
    with store.use(entry.name, ctx.device) as model:
        if int(model.scale) != 1:
            raise BadParameter(f"model {entry.name!r} enlarges {int(model.scale)}x: it is not a "
                               f"{task} network; choose a 1x model")
        call = None
        if "FDnCNN" in getattr(model, "tags", ()):
            level = params.get("noise_level", 0.0) / 255.0 or estimate_noise(_center(pixels))
            report["noise_level_8bit"] = round(level * 255, 2)
            call = _fdncnn_call(model, level)
        run = run_image_model(model, pixels, ctx, call=call)
    out = run.pixels
    report.update(device=run.device, tile=run.tile)
    if run.notes:
        report["notes"] = run.notes
    return Result(with_alpha(image, out), report=report, message=f"{op.title}: {entry.label}")


def _fdncnn_call(descriptor, level: float):
    """FDnCNN with our noise-level map: spandrel's wrapper fixes it at 15/255."""
    import torch

    def call(t):
        noise = torch.full((1, 1, t.shape[2], t.shape[3]), level, dtype=t.dtype, device=t.device)
        return descriptor.model(torch.cat([t, noise], dim=1))

    return call
