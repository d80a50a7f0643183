"""The generate family: backdrops, staging with shadows, canvas extension, colourways, diffusion.

Built-in tier: procedural backdrops and shadows, backdrop continuation, Lab recolouring.
Model tier: diffusion pipelines through ``diffusers`` (text-to-image, image-to-image,
inpainting around a kept product, outpainting), from a local folder or one file.
"""

from __future__ import annotations

from packshot.core.hookspecs import hookimpl

packshot_api_version = "2.0"


@hookimpl
def packshot_operations():
    from .diffusion_ops import OPERATIONS as DIFFUSION
    from .operations import Backdrop, Colourways, ExtendCanvas, StageProduct

    return [Backdrop(), StageProduct(), ExtendCanvas(), Colourways(), *DIFFUSION]


@hookimpl
def packshot_model_catalogue():
    from .diffusion_models import catalogue

    return catalogue()
