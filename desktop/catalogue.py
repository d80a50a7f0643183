"""What the library panel reads and writes, through the core library (no Qt, no SQL here).

The folders a person opens are catalogued in :class:`packshot.core.library.Library` (ratings,
flags, colour labels, edit stacks, export history; marks already in Lightroom /
darktable XMP sidecars are read in when a file is first catalogued). Thumbnails come
from the core's disk cache, keyed by content and made with JPEG draft decoding.
Everything here may be called from worker threads. The core library modules are
imported on first use (off the UI thread), so they do not delay the window.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from packshot.core.errors import BadInput, Cancelled
from packshot.core.recipe import EditStack

from .document import MASKS_SUFFIX

THUMB_SIZE = 256  # packshot.core.library.thumbnails.DEFAULT_SIZE: the size the library caches

if TYPE_CHECKING:
    from packshot.core.library import Library


@dataclass(frozen=True)
class Entry:
    """One picture in the panel: where it is, its marks, and its size once known."""

    path: Path
    rating: int = 0
    flag: str = ""
    label: str = ""
    width: int | None = None
    height: int | None = None


def list_folder(folder: Path, recursive: bool = False) -> list[Path]:
    """The image files in a folder, sorted (a quick listing: no file is read)."""
    from packshot.core.library.probe import image_files

    return [p for p in image_files(Path(folder).resolve(), recursive=recursive)
            if not p.parent.name.endswith(MASKS_SUFFIX)]


class Catalogue:
    """The panel's view of the core library: scan folders, read entries, change marks."""

    def __init__(self, library: Library | None = None) -> None:
        self._library = library
        self._told = False
        self._opening = threading.Lock()

    @property
    def library(self) -> Library:
        with self._opening:  # the scan and the thumbnails ask at once, from two worker threads
            if self._library is None:
                from packshot.core.library import Library  # SQLite opens on first use, off the UI thread

                self._library = Library.open()
        return self._library

    def take_notice(self) -> str:
        """Once, what was done to a damaged library as it opened (restored from its backup, or
        started anew): news a person must read, not a warning; '' when there is none."""
        if self._library is None or self._told:
            return ""
        self._told = True
        return self._library.recovered

    def thumbnail(self, path: Path, size: int = THUMB_SIZE) -> tuple[np.ndarray, tuple[int, int]]:
        """An RGB thumbnail (cached on disk by content) and the picture's (width, height).

        The content hash is the library's while the file is unchanged since it was catalogued,
        so reopening a folder reads no picture's bytes to find its thumbnails.
        """
        from PIL import Image as PILImage

        from packshot.core.export import image_size
        from packshot.core.library.thumbnails import cached_thumbnail

        thumb = cached_thumbnail(path, self.library.content_hash(path), size)
        with PILImage.open(thumb) as im:
            pixels = np.asarray(im.convert("RGB"))
        return pixels, image_size(path)

    def scan(self, folders: Iterable[Path], stop: Callable[[], bool] = lambda: False) -> dict[Path, Entry]:
        """Catalogue (or rescan) folders, non-recursively; returns their entries by path.

        ``stop()`` is asked per file; when it says so the scan ends with :class:`Cancelled`
        before anything of that folder is written (the next scan starts over).
        """
        from packshot.core.library.xmp import find_sidecar

        def check(fraction: float, message: str) -> None:
            if stop():
                raise Cancelled("library scan stopped")

        out: dict[Path, Entry] = {}
        for folder in folders:
            report = self.library.add_folder(folder, recursive=False, on_progress=check)
            for path in report.added:
                if find_sidecar(path) is not None:
                    self.library.read_xmp(path)
            for rec in self.library.files(folder):
                out[rec.path] = Entry(rec.path, rec.rating, rec.flag, rec.label, rec.width, rec.height)
        return out

    def mark(self, entry: Entry, *, rating: int | None = None, flag: str | None = None,
             label: str | None = None) -> Entry:
        """Change and save an entry's marks; returns the updated entry."""
        try:
            self.library.file(entry.path)
        except BadInput:  # marked before the folder's first scan finished
            self.library.add_folder(entry.path.parent, recursive=False)
        if rating is not None:
            self.library.set_rating(entry.path, rating)
        if flag is not None:
            self.library.set_flag(entry.path, flag)
        if label is not None:
            self.library.set_label(entry.path, label)
        return replace(entry, rating=entry.rating if rating is None else rating,
                       flag=entry.flag if flag is None else flag, label=entry.label if label is None else label)

    def save_edit_stack(self, path: Path, stack: EditStack) -> None:
        self.library.save_edit_stack(path, stack)

    def record_exports(self, written: Iterable[tuple[Path, Path, int]], preset: str = "") -> None:
        """Add (picture, exported file, bytes) to the pictures' export history; a picture the
        library has not catalogued yet is skipped."""
        for path, output, size in written:
            try:
                self.library.record_export(path, output, preset, size)
            except BadInput:
                continue

    def close(self) -> None:
        if self._library is not None:
            self._library.close()
