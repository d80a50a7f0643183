"""The model runtime: catalogue, models folder, safe loading, devices and tiled inference.

Importing this package imports neither torch nor spandrel; they load on first use.
See :mod:`packshot.core.models.store` for how an operation gets a model.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .catalogue import CatalogueEntry, read_catalogue_file
from .store import ModelStatus, ModelStore, download_hint

if TYPE_CHECKING:
    from ..context import Context
    from ..plugin_host import PluginHost
    from ..settings import Settings

__all__ = ["CatalogueEntry", "ModelStatus", "ModelStore", "download_hint", "open_store",
           "read_catalogue_file", "store_for"]


def open_store(settings: Settings | None = None, host: PluginHost | None = None) -> ModelStore:
    """The store for these settings (models folder, device) and the plugins' catalogue."""
    from ..plugin_host import load_plugins
    from ..settings import load_settings

    settings = settings or load_settings()
    host = host or load_plugins(settings.disabled_plugins)
    return ModelStore(settings.models_path, host.model_catalogue(), device=settings.device)


_default: ModelStore | None = None


def store_for(ctx: Context | None) -> ModelStore:
    """``ctx.models`` if the front end gave one, else a default store opened once."""
    global _default
    models = getattr(ctx, "models", None)
    if isinstance(models, ModelStore):
        return models
    if _default is None or _default.folder != _current_folder():
        _default = open_store()
    return _default


def _current_folder() -> Path:
    from ..settings import load_settings

    return load_settings().models_path
