"""The backdrop parameters Studio backdrop and Stage product share, and the spec they make."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from packshot.core.params import Choice, Colour, Float

from .backdrops import STYLES, BackdropSpec

BACKDROP_PARAMS = (
    Choice("style", "sweep", choices=STYLES, help="kind of backdrop"),
    Colour("colour", "#f0f0f0", help="main colour"),
    Colour("colour2", "#c0c0c4", help="second colour (gradients, sweep floor, wood grain)"),
    Float("angle", 90.0, minimum=0, maximum=360, unit="°", help="linear gradient direction (90 = downwards)"),
    Float("falloff", 0.25, minimum=0, maximum=1, help="sweep: light fall-off"),
    Float("vignette", 0.15, minimum=0, maximum=1, help="darkening towards the corners"),
    Float("texture_scale", 1.0, minimum=0.1, maximum=10, help="texture feature size"),
    Float("texture_contrast", 1.0, minimum=0, maximum=3, help="texture strength"),
)


def _rgb01(hex_colour: str) -> tuple[float, float, float]:
    r, g, b = Colour.to_rgb(hex_colour)
    return r / 255, g / 255, b / 255


def backdrop_spec(params: Mapping[str, Any]) -> BackdropSpec:
    return BackdropSpec(style=params["style"], colour=_rgb01(params["colour"]), colour2=_rgb01(params["colour2"]),
                        angle=params["angle"], falloff=params["falloff"], vignette=params["vignette"],
                        scale=params["texture_scale"], contrast=params["texture_contrast"])
