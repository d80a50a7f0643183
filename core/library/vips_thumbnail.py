"""Library thumbnails on libvips: shrink-on-load, upright, sRGB through LittleCMS, on white.

A JPEG is decoded at a reduced DCT scale (1/2 to 1/8: :func:`_jpeg_shrink`), other formats
by ``pyvips.Image.thumbnail`` (a WebP through libwebp's own scaling); libvips turns the
picture by its EXIF orientation, converts the embedded profile to sRGB and resizes with
Lanczos, in one pipeline that releases the GIL. Pillow reads the header first
(:func:`open_header`: the size limit before any pixel) and decides what is sent here: JPEG,
PNG, TIFF, WebP and GIF in the common layouts, CMYK only with a profile. A file libvips
refuses (corrupt, truncated, or a layout it does not read) gives None and the caller hands
it to Pillow: a file Pillow reads still gets its thumbnail, a bad one Pillow's error naming it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from PIL import ImageCms

from ..icc import is_srgb
from ..imageio import open_header

if TYPE_CHECKING:
    import pyvips

T = TypeVar("T")

FORMATS = {"JPEG", "PNG", "TIFF", "WEBP", "GIF"}
# Pillow's modes for the layouts libvips reads as Pillow shows them ("I" is 16-bit grey in a
# PNG; in a TIFF it is 32-bit, and "F" is float, which libvips would clip as 8-bit levels).
_MODES = {"1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "I;16", "I;16B", "I;16L", "I;16N"}
# The profiles converted, as the Pillow path converts them (a grey one shows its levels as stored).
_PROFILE_SPACES = {"CMYK": b"CMYK", "RGB": b"RGB ", "RGBA": b"RGB ", "P": b"RGB "}


def vips_jpeg(source: Path, size: int, quality: int) -> bytes | None:
    """The thumbnail as JPEG bytes (no metadata), or None for a file left to Pillow."""
    return _finished(source, size, lambda image: image.jpegsave_buffer(Q=quality, keep="none"))


def vips_pixels(source: Path, size: int) -> np.ndarray | None:
    """The thumbnail as an (h, w, 3) uint8 array, or None for a file left to Pillow."""
    return _finished(source, size, lambda image: image.numpy())


def _finished(source: Path, size: int, finish: Callable[[pyvips.Image], T]) -> T | None:
    """``finish`` run on the pipeline (where libvips decodes), or None where libvips fails."""
    import pyvips

    image = _pipeline(source, size)
    try:
        return None if image is None else finish(image)
    except pyvips.Error:
        return None


def _pipeline(source: Path, size: int) -> pyvips.Image | None:
    """The lazy libvips pipeline: 8-bit sRGB RGB, alpha flattened on white, as large as Pillow's
    ``thumbnail`` would make it. The header (and the size limit) is checked before any pixel."""
    import pyvips

    with open_header(source) as im:
        if im.format not in FORMATS or not (im.mode in _MODES or (im.format == "PNG" and im.mode == "I")):
            return None
        fmt, mode, icc = im.format, im.mode, im.info.get("icc_profile") or None
    usable = icc is not None and _usable_profile(icc, _PROFILE_SPACES.get(mode, b""))
    if mode == "CMYK" and not usable:
        return None
    colour = {"output_profile": "srgb", "intent": "perceptual"} if usable and (
        mode == "CMYK" or not is_srgb(icc)) else {}
    # libvips' TIFF reader takes a short or undecodable strip for a warning and goes on (a half
    # black thumbnail); JPEG's warnings are often harmless (bytes before a marker), as Pillow finds.
    fail_on = "warning" if fmt == "TIFF" else "truncated"
    try:
        header = pyvips.Image.new_from_file(str(source), access="sequential", fail_on=fail_on)
        stored = (header.width, header.height)  # the orientation thumbnail applies, as libvips reads it
        turned = header.get_typeof("orientation") and header.get("orientation") in (5, 6, 7, 8)
        width, height = _fitted(*(stored[::-1] if turned else stored), size)
        if fmt == "JPEG":
            shrink = _jpeg_shrink(stored, (height, width) if turned else (width, height))
            image = pyvips.Image.jpegload(str(source), shrink=shrink, access="sequential", fail_on=fail_on)
            image = image.thumbnail_image(width, height=height, size="force", **colour)
        else:
            image = pyvips.Image.thumbnail(str(source), width, height=height, size="force", fail_on=fail_on, **colour)
        if image.hasalpha():
            white = 65535 if image.format == "ushort" else 255
            image = image.flatten(background=[white] * (image.bands - 1))
        if image.interpretation != "srgb" or image.format != "uchar" or image.bands != 3:
            image = image.colourspace("srgb").cast("uchar")
    except pyvips.Error:
        return None
    return image


def _jpeg_shrink(stored: tuple[int, int], target: tuple[int, int]) -> int:
    """The largest DCT scale-down (8, 4, 2) whose decode is still 1.9x ``target``, so the final
    Lanczos has room to smooth what the block-wise shrink aliases: 8 to 17 dB closer to a
    full-decode Lanczos resize than a decode just covering it, on real photographs.
    ``thumbnail`` keeps 2x and so decodes a 4000 px frame at 1/4 for 256 px: 4x the pixels
    and a fifth more time, for a result no closer."""
    return next((s for s in (8, 4, 2) if all(-(-side // s) >= 1.9 * want for side, want in zip(stored, target))), 1)


def _fitted(width: int, height: int, size: int) -> tuple[int, int]:
    """The size Pillow's ``thumbnail`` gives ``width x height`` in a ``size`` square (never
    larger): the short side nearest the aspect, so both paths agree and sample the same grid."""
    if width <= size and height <= size:
        return width, height
    aspect = width / height
    if aspect >= 1:
        short = size / aspect
        return size, max(min(math.floor(short), math.ceil(short), key=lambda n: abs(aspect - size / max(n, 1))), 1)
    short = size * aspect
    return max(min(math.floor(short), math.ceil(short), key=lambda n: abs(aspect - n / size)), 1), size


@lru_cache(maxsize=64)
def _usable_profile(icc: bytes, space: bytes) -> bool:
    """Whether LittleCMS reads ``icc`` and its header says it describes ``space`` pixels;
    otherwise the colours are shown as stored, as the Pillow path does."""
    if icc[16:20] != space:
        return False
    try:
        ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except (OSError, ImageCms.PyCMSError, TypeError, ValueError):
        return False
    return True
