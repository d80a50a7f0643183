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
    from importlib.resources import files

    from packshot.core.models import read_catalogue_file

    return read_catalogue_file(files(__package__) / "models.toml")
