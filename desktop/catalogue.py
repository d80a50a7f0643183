"""What the library panel reads and writes, through the core library (no Qt, no SQL here).

Files are listed with ``core.library.probe``, thumbnails come from the core's disk cache
(keyed by content, JPEG draft decoding), and ratings, flags and colour labels live in XMP
sidecars that Lightroom, darktable and digiKam read too (``core.library.xmp``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from core.errors import BadInput
from core.export import image_size
from core.library.probe import content_hash, image_files
from core.library.thumbnails import DEFAULT_SIZE, cached_thumbnail
from core.library.xmp import FLAGS, LABELS, XmpMarks, read_marks, write_marks

__all__ = ["FLAGS", "LABELS", "Entry", "list_folder", "read_entry", "thumbnail", "write_entry_marks"]


@dataclass(frozen=True)
class Entry:
    """One picture in the panel: where it is, its marks, and its size once the thumbnail is made."""

    path: Path
    rating: int = 0
    flag: str = ""
    label: str = ""
    width: int | None = None
    height: int | None = None

    @property
    def marks(self) -> XmpMarks:
        return XmpMarks(self.rating, self.flag, self.label)


def list_folder(folder: Path, recursive: bool = False) -> list[Path]:
    """The image files in a folder, sorted; hidden files and Packshot's own mask folders skipped."""
    return [p for p in image_files(Path(folder), recursive=recursive) if ".packshot-masks" not in p.parent.name]


def read_entry(path: Path) -> Entry:
    """An entry with the marks found in its XMP sidecar (none when the sidecar is unreadable)."""
    try:
        marks = read_marks(path) or XmpMarks()
    except BadInput:
        marks = XmpMarks()
    return Entry(Path(path), marks.rating, marks.flag, marks.label)


def write_entry_marks(entry: Entry, *, rating: int | None = None, flag: str | None = None,
                      label: str | None = None) -> Entry:
    """Change and save an entry's marks; returns the updated entry."""
    new = replace(entry, rating=entry.rating if rating is None else rating,
                  flag=entry.flag if flag is None else flag, label=entry.label if label is None else label)
    write_marks(new.path, new.marks)
    return new


def thumbnail(path: Path, size: int = DEFAULT_SIZE) -> tuple[np.ndarray, tuple[int, int]]:
    """An RGB thumbnail (cached on disk by content) and the picture's (width, height)."""
    from PIL import Image as PILImage

    thumb = cached_thumbnail(path, content_hash(path), size)
    dims = image_size(path)
    with PILImage.open(thumb) as im:
        pixels = np.asarray(im.convert("RGB"))
    return pixels, dims
