"""The generate family's built-in operations: backdrop, stage product, extend canvas, colourways."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from packshot.core.context import Context
from packshot.core.errors import BadInput, BadParameter
from packshot.core.image import Image, check_canvas, quantize
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Bool, Choice, Colour, Float, Int, Text

from .backdrops import STYLES, BackdropSpec

BACKDROP_PARAMS = (
    Choice("style", "sweep", choices=STYLES, help="kind of backdrop"),
    Colour("colour", "#f0f0f0", help="main colour"),
    Colour("colour2", "#c0c0c4", help="second colour (gradients, sweep floor, wood grain)"),
    Float("angle", 90.0, minimum=0, maximum=360, unit="°", help="linear gradient direction (90 = downwards)"),
    Float("falloff", 0.25, minimum=0, maximum=1, help="sweep: light fall-off"),
    Float("vignette", 0.15, minimum=0, maximum=1, help="darkening towards the corners"),
    Float("texture_scale", 1.0, minimum=0.1, maximum=10, help="texture feature size"),
    Float("texture_contrast", 1.0, minimum=0, maximum=3, help="texture strength"),
)


def _rgb01(hex_colour: str) -> tuple[float, float, float]:
    r, g, b = Colour.to_rgb(hex_colour)
    return r / 255, g / 255, b / 255


def backdrop_spec(params: Mapping[str, Any]) -> BackdropSpec:
    return BackdropSpec(style=params["style"], colour=_rgb01(params["colour"]), colour2=_rgb01(params["colour2"]),
                        angle=params["angle"], falloff=params["falloff"], vignette=params["vignette"],
                        scale=params["texture_scale"], contrast=params["texture_contrast"])


def _opaque(image: Image, rgb: np.ndarray) -> Image:
    return image.with_pixels(quantize(rgb, image.pixels.dtype))


class Backdrop(Operation):
    id = "generate.backdrop"
    uses_seed = True  # the backdrop's grain is drawn from ctx.seed
    title = "Studio backdrop"
    family = "generate"
    description = ("Render a studio backdrop at any size, seeded: solid, linear or radial gradient, a lit "
                   "seamless sweep with fall-off and vignette, or paper, concrete, linen, marble or wood.")
    params = (*BACKDROP_PARAMS,
              Int("width", 0, minimum=0, maximum=20000, unit="px", help="0 = the input image's width"),
              Int("height", 0, minimum=0, maximum=20000, unit="px", help="0 = the input image's height"))

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from .backdrops import render_backdrop

        w = params["width"] or inputs.image.width
        h = params["height"] or inputs.image.height
        check_canvas(w, h, self.id)
        ctx.progress(0.1, "rendering backdrop")
        rgb = render_backdrop(h, w, backdrop_spec(params), np.random.default_rng(ctx.seed))
        return Result(_opaque(inputs.image, rgb))


class StageProduct(Operation):
    id = "generate.stage_product"
    uses_seed = True  # the backdrop's grain is drawn from ctx.seed
    title = "Stage product"
    family = "generate"
    inputs = frozenset({"image", "mask", "reference"})
    description = ("Place a cut-out (RGBA, or an image with a mask) on a backdrop — the reference image, "
                   "or a generated one — with a contact shadow, a soft drop shadow from the light's "
                   "direction and an optional floor reflection.")
    params = (
        Float("x", 0.5, help="product centre, share of the canvas width"),
        Float("floor", 0.85, help="where the product stands, share of the canvas height"),
        Float("product_height", 0.6, minimum=0, maximum=1, help="product height, share of the canvas (0 = native size)"),
        Float("contact_shadow", 0.6, help="contact shadow strength"),
        Float("drop_shadow", 0.35, help="drop shadow strength"),
        Float("light_angle", 45.0, minimum=0, maximum=360, unit="°", help="direction the shadow falls (0 = right, 90 = down)"),
        Float("shadow_softness", 0.03, minimum=0, maximum=0.5, help="drop shadow blur, share of product height"),
        Float("shadow_distance", 0.04, minimum=0, maximum=0.5, help="drop shadow offset, share of product height"),
        Float("reflection", 0.0, help="floor reflection strength (0 = none)"),
        *BACKDROP_PARAMS,
        Int("width", 0, minimum=0, maximum=20000, unit="px", help="canvas width without a reference (0 = input's)"),
        Int("height", 0, minimum=0, maximum=20000, unit="px", help="canvas height without a reference (0 = input's)"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from .backdrops import render_backdrop
        from .staging import Staging, scaled_product, stage

        image = inputs.image
        if image.has_alpha and inputs.mask is None:
            rgba = image.as_float()
        elif inputs.mask is not None:
            rgba = np.concatenate([image.rgb(), inputs.mask[..., None]], axis=2)
        else:
            raise BadInput(f"{self.id} needs a cut-out: an RGBA image (cutout.remove_background) or a mask")
        if inputs.reference is not None:
            backdrop = inputs.reference.rgb()
        else:
            w, h = params["width"] or image.width, params["height"] or image.height
            check_canvas(w, h, self.id)
            backdrop = render_backdrop(h, w, backdrop_spec(params), np.random.default_rng(ctx.seed))
        ctx.progress(0.3, "staging")
        product = scaled_product(rgba, backdrop.shape[0], params["product_height"])
        s = Staging(x=params["x"], floor=params["floor"],
                    contact=params["contact_shadow"], drop=params["drop_shadow"],
                    light_angle=params["light_angle"], softness=params["shadow_softness"],
                    distance=params["shadow_distance"], reflection=params["reflection"])
        rgb, alpha = stage(backdrop, product, s)
        return Result(image.with_pixels(quantize(rgb, image.pixels.dtype)), mask=alpha)


class ExtendCanvas(Operation):
    id = "generate.extend_canvas"
    uses_seed = True  # the backdrop's grain is drawn from ctx.seed
    title = "Extend canvas"
    family = "generate"
    description = ("Enlarge the canvas to a size or aspect ratio, continuing the studio backdrop "
                   "seamlessly (its colour, light fall-off, shadows reaching the edge and grain). "
                   "The original pixels are kept exactly.")
    params = (
        Int("width", 0, minimum=0, maximum=20000, unit="px", help="target width (0 = from aspect)"),
        Int("height", 0, minimum=0, maximum=20000, unit="px", help="target height (0 = from aspect)"),
        Text("aspect", "1:1", pattern=r"\s*\d+(\.\d+)?\s*[:x/]\s*\d+(\.\d+)?\s*",
             help="target aspect as W:H when no size is given"),
        Float("anchor_x", 0.5, help="where the original sits horizontally (0 left, 1 right)"),
        Float("anchor_y", 0.5, help="where the original sits vertically (0 top, 1 bottom)"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from .extend import extend_backdrop, plan_canvas

        image = inputs.image
        place = plan_canvas(image.width, image.height, params["width"], params["height"],
                            parse_aspect(params["aspect"]), params["anchor_x"], params["anchor_y"])
        check_canvas(place.width, place.height, self.id)
        ctx.progress(0.2, "continuing the backdrop")
        rgb, added = extend_backdrop(image.rgb(), place, np.random.default_rng(ctx.seed))
        pixels = quantize(rgb, image.pixels.dtype)
        pixels[place.top:place.top + image.height, place.left:place.left + image.width] = image.pixels[..., :3]
        return Result(image.with_pixels(pixels), mask=added,
                      report={"size": f"{place.width}x{place.height}", "offset": [place.left, place.top]})


def parse_aspect(text: str) -> float:
    parts = [float(p) for p in re.split(r"[:x/]", text.strip())]
    if len(parts) != 2 or parts[0] <= 0 or parts[1] <= 0:
        raise BadParameter(f"parameter 'aspect': {text!r}; expected W:H such as 1:1 or 4:5")
    return parts[0] / parts[1]


class Colourways(Operation):
    id = "generate.colourways"
    title = "Colourways"
    family = "generate"
    inputs = frozenset({"image", "mask"})
    mask_required = True
    description = ("Recolour the masked product to one or more target colours, keeping its shading and "
                   "highlights. Returns the variant chosen by 'show'; the report gives ΔE2000 of every "
                   "variant's mean product colour to its target.")
    params = (
        Text("targets", "#1f4e79", pattern=r"\s*#?[0-9a-fA-F]{6}(\s*,\s*#?[0-9a-fA-F]{6})*\s*",
             help="target colours as #rrggbb, comma-separated"),
        Int("show", 0, minimum=0, maximum=63, help="which target's variant to return (0 = first)"),
        Bool("keep_highlights", True, help="leave near-white specular highlights untouched"),
    )

    def run(self, inputs: Inputs, params: Mapping[str, Any], ctx: Context) -> Result:
        from .colourways import recolour

        targets = [Colour("target", "#000000").check(t.strip()) for t in params["targets"].split(",")]
        if params["show"] >= len(targets):
            raise BadParameter(f"parameter 'show': {params['show']}; there are {len(targets)} target(s)")
        image = inputs.image
        rgb = image.rgb()
        mask = inputs.mask
        if params["keep_highlights"]:
            mask = mask * (1 - np.clip((rgb.min(axis=2) - 0.9) / 0.08, 0, 1))
        shown, deltas = None, {}
        for i, hex_colour in enumerate(targets):
            ctx.progress(i / len(targets), f"recolouring to {hex_colour}")
            out, de = recolour(rgb, mask, np.asarray(Colour.to_rgb(hex_colour)) / 255.0,
                               quantum=1 / image.max_value)
            deltas[hex_colour] = round(de, 2)
            if i == params["show"]:
                shown = out
        return Result(image.with_float(shown), mask=inputs.mask, report={"delta_e2000": deltas},
                      message=f"mean product colour within ΔE2000 {max(deltas.values()):.2f} of every target")
