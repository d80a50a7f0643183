"""Where an installed diffusion model is: a checked file, or a diffusers folder, in the models folder."""

from __future__ import annotations

from pathlib import Path

from packshot.core.context import Context
from packshot.core.errors import MissingModel


def models_dir(ctx: Context) -> Path:
    from packshot.core.models import store_for

    return store_for(ctx).folder


def model_path(ctx: Context, name: str) -> Path:
    """The installed, checked file (or diffusers folder) of a catalogue model.

    A missing or damaged file raises MissingModel saying how to install it.
    """
    from packshot.core.models import store_for

    store = store_for(ctx)
    entry = store.entry(name)
    folder = store.folder / entry.file
    if folder.is_dir():  # a diffusers folder: diffusers checks its parts as it loads them
        return folder
    if entry.loader == "diffusers" and not Path(entry.file).suffix:
        raise MissingModel(f"model {name!r} is not installed: it is a diffusers folder; save the files of "
                           f"{entry.url} into {folder} (for example with 'huggingface-cli download "
                           f"{entry.url.split('huggingface.co/')[-1]} --local-dir {folder}')")
    return store.path(name)
