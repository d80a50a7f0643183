"""Where rendered pictures are kept: a byte-bounded LRU in memory, a size-bounded folder on disk.

The render engine keys both by a hash of the source file and the steps that made the
picture, so an entry is either exactly right or never looked up. The disk cache holds
the last render of every edited picture across restarts; a file that is truncated or
damaged reads as a miss and is removed, and the engine renders it again.
"""

from __future__ import annotations

import json
import os
import struct
import threading
import zlib
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .image import Image
from .output_guard import atomic_write
from .settings import cache_dir, load_settings

MAGIC = b"PACKSHOT-RENDER-1\n"
SUFFIX = ".render"
_LENGTH = struct.Struct(">I")


def image_bytes(image: Image) -> int:
    return int(image.pixels.nbytes) + len(image.icc_profile or b"") + len(image.exif or b"")


class MemoryCache:
    """Least-recently-used pictures up to ``max_bytes`` of pixels; safe to share between threads.

    Each entry carries a ``tag`` (the picture it belongs to) so a closed picture's
    entries can be dropped at once with :meth:`forget`.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = int(max_bytes)
        self._items: OrderedDict[str, tuple[Image, str]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Image | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._items

    def put(self, key: str, image: Image, tag: str = "") -> None:
        size = image_bytes(image)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= image_bytes(old[0])
            self._items[key] = (image, tag)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (dropped, _) = self._items.popitem(last=False)
                self._bytes -= image_bytes(dropped)

    def forget(self, tag: str) -> None:
        with self._lock:
            for key in [k for k, (_, t) in self._items.items() if t == tag]:
                self._bytes -= image_bytes(self._items.pop(key)[0])

    @property
    def bytes_used(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


class DiskCache:
    """Rendered pictures as files in ``folder``, at most ``max_bytes`` in all, oldest evicted first.

    A file holds a small JSON header (shape, depth, DPI, format, a CRC of the pixels),
    the ICC profile and EXIF, then the raw pixels: reading one back is a single read, with
    no decode, and keeps 16 bits and the colour profile. Reading a file refreshes its
    time, so "oldest" means least recently used.
    """

    def __init__(self, folder: str | Path, max_bytes: int) -> None:
        self.folder = Path(folder)
        self.max_bytes = int(max_bytes)

    @classmethod
    def default(cls) -> DiskCache:
        """The ``renders`` folder of the cache folder, bounded by the ``cache_mb`` setting."""
        return cls(cache_dir() / "renders", load_settings().cache_mb * 2**20)

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}{SUFFIX}"

    def get(self, key: str) -> Image | None:
        path = self.path(key)
        try:
            with open(path, "rb") as fh:
                image = _read(fh, key)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (OSError, ValueError, KeyError, TypeError, struct.error):
            image = None
        if image is None:  # damaged: drop it, the caller renders again
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
            return None
        try:
            os.utime(path)
        except OSError:
            pass
        return image

    def put(self, key: str, image: Image) -> Path | None:
        """Store ``image``; None when it alone is larger than the cache may hold, or the
        folder cannot be written (a full disk costs the next render its speed, nothing else)."""
        if image_bytes(image) > self.max_bytes:
            return None
        try:
            return self._put(key, image)
        except OSError:
            return None

    def _put(self, key: str, image: Image) -> Path:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        pixels = np.ascontiguousarray(image.pixels)
        icc, exif = image.icc_profile or b"", image.exif or b""
        header = json.dumps({
            "key": key, "shape": list(pixels.shape), "dtype": pixels.dtype.str, "icc": len(icc),
            "exif": len(exif), "dpi": list(image.dpi) if image.dpi else None, "format": image.format,
            "crc": zlib.crc32(pixels.data),
        }).encode("utf-8")

        def write(fh) -> None:
            fh.write(MAGIC + _LENGTH.pack(len(header)) + header + icc + exif)
            fh.write(pixels.data.cast("B"))

        atomic_write(path, write, sync=False)  # a torn file fails its CRC and is rendered again
        self.evict()
        return path

    def entries(self) -> list[tuple[Path, os.stat_result]]:
        """Every file of the cache with its stat, renders and the parts a killed write left."""
        if not self.folder.is_dir():
            return []
        found = []
        for sub in self.folder.iterdir():
            if sub.is_dir():
                for path in sub.iterdir():
                    try:
                        found.append((path, path.stat()))
                    except OSError:
                        continue
        return found

    def size(self) -> int:
        return sum(st.st_size for _, st in self.entries())

    def evict(self) -> None:
        """Remove the least recently used files until the folder fits ``max_bytes``."""
        entries = sorted(self.entries(), key=lambda e: e[1].st_mtime_ns)
        total = sum(st.st_size for _, st in entries)
        for path, st in entries:
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= st.st_size


def _read(fh, key: str) -> Image | None:
    if fh.read(len(MAGIC)) != MAGIC:
        return None
    (length,) = _LENGTH.unpack(fh.read(_LENGTH.size))
    head = json.loads(fh.read(length).decode("utf-8"))
    if head["key"] != key:
        return None
    icc, exif = fh.read(head["icc"]), fh.read(head["exif"])
    dtype, shape = np.dtype(head["dtype"]), tuple(head["shape"])
    if dtype not in (np.uint8, np.uint16) or len(shape) != 3:
        return None
    buffer = bytearray(int(np.prod(shape)) * dtype.itemsize)
    if fh.readinto(buffer) != len(buffer) or fh.read(1):
        return None
    pixels = np.frombuffer(buffer, dtype).reshape(shape)
    if zlib.crc32(pixels.data) != head["crc"]:
        return None
    dpi = tuple(head["dpi"]) if head["dpi"] else None
    return Image(pixels, icc_profile=icc or None, exif=exif or None, dpi=dpi, format=head["format"])
