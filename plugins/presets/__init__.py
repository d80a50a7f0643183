"""The built-in export presets: marketplace rules and web sizes, as TOML data files.

Presets ship in ``resources/presets/*.toml``; a person can add or override their own in
``<config dir>/presets/*.toml`` (a file there with the name of a built-in one replaces it).
Other plugins add presets through the same ``packshot_export_presets`` hook.
"""

from __future__ import annotations

from packshot.core.hookspecs import hookimpl

packshot_api_version = "2.0"


@hookimpl
def packshot_export_presets():
    from packshot.core.resources import resource_path
    from packshot.core.settings import config_dir

    from .loader import load_preset_folders

    return load_preset_folders([resource_path("presets"), config_dir() / "presets"])
