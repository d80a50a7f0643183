"""The inpaint-repair family: inpaint, dust and spot removal, watermark removal, clone/heal,
and LaMa / MAT inpainting models.

Importing this package imports neither OpenCV nor torch: the operations load them in run().
"""

from __future__ import annotations

from core.hookspecs import hookimpl

packshot_api_version = "1.0"


@hookimpl
def packshot_operations():
    from .inpaint import Inpaint

    return [Inpaint()]
