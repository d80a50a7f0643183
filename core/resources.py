"""Where the bundled data lives: sample photos, presets, model catalogues, styles."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any


def resource_path(*parts: str) -> Path:
    """A path inside the ``resources`` package (installed or from a source tree)."""
    return Path(str(files("packshot.resources").joinpath(*parts)))


def model_catalogue(name: str) -> list[dict[str, Any]]:
    """The entries of a bundled model catalogue, ``resources/models/<name>`` (a built-in family's)."""
    from .models.catalogue import read_catalogue_file

    return read_catalogue_file(resource_path("models", name))


def sample_images() -> list[Path]:
    """The bundled sample product photos, sorted by name."""
    from .library.probe import IMAGE_SUFFIXES

    folder = resource_path("samples")
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
