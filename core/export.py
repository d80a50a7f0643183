"""Exporting one image the way a shop wants it: size and fit, background, format, bytes, colour.

:class:`ExportOptions` holds every choice (a preset is a named set of them, see
:func:`options_from_preset`); :func:`render` makes the pixels, :func:`encode` the file's
bytes (searching the highest quality that fits ``max_bytes``), :func:`export_image`
writes them atomically. :func:`export_file` adds the fast path for a recipe-free export:
a JPEG is decoded at a reduced DCT scale when the output is smaller.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
from PIL import Image as PILImage

from .errors import BadInput, BadParameter
from .export_vips import vips_decode
from .icc import srgb_icc, to_pil, to_srgb
from .image import Image
from .imageio import WRITE_FORMATS, _writer, load_image, open_header, quarter_turned
from .output_guard import atomic_write, check_outputs

FITS = ("contain", "cover", "pad")
COLOUR_SPACES = ("sRGB", "keep")
METADATA_POLICIES = ("keep", "strip-gps", "strip-all")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "TIFF": "tif", "WEBP": "webp", "BMP": "bmp",
              "AVIF": "avif", "HEIF": "heic"}
_LOSSY = {"JPEG", "WEBP", "AVIF", "HEIF"}
_GPS_IFD = 0x8825
# How far (0..255) a pixel may stray from the background colour and still count as backdrop
# when the product is found for ``fill``.
PRODUCT_TOLERANCE = 8


@dataclass(frozen=True)
class ExportOptions:
    """Everything that decides an exported file.

    ``width``/``height`` bound the output (either may be None: only the other bounds it;
    both None keeps the size). ``fit``: ``contain`` scales to fit inside, ``cover`` fills
    and crops the overflow, ``pad`` fits inside and fills the rest with ``background`` to
    exactly ``width`` x ``height``. ``fill`` (0..1, pad only) frames the product (its alpha,
    what differs from ``background``, or what stands out of a photo's own backdrop) and
    scales it, enlarging if need be, so it spans that share of the frame on its tighter axis;
    ``margin`` (0..0.45) keeps that share of each side empty. ``max_bytes`` makes
    :func:`encode` search the highest quality from ``quality`` down to ``min_quality`` whose
    file fits. ``colour_space="sRGB"`` converts with the embedded ICC profile and embeds
    sRGB. ``metadata``: keep, strip-gps or strip-all.
    """

    width: int | None = None
    height: int | None = None
    fit: str = "contain"
    upscale: bool = False
    background: tuple[int, int, int] = (255, 255, 255)
    margin: float = 0.0
    fill: float | None = None
    format: str = "JPEG"
    quality: int = 90
    min_quality: int = 50
    max_bytes: int | None = None
    colour_space: str = "sRGB"
    metadata: str = "strip-gps"

    def validated(self) -> ExportOptions:
        fmt = self.format.upper().replace("JPG", "JPEG")
        if fmt not in WRITE_FORMATS:
            raise BadParameter(f"export format {self.format!r}; expected one of {', '.join(sorted(WRITE_FORMATS))}")
        for name in ("width", "height"):
            value = getattr(self, name)
            if value is not None and not 1 <= int(value) <= 65535:
                raise BadParameter(f"export {name} {value}; expected 1 to 65535 pixels")
        checks = [
            (self.fit in FITS, f"export fit {self.fit!r}; expected one of {', '.join(FITS)}"),
            (self.colour_space in COLOUR_SPACES,
             f"export colour_space {self.colour_space!r}; expected one of {', '.join(COLOUR_SPACES)}"),
            (self.metadata in METADATA_POLICIES,
             f"export metadata {self.metadata!r}; expected one of {', '.join(METADATA_POLICIES)}"),
            (1 <= int(self.quality) <= 100, f"export quality {self.quality}; expected 1 to 100"),
            (1 <= int(self.min_quality) <= int(self.quality),
             f"export min_quality {self.min_quality}; expected 1 to quality ({self.quality})"),
            (0.0 <= float(self.margin) <= 0.45, f"export margin {self.margin}; expected 0 to 0.45"),
            (self.fill is None or 0.05 <= float(self.fill) <= 1.0, f"export fill {self.fill}; expected 0.05 to 1"),
            (self.fill is None or self.fit == "pad", "export fill needs fit = 'pad'"),
            (self.fit != "pad" or (self.width and self.height), "export fit 'pad' needs both width and height"),
            (self.fit != "cover" or (self.width and self.height), "export fit 'cover' needs both width and height"),
            (self.max_bytes is None or int(self.max_bytes) >= 1024,
             f"export max_bytes {self.max_bytes}; expected at least 1024"),
            (len(self.background) == 3 and all(0 <= int(c) <= 255 for c in self.background),
             f"export background {self.background}; expected three values 0 to 255"),
        ]
        for ok, message in checks:
            if not ok:
                raise BadParameter(message)
        background = cast(tuple[int, int, int], tuple(int(c) for c in self.background))  # three, checked above
        return replace(self, format=fmt, background=background)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.validated().format]


def options_from_preset(preset: Mapping[str, Any], **overrides: Any) -> ExportOptions:
    """The export options a preset mapping describes (unknown keys such as ``check`` ignored)."""
    known = {f.name for f in fields(ExportOptions)}
    values = {k: v for k, v in preset.items() if k in known}
    values.update({k: v for k, v in overrides.items() if v is not None})
    if overrides.get("quality") is not None and overrides.get("min_quality") is None:
        # A quality asked for below the preset's floor for fitting max_bytes lowers the floor.
        values["min_quality"] = min(int(values.get("min_quality", ExportOptions.min_quality)), int(values["quality"]))
    if "background" in values:
        values["background"] = tuple(values["background"])
    try:
        return ExportOptions(**values).validated()
    except BadParameter as exc:
        raise BadParameter(f"preset {preset.get('name', '?')!r}: {exc}") from exc


def find_preset(presets: Sequence[Mapping[str, Any]], name: str) -> dict[str, Any]:
    """The preset called ``name`` among a plugin host's ``export_presets()``, or a clear error."""
    for preset in presets:
        if preset.get("name") == name:
            return dict(preset)
    known = ", ".join(sorted(str(p.get("name")) for p in presets)) or "none installed"
    raise BadParameter(f"unknown preset {name!r} (known: {known})")


@dataclass
class ExportResult:
    path: Path
    width: int
    height: int
    format: str
    quality: int
    bytes: int
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "width": self.width, "height": self.height, "format": self.format,
                "quality": self.quality, "bytes": self.bytes, "warnings": list(self.warnings)}


