"""The Image an operation receives: pixels plus the metadata that must survive an edit."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .errors import BadInput, BadParameter


@dataclass(frozen=True)
class Image:
    """Pixels as loaded (HxWx3 RGB or HxWx4 RGBA, uint8 or uint16) and their metadata.

    Operations work in float32 0..1 through :meth:`as_float` and hand back a new Image
    through :meth:`with_float`, which restores the original bit depth, so 16-bit stays
    16-bit and ICC/EXIF/DPI travel along untouched.
    """

    pixels: np.ndarray
    icc_profile: bytes | None = None
    exif: bytes | None = None
    dpi: tuple[float, float] | None = None
    source: Path | None = None
    format: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        p = self.pixels
        if not isinstance(p, np.ndarray) or p.ndim != 3 or p.shape[2] not in (3, 4):
            shape = getattr(p, "shape", None)
            raise BadInput(f"image pixels must be HxWx3 or HxWx4, got shape {shape}")
        if p.dtype not in (np.uint8, np.uint16):
            raise BadInput(f"image pixels must be uint8 or uint16, got {p.dtype}")
        if p.shape[0] == 0 or p.shape[1] == 0:
            raise BadInput("image has no pixels")

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def size(self) -> tuple[int, int]:
        """(width, height), as Pillow reports it."""
        return self.width, self.height

    @property
    def bit_depth(self) -> int:
        return 16 if self.pixels.dtype == np.uint16 else 8

    @property
    def has_alpha(self) -> bool:
        return self.pixels.shape[2] == 4

    @property
    def max_value(self) -> int:
        return 65535 if self.bit_depth == 16 else 255

    def as_float(self) -> np.ndarray:
        """The pixels as float32 in 0..1, channels as stored (RGB or RGBA)."""
        return to_float(self.pixels)

    def rgb(self) -> np.ndarray:
        """float32 RGB 0..1, alpha dropped (and never converted)."""
        return to_float(self.pixels[..., :3])

    def alpha(self) -> np.ndarray | None:
        """float32 alpha 0..1, or None for an opaque image (the colours are not converted)."""
        return to_float(self.pixels[..., 3]) if self.has_alpha else None

    def with_float(self, values: np.ndarray, *, keep_alpha: bool = True) -> Image:
        """A new Image from float 0..1 values at this image's bit depth.

        Given RGB values for an RGBA image, the original alpha is kept (unless
        ``keep_alpha`` is False, which makes the result opaque).
        """
        values = np.asarray(values, dtype=np.float32)
        if values.ndim == 2:
            values = np.repeat(values[..., None], 3, axis=2)
        if values.shape[2] == 3 and self.has_alpha and keep_alpha and values.shape[:2] == self.pixels.shape[:2]:
            values = np.concatenate([values, to_float(self.pixels[..., 3:4])], axis=2)
        return self.with_pixels(quantize(values, self.pixels.dtype))

    def with_pixels(self, pixels: np.ndarray) -> Image:
        """A new Image with other pixels (any size) and the same metadata."""
        return replace(self, pixels=np.ascontiguousarray(pixels))


def to_float(block: np.ndarray) -> np.ndarray:
    """uint8/uint16 (or float) pixels as float32 0..1: the inverse of :func:`quantize`.

    Divided in place, so the only float array made is the result.
    """
    if block.dtype not in (np.uint8, np.uint16):
        return block.astype(np.float32, copy=False)
    out = block.astype(np.float32)
    out /= np.float32(255 if block.dtype == np.uint8 else 65535)
    return out


def quantize(values: np.ndarray, dtype: np.dtype | type) -> np.ndarray:
    """float 0..1 to uint8/uint16 with rounding and clipping, through one float temporary
    (a 12 MP alpha took three full-size float copies before)."""
    top = 65535.0 if np.dtype(dtype) == np.uint16 else 255.0
    out = np.asarray(np.multiply(values, top))
    np.clip(out, 0.0, top, out=out)
    out += 0.5
    return out.astype(dtype)


def from_array(array: np.ndarray, **metadata) -> Image:
    """An Image from any HxW, HxWx3 or HxWx4 array (float arrays are taken as 0..1)."""
    a = np.asarray(array)
    if a.ndim == 2:
        a = np.repeat(a[..., None], 3, axis=2)
    if a.dtype.kind == "f":
        a = quantize(a, np.uint8)
    elif a.dtype == np.bool_:
        a = a.astype(np.uint8) * 255
    elif a.dtype not in (np.uint8, np.uint16):
        raise BadInput(f"unsupported pixel type {a.dtype}")
    return Image(np.ascontiguousarray(a), **metadata)


def check_canvas(width: int, height: int, where: str) -> None:
    """Refuse, before anything is allocated, an output larger than Packshot reads.

    Parameters each within their range can still multiply into an absurd canvas (a tall
    aspect at a low fill, a 4x upscale of a large picture); the read limit caps them all,
    so nothing Packshot writes is a file it would refuse to open.
    """
    from .imageio import MAX_PIXELS  # lives with reading, which imports this module

    if width * height > MAX_PIXELS:
        raise BadParameter(f"{where}: the output would be {width}x{height} ({width * height / 1e6:.0f} MP), "
                           f"more than the {MAX_PIXELS / 1e6:.0f} MP limit; choose a smaller size")
