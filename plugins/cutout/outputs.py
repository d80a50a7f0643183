"""What a cut-out hands back: a transparent image, the mask alone, or a composite."""

from __future__ import annotations

import numpy as np

from packshot.core.image import Image, quantize
from packshot.core.params import Bool, Choice, Colour

OUTPUTS = ("transparent", "mask", "composite")

OUTPUT_PARAMS = (
    Choice("output", "transparent", choices=OUTPUTS,
           help="transparent PNG (RGBA), the mask alone, or the product on a colour"),
    Colour("background", "#ffffff", help="colour behind the product for the composite output"),
    Bool("clean_edges", True, help="remove the backdrop's colour from soft edge pixels (no halo)"),
)


def render_output(image: Image, alpha: np.ndarray, params: dict) -> Image:
    """The cut-out in the form ``params['output']`` asks for, at the image's bit depth."""
    mode = params["output"]
    if mode == "mask":
        return image.with_pixels(quantize(np.repeat(alpha[..., None], 3, axis=2), image.pixels.dtype))
    rgb = image.rgb()
    if params["clean_edges"]:
        from .matting import clean_foreground

        rgb = clean_foreground(rgb, alpha)
    if mode == "transparent":
        return image.with_pixels(quantize(np.concatenate([rgb, alpha[..., None]], axis=2), image.pixels.dtype))
    colour = np.asarray(Colour.to_rgb(params["background"]), np.float32) / 255.0
    a = alpha[..., None]
    return image.with_pixels(quantize(rgb * a + colour * (1 - a), image.pixels.dtype))