# --------------------------------------------------------------------------- pixels


def target_size(size: tuple[int, int], options: ExportOptions) -> tuple[int, int]:
    """The size the image content is scaled to (before padding or cropping)."""
    w, h = size
    bw, bh = options.width, options.height
    if bw is None and bh is None:
        return w, h
    sx = bw / w if bw else float("inf")
    sy = bh / h if bh else float("inf")
    scale = max(sx, sy) if options.fit == "cover" else min(sx, sy)
    if options.fit == "pad":
        scale *= 1.0 - 2.0 * options.margin
    if not options.upscale:
        scale = min(scale, 1.0)
    return max(1, round(w * scale)), max(1, round(h * scale))


def render(image: Image, options: ExportOptions) -> tuple[Image, list[str]]:
    """The exported pixels (8-bit unless the format keeps 16) and any warnings."""
    options = options.validated()
    warnings: list[str] = []
    deep = image.bit_depth == 16 and options.format in ("PNG", "TIFF") and options.fit == "contain"
    if options.colour_space == "sRGB":
        image = to_srgb(image, deep=deep)
    if options.fill is not None:
        framed, warnings = _framed(image, options)
        return image.with_pixels(np.asarray(_pad(framed, options))), warnings
    if deep:
        size = target_size(image.size, options)
        return (image if size == image.size else image.with_pixels(_resize16(image, size))), warnings
    pil = to_pil(image)
    size = target_size(pil.size, options)
    if size != pil.size:
        pil = pil.resize(size, PILImage.Resampling.LANCZOS, reducing_gap=3.0)
    width, height = _frame(options)
    if options.fit == "cover" and (pil.width > width or pil.height > height):
        left = max(0, (pil.width - width) // 2)
        top = max(0, (pil.height - height) // 2)
        pil = pil.crop((left, top, left + min(width, pil.width), top + min(height, pil.height)))
    if options.fit == "pad":
        pil = _pad(pil, options)
    return image.with_pixels(np.asarray(pil)), warnings


def _frame(options: ExportOptions) -> tuple[int, int]:
    """The output's width and height where the fit needs both (``validated`` checks they are set)."""
    return cast(int, options.width), cast(int, options.height)


def _resize16(image: Image, size: tuple[int, int]) -> np.ndarray:
    import cv2

    return cv2.resize(image.pixels, size, interpolation=cv2.INTER_AREA)


def _pad(pil: PILImage.Image, options: ExportOptions) -> PILImage.Image:
    """Centre on a ``background`` canvas of exactly width x height (transparency flattened)."""
    width, height = _frame(options)
    canvas = PILImage.new("RGB", (width, height), options.background)
    left = (width - pil.width) // 2
    top = (height - pil.height) // 2
    canvas.paste(pil, (left, top), pil if pil.mode == "RGBA" else None)
    return canvas


def fill_box(box: tuple[int, int, int, int], frame: tuple[int, int], fill: float) -> tuple[float, float, float, float]:
    """The part of the source (left, top, right, bottom) that becomes the whole ``frame`` so that
    the product's ``box`` spans ``fill`` of it on its tighter axis, centred. It reaches past the
    source's edges where the source is too small: that part is padded."""
    x0, y0, x1, y1 = box
    scale = fill * min(frame[0] / (x1 - x0), frame[1] / (y1 - y0))  # frame pixels per source pixel
    cx, cy, half_w, half_h = (x0 + x1) / 2, (y0 + y1) / 2, frame[0] / scale / 2, frame[1] / scale / 2
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _framed(image: Image, options: ExportOptions) -> tuple[PILImage.Image, list[str]]:
    """The product at ``fill`` of the frame, with what surrounds it in the source around it.

    The product is found against the export's background (or by its alpha); a photo on a
    backdrop of another colour is framed on that backdrop (padded with its colour) rather
    than shrunk whole onto bars of the export's colour.
    """
    pil, notes = to_pil(image), []
    whole = (0, 0, image.width, image.height)
    box, pad = product_box(image.pixels, options.background), ((0, 0, 0, 0) if image.has_alpha else options.background)
    if box is None:
        box = whole
        notes.append("no product found: the whole frame is background")
    elif box == whole and not image.has_alpha:
        found = backdrop_product_box(np.asarray(pil))
        colour = tuple(options.background)
        if found is None:
            notes.append(f"the image has no {colour} backdrop around the product; "
                         "run a cut-out first for a pure background")
        else:
            box, pad = found
            notes.append(f"the product stands on a {pad} backdrop, not {colour}; it was framed on that "
                         "backdrop: run a cut-out first for a pure background")
    frame = _frame(options)
    region = fill_box(box, frame, min(float(cast(float, options.fill)), 1.0 - 2.0 * options.margin))
    scale = frame[0] / (region[2] - region[0])
    if scale > 1.5:
        notes.append(f"the product was enlarged {scale:.1f}x to fill the frame; a larger original will look sharper")
    return _place(pil, region, pad, frame), notes


def _place(pil: PILImage.Image, region: tuple[float, float, float, float], pad: tuple[int, ...],
           frame: tuple[int, int]) -> PILImage.Image:
    """``region`` of the source scaled to ``frame``; what lies outside the source is ``pad``.
    Only the part inside the source is resampled, so a far-reaching region costs nothing."""
    x0, y0, x1, y1 = region
    scale = frame[0] / (x1 - x0)
    seen = (max(x0, 0.0), max(y0, 0.0), min(x1, float(pil.width)), min(y1, float(pil.height)))
    left, top = min(round((seen[0] - x0) * scale), frame[0] - 1), min(round((seen[1] - y0) * scale), frame[1] - 1)
    size = (max(1, min(round((seen[2] - seen[0]) * scale), frame[0] - left)),
            max(1, min(round((seen[3] - seen[1]) * scale), frame[1] - top)))
    canvas = PILImage.new(pil.mode, frame, pad)
    canvas.paste(pil.resize(size, PILImage.Resampling.LANCZOS, box=seen, reducing_gap=3.0), (left, top))
    return canvas


# How far (0..255) the colours along a photo's edge may stray from their median for the edge
# to count as one backdrop, judged on the averaged-down copy (a studio sweep's fall-off fits).
BACKDROP_SPREAD = 40


def backdrop_product_box(pixels: np.ndarray) -> tuple[tuple[int, int, int, int], tuple[int, int, int]] | None:
    """For a photo whose backdrop is not the export's colour: the box of what stands out of the
    backdrop, and the backdrop's colour (the median along the frame's edge).

    Judged on a copy averaged down to at most 256 px, so that noise and JPEG speckle do not
    count; None when the edge is not one backdrop (a full-bleed photo) or nothing stands out.
    """
    h, w = pixels.shape[:2]
    factor = max(1, -(-max(h, w) // 256))
    small = np.asarray(PILImage.fromarray(np.ascontiguousarray(pixels[..., :3])).reduce(factor), np.int16)
    edge = np.concatenate([small[0], small[-1], small[1:-1, 0], small[1:-1, -1]])
    colour = np.median(edge, axis=0)
    spread = np.abs(edge - colour).max(axis=1)
    if np.percentile(spread, 90) > BACKDROP_SPREAD:
        return None
    stands_out = np.abs(small - colour).max(axis=2) > max(2 * PRODUCT_TOLERANCE, spread.max() + PRODUCT_TOLERANCE)
    rows, cols = np.flatnonzero(stands_out.any(axis=1)), np.flatnonzero(stands_out.any(axis=0))
    if rows.size == 0:
        return None
    box = (int(cols[0]) * factor, int(rows[0]) * factor, min(w, (int(cols[-1]) + 1) * factor),
           min(h, (int(rows[-1]) + 1) * factor))
    if box == (0, 0, w, h):
        return None
    red, green, blue = (round(float(c)) for c in colour)
    return box, (red, green, blue)


def product_box(pixels: np.ndarray, background: tuple[int, int, int],
                tolerance: int = PRODUCT_TOLERANCE) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of what is not backdrop: alpha > 0, else off the background colour."""
    if pixels.shape[2] == 4:
        top_value = 65535 if pixels.dtype == np.uint16 else 255
        product = pixels[..., 3] > top_value // 50
    else:
        scale = 257 if pixels.dtype == np.uint16 else 1
        diff = np.abs(pixels.astype(np.int32) - np.asarray(background, np.int32) * scale)
        product = diff.max(axis=2) > tolerance * scale
    rows = np.flatnonzero(product.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(product.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _name(image: Image) -> str:
    return image.source.name if image.source else "image"


# --------------------------------------------------------------------------- bytes


def strip_gps(exif: bytes | None) -> bytes | None:
    """The EXIF block without its GPS directory (location is private; the rest may stay)."""
    if not exif:
        return exif
    data = PILImage.Exif()
    data.load(exif)
    if _GPS_IFD not in data:
        return exif
    del data[_GPS_IFD]
    return data.tobytes()


def _metadata(image: Image, options: ExportOptions) -> tuple[bytes | None, bytes | None]:
    return (image.icc_profile if options.colour_space == "keep" else srgb_icc()), _kept_exif(image.exif, options)


def _kept_exif(exif: bytes | None, options: ExportOptions) -> bytes | None:
    """The EXIF the metadata policy lets through."""
    if options.metadata == "strip-all":
        return None
    return strip_gps(exif) if options.metadata == "strip-gps" else exif


def _encode_at(image: Image, options: ExportOptions, quality: int, icc, exif) -> bytes:
    pixels = image.pixels
    if options.format in ("JPEG", "BMP") and pixels.shape[2] == 4:
        pil = PILImage.new("RGB", (image.width, image.height), options.background)
        rgba = to_pil(image)
        pil.paste(rgba, (0, 0), rgba)
        pixels = np.asarray(pil)
    buf = io.BytesIO()
    _writer(pixels, options.format, quality, icc, exif, image.dpi)(buf)
    return buf.getvalue()


def encode(image: Image, options: ExportOptions) -> tuple[bytes, int]:
    """The file's bytes and the quality used: the highest that fits ``max_bytes``."""
    options = options.validated()
    icc, exif = _metadata(image, options)
    return _fitting(lambda quality: _encode_at(image, options, quality, icc, exif), options, _name(image))


def _fitting(encode_at: Callable[[int], bytes], options: ExportOptions, name: str) -> tuple[bytes, int]:
    """``encode_at(quality)`` at the preset's quality, or the highest down to ``min_quality``
    whose bytes fit ``max_bytes``."""
    data = encode_at(options.quality)
    limit = options.max_bytes
    if limit is None or len(data) <= limit:
        return data, options.quality
    if options.format not in _LOSSY:
        raise BadInput(f"{name}: {options.format} file is {len(data)} bytes, over the "
                       f"{limit} byte limit; choose a lossy format or a smaller size")
    lo, hi, best = options.min_quality, options.quality - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        candidate = encode_at(mid)
        if len(candidate) <= limit:
            best, lo = (candidate, mid), mid + 1
        else:
            hi = mid - 1
    if best is None:
        raise BadInput(f"{name}: even at quality {options.min_quality} the file is over "
                       f"the {limit} byte limit; choose a smaller size")
    return best


# --------------------------------------------------------------------------- files


def export_image(image: Image, path: str | Path, options: ExportOptions, *,
                 overwrite: bool = False) -> ExportResult:
    """Render, encode and atomically write ``image`` through the output guard: the target is
    checked before the work and again at the rename, and the original is never replaced."""
    options = options.validated()
    path, = check_outputs([path], protect=(image.source,), overwrite=overwrite)
    rendered, warnings = render(image, options)
    data, quality = encode(rendered, options)
    atomic_write(path, lambda fh: fh.write(data), protect=(image.source,), overwrite=overwrite)
    return ExportResult(path, rendered.width, rendered.height, options.format, quality, len(data), warnings)


def draft_size(size: tuple[int, int], options: ExportOptions) -> tuple[int, int] | None:
    """The size a JPEG may be decoded at for this export, or None for a full decode."""
    if options.fill is not None:
        return None
    w, h = target_size(size, options)
    return (w, h) if (w, h) != tuple(size) else None


def export_file(source: str | Path, path: str | Path, options: ExportOptions, *,
                overwrite: bool = False) -> ExportResult:
    """Export an image file with no edits: a JPEG on libvips (:mod:`.export_vips`), anything
    else through Pillow, decoding JPEGs at the smallest DCT scale that suffices."""
    options = options.validated()
    decoded = vips_decode(source, options, lambda size: target_size(size, options))
    if decoded is None:
        size = image_size(source)
        return export_image(load_image(source, draft=draft_size(size, options)), path, options,
                            overwrite=overwrite)
    path, = check_outputs([path], protect=(source,), overwrite=overwrite)
    exif = _kept_exif(decoded.exif, options)
    if options.format == "JPEG":
        data, quality = _fitting(lambda q: decoded.jpeg(q, decoded.icc, exif), options, decoded.name)
        width, height = decoded.image.width, decoded.image.height
    else:
        image = Image(decoded.pixels(), icc_profile=decoded.icc, exif=exif, dpi=decoded.dpi, source=Path(source))
        data, quality = encode(image, replace(options, metadata="keep", colour_space="keep"))
        width, height = image.width, image.height
    atomic_write(path, lambda fh: fh.write(data), protect=(source,), overwrite=overwrite)
    return ExportResult(path, width, height, options.format, quality, len(data), [])


def image_size(path: str | Path) -> tuple[int, int]:
    """(width, height) after EXIF rotation, read from the header only; bad files refused clearly."""
    with open_header(path) as im:
        w, h = im.size
        return (h, w) if quarter_turned(im) else (w, h)
