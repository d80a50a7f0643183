"""Sample images for plugin tests: real photographs and synthetic studio shots.

The photographs ship inside scikit-image (``skimage.data``), so they work offline. The
studio shots come from :mod:`packshot.core.synthetic` and carry their true alpha, so a test can
measure against ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from packshot.core.image import Image, quantize
from packshot.core.synthetic import apply_cast
from packshot.core.synthetic import studio_shot as _studio_shot

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")
"""skimage.data photographs that are inside the wheel (no download needed)."""


def photo(name: str = "coffee", max_side: int | None = 256) -> Image:
    """A real RGB photograph from ``skimage.data``, shrunk to ``max_side`` for speed."""
    if name not in PHOTOS:
        raise ValueError(f"unknown sample photo {name!r}; choose one of {', '.join(PHOTOS)}")
    import skimage.data

    pixels = getattr(skimage.data, name)()
    if max_side and max(pixels.shape[:2]) > max_side:
        from PIL import Image as PILImage

        scale = max_side / max(pixels.shape[:2])
        size = (max(1, round(pixels.shape[1] * scale)), max(1, round(pixels.shape[0] * scale)))
        pixels = np.asarray(PILImage.fromarray(pixels).resize(size, PILImage.Resampling.LANCZOS))
    return Image(np.ascontiguousarray(pixels))


@dataclass(frozen=True)
class StudioShot:
    """A synthetic packshot and its truths: the product's alpha and the illuminant of any cast."""

    image: Image
    alpha: np.ndarray
    illuminant: tuple[float, float, float] = (1.0, 1.0, 1.0)


def studio_shot(shape: str = "bottle", height: int = 240, width: int = 320, *,
                cast: tuple[float, float, float] | None = None, bit_depth: int = 8,
                with_alpha: bool = False, seed: int = 0) -> StudioShot:
    """A product on a seamless backdrop, optionally under a colour cast, 8- or 16-bit, RGB or RGBA."""
    if bit_depth not in (8, 16):
        raise ValueError(f"bit_depth must be 8 or 16, not {bit_depth}")
    rgb, alpha = _studio_shot(height, width, shape=shape, seed=seed)
    if cast is not None:
        rgb = apply_cast(rgb, cast)
    values = np.concatenate([rgb, alpha[..., None]], axis=2) if with_alpha else rgb
    pixels = quantize(values, np.uint16 if bit_depth == 16 else np.uint8)
    illuminant = (float(cast[0]), float(cast[1]), float(cast[2])) if cast else (1.0, 1.0, 1.0)
    return StudioShot(Image(pixels), alpha, illuminant)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` RGB pixels: a decompression bomb's header."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))
