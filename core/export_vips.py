"""The recipe-free export on libvips: decode, resize, colour and padding in one pass.

libvips decodes with shrink-on-load, resizes, converts to sRGB through LittleCMS and encodes
in one streamed, threaded pipeline: several times faster than decoding the whole frame into
memory. It covers the common cases, to any fit but ``fill``: a JPEG in RGB, grey or profiled
CMYK, and a TIFF master (8 or 16 bits, RGB or grey, profiled CMYK) exported to an 8-bit
format; :func:`vips_decode` returns None for anything else (alpha, 16-bit outputs), and the
caller falls back to Pillow. The file's metadata is read by Pillow from the header, as the
Pillow path does, so both paths write the same EXIF and ICC; libvips writes only the pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from .errors import BadInput
from .icc import is_srgb, srgb_icc
from .imageio import _dpi, _exif_bytes, _exif_with_orientation_reset, open_header, quarter_turned

if TYPE_CHECKING:
    import pyvips

    from .export import ExportOptions

# Pillow's modes libvips reads here (a 16-bit RGB TIFF's header says RGB), and how strict its
# reader is: a TIFF's short strip is only a libvips warning, a JPEG's missing end an error.
_READS = {"JPEG": {"RGB", "L", "CMYK"}, "TIFF": {"RGB", "L", "I;16", "CMYK"}}
_FAIL_ON = {"JPEG": "truncated", "TIFF": "warning"}
_EIGHT_BIT_OUTPUTS = {"JPEG", "WEBP"}
_MAX_SEGMENT = 65533  # the most a JPEG APP segment holds after its length field


class Decoded:
    """The export's pixels as a lazy libvips pipeline, with the metadata to write beside them."""

    def __init__(self, build: Callable[[], pyvips.Image], icc: bytes | None, exif: bytes | None,
                 dpi: tuple[float, float] | None, name: str) -> None:
        self.image, self.icc, self.exif, self.dpi, self.name = build(), icc, exif, dpi, name
        self._build, self._read = build, False

    def _stream(self) -> pyvips.Image:
        """The pipeline, built anew after its first read: a file is streamed once, in order,
        so a second encode (a ``max_bytes`` search) decodes again rather than holding it all."""
        if self._read:
            return self._build()
        self._read = True
        return self.image

    def pixels(self) -> np.ndarray:
        """The pixels as an (h, w, 3) uint8 array, for the encoders libvips does not stand in for."""
        with _vips_errors(self.name):
            image = self._stream()
            return image.numpy().reshape(image.height, image.width, image.bands)

    def jpeg(self, quality: int, icc: bytes | None, exif: bytes | None) -> bytes:
        """JPEG bytes at ``quality``, sampled as the Pillow path does (4:4:4 from q90), with exactly
        ``icc`` and ``exif`` embedded. Huffman tables are the standard ones: optimising them
        saves about 5 % of the bytes and costs half the export's time."""
        with _vips_errors(self.name):
            image = self._stream().copy()
            if icc:
                image.set_type(_pyvips().GValue.blob_type, "icc-profile-data", icc)
            data = image.jpegsave_buffer(Q=int(quality), keep="icc" if icc else "none",
                                         subsample_mode="off" if quality >= 90 else "on")
        return _with_headers(data, self.dpi, exif)


def vips_decode(source: str | Path, options: ExportOptions,
                target: Callable[[tuple[int, int]], tuple[int, int]]) -> Decoded | None:
    """``source`` decoded, upright, scaled to ``target(upright size)``, cropped or padded for
    ``options`` and in sRGB when asked; None when libvips does not cover this file or export.

    The header is read (and the size limit checked) by :func:`open_header` before any pixel.
    """
    source = Path(source)
    with open_header(source) as im:
        icc = im.info.get("icc_profile") or None
        cmyk, fmt = im.mode == "CMYK", im.format or ""
        if (im.mode not in _READS.get(fmt, ()) or options.fill is not None or (cmyk and not icc)
                or (fmt != "JPEG" and options.format not in _EIGHT_BIT_OUTPUTS)):
            return None
        exif, dpi = _exif_bytes(im), _dpi(im.info)
        w, h = im.size
        if quarter_turned(im):
            w, h = h, w
        orientation = im.getexif().get(0x0112, 1)
    if exif is not None and len(exif) > _MAX_SEGMENT - 2:
        return None
    if orientation != 1 and exif is not None:
        exif = _exif_with_orientation_reset(exif)
    convert = cmyk or (options.colour_space == "sRGB" and not is_srgb(icc))
    if cmyk or options.colour_space == "sRGB":
        icc = srgb_icc()
    size = target((w, h))
    vips = _pyvips()
    extra = {"output_profile": "srgb", "intent": "perceptual"} if convert else {}

    def build() -> pyvips.Image:
        image = vips.Image.thumbnail(str(source), size[0], height=size[1], size="force", fail_on=_FAIL_ON[fmt],
                                       **extra)
        if image.bands == 1 or image.format != "uchar":
            image = image.colourspace("srgb")  # grey to RGB, 16 bits to 8
        return _framed(image, options)

    with _vips_errors(source.name):
        return Decoded(build, icc, exif, dpi, source.name)


def _framed(image: pyvips.Image, options: ExportOptions) -> pyvips.Image:
    """Cropped to the box for ``cover``, centred on the background for ``pad``, as the Pillow path."""
    if options.fit == "cover" and (image.width > options.width or image.height > options.height):
        left, top = max(0, (image.width - options.width) // 2), max(0, (image.height - options.height) // 2)
        image = image.crop(left, top, min(options.width, image.width), min(options.height, image.height))
    if options.fit == "pad":
        left, top = (options.width - image.width) // 2, (options.height - image.height) // 2
        image = image.embed(left, top, options.width, options.height, extend="background",
                            background=list(options.background))
    return image


def _with_headers(jpeg: bytes, dpi: tuple[float, float] | None, exif: bytes | None) -> bytes:
    """``jpeg`` with the JFIF header (its DPI) and the APP1 EXIF segment Pillow writes, where
    Pillow puts them: libvips, told to keep only the profile, writes neither."""
    at = 2
    if jpeg[2:4] == b"\xff\xe0":
        at = 4 + int.from_bytes(jpeg[4:6], "big")
        jfif = b""
    else:
        unit, density = (1, [round(d) for d in dpi]) if dpi else (0, [1, 1])
        body = b"JFIF\x00\x01\x01" + bytes([unit]) + b"".join(d.to_bytes(2, "big") for d in density) + b"\x00\x00"
        jfif = _segment(b"\xff\xe0", body)
    if exif:
        exif = _segment(b"\xff\xe1", exif if exif.startswith(b"Exif\x00\x00") else b"Exif\x00\x00" + exif)
    return jpeg[:at] + jfif + (exif or b"") + jpeg[at:]


def _segment(marker: bytes, body: bytes) -> bytes:
    return marker + (len(body) + 2).to_bytes(2, "big") + body


def _pyvips():
    import pyvips

    return pyvips


class _vips_errors:
    """A libvips failure as one clear line naming the file."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> Literal[False]:
        if exc is not None and isinstance(exc, _pyvips().Error):
            # the decoder's own words; libvips' "unable to call jpegsave_buffer" names no cause
            detail = (exc.detail or "").strip().splitlines()
            said = f" ({detail[0]})" if detail else ""
            raise BadInput(f"{self.name}: corrupt or truncated image{said}") from exc
        return False
