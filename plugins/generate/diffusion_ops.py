"""Diffusion operations (model tier): text-to-image, image-to-image, inpaint around a product, outpaint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.image import check_canvas, quantize
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Choice, Float, Int, Text

from .diffusion_run import (MODEL_PARAMS, at_least_one_step, inpaint, native_side, prepare, resize, to_pil,
                            working_size)

INSTALL_HINT = ("install a diffusion model, e.g. 'packshot models download sd-turbo' (fast, 1-4 steps) "
                "plus the CLIP tokenizer files (clip-vocab, clip-merges), or put a diffusers folder into "
                "the models folder")
CATALOGUE = ("sd-turbo", "sdxl-turbo", "sd15", "sd15-inpainting", "lcm-dreamshaper-v7")


class _Diffusion(Operation):
    family = "generate"
    tier = "model"
    uses_gpu = True
    uses_seed = True  # the starting noise comes from ctx.seed
    prompt_required = True
    models = CATALOGUE
    install_hint = INSTALL_HINT


class DiffusionTxt2Img(_Diffusion):
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


class DiffusionImg2Img(_Diffusion):
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


class DiffusionInpaint(_Diffusion):
    id = "generate.diffusion_inpaint"
    title = "Generate around the product (diffusion inpainting)"
    inputs = frozenset({"image", "mask", "prompt"})
    mask_required = True
    description = ("Replace everything except the masked product with a scene from the prompt (or, with "
                   "'replace = inside_mask', only the masked area). Protected pixels come back exactly.")
    params = (*MODEL_PARAMS,
              Choice("replace", "outside_mask", choices=("outside_mask", "inside_mask"),
                     help="outside_mask keeps the product and paints the scene around it"),
              Float("strength", 1.0, minimum=0.01, maximum=1.0, help="how much the painted area may change"))

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        mask = inputs.mask
        repaint = 1.0 - mask if params["replace"] == "outside_mask" else mask
        rgb = inpaint(ctx, params, inputs.image.rgb(), repaint, inputs.prompt, params["strength"])
        pixels = quantize(rgb, inputs.image.pixels.dtype)
        keep = repaint <= 0
        pixels[keep] = inputs.image.pixels[..., :3][keep]
        return Result(inputs.image.with_pixels(_with_alpha(pixels, inputs.image)), mask=inputs.mask,
                      report={"model": params["model"]})


class DiffusionOutpaint(_Diffusion):
    id = "generate.diffusion_outpaint"
    title = "Extend canvas (diffusion outpainting)"
    inputs = frozenset({"image", "prompt"})
    description = ("Enlarge the canvas to a size or aspect and let a diffusion model paint the new area, "
                   "starting from the built-in backdrop continuation. The original pixels are kept exactly.")
    params = (*MODEL_PARAMS,
              Int("width", 0, minimum=0, maximum=20000, unit="px", help="target width (0 = from aspect)"),
              Int("height", 0, minimum=0, maximum=20000, unit="px", help="target height (0 = from aspect)"),
              Text("aspect", "1:1", pattern=r"\s*\d+(\.\d+)?\s*[:x/]\s*\d+(\.\d+)?\s*", help="target aspect W:H"),
              Float("anchor_x", 0.5, help="where the original sits horizontally"),
              Float("anchor_y", 0.5, help="where the original sits vertically"),
              Float("strength", 0.9, minimum=0.01, maximum=1.0, help="how far the new area may leave the fill"))

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from .extend import extend_backdrop, plan_canvas
        from .operations import parse_aspect

        image = inputs.image
        place = plan_canvas(image.width, image.height, params["width"], params["height"],
                            parse_aspect(params["aspect"]), params["anchor_x"], params["anchor_y"])
        check_canvas(place.width, place.height, self.id)
        start, added = extend_backdrop(image.rgb(), place, np.random.default_rng(ctx.seed))
        rgb = inpaint(ctx.sub(0.05, 1.0), params, start, added, inputs.prompt, params["strength"])
        pixels = quantize(rgb, image.pixels.dtype)
        pixels[place.top:place.top + image.height, place.left:place.left + image.width] = image.pixels[..., :3]
        return Result(image.with_pixels(pixels), mask=added, report={"size": f"{place.width}x{place.height}"})


def _with_alpha(rgb_pixels: np.ndarray, like) -> np.ndarray:
    """Keep an RGBA input's alpha channel on the result."""
    if like.has_alpha:
        return np.concatenate([rgb_pixels, like.pixels[..., 3:4]], axis=2)
    return rgb_pixels


OPERATIONS = (DiffusionTxt2Img(), DiffusionImg2Img(), DiffusionInpaint(), DiffusionOutpaint())
