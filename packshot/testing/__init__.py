"""Packshot's test kit for plugin authors (``packshot.testing``).

Plain helpers live here and import no test framework: sample images
(:func:`photo`, :func:`studio_shot`), :func:`run_operation` through the real job
runner, :func:`check_operation` for the promises every operation keeps, and
:func:`write_plugin_distribution` to install a plugin for one test. The
pytest fixtures built on them are in :mod:`packshot.testing.fixtures`, which pytest loads by
itself wherever Packshot is installed (entry point ``pytest11``: ``packshot``); the
desktop fixtures are in ``packshot.desktop.testing`` (``packshot-desktop``). Nothing here imports
Qt, torch or OpenCV at import time.
"""

from .conformance import NeedsModel, check_operation, heavy_imports
from .distributions import write_plugin_distribution
from .images import PHOTOS, StudioShot, photo, studio_shot
from .runs import RunRecord, run_operation

__all__ = ["PHOTOS", "NeedsModel", "RunRecord", "StudioShot", "check_operation", "heavy_imports", "photo",
           "run_operation", "studio_shot", "write_plugin_distribution"]
