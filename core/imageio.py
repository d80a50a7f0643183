"""Reading and writing image files, keeping ICC, EXIF, DPI and bit depth.

Every read refuses decompression bombs and names what is wrong with a bad file; every
write goes to a temporary file in the target folder and is moved into place with
``os.replace``, so a crash or a cancel never leaves a half-written file, and a write
over the file an image was loaded from is refused unless asked for.
"""

from __future__ import annotations

import io
import os
import stat
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import numpy as np
from PIL import Image as PILImage
from PIL import ImageOps

from .errors import BadInput
from .icc import pil_to_srgb, srgb_icc, to_srgb16
from .image import Image, quantize
from .output_guard import Writer, atomic_write

# 200 megapixels: beyond any camera a studio uses, far below what exhausts memory.
MAX_PIXELS = 200_000_000
# Set once, here: every module that opens pictures imports this one first, so a header
# scan, a thumbnail and a full load all refuse the same decompression bombs.
PILImage.MAX_IMAGE_PIXELS = MAX_PIXELS

READ_FORMATS = {
    ".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".tif": "TIFF", ".tiff": "TIFF",
    ".webp": "WEBP", ".bmp": "BMP", ".gif": "GIF", ".heic": "HEIF", ".heif": "HEIF",
    ".avif": "AVIF",
}
WRITE_FORMATS = {"JPEG", "PNG", "TIFF", "WEBP", "BMP", "AVIF", "HEIF"}
_NO_ALPHA = {"JPEG", "BMP"}
_SIXTEEN_BIT = {"PNG", "TIFF"}


def _enable_optional_codecs() -> None:
    """HEIC/AVIF through pillow-heif / pillow-avif when they are installed."""
    try:
        from pillow_heif import register_heif_opener  # type: ignore[import-not-found]

        register_heif_opener()
    except ImportError:
        pass


def format_for(path: str | Path) -> str:
    """The Pillow format name for a file name's extension, or a clear error."""
    ext = Path(path).suffix.lower()
    if ext not in READ_FORMATS:
        known = ", ".join(sorted(READ_FORMATS))
        raise BadInput(f"{Path(path).name}: unknown image extension {ext!r} (known: {known})")
    return READ_FORMATS[ext]


_SPECIAL_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                  (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def special_file_kind(path: str | Path) -> str:
    """What ``path`` is when it is not a regular file (links followed), else ''.

    Reading a FIFO or a device such as ``/dev/zero`` blocks or never ends, so anything that
    opens files a person did not pick one by one (a folder scan, a batch) asks first and
    skips it. A missing file is '' too: opening it gives the usual clear error.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return ""
    if stat.S_ISREG(mode):
        return ""
    return next((kind for test, kind in _SPECIAL_KINDS if test(mode)), "a special file")


def require_regular_file(path: str | Path) -> os.stat_result:
    """The file's status, or a clear error naming what the path is instead (missing, a folder,
    a named pipe, a device: :func:`special_file_kind`), before anything opens it."""
    path = Path(path)
    kind = special_file_kind(path)
    if kind:
        raise BadInput(f"{path}: is {kind}, not an image" + ("" if kind == "a folder" else " file"))
    try:
        return path.stat()
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror or exc})") from exc


@contextmanager
def open_header(path: str | Path) -> Iterator[PILImage.Image]:
    """The file opened by Pillow with only its header read, every check done before any pixel.

    Pillow itself only warns between its limit and twice that and then decodes in full, so
    the size limit is applied here, once, for every reader: loading, the shop check,
    library headers and thumbnails. Errors raised while the file is open become
    :class:`BadInput` naming the file.
    """
    path = Path(path)
    if require_regular_file(path).st_size == 0:
        raise BadInput(f"{path.name}: file is empty (0 bytes)")
    _enable_optional_codecs()
    try:
        with PILImage.open(path) as im:
            _check_dimensions(path, im.size)
            yield im
    except BadInput:
        raise
    except PILImage.DecompressionBombError as exc:
        raise BadInput(f"{path.name}: refused as a decompression bomb ({exc})") from exc
    except PILImage.UnidentifiedImageError as exc:
        raise BadInput(f"{path.name}: not an image file Packshot can read") from exc
    except (OSError, SyntaxError, ValueError, struct.error, EOFError) as exc:
        raise BadInput(f"{path.name}: corrupt or truncated image ({exc})") from exc


def load_image(path: str | Path, *, draft: tuple[int, int] | None = None) -> Image:
    """Load an image file with its metadata; EXIF orientation is applied to the pixels.

    ``draft`` (width, height), for JPEG files only, decodes at a reduced DCT scale whose
    result still covers that size: several times faster when a smaller image is wanted.
    """
    path = Path(path)
    with open_header(path) as im:
        fmt = im.format
        if fmt == "TIFF" and _tiff_is_16bit(im):
            return _load_tiff16(path, im)
        if fmt == "PNG" and im.mode in ("RGB", "RGBA") and _png_bit_depth(path) == 16:
            return _load_png16(path, im)
        if draft is not None and fmt == "JPEG":
            _draft(im, draft)
        im.load()
        return _from_pil(im, path, fmt)


def _draft(im: PILImage.Image, size: tuple[int, int]) -> None:
    """Ask the JPEG decoder for the smallest DCT scale still covering ``size`` once rotated."""
    w, h = (max(1, int(v)) for v in size)
    if quarter_turned(im):
        w, h = h, w
    im.draft(im.mode, (w, h))


def quarter_turned(im: PILImage.Image) -> bool:
    """Whether the file's EXIF orientation turns it a quarter turn and ``im.size`` is still
    the stored one, so width and height swap. Pillow 13 reports a TIFF's size upright already."""
    if im.format not in ("JPEG", "TIFF", "WEBP", "PNG") or im.getexif().get(0x0112, 1) not in (5, 6, 7, 8):
        return False
    tags = getattr(im, "tag_v2", {})  # a TIFF's own tags: the stored width and length
    return im.format != "TIFF" or im.size == (tags.get(256), tags.get(257))


