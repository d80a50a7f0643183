"""Before/after pairs with a known house look, for tests and benchmarks of learned looks.

Each pair is what a studio has on disk: a shot that came out a little off (its own
exposure error and colour cast, in linear light, as a camera gets it wrong) and the
final edit (the shot as it should have been, through the studio's fixed curve,
saturation and tint). A single global correction cannot undo a different error per
shot, so these pairs tell an adaptive look apart from a global one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from packshot.core.image import Image, quantize
from packshot.core.synthetic import studio_shot

from .images import photo

PRODUCT_COLOURS = ((0.75, 0.18, 0.12), (0.15, 0.35, 0.7), (0.2, 0.6, 0.3), (0.85, 0.7, 0.2),
                   (0.5, 0.3, 0.6), (0.3, 0.3, 0.3))


def to_linear(rgb: np.ndarray) -> np.ndarray:
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def to_srgb(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(lin, 0.0, 1.0)
    return np.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)


def house_look(rgb: np.ndarray) -> np.ndarray:
    """The studio's fixed edit: an S-curve with lifted blacks, +30 % saturation, a warm tint."""
    x = np.clip(rgb, 0.0, 1.0)
    a, b = x**1.6, (1.0 - x) ** 1.6
    x = 0.03 + 0.95 * a / np.maximum(a + b, 1e-12)
    grey = x @ np.array([0.2126, 0.7152, 0.0722])
    x = grey[..., None] + 1.3 * (x - grey[..., None])
    return np.clip(x * np.array([1.04, 1.0, 0.93]), 0.0, 1.0)


def shot_error(rgb: np.ndarray, stops: float, cast: Sequence[float]) -> np.ndarray:
    """The same scene exposed ``stops`` off under an illuminant with per-channel ``cast`` gains."""
    return to_srgb(to_linear(rgb) * 2.0**stops * np.asarray(cast))


def source(name: str, side: int, rng: np.random.Generator) -> np.ndarray:
    """A float RGB picture of about ``side`` px from a named source: a photo crop or a studio shot.

    Names are ``skimage.data`` photographs (``coffee``, ``rocket``, ...) or ``studio:SHAPE``.
    """
    if name.startswith("studio:"):
        colour = PRODUCT_COLOURS[int(rng.integers(len(PRODUCT_COLOURS)))]
        rgb, _ = studio_shot(side, round(side * 4 / 3), shape=name.split(":", 1)[1], colour=colour,
                             seed=int(rng.integers(1 << 30)))
        return rgb.astype(np.float64)
    import skimage.data

    pixels = getattr(skimage.data, name)() if name not in ("astronaut", "coffee", "chelsea", "rocket") \
        else photo(name, None).pixels
    h, w = pixels.shape[:2]
    crop = int(min(h, w) * rng.uniform(0.5, 1.0))
    top, left = int(rng.integers(h - crop + 1)), int(rng.integers(w - crop + 1))
    from PIL import Image as PILImage

    tile = PILImage.fromarray(np.ascontiguousarray(pixels[top:top + crop, left:left + crop, :3]))
    return np.asarray(tile.resize((side, side), PILImage.Resampling.LANCZOS), np.float64) / 255.0


def look_pairs(sources: Sequence[str], count: int, *, side: int = 96, seed: int = 0,
               stops: float = 0.6, cast: float = 0.2, bit_depth: int = 8) -> list[tuple[str, Image, Image]]:
    """``count`` named (before, after) pairs drawn in turn from ``sources``."""
    rng = np.random.default_rng(seed)
    dtype = np.uint16 if bit_depth == 16 else np.uint8
    pairs = []
    for i in range(count):
        name = sources[i % len(sources)]
        rgb = source(name, side, rng)
        gains = (rng.uniform(1 - cast, 1 + cast), 1.0, rng.uniform(1 - cast, 1 + cast))
        before = shot_error(rgb, rng.uniform(-stops, stops), gains)
        label = f"{name.replace(':', '-')}-{i:03d}"
        pairs.append((label, Image(quantize(before, dtype)), Image(quantize(house_look(rgb), dtype))))
    return pairs
