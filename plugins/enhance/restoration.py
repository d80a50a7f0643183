"""Running an installed 1x restoration network over a picture: what enhance.denoise_model and
enhance.restore share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from packshot.core.errors import BadParameter
from packshot.core.models.choice import chosen_report
from packshot.core.operation import Inputs, Operation, Result

from .common import choose_model, rgb_pixels, with_alpha
from .dct_denoise import center_crop, estimate_noise


def run_restoration(op: Operation, inputs: Inputs, params: Mapping[str, Any], ctx, task: str) -> Result:
    """Run an installed 1x restoration network over the image (denoise, restore)."""
    from packshot.core.models.inference import run_image_model

    image = inputs.image
    store, entry = choose_model(ctx, task, params["model"], loaders=("spandrel",))
    report: dict[str, Any] = chosen_report(entry, params["model"])
    pixels = rgb_pixels(image)
    with store.use(entry.name, ctx.device, while_waiting=ctx.check_cancelled) as model:
        if int(model.scale) != 1:
            raise BadParameter(f"model {entry.name!r} enlarges {int(model.scale)}x: it is not a "
                               f"{task} network; choose a 1x model")
        call = None
        if "FDnCNN" in getattr(model, "tags", ()):
            level = params.get("noise_level", 0.0) / 255.0 or estimate_noise(center_crop(pixels))
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