def _check_dimensions(path: Path, size: tuple[int, int]) -> None:
    w, h = size
    if w <= 0 or h <= 0:
        raise BadInput(f"{path.name}: image has no pixels ({w}x{h})")
    if w * h > MAX_PIXELS:
        raise BadInput(
            f"{path.name}: refused as a decompression bomb: {w}x{h} is {w * h / 1e6:.0f} MP, "
            f"more than the {MAX_PIXELS / 1e6:.0f} MP limit"
        )


def _from_pil(im: PILImage.Image, path: Path, fmt: str | None) -> Image:
    info = dict(im.info)
    exif = _exif_bytes(im)
    icc = info.get("icc_profile") or None
    if im.getexif().get(0x0112, 1) != 1:
        im = ImageOps.exif_transpose(im)
        if exif is not None:
            exif = _exif_with_orientation_reset(exif)
    if im.mode == "CMYK":
        im, icc = _cmyk_to_srgb(path, im, icc)
    elif im.mode in ("I;16", "I;16B", "I;16L", "I"):
        grey = np.asarray(im, dtype=np.uint16)
        pixels: np.ndarray = np.repeat(grey[..., None], 3, axis=2)
        return Image(pixels, icc_profile=icc, exif=exif, dpi=_dpi(info), source=path, format=fmt)
    has_alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in info)
    im = im.convert("RGBA" if has_alpha else "RGB")
    pixels = np.asarray(im, dtype=np.uint8).copy()
    return Image(pixels, icc_profile=icc, exif=exif, dpi=_dpi(info), source=path, format=fmt)


def _exif_bytes(im: PILImage.Image) -> bytes | None:
    if im.format == "TIFF":
        return _tiff_exif(im)
    raw = im.info.get("exif")
    if isinstance(raw, bytes) and raw:
        return raw
    return None


# EXIF's own tags (make, model, orientation, date, artist, copyright, the EXIF and GPS
# directories), which a TIFF keeps among the tags that lay out its pixels.
_TIFF_EXIF_TAGS = (0x010F, 0x0110, 0x0112, 0x0132, 0x013B, 0x8298)
_TIFF_EXIF_IFDS = (0x8769, 0x8825)


