"""Where an installed model file is, and the message when it is not.

One small function, so the lookup can follow the model store (core.models) as it grows:
it asks ``ctx.models`` first, then the models folder in the settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.context import Context
from core.errors import MissingModel


def models_dir(ctx: Context) -> Path:
    folder = ctx.settings.get("models_dir") if ctx.settings else None
    if folder:
        return Path(folder)
    from core.settings import load_settings

    return load_settings().models_path


def model_path(ctx: Context, entry: Mapping[str, Any]) -> Path:
    """The installed file for a catalogue entry, or MissingModel saying how to install it."""
    store = ctx.models
    if store is not None and hasattr(store, "path_for"):
        found = store.path_for(entry["name"])
        if found is not None and Path(found).exists():
            return Path(found)
    path = models_dir(ctx) / entry["file"]
    if path.exists():
        return path
    raise MissingModel(
        f"model {entry['name']!r} is not installed: run 'packshot models download {entry['name']}' "
        f"or download {entry['file']} from {entry.get('url') or 'its publisher'} and run "
        f"'packshot models install FILE' (models folder: {models_dir(ctx)})")


def read_entries(resource: str) -> list[dict[str, Any]]:
    """Catalogue entries from a TOML file in ``resources/models/``."""
    from core.models.catalogue import read_catalogue_file
    from core.resources import resource_path

    return read_catalogue_file(resource_path("models", resource))
