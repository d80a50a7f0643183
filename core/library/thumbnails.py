"""Thumbnails cached on disk, keyed by the file's content, made on libvips.

libvips (:mod:`.vips_thumbnail`) decodes with shrink-on-load, converts to sRGB and encodes
the JPEG while the GIL is released, so a thread pool makes many at once without new
processes. Pillow, with JPEG draft decoding, stays the path of last resort for the rest:
BMP, HEIF and AVIF, float or 32-bit TIFF, CMYK without a profile LittleCMS accepts, and any
file libvips refuses (a damaged file then gets Pillow's error, naming it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image as PILImage
from PIL import ImageOps

from ..errors import BadInput
from ..icc import is_srgb, pil_to_srgb
from ..imageio import open_header
from ..output_guard import atomic_write
from ..settings import cache_dir
from .vips_thumbnail import vips_jpeg, vips_pixels

DEFAULT_SIZE = 256
QUALITY = 85


def thumbnail_dir() -> Path:
    return cache_dir() / "thumbnails"


def thumbnail_path(content_hash: str, size: int = DEFAULT_SIZE, folder: Path | None = None) -> Path:
    """Where the thumbnail of this content at this size lives (two-level fan-out)."""
    folder = folder or thumbnail_dir()
    return folder / content_hash[:2] / f"{content_hash}_{int(size)}.jpg"


def render_thumbnail(source: str | Path, size: int = DEFAULT_SIZE) -> PILImage.Image:
    """An sRGB RGB thumbnail whose longer side is ``size`` (never enlarged)."""
    source = Path(source)
    pixels = vips_pixels(source, size)
    return _pillow_thumbnail(source, size) if pixels is None else PILImage.fromarray(pixels, "RGB")


def make_thumbnail(source: str | Path, dest: str | Path, size: int = DEFAULT_SIZE) -> Path:
    """Render and atomically write one thumbnail JPEG (not fsynced: a cache can be remade)."""
    source, dest = Path(source), Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    data = vips_jpeg(source, size, QUALITY)  # decoded before the destination is touched
    if data is None:
        im = _pillow_thumbnail(source, size)
        return atomic_write(dest, lambda fh: im.save(fh, "JPEG", quality=QUALITY), sync=False)
    return atomic_write(dest, lambda fh: fh.write(data), sync=False)


def _pillow_thumbnail(source: Path, size: int) -> PILImage.Image:
    """The thumbnail decoded by Pillow (JPEG at a reduced DCT scale), for the files libvips is not given."""
    with open_header(source) as im:  # the size limit and a clear error before anything is decoded
        if im.format == "JPEG":
            im.draft("RGB", (size, size))
        icc = im.info.get("icc_profile")
        im = ImageOps.exif_transpose(im)
        if im.mode.startswith("I;16") or im.mode == "I":  # Pillow clips 16-bit grey to 255 and cannot shrink it
            levels = np.clip(np.asarray(im), 0, 65535).astype(np.uint32)
            im = PILImage.fromarray(((levels * 255 + 32767) // 65535).astype(np.uint8), "L")
        im.thumbnail((size, size), PILImage.Resampling.BICUBIC, reducing_gap=2.0)
        if im.mode not in ("RGB", "RGBA") and not (im.mode == "CMYK" and icc):
            im = im.convert("RGBA" if "transparency" in im.info or im.mode in ("LA", "PA") else "RGB")
        if icc:
            im = _to_srgb(im, icc)
        if im.mode == "RGBA":
            flat = PILImage.new("RGB", im.size, (255, 255, 255))
            flat.paste(im, (0, 0), im)
            im = flat
        return im.convert("RGB")


def _to_srgb(im: PILImage.Image, icc: bytes) -> PILImage.Image:
    """sRGB for the grid; a profile LittleCMS refuses shows the colours as stored."""
    if is_srgb(icc) and im.mode != "CMYK":
        return im
    try:
        return pil_to_srgb(im, icc, None)
    except BadInput:
        return im.convert("RGB")


def cached_thumbnail(source: str | Path, content_hash: str, size: int = DEFAULT_SIZE,
                     folder: Path | None = None) -> Path:
    """The cached thumbnail for this content, made on first request."""
    dest = thumbnail_path(content_hash, size, folder)
    if dest.is_file() and dest.stat().st_size > 0:  # an unsynced write lost in a power cut is remade
        return dest
    return make_thumbnail(source, dest, size)


def make_thumbnails(items: Iterable[tuple[str | Path, str]], size: int = DEFAULT_SIZE, *,
                    workers: int | None = None, folder: Path | None = None,
                    on_done: Callable[[Path, Path | None, str], None] | None = None) -> dict[Path, Path]:
    """Thumbnails for many ``(source, content_hash)`` pairs in a thread pool.

    Returns source -> thumbnail for those that worked; ``on_done(source, thumb, error)``
    is called for each, in order, on the calling thread.
    """
    items = [(Path(s), h) for s, h in items]
    # One more worker than cores: each thumbnail holds the GIL a little (Pillow's header read,
    # the file write), which another worker fills; libvips' own thread count made no clear
    # difference (benchmarks/bench_thumbnails.py measures both).
    workers = workers or (os.cpu_count() or 1) + 1
    done: dict[Path, Path] = {}

    def one(item: tuple[Path, str]) -> tuple[Path, Path | None, str]:
        source, digest = item
        try:
            return source, cached_thumbnail(source, digest, size, folder), ""
        except BadInput as exc:
            return source, None, str(exc)

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="packshot-thumb") as pool:
        for source, thumb, error in pool.map(one, items):
            if thumb is not None:
                done[source] = thumb
            if on_done is not None:
                on_done(source, thumb, error)
    return done
