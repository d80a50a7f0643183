"""The inpaint-repair family: inpaint, dust and spot removal, text detection and watermark
removal, clone/heal, and LaMa / MAT inpainting models.

Importing this package imports neither OpenCV nor torch: the operations load them in run().
"""

from __future__ import annotations

from packshot.core.hookspecs import hookimpl

packshot_api_version = "2.0"


@hookimpl
def packshot_operations():
    from .clone import Clone
    from .detect_dust import DetectDust
    from .detect_text import DetectText
    from .inpaint import Inpaint
    from .inpaint_model import InpaintModel
    from .remove_dust import RemoveDust
    from .remove_watermark import RemoveWatermark

    return [Inpaint(), InpaintModel(), DetectDust(), RemoveDust(), DetectText(), RemoveWatermark(), Clone()]


@hookimpl
def packshot_model_catalogue():
    from packshot.core.resources import model_catalogue

    return model_catalogue("repair.toml")
