"""The cut-out family: remove the background of a product shot, and frame the product.

Built-in tier: backdrop-seeded GrabCut with closed-form alpha matting, tuned for studio
shots on seamless backdrops. Model tier: background-removal networks in ONNX.
"""

from __future__ import annotations

from packshot.core.hookspecs import hookimpl

packshot_api_version = "2.0"


@hookimpl
def packshot_operations():
    from .auto_frame import AutoFrame
    from .remove_background import RemoveBackground
    from .remove_background_model import RemoveBackgroundModel

    return [RemoveBackground(), RemoveBackgroundModel(), AutoFrame()]


@hookimpl
def packshot_model_catalogue():
    from packshot.core.resources import model_catalogue

    return model_catalogue("cutout.toml")
