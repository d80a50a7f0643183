"""Resumable, verified HTTP downloads with urllib.

Bytes go to ``<file>.part`` beside the target; a broken connection is resumed with an
HTTP ``Range`` request (here, by retrying, or by the next call), and only a file whose
size and SHA-256 match the catalogue is moved to its final name. A wrong checksum
discards the partial file, so the next attempt starts clean.
"""

from __future__ import annotations

import http.client
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from ..errors import BadInput, Cancelled
from .checksum import CHUNK, sha256_file

DownloadProgress = Callable[[int, int], None]  # (bytes done, total bytes or 0)
_NETWORK_ERRORS = (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError)


def part_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part")


def download(url: str, dest: str | Path, *, sha256: str = "", size: int = 0,
             progress: DownloadProgress | None = None,
             cancelled: Callable[[], bool] | None = None,
             retries: int = 3, timeout: float = 30.0) -> Path:
    """Download ``url`` to ``dest``, resuming ``dest.part`` if an earlier try left one."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = part_path(dest)
    attempt = 0
    while True:
        try:
            _fetch_into(url, part, size, progress, cancelled, timeout)
            break
        except _NETWORK_ERRORS as exc:
            attempt += 1
            if attempt > retries:
                have = part.stat().st_size if part.exists() else 0
                raise BadInput(f"download of {dest.name} failed after {attempt} tries ({exc}); "
                               f"{have} bytes kept, run the command again to resume") from exc
    _verify(part, dest.name, sha256, size)
    os.replace(part, dest)
    return dest


def _fetch_into(url: str, part: Path, size: int, progress: DownloadProgress | None,
                cancelled: Callable[[], bool] | None, timeout: float) -> None:
    have = part.stat().st_size if part.exists() else 0
    if size and have >= size:
        return
    request = urllib.request.Request(url, headers={"User-Agent": "packshot"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # nothing left to send: the part file is complete
            return
        raise BadInput(f"download of {part.name[:-5]} failed: HTTP {exc.code} {exc.reason} ({url})") from exc
    with response:
        if have and response.status != 206:
            have = 0  # the server ignored Range: start again
        total = size or _total_from(response, have)
        with open(part, "ab" if have else "wb") as fh:
            done = have
            while True:
                if cancelled is not None and cancelled():
                    raise Cancelled(f"download of {part.name[:-5]} cancelled ({done} bytes kept)")
                block = response.read(CHUNK)
                if not block:
                    break
                fh.write(block)
                done += len(block)
                if progress is not None:
                    progress(done, total)
        if total and done < total:
            raise http.client.IncompleteRead(b"", total - done)


def _total_from(response, have: int) -> int:
    length = response.headers.get("Content-Length")
    return have + int(length) if length and length.isdigit() else 0


def _verify(part: Path, name: str, sha256: str, size: int) -> None:
    actual_size = part.stat().st_size
    if size and actual_size != size:
        part.unlink(missing_ok=True)
        raise BadInput(f"download of {name}: got {actual_size} bytes, the catalogue says {size}; "
                       "the file was discarded")
    if sha256:
        actual = sha256_file(part)
        if actual != sha256.lower():
            part.unlink(missing_ok=True)
            raise BadInput(f"download of {name}: checksum mismatch (expected {sha256}, got "
                           f"{actual}); the file was discarded")
