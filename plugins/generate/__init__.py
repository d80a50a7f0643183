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
    from .backdrop import Backdrop
    from .colourways import Colourways
    from .diffusion_img2img import DiffusionImg2Img
    from .diffusion_inpaint import DiffusionInpaint
    from .diffusion_outpaint import DiffusionOutpaint
    from .diffusion_txt2img import DiffusionTxt2Img
    from .extend_canvas import ExtendCanvas
    from .stage_product import StageProduct

    return [Backdrop(), StageProduct(), ExtendCanvas(), Colourways(), DiffusionTxt2Img(), DiffusionImg2Img(),
            DiffusionInpaint(), DiffusionOutpaint()]


@hookimpl
def packshot_model_catalogue():
    from .diffusion_models import catalogue

    return catalogue()
