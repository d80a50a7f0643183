"""The enhance family: upscale, denoise, sharpen and restore, built-in and model tiers; and the
framing every picture gets (crop, rotate, straighten; listed under "Other")."""

from __future__ import annotations

from packshot.core.hookspecs import hookimpl

packshot_api_version = "2.0"


@hookimpl
def packshot_operations():
    from .crop import Crop
    from .deblock import RestoreJpeg
    from .denoise import Denoise
    from .denoise_model import DenoiseModel
    from .restore import RestoreModel
    from .rotate import Rotate
    from .sharpen import Sharpen
    from .straighten import Straighten
    from .upscale import Upscale
    from .upscale_model import UpscaleModel

    return [Upscale(), UpscaleModel(), Denoise(), DenoiseModel(), Sharpen(), RestoreModel(), RestoreJpeg(), Crop(),
            Rotate(), Straighten()]


@hookimpl
def packshot_model_catalogue():
    from packshot.core.resources import model_catalogue

    return model_catalogue("enhance.toml")
