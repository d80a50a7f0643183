"""Before/after pairs: matching files by name, loading them, and holding them at training size.

Editors export finals as ``shot_edited.jpg``, ``shot-edit.tif`` or ``shot_final.png``;
those suffixes are ignored when matching a before to its after, and the file types may
differ. Every failure names the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import resample
from ..errors import BadInput
from ..image import Image
from ..imageio import READ_FORMATS, load_image

TRAIN_SIDE = 512  # pairs are learned at this size: the look is a colour map, not detail
_SUFFIX = re.compile(r"([ _.-]+(edited|edit|final|after|before|retouched|graded|orig|original|raw))+$")


@dataclass(frozen=True)
class Pair:
    """A before and its after, as float RGB 0..1 at training size."""

    name: str
    before: np.ndarray
    after: np.ndarray


@dataclass(frozen=True)
class Matched:
    pairs: list[tuple[str, Path, Path]]
    lone_before: list[Path]
    lone_after: list[Path]


def match_key(path: Path) -> str:
    return _SUFFIX.sub("", path.stem.lower())


def match_folders(before: str | Path, after: str | Path) -> Matched:
    """Pair the pictures of two folders by name; the ones without a partner are listed."""
    before_files, after_files = _pictures(Path(before)), _pictures(Path(after))
    if {p.resolve() for p in before_files} & {p.resolve() for p in after_files}:
        raise BadInput(f"{before} and {after}: the before and after folders must be different")
    by_before, by_after = _by_key(before_files), _by_key(after_files)
    keys = sorted(by_before.keys() & by_after.keys())
    return Matched([(k, by_before[k], by_after[k]) for k in keys],
                   sorted(p for k, p in by_before.items() if k not in by_after),
                   sorted(p for k, p in by_after.items() if k not in by_before))


def _pictures(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise BadInput(f"{folder}: no such folder")
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in READ_FORMATS)


def _by_key(files: Iterable[Path]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in files:
        key = match_key(path)
        if key in found:
            raise BadInput(f"{found[key].name} and {path.name} in {path.parent} both match {key!r}; "
                           "keep one of them")
        found[key] = path
    return found


def load_pairs(items: Iterable[tuple[str, Path, Path]], *, side: int = TRAIN_SIDE,
               step: Callable[[int, str], None] | None = None) -> list[Pair]:
    """Load and shrink each pair; a size mismatch or an unreadable file is a BadInput naming it."""
    pairs = []
    for i, (name, before_path, after_path) in enumerate(items):
        if step is not None:
            step(i, name)
        before, after = load_image(before_path), load_image(after_path)
        pairs.append(pair_of(name, before, after, side=side,
                             where=(before_path.name, after_path.name)))
    return pairs


def pair_of(name: str, before: Image, after: Image, *, side: int = TRAIN_SIDE,
            where: tuple[str, str] | None = None) -> Pair:
    """A Pair from two Images of the same size, shrunk so the longer side is at most ``side``."""
    b_name, a_name = where or (f"{name} (before)", f"{name} (after)")
    if before.size != after.size:
        raise BadInput(f"{b_name} is {before.width}x{before.height} but {a_name} is "
                       f"{after.width}x{after.height}; a before and its after must be the same size")
    return Pair(name, shrink(before.rgb(), side), shrink(after.rgb(), side))


def shrink(rgb: np.ndarray, side: int) -> np.ndarray:
    """Area-averaged copy whose longer side is at most ``side`` (any pixel type cv2 takes)."""
    return np.ascontiguousarray(resample.shrink(rgb, resample.fit_within(rgb.shape, side)))
