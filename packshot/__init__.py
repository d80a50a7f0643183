"""Packshot's public plugin API: everything a plugin imports comes from here.

A plugin writes ``from packshot import hookimpl, Operation, Inputs, Result, Float`` and
never reaches into ``packshot.core``: the names below are the promise that the plugin
API version (:data:`API_VERSION`) covers. The engine lives in :mod:`packshot.core`, the
built-in plugins in :mod:`packshot.plugins`, the window in :mod:`packshot.desktop`, and
the author's test kit in :mod:`packshot.testing`. Importing this module imports neither
Qt, torch nor OpenCV.
"""

from packshot.core import API_VERSION, __version__
from packshot.core.context import CancelToken, Context
from packshot.core.errors import (
    BadInput,
    BadParameter,
    Cancelled,
    MissingModel,
    PackshotError,
    PluginError,
    UnknownOperation,
)
from packshot.core.hookspecs import hookimpl, hookspec
from packshot.core.image import Image, from_array, quantize
from packshot.core.imageio import load_image, save_image
from packshot.core.mask import as_mask, load_mask, save_mask
from packshot.core.models import CatalogueEntry, read_catalogue_file, store_for
from packshot.core.models.devices import resolve_device, run_with_fallback
from packshot.core.models.inference import run_image_model
from packshot.core.models.safe_load import read_state_dict
from packshot.core.models.tiling import tiled_apply
from packshot.core.operation import FAMILIES, Inputs, Operation, ReplayStep, Result
from packshot.core.params import Bool, Choice, Colour, Float, Int, Numbers, Param, Text

__all__ = [
    "API_VERSION",
    "FAMILIES",
    "BadInput",
    "BadParameter",
    "Bool",
    "CancelToken",
    "Cancelled",
    "CatalogueEntry",
    "Choice",
    "Colour",
    "Context",
    "Float",
    "Image",
    "Inputs",
    "Int",
    "MissingModel",
    "Numbers",
    "Operation",
    "PackshotError",
    "Param",
    "PluginError",
    "ReplayStep",
    "Result",
    "Text",
    "UnknownOperation",
    "__version__",
    "as_mask",
    "from_array",
    "hookimpl",
    "hookspec",
    "load_image",
    "load_mask",
    "quantize",
    "read_catalogue_file",
    "read_state_dict",
    "resolve_device",
    "run_image_model",
    "run_with_fallback",
    "save_image",
    "save_mask",
    "store_for",
    "tiled_apply",
]
