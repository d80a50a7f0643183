"""Generate image from text: a scene from a prompt with an installed diffusion model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.image import quantize
from packshot.core.operation import Inputs, Result
from packshot.core.params import Int

from .diffusion_operation import DiffusionOperation
from .diffusion_run import MODEL_PARAMS, native_side, prepare, resize, working_size


class DiffusionTxt2Img(DiffusionOperation):
    id = "generate.diffusion_txt2img"
    title = "Generate image from text (diffusion)"
    inputs = frozenset({"image", "prompt"})
    description = "A background or scene from a text prompt, with an installed diffusion model."
    params = (*MODEL_PARAMS,
              Int("width", 0, minimum=0, maximum=4096, unit="px", help="0 = the model's native size"),
              Int("height", 0, minimum=0, maximum=4096, unit="px", help="0 = the model's native size"))

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        with prepare(ctx, params, "txt2img") as (pipe, args):
            native = native_side(pipe)
            w, h = params["width"] or native, params["height"] or native
            size = working_size(w, h, max(w, h))
            out = pipe(prompt=inputs.prompt, width=size[0], height=size[1], **args).images[0]
        rgb = resize(np.asarray(out, np.float32), (w, h))
        return Result(inputs.image.with_pixels(quantize(rgb, inputs.image.pixels.dtype)),
                      report={"model": params["model"], "steps": args["num_inference_steps"]})
