"""The enhance family: upscale, denoise, sharpen and restore, built-in and model tiers; and the
framing every picture gets (crop, rotate, straighten; listed under "Other")."""

from __future__ import annotations

from packshot.core.hookspecs import hookimpl

packshot_api_version = "2.0"


@hookimpl
def packshot_operations():
    from .operations import OPERATIONS

    return [op() for op in OPERATIONS]


@hookimpl
def packshot_model_catalogue():
    from packshot.core.resources import model_catalogue

    return model_catalogue("enhance.toml")
