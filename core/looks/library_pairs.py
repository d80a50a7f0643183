"""Pairs from the library: each marked, edited picture's original and its rendered edits.

The edits are the picture's sidecar stack, rendered by the shared render engine (the
window's and ``packshot render``'s), so a picture the window already rendered comes
from the disk cache instead of being edited again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..context import Context
from ..errors import BadInput, BadParameter, MissingModel, PluginError, UnknownOperation
from ..imageio import load_image
from ..library import Library
from ..recipe import load_sidecar
from ..render import RenderEngine
from .pairs import TRAIN_SIDE, Pair, pair_of


def marked_edits(library: Library, rating: int | None = None) -> list[Path]:
    """Pictures with saved edits that the person marked: rated ``rating`` or more, else rated or picked."""
    records = library.files(min_rating=rating or 0)
    if rating is None:
        records = [r for r in records if r.rating > 0 or r.flag == "pick"]
    edited = []
    for record in records:
        stack = load_sidecar(record.path)
        if stack is not None and stack.applied:
            edited.append(record.path)
    return edited


def library_pairs(paths: list[Path], engine: RenderEngine, ctx: Context, *, side: int = TRAIN_SIDE,
                  step: Callable[[int, str], None] | None = None) -> tuple[list[Pair], dict[Path, str]]:
    """Each picture against its edits replayed in full, and the pictures left out, with why.

    A picture whose edits change its size (a crop, a canvas) or cannot be replayed is left
    out rather than stopping the others: a look learns colour, pixel for pixel.
    """
    pairs, left_out = [], {}
    for i, path in enumerate(paths):
        if step is not None:
            step(i, path.name)
        try:
            stack = load_sidecar(path)
            if stack is None or not stack.applied:
                raise BadInput("no saved edits")
            original = load_image(path)
            edited = engine.render(path, stack, ctx.sub(i / len(paths), (i + 1) / len(paths)))
        except (BadInput, BadParameter, MissingModel, PluginError, UnknownOperation) as exc:
            left_out[path] = str(exc)
            continue
        if edited.size != original.size:
            left_out[path] = (f"its edits change the size ({original.width}x{original.height} to "
                              f"{edited.width}x{edited.height})")
            continue
        pairs.append(pair_of(path.stem, original, edited, side=side))
    return pairs, left_out
