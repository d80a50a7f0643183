"""Checksums of files, read in chunks so a 2 GB checkpoint never sits in memory."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def md5_file(path: str | Path) -> str:
    """MD5, only to compare with a publisher that lists nothing better (rembg's ONNX files)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "md5").hexdigest()
