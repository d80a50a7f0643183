"""Turning the command line's inputs (files, folders, globs) into a sorted list of files."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path

from ..errors import BadInput
from ..library.probe import IMAGE_SUFFIXES, image_files

_GLOB_CHARS = set("*?[")


def expand_inputs(items: Iterable[str | Path], *, recursive: bool = False,
                  exclude: Path | None = None) -> list[Path]:
    """Files named, image files inside folders, and glob matches; sorted, no duplicates.

    A file named outright is kept whatever its extension (it fails later with a clear
    reason if it is not an image); folders and globs yield image files only. Anything
    under ``exclude`` (the output folder) is left out, so a rerun never eats its own output.
    Files are told apart by what they resolve to, but kept under the name they were found
    by, so outputs and notes name a link as the person sees it.
    """
    found: dict[Path, Path] = {}
    skip = exclude.resolve() if exclude is not None else None
    for item in items:
        text = str(item)
        if _GLOB_CHARS & set(text):
            matches = [Path(m) for m in sorted(glob.glob(text, recursive=True))]
            files = [m for m in matches if m.is_file() and m.suffix.lower() in IMAGE_SUFFIXES]
            for folder in (m for m in matches if m.is_dir()):
                files.extend(image_files(folder, recursive))
            if not files:
                raise BadInput(f"{text}: no image files match")
        else:
            path = Path(text)
            if path.is_dir():
                files = image_files(path, recursive)
            elif path.exists():
                files = [path]
            else:
                raise BadInput(f"{text}: no such file or folder")
        for f in files:
            resolved = f.resolve()
            if skip is not None and resolved.is_relative_to(skip):
                continue
            found.setdefault(resolved, f.absolute())
    return sorted(found.values())

