"""What a cut-out hands back: a transparent image, the mask alone, or a composite."""

from __future__ import annotations

import numpy as np

from packshot.core.image import Image, quantize
from packshot.core.params import Bool, Choice, Colour

from .matting import clean_edge_colours

OUTPUTS = ("transparent", "mask", "composite")

OUTPUT_PARAMS = (
    Choice("output", "transparent", choices=OUTPUTS,
           help="transparent PNG (RGBA), the mask alone, or the product on a colour"),
    Colour("background", "#ffffff", help="colour behind the product for the composite output"),
    Bool("clean_edges", True, help="remove the backdrop's colour from soft edge pixels (no halo)"),
)


def render_output(image: Image, alpha: np.ndarray, params: dict) -> Image:
    """The cut-out in the form ``params['output']`` asks for, at the image's bit depth.

    Only the edge band is converted to float: elsewhere alpha is 0 or 1 and the stored
    pixels pass through unchanged.
    """
    mode = params["output"]
    dtype = image.pixels.dtype
    if mode == "mask":
        return image.with_pixels(np.repeat(quantize(alpha, dtype)[..., None], 3, axis=2))
    if mode == "transparent":
        rgba = np.empty((*alpha.shape, 4), dtype)
        rgba[..., :3] = image.pixels[..., :3]
        rgba[..., 3] = quantize(alpha, dtype)
        if params["clean_edges"]:
            clean_edge_colours(rgba[..., :3], alpha)
        return image.with_pixels(rgba)
    rgb = image.pixels[..., :3]
    if params["clean_edges"]:
        rgb = rgb.copy()
        clean_edge_colours(rgb, alpha)
    top = float(image.max_value)
    colour = np.asarray(Colour.to_rgb(params["background"]), np.float32) / 255.0
    out = np.empty_like(rgb)
    out[...] = quantize(colour, dtype)
    solid = alpha >= 1.0
    out[solid] = rgb[solid]
    soft = (alpha > 0) & ~solid
    a = alpha[soft][:, None]
    out[soft] = quantize(rgb[soft] / np.float32(top) * a + colour * (1 - a), dtype)
    return image.with_pixels(out)