def _tiff_exif(im: PILImage.Image) -> bytes | None:
    """A TIFF's EXIF tags as an EXIF block (its layout tags left out), None when it has none."""
    tags = im.getexif()
    exif = PILImage.Exif()
    for tag in _TIFF_EXIF_TAGS:
        if tag in tags:
            exif[tag] = tags[tag]
    for tag in _TIFF_EXIF_IFDS:
        if tag in tags and tags.get_ifd(tag):
            exif[tag] = dict(tags.get_ifd(tag))
    return exif.tobytes() if len(exif) else None


def _orientation(im: PILImage.Image) -> int:
    value = im.getexif().get(0x0112, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


# EXIF orientation -> what turns the stored pixels upright (as ImageOps.exif_transpose does).
_UPRIGHT: dict[int, Callable[[np.ndarray], np.ndarray]] = {
    2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
    5: lambda a: a.swapaxes(0, 1), 6: lambda a: np.rot90(a, -1),
    7: lambda a: a.swapaxes(0, 1)[::-1, ::-1], 8: lambda a: np.rot90(a, 1),
}


def _upright(pixels: np.ndarray, exif: bytes | None, orientation: int) -> tuple[np.ndarray, bytes | None]:
    """Pixels the 16-bit readers decoded, turned upright, and the EXIF with orientation 1."""
    if orientation == 1:
        return pixels, exif
    pixels = np.ascontiguousarray(_UPRIGHT[orientation](pixels))
    return pixels, _exif_with_orientation_reset(exif) if exif is not None else None


def _exif_with_orientation_reset(exif: bytes) -> bytes:
    exif_obj = PILImage.Exif()
    exif_obj.load(exif)
    exif_obj[0x0112] = 1
    return exif_obj.tobytes()


def _dpi(info: dict) -> tuple[float, float] | None:
    dpi = info.get("dpi")
    if dpi:
        return float(dpi[0]), float(dpi[1])
    return None


def _cmyk_to_srgb(path: Path, im: PILImage.Image, icc: bytes | None) -> tuple[PILImage.Image, bytes]:
    im = pil_to_srgb(im, icc, path) if icc else im.convert("RGB")
    return im, srgb_icc()


def _cmyk16_to_srgb(path: Path, cmyk: np.ndarray, icc: bytes | None) -> np.ndarray:
    """16-bit CMYK as 16-bit sRGB: through its profile as the 8-bit path does, else with
    Pillow's formula for untagged CMYK, R = (1 - C)(1 - K), at 16 bits."""
    if icc:
        return to_srgb16(path, cmyk, icc, "cmyk")
    ink_free = 65535 - cmyk.astype(np.uint32)
    return ((ink_free[..., :3] * ink_free[..., 3:] + 32767) // 65535).astype(np.uint16)


def _tiff_is_16bit(im: PILImage.Image) -> bool:
    bits = im.tag_v2.get(258) if hasattr(im, "tag_v2") else None
    if bits is None:
        return False
    bits = bits if isinstance(bits, tuple) else (bits,)
    return max(bits) == 16


def _load_tiff16(path: Path, im: PILImage.Image) -> Image:
    """A 16-bit TIFF through tifffile, by its photometric interpretation: grey (either way
    round), RGB or CMYK (to sRGB), with or without alpha; any other is refused by name."""
    import tifffile
    from tifffile import PHOTOMETRIC

    with tifffile.TiffFile(path) as tif:
        page = cast(tifffile.TiffPage, tif.pages[0])  # the first page is a page, never a frame
        pixels = page.asarray()
        photometric = PHOTOMETRIC(page.photometric)
        separate = page.planarconfig == tifffile.PLANARCONFIG.SEPARATE and page.samplesperpixel > 1
        tags = page.tags
        icc = bytes(tags["InterColorProfile"].value) if "InterColorProfile" in tags else None
        inks = tags["InkSet"].value if "InkSet" in tags else 1
    if separate:
        pixels = np.moveaxis(pixels, -3, -1)
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    channels = pixels.shape[2] if pixels.ndim == 3 else 0
    if pixels.dtype != np.uint16 or pixels.ndim != 3:
        raise BadInput(f"{path.name}: unsupported TIFF layout {pixels.shape} {pixels.dtype}")
    if photometric in (PHOTOMETRIC.MINISBLACK, PHOTOMETRIC.MINISWHITE) and channels in (1, 2):
        grey = 65535 - pixels[..., :1] if photometric == PHOTOMETRIC.MINISWHITE else pixels[..., :1]
        pixels = np.concatenate([grey, grey, grey, pixels[..., 1:]], axis=2)
    elif photometric == PHOTOMETRIC.SEPARATED and channels in (4, 5) and inks == 1:
        pixels = np.concatenate([_cmyk16_to_srgb(path, pixels[..., :4], icc), pixels[..., 4:]], axis=2)
        icc = srgb_icc()
    elif photometric != PHOTOMETRIC.RGB or channels not in (3, 4):
        raise BadInput(f"{path.name}: 16-bit TIFF in {photometric.name} with {channels} channels "
                       "is not supported (grey, RGB and CMYK are)")
    pixels, exif = _upright(pixels, _exif_bytes(im), _orientation(im))
    return Image(np.ascontiguousarray(pixels), icc_profile=icc, exif=exif, dpi=_dpi(im.info),
                 source=path, format="TIFF")


def _png_bit_depth(path: Path) -> int:
    with open(path, "rb") as fh:
        head = fh.read(26)
    return head[24] if len(head) >= 25 else 8


def _load_png16(path: Path, im: PILImage.Image) -> Image:
    import cv2

    data = np.fromfile(path, dtype=np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if bgr is None or bgr.dtype != np.uint16:
        raise BadInput(f"{path.name}: corrupt or truncated 16-bit PNG")
    code = cv2.COLOR_BGRA2RGBA if bgr.shape[2] == 4 else cv2.COLOR_BGR2RGB
    pixels, exif = _upright(cv2.cvtColor(bgr, code), _exif_bytes(im), _orientation(im))
    return Image(pixels, icc_profile=im.info.get("icc_profile") or None, exif=exif,
                 dpi=_dpi(im.info), source=path, format="PNG")


# --------------------------------------------------------------------------- writing


def save_image(
    image: Image,
    path: str | Path,
    *,
    format: str | None = None,
    quality: int = 95,
    background: tuple[int, int, int] = (255, 255, 255),
    allow_overwrite_source: bool = False,
    keep_metadata: bool = True,
) -> Path:
    """Write ``image`` atomically; returns the path written.

    JPEG and BMP cannot hold transparency: an RGBA image is flattened onto
    ``background``. JPEG and WebP hold 8 bits: 16-bit images are reduced on the way out.
    """
    write = image_writer(image, path, format=format, quality=quality, background=background,
                         keep_metadata=keep_metadata)
    protect = () if allow_overwrite_source else (image.source,)
    return atomic_write(path, write, protect=protect)


def image_writer(
    image: Image,
    path: str | Path,
    *,
    format: str | None = None,
    quality: int = 95,
    background: tuple[int, int, int] = (255, 255, 255),
    keep_metadata: bool = True,
) -> Writer:
    """The encoder :func:`save_image` uses, for writing several files as one (output_guard)."""
    path = Path(path)
    fmt = (format or format_for(path)).upper()
    if fmt == "JPG":
        fmt = "JPEG"
    if fmt not in WRITE_FORMATS:
        raise BadInput(f"cannot write {fmt} files (writable: {', '.join(sorted(WRITE_FORMATS))})")
    check_quality(quality)
    pixels = image.pixels
    if fmt in _NO_ALPHA and image.has_alpha:
        pixels = _flatten(image, background)
    icc = image.icc_profile if keep_metadata else None
    exif = image.exif if keep_metadata else None
    return _writer(pixels, fmt, quality, icc, exif, image.dpi)


def check_quality(quality: int) -> None:
    """Refuse a JPEG/WebP quality outside 1..100."""
    if not 1 <= int(quality) <= 100:
        raise BadInput(f"quality must be between 1 and 100, got {quality}")


def _flatten(image: Image, background: tuple[int, int, int]) -> np.ndarray:
    rgba = image.as_float()
    alpha = rgba[..., 3:4]
    bg = np.asarray(background, dtype=np.float32) / 255.0
    rgb = rgba[..., :3] * alpha + bg * (1.0 - alpha)
    return quantize(rgb, image.pixels.dtype)


def _writer(pixels, fmt, quality, icc, exif, dpi) -> Writer:
    """The writer for ``fmt``: PNG and TIFF keep 16 bits, the other formats get 8."""
    if pixels.dtype == np.uint16 and fmt in _SIXTEEN_BIT:
        return _tiff16_writer(pixels, icc, dpi) if fmt == "TIFF" else _png16_writer(pixels, icc, exif, dpi)
    if pixels.dtype == np.uint16:
        pixels = quantize(pixels.astype(np.float32) / 65535.0, np.uint8)
    return _pil_writer(pixels, fmt, quality, icc, exif, dpi)


def _pil_writer(pixels, fmt, quality, icc, exif, dpi) -> Writer:
    def write(fh) -> None:
        im = PILImage.fromarray(pixels, "RGBA" if pixels.shape[2] == 4 else "RGB")
        kwargs: dict = {}
        if icc:
            kwargs["icc_profile"] = icc
        if exif and fmt in ("JPEG", "PNG", "WEBP", "TIFF", "AVIF", "HEIF"):
            kwargs["exif"] = exif
        if dpi and fmt in ("JPEG", "PNG", "TIFF", "BMP"):
            kwargs["dpi"] = dpi
        if fmt in ("JPEG", "WEBP", "AVIF", "HEIF"):
            kwargs["quality"] = int(quality)
        if fmt == "JPEG":
            kwargs["subsampling"] = 0 if quality >= 90 else 2
        if fmt == "TIFF":
            kwargs["compression"] = "tiff_adobe_deflate"
        if fmt != "JPEG":
            im.save(fh, format=fmt, **kwargs)
            return
        # Pillow sizes libjpeg's optimize buffer from a guess that very noisy pictures at
        # high quality overflow ("Suspension not allowed here"): encode without it then.
        buf = io.BytesIO()
        try:
            im.save(buf, format=fmt, optimize=True, **kwargs)
        except OSError:
            buf = io.BytesIO()
            im.save(buf, format=fmt, **kwargs)
        fh.write(buf.getvalue())

    return write


def _tiff16_writer(pixels, icc, dpi) -> Writer:
    def write(fh) -> None:
        import tifffile

        extratags = [(34675, 7, len(icc), icc, True)] if icc else []
        resolution = (dpi[0], dpi[1]) if dpi else None
        buf = io.BytesIO()
        tifffile.imwrite(
            buf, pixels, photometric="rgb", compression="zlib", extratags=extratags,
            resolution=resolution, resolutionunit="INCH" if dpi else None,
            extrasamples=["unassalpha"] if pixels.shape[2] == 4 else None,
        )
        fh.write(buf.getvalue())

    return write


def _png16_writer(pixels, icc, exif, dpi) -> Writer:
    def write(fh) -> None:
        import cv2

        code = cv2.COLOR_RGBA2BGRA if pixels.shape[2] == 4 else cv2.COLOR_RGB2BGR
        ok, encoded = cv2.imencode(".png", cv2.cvtColor(pixels, code))
        if not ok:
            raise BadInput("could not encode 16-bit PNG")
        chunks = []
        if icc:
            chunks.append((b"iCCP", b"icc\x00\x00" + zlib.compress(icc)))
        if exif:
            chunks.append((b"eXIf", exif[6:] if exif.startswith(b"Exif\x00\x00") else exif))
        if dpi:
            ppm = [int(round(d / 0.0254)) for d in dpi]
            chunks.append((b"pHYs", struct.pack(">IIB", ppm[0], ppm[1], 1)))
        fh.write(_insert_png_chunks(encoded.tobytes(), chunks))

    return write


def _insert_png_chunks(png: bytes, chunks: list[tuple[bytes, bytes]]) -> bytes:
    """Place ancillary chunks right after IHDR (where iCCP must precede IDAT)."""
    ihdr_end = 8 + 8 + 13 + 4
    out = [png[:ihdr_end]]
    for kind, body in chunks:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        out.append(struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc))
    out.append(png[ihdr_end:])
    return b"".join(out)

