"""What the library records about one file, read from its header and bytes without decoding."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadInput
from ..icc import profile_name
from ..imageio import READ_FORMATS, open_header, quarter_turned, require_regular_file

IMAGE_SUFFIXES = frozenset(READ_FORMATS)


@dataclass(frozen=True)
class FileFacts:
    size: int
    mtime_ns: int
    hash: str
    width: int | None
    height: int | None
    format: str | None
    profile: str
    error: str


def content_hash(path: str | Path) -> str:
    """A 128-bit BLAKE2b of the file's bytes: the same picture moved or renamed keeps it.

    A named pipe or a device is refused (BadInput) rather than read forever."""
    require_regular_file(path)
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def probe(path: Path, stat: os.stat_result | None = None) -> FileFacts:
    """Size, time, hash and header facts; an unreadable image is recorded with its error.

    Only regular files may come here (a named pipe would block the hash): the scan checks.
    """
    stat = stat or require_regular_file(path)
    digest = content_hash(path)
    width = height = fmt = None
    profile, error = "", ""
    try:
        with open_header(path) as im:
            width, height = im.size
            fmt = im.format
            if quarter_turned(im):
                width, height = height, width
            profile = profile_name(im.info.get("icc_profile"))
    except BadInput as exc:
        error = str(exc).removeprefix(f"{path.name}: ")
    return FileFacts(stat.st_size, stat.st_mtime_ns, digest, width, height, fmt, profile, error)


def image_files(folder: Path, recursive: bool = True) -> list[Path]:
    """Image files under ``folder`` by extension, hidden files and folders skipped, sorted."""
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")) if recursive else []
        found.extend(Path(root) / n for n in names
                     if not n.startswith(".") and Path(n).suffix.lower() in IMAGE_SUFFIXES)
    return sorted(found)
