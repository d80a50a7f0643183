"""Transform image: the picture re-imagined along a prompt by a diffusion model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.operation import Inputs, Result
from packshot.core.params import Float

from .diffusion_operation import DiffusionOperation
from .diffusion_run import MODEL_PARAMS, at_least_one_step, native_side, prepare, resize, to_pil, working_size


class DiffusionImg2Img(DiffusionOperation):
    id = "generate.diffusion_img2img"
    title = "Transform image (diffusion)"
    inputs = frozenset({"image", "prompt"})
    description = "Re-imagine the picture along a prompt; strength sets how far it may move from the original."
    params = (*MODEL_PARAMS, Float("strength", 0.5, minimum=0.01, maximum=1.0, help="how much to change"))

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        image = inputs.image
        with prepare(ctx, params, "img2img") as (pipe, args):
            size = working_size(image.width, image.height, native_side(pipe))
            args["num_inference_steps"] = at_least_one_step(args["num_inference_steps"], params["strength"])
            out = pipe(prompt=inputs.prompt, image=to_pil(resize(image.rgb(), size)),
                       strength=params["strength"], **args).images[0]
        rgb = resize(np.asarray(out, np.float32), image.size)
        return Result(image.with_float(rgb), report={"model": params["model"]})
