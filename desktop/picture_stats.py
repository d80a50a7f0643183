"""What the Info panel says about a picture: its histogram, what is clipped, and the facts in its file.

No Qt here. The histogram and the clipping are read off the 8-bit screen preview (made in
a worker with the picture's drawing), so a 50 MP file costs no more than a 4 MP one; the
facts come from the picture's own EXIF and ICC profile, read with Pillow.
"""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np

from packshot.core.image import Image

# EXIF tags (Pillow's numbers): in the main IFD, and in the Exif sub-IFD (0x8769).
MAKE, MODEL, EXIF_IFD = 0x010F, 0x0110, 0x8769
EXPOSURE_TIME, F_NUMBER, ISO, TAKEN, FOCAL_LENGTH, LENS_MODEL = 0x829A, 0x829D, 0x8827, 0x9003, 0x920A, 0xA434


def opaque_rgb(pixels: np.ndarray) -> np.ndarray:
    """The RGB values of the pixels that show (transparent ones left out), as N x 3."""
    rgb = pixels[..., :3].reshape(-1, 3)
    return rgb[pixels[..., 3].reshape(-1) > 0] if pixels.shape[2] == 4 else rgb


def histogram(pixels: np.ndarray) -> np.ndarray:
    """Counts per 8-bit level, one row per channel (3 x 256)."""
    rgb = opaque_rgb(pixels)
    return np.stack([np.bincount(rgb[:, c], minlength=256)[:256] for c in range(3)])


def clipping(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(highlights, shadows): where any channel sits at 255 (blown), and where every channel sits at 0 (blocked)."""
    rgb = pixels[..., :3]
    shows = pixels[..., 3] > 0 if pixels.shape[2] == 4 else np.ones(pixels.shape[:2], bool)
    return (rgb >= 255).any(axis=2) & shows, (rgb <= 0).all(axis=2) & shows


def _exif(image: Image) -> tuple[dict, dict]:
    if not image.exif:
        return {}, {}
    from PIL import Image as PILImage

    exif = PILImage.Exif()
    try:
        exif.load(image.exif)
        return dict(exif), dict(exif.get_ifd(EXIF_IFD))
    except (OSError, ValueError, TypeError, KeyError, SyntaxError):  # a broken EXIF block: the facts are missing
        return {}, {}


def _profile_name(icc: bytes | None) -> str:
    if not icc:
        return "none (treated as sRGB)"
    from PIL import ImageCms

    try:
        return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip() or "embedded"
    except (ImageCms.PyCMSError, OSError, ValueError):
        return "embedded (unreadable)"


def _exposure(sub: dict) -> str:
    parts = []
    if EXPOSURE_TIME in sub:
        t = float(sub[EXPOSURE_TIME])
        parts.append(f"1/{round(1 / t)} s" if 0 < t < 1 else f"{t:g} s")
    if F_NUMBER in sub:
        parts.append(f"f/{float(sub[F_NUMBER]):g}")
    if ISO in sub:
        parts.append(f"ISO {sub[ISO]}")
    if FOCAL_LENGTH in sub:
        parts.append(f"{float(Fraction(str(sub[FOCAL_LENGTH])).limit_denominator(100)):g} mm")
    return "  ".join(parts)


def picture_facts(image: Image) -> list[tuple[str, str]]:
    """(label, value) lines: size, bit depth, profile, and the camera, lens and exposure the EXIF gives."""
    main, sub = _exif(image)
    kind = "RGBA" if image.has_alpha else "RGB"
    facts = [("Size", f"{image.width} x {image.height} px ({image.width * image.height / 1e6:.1f} MP)"),
             ("Bit depth", f"{image.bit_depth}-bit {kind}"),
             ("Profile", _profile_name(image.icc_profile))]
    camera = " ".join(str(main.get(t, "")).strip("\x00 ") for t in (MAKE, MODEL)).strip()
    lens = str(sub.get(LENS_MODEL, "")).strip("\x00 ")
    for label, value in (("Camera", camera), ("Lens", lens), ("Exposure", _exposure(sub)),
                         ("Taken", str(sub.get(TAKEN, "")))):
        facts.append((label, value or "—"))
    return facts
